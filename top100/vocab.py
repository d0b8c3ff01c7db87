"""Names shared by every stage: metrics, checks, business types, exchanges, provinces.

Chinese names are the real names of these things in the method and in the documents; the
English identifiers are what the code, the files and the warehouse use.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Metric(StrEnum):
    """Facts about one company and fiscal year. Amounts are in the currency's base unit (元, HK$,
    US$); costs are positive, losses negative."""

    revenue = "revenue"  # 营业收入
    internet_revenue = "internet_revenue"  # 互联网业务收入
    operating_cost = "operating_cost"  # 营业成本 (cost of goods for self-operated e-commerce)
    operating_profit = "operating_profit"  # 营业利润 (consolidated)
    profit_before_tax = "profit_before_tax"  # 利润总额
    net_profit = "net_profit"  # 净利润
    net_profit_attributable = "net_profit_attributable"  # 归属于上市公司股东的净利润
    rd_expense = "rd_expense"  # 研发费用 as expensed (Fact.basis: income_statement or mdna:...)
    employees_total = "employees_total"  # 在职员工的数量合计
    rd_investment = "rd_investment"  # 研发投入合计 / 研发支出合计 (capitalised part included); never rd_expense
    total_assets = "total_assets"  # 总资产
    market_value = "market_value"  # 总市值 on the market-value date, in CNY
    total_shares = "total_shares"  # 股份总数 / shares in issue at the fiscal year end (a count; Fact.period_end its date)
    users = "users"  # 用户数 (for companies that are not listed)
    traffic = "traffic"  # 流量: third-party traffic (desktop + mobile)
    traffic_mobile = "traffic_mobile"
    traffic_desktop = "traffic_desktop"
    social_responsibility = "social_responsibility"  # 社会责任 score, 0..100
    # the prior fiscal year's values, kept under their own names in company_year_metric
    revenue_prior = "revenue_prior"
    internet_revenue_prior = "internet_revenue_prior"


MONEY_METRICS = frozenset(
    {
        Metric.revenue,
        Metric.internet_revenue,
        Metric.operating_cost,
        Metric.operating_profit,
        Metric.profit_before_tax,
        Metric.net_profit,
        Metric.net_profit_attributable,
        Metric.rd_expense,
        Metric.rd_investment,
        Metric.total_assets,
        Metric.market_value,
        Metric.revenue_prior,
        Metric.internet_revenue_prior,
    }
)


class Check(StrEnum):
    """The method's four checks (METHOD.md section 2)."""

    licence = "licence"  # 企业经营许可证情况核查
    main_business = "main_business"  # 企业主营业务类型和收入比重核查
    accuracy = "accuracy"  # 企业数据真实性和准确性核查
    integrity = "integrity"  # 企业诚信和合法合规性核查


class Severity(StrEnum):
    ERROR = "ERROR"  # blocks the company from scoring
    WARNING = "WARNING"  # shown, corrected or explained, does not block
    INFO = "INFO"


class BusinessType(StrEnum):
    """Main business types of the 2015 report (section 二(二))."""

    online_games = "online_games"  # 网络游戏
    ecommerce = "ecommerce"  # 电子商务
    vertical_portal = "vertical_portal"  # 垂直门户
    general_portal = "general_portal"  # 综合门户
    online_video = "online_video"  # 网络视频
    internet_finance = "internet_finance"  # 互联网金融
    idc_cdn = "idc_cdn"  # IDC 及 CDN
    isp = "isp"  # 互联网接入服务
    online_education = "online_education"  # 在线教育
    other = "other"  # 其他 (the report's counts add up to 93: the rest)


BUSINESS_TYPE_ZH = {
    BusinessType.online_games: "网络游戏",
    BusinessType.ecommerce: "电子商务",
    BusinessType.vertical_portal: "垂直门户",
    BusinessType.general_portal: "综合门户",
    BusinessType.online_video: "网络视频",
    BusinessType.internet_finance: "互联网金融",
    BusinessType.idc_cdn: "IDC及CDN",
    BusinessType.isp: "互联网接入",
    BusinessType.online_education: "在线教育",
    BusinessType.other: "其他",
}


class Exchange(StrEnum):
    SSE = "SSE"  # 上海证券交易所
    SZSE = "SZSE"  # 深圳证券交易所
    HKEX = "HKEX"  # 香港联交所
    NYSE = "NYSE"
    NASDAQ = "NASDAQ"


EXCHANGE_GROUP = {  # the report's three listing venues
    Exchange.SSE: "A-share",
    Exchange.SZSE: "A-share",
    Exchange.HKEX: "Hong Kong",
    Exchange.NYSE: "US",
    Exchange.NASDAQ: "US",
}


class LicenceType(StrEnum):
    """Value-added telecom licence kinds of the method (评价对象)."""

    ICP = "ICP"  # 互联网信息服务
    ISP = "ISP"  # 互联网接入服务
    IDC = "IDC"  # 互联网数据中心
    ODP = "ODP"  # 在线数据处理与交易处理


# Licence number shapes, the one definition (the verify stage's defaults, expectations.rules, and
# the demo world's defects use them). An ICP licence is issued by a provincial bureau:
# 京ICP证030173号; ISP/IDC/ODP licences by the ministry or a province: B1-20090003, B2-20120077
# (A-share filings print both shapes). No capture groups: Great Expectations counts a group as a column.
LICENCE_NUMBER_SHAPES: dict[LicenceType, str] = {
    LicenceType.ICP: r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP证\d{6}号$",
    LicenceType.ISP: r"^(?:A2|B1)-\d{8}$",
    LicenceType.IDC: r"^(?:A2|B1)-\d{8}$",
    LicenceType.ODP: r"^B2-\d{8}$",
}
LICENCE_PATTERNS = {licence_type: re.compile(shape) for licence_type, shape in LICENCE_NUMBER_SHAPES.items()}


class Province(StrEnum):
    beijing = "beijing"
    shanghai = "shanghai"
    guangdong = "guangdong"
    jiangsu = "jiangsu"
    zhejiang = "zhejiang"
    fujian = "fujian"
    hunan = "hunan"
    heilongjiang = "heilongjiang"
    sichuan = "sichuan"
    henan = "henan"
    tianjin = "tianjin"
    hubei = "hubei"
    shandong = "shandong"
    anhui = "anhui"
    chongqing = "chongqing"
    shaanxi = "shaanxi"
    hong_kong = "hong_kong"  # outside mainland China: not eligible as headquarters of operations
    overseas = "overseas"


PROVINCE_ZH = {
    Province.beijing: "北京", Province.shanghai: "上海", Province.guangdong: "广东",
    Province.jiangsu: "江苏", Province.zhejiang: "浙江", Province.fujian: "福建",
    Province.hunan: "湖南", Province.heilongjiang: "黑龙江", Province.sichuan: "四川",
    Province.henan: "河南", Province.tianjin: "天津", Province.hubei: "湖北",
    Province.shandong: "山东", Province.anhui: "安徽", Province.chongqing: "重庆",
    Province.shaanxi: "陕西", Province.hong_kong: "香港", Province.overseas: "境外",
}

MAINLAND_PROVINCES = frozenset(p for p in Province if p not in (Province.hong_kong, Province.overseas))


class DocType(StrEnum):
    annual_report = "annual_report"  # 年度报告 (A-share, full text)
    prospectus = "prospectus"  # 招股说明书
    hk_annual_report = "hk_annual_report"
    companyfacts = "companyfacts"  # SEC XBRL companyfacts JSON
    form_20f = "20-F"
    form_f1 = "F-1"
    form_424b4 = "424B4"
    declaration_form = "declaration_form"  # 申报表 (xlsx, from the inbox)
    licence_registry = "licence_registry"  # 许可证登记 export (csv, from the inbox)
    traffic = "traffic"  # third-party traffic data (csv, from the inbox)
    integrity = "integrity"  # integrity (credit) records (csv, from the inbox)
    listings = "listings"  # listing venues, tickers and ADS ratios (csv, from the inbox)


COMPANY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def check_company_id(value: str) -> str:
    """A company id is an identifier, never a path: letters, digits, '-' and '_' only."""
    if not isinstance(value, str) or not COMPANY_ID_RE.match(value):
        raise ValueError(f"invalid company id {value!r}: letters, digits, '-' and '_' only, 1-32 chars")
    return value
