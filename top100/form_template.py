"""The declaration form (申报表) template: one xlsx per candidate, delivered to the inbox.

Layout (sheet ``申报表``):
- A1: the template id ``TOP100-DECLARATION-v1`` (a form without it is not the template);
- A2: the fiscal year being declared (an integer, e.g. 2014);
- row 3: headers ``字段 | 项目 | 本年 | 上年 | 单位``;
- from row 4: one row per field below, in this order. Column A holds the field code, B the
  Chinese label, C the value for the fiscal year, D the prior year's value (money and count
  fields only), E the unit as printed (money fields: 元, 千元, 万元 or 百万元; counts: 人 or 个).

The generator (mirror/) writes forms from this template and the form extractor (extractors/)
reads them by field code, validating every cell; neither hard-codes a row number.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_ID = "TOP100-DECLARATION-v1"
SHEET = "申报表"
HEADER_ROW = 3
FIRST_FIELD_ROW = 4
HEADERS = ("字段", "项目", "本年", "上年", "单位")


@dataclass(frozen=True)
class FormField:
    code: str
    label: str  # as printed on the form
    kind: str  # text | id | optional_id | enum:<vocab class> | date | optional_date | bool | int | money | count
    two_years: bool = False  # money and count fields carry the prior year in column D


FIELDS: tuple[FormField, ...] = (
    FormField("company_id", "申报编号", "id"),
    FormField("legal_name", "企业名称", "text"),
    FormField("brands", "主要品牌（以、分隔）", "text"),
    FormField("province", "总部所在省份", "enum:Province"),
    FormField("business_type", "主营业务类型", "enum:BusinessType"),
    FormField("exchange", "上市地点（未上市留空）", "optional_enum:Exchange"),
    FormField("ticker", "股票代码", "optional_text"),
    FormField("licence_type", "增值电信业务经营许可证类型", "enum:LicenceType"),
    FormField("licence_number", "许可证编号", "text"),
    FormField("licence_valid_until", "许可证有效期至", "date"),
    FormField("group_parent_id", "所属集团申报编号（无则留空）", "optional_id"),
    FormField("joined_group_on", "并入集团日期（无则留空）", "optional_date"),
    FormField("network_in_mainland", "网络接入地在中国大陆", "bool"),
    FormField("business_in_mainland", "主要业务在中国大陆", "bool"),
    FormField("self_operated_ecommerce", "是否自营型电子商务", "bool"),
    FormField("tax_compliant", "依法纳税", "bool"),
    FormField("compliance_incidents", "违法违规事件数", "int"),
    FormField("revenue", "营业收入", "money", True),
    FormField("internet_revenue", "互联网业务收入", "money", True),
    FormField("operating_cost", "营业成本（自营电商为商品采购成本）", "money", True),
    FormField("operating_profit", "营业利润", "money", True),
    FormField("net_profit", "净利润", "money", True),
    FormField("rd_expense", "研发费用", "money", True),
    FormField("employees_total", "员工总数", "count", True),
    FormField("users", "用户数", "count", True),
)

FIELD_BY_CODE = {f.code: f for f in FIELDS}

# Booleans are printed 是/否; dates as YYYY-MM-DD (or an Excel date cell).
TRUE_WORDS = ("是", "Y", "YES", "TRUE", "1")
FALSE_WORDS = ("否", "N", "NO", "FALSE", "0")

# Money units as printed, and the factor to the base unit (元).
MONEY_UNITS = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000, "亿元": 100_000_000}
COUNT_UNITS = {"人": 1, "个": 1, "万人": 10_000, "万": 10_000}
