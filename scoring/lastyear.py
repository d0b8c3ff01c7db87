"""Last year's list, from the warehouse: what the report states about "去年/上年度百强".

The 2015 report compares its list with the previous one: the total (3980 亿元, +44%), the
provinces (8 -> 10), the central and western companies (1 -> 5; Hunan 1 -> 3), traffic
concentration (top 5: 74% -> 54%, top 20: 95% -> 84%). ``compare(this, previous)`` computes all
of that, and the new entrants, the leavers and the rank moves by company, from the two years'
lists as the warehouse holds them (``previous_list`` reads the previous fiscal year's ranking and
metrics through the named reads). When the previous year is not in the warehouse nothing is computed: every figure
says "not available (FY… not in the warehouse)", and a total stated in the year file is shown
as a labelled fallback, never as reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scoring.stats import as_dict, list_statistics

# the figures of last year the report states; each is computed for both lists
COMPARED = ("total_internet_revenue", "province_count", "central_western_count", "province_hunan",
            "traffic_top5_share", "traffic_top20_share", "list_size")


@dataclass
class LastYear:
    fiscal_year: int  # the previous fiscal year
    available: bool
    reason: str  # "warehouse, fiscal year 2013" or "not available (FY2013 not in the warehouse)"
    previous: dict[str, float | None] = field(default_factory=dict)
    current: dict[str, float | None] = field(default_factory=dict)
    growth: float | None = None  # this list's total over last year's, from the warehouse
    fallback_total: float | None = None  # the year file's stated total, when the warehouse lacks the year
    fallback_source: str = ""
    entrants: list[dict] = field(default_factory=list)  # on this list, not on last year's
    leavers: list[dict] = field(default_factory=list)  # on last year's list, not on this one
    moves: list[dict] = field(default_factory=list)  # on both: rank last year, rank now, places gained

    @property
    def previous_total(self) -> float | None:
        return self.previous.get("total_internet_revenue") if self.available else None

    def rows(self) -> list[dict]:
        """One row per compared figure: last year, this year, change."""
        out = []
        for name in COMPARED:
            a, b = self.previous.get(name), self.current.get(name)
            out.append({"name": name, "previous": a, "current": b,
                        "change": None if a is None or b is None else b - a})
        return out


def _members(ranking: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    ids = [str(c) for c in ranking["company_id"]]
    m = pool.loc[[i for i in ids if i in pool.index]].copy()
    ranks = dict(zip(ranking["company_id"].astype(str), ranking["rank"].astype(int)))
    m["rank"] = [ranks[i] for i in m.index]
    return m.sort_values("rank", kind="mergesort")


def _stats(members: pd.DataFrame) -> dict[str, float | None]:
    d = as_dict(list_statistics(members, previous_list_total=None, previous_source="-"))
    return {k: d.get(k) for k in COMPARED}


def previous_list(engine: Any, fiscal_year: int) -> pd.DataFrame | None:
    """The previous list's members (company columns, metrics, rank) from the warehouse, or None
    when that year is not there or was never ranked."""
    from scoring.run import build_pool
    from warehouse import reads

    if fiscal_year not in set(reads.years(engine)):
        return None
    ranking = reads.ranking(engine, fiscal_year)
    if ranking.empty:
        return None
    pool = build_pool(reads.metrics_wide(engine, fiscal_year), reads.companies(engine, fiscal_year))
    return _members(ranking, pool)


def compare(current: pd.DataFrame, previous: pd.DataFrame | None, fiscal_year: int, *,
            fallback_total: float | None = None, fallback_source: str = "") -> LastYear:
    """``current``: this list (company columns, metrics, ``rank``), ``previous``: last year's or
    None. ``fiscal_year``: the previous fiscal year."""
    now = _stats(current)
    if previous is None:
        return LastYear(fiscal_year, False, f"not available (FY{fiscal_year} not in the warehouse)",
                        previous={}, current=now, fallback_total=fallback_total, fallback_source=fallback_source)
    before = _stats(previous)
    total_a, total_b = before.get("total_internet_revenue"), now.get("total_internet_revenue")
    growth = total_b / total_a - 1 if total_a and total_b is not None else None

    def name(df: pd.DataFrame, cid: str) -> str:
        return str(df.at[cid, "legal_name"]) if "legal_name" in df.columns else cid

    prev_rank = {str(k): int(v) for k, v in previous["rank"].items()}
    cur_rank = {str(k): int(v) for k, v in current["rank"].items()}
    entrants = [{"company_id": c, "name": name(current, c), "rank": r}
                for c, r in sorted(cur_rank.items(), key=lambda kv: kv[1]) if c not in prev_rank]
    leavers = [{"company_id": c, "name": name(previous, c), "previous_rank": r}
               for c, r in sorted(prev_rank.items(), key=lambda kv: kv[1]) if c not in cur_rank]
    moves = [{"company_id": c, "name": name(current, c), "previous_rank": prev_rank[c], "rank": r,
              "gained": prev_rank[c] - r}
             for c, r in sorted(cur_rank.items(), key=lambda kv: kv[1]) if c in prev_rank]
    return LastYear(fiscal_year, True, f"warehouse, fiscal year {fiscal_year}", previous=before, current=now,
                    growth=growth, entrants=entrants, leavers=leavers, moves=moves)


def last_year(engine: Any, current: pd.DataFrame, ctx: Any) -> LastYear:
    """Last year's list from the warehouse for the year ``ctx`` (top100.year.YearContext)."""
    prev_fy = ctx.fiscal_year - 1
    fb = ctx.previous_list
    return compare(current, previous_list(engine, prev_fy), prev_fy,
                   fallback_total=fb.total_internet_revenue if fb else None,
                   fallback_source=f"{fb.source} ({ctx.file}, previous_list)" if fb else "")
