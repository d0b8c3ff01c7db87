"""Reference data copied from the report (the program never reads ../shared).

Source: 中国互联网协会、工业和信息化部信息中心《2015 年中国互联网企业 100 强》(July 2015),
section 二(一), table 1 "全球互联网上市公司市值排名前三十中的互联网百强企业" (资料来源：Wind 资讯、
路透社), and the preface (信息消费规模 2.8 万亿元).

Table 1 gives market values in 亿元 (the unit is not printed; Google's 22666.1 is about
US$370 bn, so 亿元 it is) on 2015-06-15. The 18 companies not on the list are what the report
compares our list against: ``global_top30`` ranks them together with the list's own market
values (on the evaluation's market-value date, a different day: METHOD.md section 6).
"""

from __future__ import annotations

import pandas as pd

SOURCE = "2015 年中国互联网企业 100 强, 表 1 (资料来源：Wind 资讯、路透社)"
TABLE1_DATE = "2015-06-15"
TEXT_MARKET_VALUE_DATE = "2015-06-25"
INFORMATION_CONSUMPTION_2014 = 2.8e12  # 2014 年我国信息消费整体规模达到 2.8 万亿元

# (rank, name as printed, market value 亿元, venue as printed, on the 2015 list)
TABLE1 = [
    (1, "谷歌", 22666.1, "纳斯达克", False),
    (2, "FACEBOOK", 13864.1, "纳斯达克", False),
    (3, "阿里巴巴", 13146.0, "纽约证券交易所", True),
    (4, "亚马逊", 12068.3, "纳斯达克", False),
    (5, "腾讯控股", 11480.3, "香港联交所", True),
    (6, "EBAY", 4458.6, "纳斯达克", False),
    (7, "百度", 4420.0, "纳斯达克", True),
    (8, "Priceline Group Inc", 3726.8, "纳斯达克", False),
    (9, "京东商城", 3064.0, "纳斯达克", True),
    (10, "奈飞公司", 2425.2, "纳斯达克", False),
    (11, "雅虎", 2323.1, "纳斯达克", False),
    (12, "Linkedin", 1662.4, "纽约证券交易所", False),
    (13, "雅虎日本(Yahoo Japan)", 1524.3, "东京证券交易所", False),
    (14, "推特", 1388.6, "纽约证券交易所", False),
    (15, "乐天(Rakuten)", 1276.3, "东京证券交易所", False),
    (16, "东方财富", 1260.4, "深圳", True),
    (17, "乐视网", 1224.2, "深圳", True),
    (18, "Liberty Interactive", 1190.7, "美国", False),
    (19, "网易", 1184.9, "纳斯达克", True),
    (20, "Naver", 1083.5, "韩国证券交易所", False),
    (21, "唯品会", 884.2, "纽约证券交易所", True),
    (22, "EXPEDIA", 836.6, "纳斯达克", False),
    (23, "阿克迈技术 (Akamai)", 829.7, "美国", False),
    (24, "旅行顾问网(Trip Advisor)", 672.2, "美国", False),
    (25, "携程", 661.5, "纳斯达克", True),
    (26, "鹏博士", 620.8, "上海", True),
    (27, "奇虎 360", 520.6, "纽约证券交易所", True),
    (28, "Rocket Internet", 466.3, "德国法兰克福证交所", False),
    (29, "威瑞信", 445.1, "纳斯达克", False),
    (30, "58 同城", 425.0, "纽约证券交易所", True),
]


def table1() -> pd.DataFrame:
    return pd.DataFrame(TABLE1, columns=["rank", "name", "market_value_yi", "venue", "on_list"])


def global_top30(members: pd.DataFrame) -> pd.DataFrame:
    """The 18 reference companies of table 1 plus the list's listed companies with a market
    value (CNY, from the warehouse), ranked by market value in 亿元; the top 30 with
    ``on_list`` marked. ``members`` needs company_id, legal_name, brands, market_value."""
    others = table1()
    others = others[~others["on_list"]].assign(company_id=None, source=f"table 1, {TABLE1_DATE}")
    mv = pd.to_numeric(members.get("market_value"), errors="coerce") if "market_value" in members else None
    ours = pd.DataFrame(columns=others.columns)
    if mv is not None:
        has = members[mv > 0]
        ours = pd.DataFrame({
            "rank": None,
            "name": has["legal_name"].astype(str) if "legal_name" in has else has["company_id"].astype(str),
            "market_value_yi": (mv[mv > 0] / 1e8).round(1),
            "venue": has["exchange"].astype(str) if "exchange" in has else "",
            "on_list": True,
            "company_id": has["company_id"].astype(str),
            "source": "this run (market-value date)",
        })
    both = pd.concat([others, ours], ignore_index=True) if len(ours) else others.reset_index(drop=True)
    both = both.sort_values(["market_value_yi", "name"], ascending=[False, True], kind="mergesort")
    top = both.head(30).reset_index(drop=True)
    top["rank"] = range(1, len(top) + 1)
    return top
