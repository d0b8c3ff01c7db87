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

# The table itself is data of its list year: ``[reference.global_top30]`` of evaluation/2015.toml
# (top100.year.GlobalTop30: date, unit, source, rows of rank, name, 亿元, venue, on the list).
COLUMNS = ["rank", "name", "market_value_yi", "venue", "on_list"]


def table1(table) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in table.rows], columns=COLUMNS)


def global_top30(members: pd.DataFrame, table=None) -> pd.DataFrame:
    """The 18 reference companies of table 1 plus the list's listed companies with a market
    value (CNY, from the warehouse), ranked by market value in 亿元; the top 30 with
    ``on_list`` marked. ``members`` needs company_id, legal_name, brands, market_value. ``table``
    is the year's ``reference.global_top30``; a year without one gets an empty table."""
    if table is None:
        return pd.DataFrame(columns=[*COLUMNS, "company_id", "source"])
    others = table1(table)
    others = others[~others["on_list"]].assign(company_id=None, source=f"table 1, {table.date.isoformat()}")
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
