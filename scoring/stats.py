"""Every statistic of section 二 of the report, computed from the list and its metrics.

``list_statistics(members, ...)`` takes the list's companies in rank order (company columns
plus the metric columns of ``reads.metrics_wide``) and returns ``Stat`` rows in the report's order.
Definitions, where the report leaves them open (METHOD.md section 6 asks us to say which):

- "top 5 / top 10" (营收集中度) are the 5 / 10 largest internet revenues (CR5, CR10), as traffic
  concentration is by traffic; the share of the list's first 5 by rank is given beside it.
- growth is internet revenue over the prior year's internet revenue; the overall growth is
  the ratio of the sums over the companies that have both years.
- margins are operating profit over operating revenue (营业利润/营业收入; internet revenue where
  revenue is unknown), averaged **unweighted** over companies (the report's 10.7%); the
  weighted figure (total operating profit / total internet revenue, 13.7%) is given beside it.
- the R&D ratio is R&D expense over operating revenue (研发支出比例, footnote 7), unweighted mean.
- "above 1 bn" and similar thresholds are strict (超过).
- shares of companies are over the companies for which the figure is known; ``n`` says how many.

Each statistic names the companies behind it (``Stat.members``, in list order or the order the
figure takes them: the top 5 by revenue, the companies above 10 bn, one province's, the
profitable ones); None where the figure is over the whole list. The report links every one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from top100.vocab import EXCHANGE_GROUP, BusinessType, Province

# 中部 and 西部 in the official regional division (the report: 1 company last year -> 5).
CENTRAL_WESTERN = frozenset({
    "shanxi", "anhui", "jiangxi", "henan", "hubei", "hunan",  # central
    "inner_mongolia", "guangxi", "chongqing", "sichuan", "guizhou", "yunnan", "tibet", "shaanxi",
    "gansu", "qinghai", "ningxia", "xinjiang",  # western
})
BIG_THREE = (Province.beijing.value, Province.shanghai.value, Province.guangdong.value)
NAMED_TYPES = [t.value for t in BusinessType if t is not BusinessType.other]
BN = 1e9


@dataclass(frozen=True)
class Stat:
    name: str
    value: float | None
    unit: str  # CNY | share | count | ratio
    label: str
    n: int | None = None  # companies the figure is computed over, where that matters
    section: str = ""  # the report's subsection
    members: tuple[str, ...] | None = None  # the companies behind the figure; None: the whole list

    def to_dict(self) -> dict:
        return asdict(self)


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    return pd.to_numeric(df[col], errors="coerce").astype("float64")


def _f(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def list_statistics(members: pd.DataFrame, *, previous_list_total: float | None,
                    previous_source: str, information_consumption: float | None = None) -> list[Stat]:
    """The statistics of section 二 over ``members`` (the list, in rank order)."""
    m = members.reset_index(drop=True)
    n = len(m)
    out: list[Stat] = []
    section = ["（一）收入规模与增长 Revenue and growth"]

    ids = m["company_id"].astype(str) if "company_id" in m.columns else pd.Series(m.index.astype(str), index=m.index)

    def add(name, value, unit, label, count=None, who=None):
        """``who``: the companies behind the figure, a boolean mask over the list or the index of
        the ones it takes (in that order); None for the whole list."""
        if who is None:
            members = None
        elif pd.api.types.is_bool_dtype(who.dtype):  # a mask (nullable: missing is not in)
            members = tuple(ids.loc[who.index[who.fillna(False).astype(bool)]])
        else:  # the values the figure takes, by their index
            members = tuple(ids.loc[who.index])
        out.append(Stat(name, _f(value), unit, label, count, section[0], members))

    rev = _num(m, "internet_revenue")
    total = rev.sum()
    # (一) revenue, growth, concentration
    add("list_size", n, "count", "companies on the list")
    add("total_internet_revenue", total, "CNY", "total internet business revenue")
    add("previous_list_total", previous_list_total, "CNY", f"last year's list total ({previous_source})")
    add("growth_vs_previous_list",
        total / previous_list_total - 1 if previous_list_total else None, "share",
        "growth of the list total over last year's list")
    add("min_internet_revenue", rev.min(), "CNY", "smallest internet revenue on the list",
        who=rev[rev == rev.min()] if rev.notna().any() else rev.iloc[:0])
    add("count_revenue_above_1bn", (rev > 1 * BN).sum(), "count", "companies above 1 bn (10 亿元)", who=rev > 1 * BN)
    add("count_revenue_above_10bn", (rev > 10 * BN).sum(), "count", "companies above 10 bn (100 亿元)",
        who=rev > 10 * BN)
    by_rev = rev.dropna().sort_values(ascending=False, kind="mergesort")
    add("top5_internet_revenue", by_rev.head(5).sum(), "CNY", "the 5 largest internet revenues", who=by_rev.head(5))
    add("top5_share", by_rev.head(5).sum() / total if total else None, "share", "top 5 share of the total (CR5)",
        who=by_rev.head(5))
    add("top10_share", by_rev.head(10).sum() / total if total else None, "share", "top 10 share of the total (CR10)",
        who=by_rev.head(10))
    add("top5_share_by_rank", rev.head(5).sum() / total if total else None, "share",
        "share of the list's first 5 by rank", who=rev.head(5))
    if information_consumption:
        add("information_consumption_share", total / information_consumption, "share",
            "share of the fiscal year's information consumption")

    prior = _num(m, "internet_revenue_prior")
    both = rev.notna() & (prior > 0)
    growth = rev[both] / prior[both] - 1
    add("overall_growth", rev[both].sum() / prior[both].sum() - 1 if both.any() else None, "share",
        "overall internet revenue growth (companies with both years)", int(both.sum()), who=both)
    add("share_growth_above_20pct", (growth > 0.2).mean() if len(growth) else None, "share",
        "share of companies growing over 20%", len(growth), who=growth > 0.2)
    add("count_growth_above_100pct", (growth > 1.0).sum(), "count", "companies growing over 100%", len(growth),
        who=growth > 1.0)

    section[0] = "上市与市值 Listings and market value"
    exch = m["exchange"] if "exchange" in m.columns else pd.Series(None, index=m.index)
    group = exch.map(lambda e: EXCHANGE_GROUP.get(e) if isinstance(e, str) else None)
    listed = group.notna()
    add("listed_count", listed.sum(), "count", "listed companies", who=listed)
    add("listed_a_share", (group == "A-share").sum(), "count", "listed in Shanghai/Shenzhen", who=group == "A-share")
    add("listed_hong_kong", (group == "Hong Kong").sum(), "count", "listed in Hong Kong", who=group == "Hong Kong")
    add("listed_us", (group == "US").sum(), "count", "listed on NYSE/NASDAQ", who=group == "US")
    mv = _num(m, "market_value")
    add("total_market_value", mv[listed].sum(), "CNY", "total market value of the listed",
        int(mv[listed].notna().sum()), who=listed & mv.notna())

    section[0] = "（二）业务类型 Business types"
    btype = m["business_type"].astype("string") if "business_type" in m.columns else pd.Series(pd.NA, index=m.index)
    for t in [*NAMED_TYPES, BusinessType.other.value]:
        add(f"type_count_{t}", (btype == t).sum(), "count", f"companies of type {t}", who=btype == t)
        add(f"type_revenue_{t}", rev[btype == t].sum(), "CNY", f"internet revenue of type {t}", who=btype == t)
    add("type_count_named_sum", btype.isin(NAMED_TYPES).sum(), "count", "companies of the nine named types",
        who=btype.isin(NAMED_TYPES))
    eco = rev[btype == "ecommerce"].sum()
    portal = rev[btype == "general_portal"].sum()
    gv = btype.isin(["online_games", "vertical_portal"])
    add("ecommerce_revenue", eco, "CNY", "e-commerce internet revenue", who=btype == "ecommerce")
    add("ecommerce_share", eco / total if total else None, "share", "e-commerce share of revenue",
        who=btype == "ecommerce")
    add("general_portal_revenue", portal, "CNY", "general portals' internet revenue", who=btype == "general_portal")
    add("general_portal_share", portal / total if total else None, "share", "general portals' share of revenue",
        who=btype == "general_portal")
    add("games_vertical_company_share", gv.mean() if n else None, "share",
        "games + vertical portals: share of companies", who=gv)
    add("games_vertical_revenue_share", rev[gv].sum() / total if total else None, "share",
        "games + vertical portals: share of revenue", who=gv)
    rd = _num(m, "rd_expense") / _num(m, "revenue").where(lambda s: s > 0)
    add("rd_ratio_mean", rd.mean(), "ratio", "mean R&D ratio (R&D / operating revenue, unweighted)",
        int(rd.notna().sum()), who=rd.notna())

    section[0] = "（三）盈利 Profit and margins"
    op = _num(m, "operating_profit")
    known = op.dropna()
    big = known[known > 10 * BN]
    mid = known[(known > 1 * BN) & (known <= 10 * BN)]
    above = known[known > 1 * BN]
    add("total_operating_profit", known.sum(), "CNY", "total operating profit", len(known), who=known)
    add("count_profit_above_10bn", len(big), "count", "companies with operating profit above 10 bn", who=big)
    add("count_profit_1bn_to_10bn", len(mid), "count", "further companies above 1 bn", who=mid)
    add("profit_above_1bn_sum", big.sum() + mid.sum(), "CNY", "operating profit of those companies", who=above)
    add("profit_above_1bn_share", (big.sum() + mid.sum()) / known.sum() if known.sum() else None, "share",
        "their share of total operating profit", who=above)
    add("loss_share", (known < 0).mean() if len(known) else None, "share", "share of companies with a loss",
        len(known), who=known < 0)
    denom = _num(m, "revenue").where(lambda s: s > 0).fillna(rev.where(rev > 0))
    margin = (op / denom).dropna()
    prof = margin[op.loc[margin.index] > 0]
    add("profitable_count", (known > 0).sum(), "count", "profitable companies", who=known > 0)
    add("mean_margin", margin.mean(), "ratio", "mean operating margin (unweighted)", len(margin), who=margin)
    add("mean_margin_profitable", prof.mean(), "ratio", "mean operating margin of the profitable (unweighted)",
        len(prof), who=prof)
    add("weighted_margin", known.sum() / rev[known.index].sum() if rev[known.index].sum() else None, "ratio",
        "total operating profit / total internet revenue (weighted)", who=known)
    add("share_margin_above_20pct", (margin > 0.2).mean() if len(margin) else None, "share",
        "share of companies with a margin above 20%", len(margin), who=margin > 0.2)
    add("count_margin_above_40pct", (margin > 0.4).sum(), "count", "companies with a margin above 40%",
        who=margin > 0.4)

    section[0] = "（四）地域分布 Provinces"
    prov = m["province"].astype("string") if "province" in m.columns else pd.Series(pd.NA, index=m.index)
    add("province_count", prov.dropna().nunique(), "count", "provinces with a listed company")
    # every province of the vocabulary (0 where none), then any other value found, by count
    names = [*dict.fromkeys([*(p.value for p in Province), *sorted(prov.dropna().unique())])]
    for p in sorted(names, key=lambda p: (-(prov == p).sum(), names.index(p))):
        add(f"province_{p}", (prov == p).sum(), "count", f"companies in {p}", who=prov == p)
    b3 = prov.isin(BIG_THREE)
    add("big_three_count", b3.sum(), "count", "companies in Beijing, Shanghai, Guangdong", who=b3)
    add("big_three_share", b3.mean() if n else None, "share", "their share of the companies", who=b3)
    add("big_three_revenue", rev[b3].sum(), "CNY", "their internet revenue", who=b3)
    add("big_three_revenue_share", rev[b3].sum() / total if total else None, "share", "their share of revenue",
        who=b3)
    add("central_western_count", prov.isin(CENTRAL_WESTERN).sum(), "count", "companies in central/western provinces",
        who=prov.isin(CENTRAL_WESTERN))

    section[0] = "（五）流量 Traffic"
    tr = _num(m, "traffic").dropna().sort_values(ascending=False, kind="mergesort")
    ttot = tr.sum()
    add("traffic_top5_share", tr.head(5).sum() / ttot if ttot else None, "share", "top 5 by traffic: share",
        len(tr), who=tr.head(5))
    add("traffic_top20_share", tr.head(20).sum() / ttot if ttot else None, "share", "top 20 by traffic: share",
        len(tr), who=tr.head(20))
    mob, desk = _num(m, "traffic_mobile"), _num(m, "traffic_desktop")
    add("count_mobile_above_desktop", (mob > desk).sum(), "count", "companies with more mobile than desktop traffic",
        who=mob > desk)
    return out


def as_dict(stats: list[Stat]) -> dict[str, float | None]:
    return {s.name: s.value for s in stats}
