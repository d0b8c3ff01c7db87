"""Eligibility and ranking: who may be scored, and the list (METHOD.md sections 1-3).

Eligibility, checked in this order; the first reason that applies is recorded, and every
company of the pool comes out with ``eligible`` and, when excluded, ``excluded_reason`` (nothing
is dropped silently):

1. ``verify``: the verify stage marked the company not eligible (``eligible`` false in
   clean.company), with its own reason;
2. ``error_finding``: any finding of severity ERROR (licence, main business, accuracy,
   integrity) excludes the company, whatever its status: ERROR means "blocks scoring"
   (top100.vocab.Severity); corrected figures are WARNINGs;
3. groups are scored once: the verify stage consolidates a subsidiary whose group declares too
   (an ERROR finding ``subsidiary_declared_separately``, rule 2), and only it can, because the
   exception (a company that joined its group in 2015 was independent in 2014, METHOD.md
   section 1) needs the join date of the declaration. For inputs that never went through
   verify, ``config.exclude_group_members`` excludes every company whose group parent is in the
   pool (``group_member``);
4. ``below_floor``: internet revenue missing or below ``config.revenue_floor`` (0.2 bn).

Ranking: the eligible companies are scored together (scoring.index.composite), the total is
rounded to ``config.score_decimals``, and ties are broken by ``config.tie_break`` (default:
higher internet revenue) and finally by company_id ascending, so the order is total and
reproducible. The first ``config.top_n`` (100) form the list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import ScoringConfig
from scoring.index import INPUT_COLUMNS, composite
from top100.errors import ScoringError
from top100.records import RankingRow


def _truthy(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is True or (isinstance(v, (int, np.integer, np.bool_)) and bool(v))
                 or (isinstance(v, str) and v.strip().lower() in ("true", "1", "yes")))


def eligibility(pool: pd.DataFrame, findings: pd.DataFrame, config: ScoringConfig) -> pd.DataFrame:
    """One row per company of ``pool`` (metrics_wide: company columns + metrics), indexed by
    company_id, with ``eligible`` and ``excluded_reason``."""
    pool = pool.set_index("company_id", drop=False) if "company_id" in pool.columns else pool
    ids = pool.index
    reason = pd.Series([None] * len(ids), index=ids, dtype="object")

    def mark(mask: pd.Series, text: pd.Series | str) -> None:
        todo = mask & reason.isna()
        reason[todo] = text[todo] if isinstance(text, pd.Series) else text

    if "eligible" in pool.columns:
        declined = pool["eligible"].notna() & ~_truthy(pool["eligible"])
        why = pool.get("excluded_reason", pd.Series(None, index=ids)).fillna("not eligible")
        mark(declined, "verify: " + why.astype(str))

    if len(findings) and {"company_id", "severity"} <= set(findings.columns):
        err = findings[findings["severity"].astype(str).str.upper() == "ERROR"]
        if len(err):
            cols = [c for c in ("check", "kind", "metric") if c in err.columns]
            desc = err[cols].astype(str).agg("/".join, axis=1) if cols else pd.Series("ERROR", index=err.index)
            per = desc.groupby(err["company_id"].astype(str)).agg(lambda s: ", ".join(sorted(set(s))))
            text = ("error_finding: " + per).reindex(ids)
            mark(text.notna(), text)

    if config.exclude_group_members and "group_parent_id" in pool.columns:
        parent = pool["group_parent_id"]
        in_pool = parent.notna() & parent.isin(ids) & (parent != ids.to_series(index=ids))
        mark(in_pool, "group_member: consolidated into " + parent.astype(str))

    rev = pd.to_numeric(pool.get("internet_revenue"), errors="coerce") if "internet_revenue" in pool else \
        pd.Series(np.nan, index=ids)
    mark(rev.isna(), "below_floor: internet revenue unknown")
    mark(rev < config.revenue_floor,
         "below_floor: internet revenue " + (rev / 1e8).round(2).astype(str) +
         f" 亿元 < {config.revenue_floor / 1e8:g} 亿元")

    return pd.DataFrame({"eligible": reason.isna(), "excluded_reason": reason}, index=ids)


def order(scored: pd.DataFrame, table: pd.DataFrame, config: ScoringConfig) -> pd.DataFrame:
    """``scored`` (composite output) sorted by the ranking rule, with ``rank`` 1..n."""
    keys = pd.DataFrame(index=scored.index)
    keys["_score"] = scored["total_score"].round(config.score_decimals)
    sort_by, asc = ["_score"], [False]
    for i, col in enumerate(config.tie_break):
        keys[f"_t{i}"] = pd.to_numeric(table[col], errors="coerce") if col in table else np.nan
        sort_by.append(f"_t{i}")
        asc.append(False)
    keys["_id"] = scored.index.astype(str)
    sort_by.append("_id")
    asc.append(True)
    ranked = keys.sort_values(sort_by, ascending=asc, na_position="last", kind="mergesort")
    out = scored.loc[ranked.index].copy()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def rank_pool(pool: pd.DataFrame, findings: pd.DataFrame, config: ScoringConfig
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(eligibility of the pool, every eligible company scored and ranked)."""
    pool = pool.set_index("company_id", drop=False) if "company_id" in pool.columns else pool
    if pool.index.has_duplicates:
        dup = sorted(set(pool.index[pool.index.duplicated()].astype(str)))
        raise ScoringError(f"company ids appear more than once in the metrics: {', '.join(dup)}")
    elig = eligibility(pool, findings, config)
    table = pool.loc[elig.index[elig["eligible"]]]
    table = table.reindex(columns=[c for c in pool.columns if c != "company_id"])
    for c in INPUT_COLUMNS:
        if c not in table.columns:
            table[c] = np.nan
    scored = composite(table, config)
    return elig, order(scored, table, config)


def ranking_rows(ranked: pd.DataFrame, pool: pd.DataFrame, year: int, config: ScoringConfig
                 ) -> list[RankingRow]:
    """The first ``config.top_n`` of ``ranked`` as RankingRow, named from the pool's company columns."""
    pool = pool.set_index("company_id", drop=False) if "company_id" in pool.columns else pool
    rows = []
    for cid, r in ranked.head(config.top_n).iterrows():
        info = pool.loc[cid]
        rows.append(RankingRow(
            fiscal_year=year,
            rank=int(r["rank"]),
            company_id=str(cid),
            name=_text(info.get("legal_name")),
            brands=_text(info.get("brands")),
            total_score=round(float(r["total_score"]), config.score_decimals),
            indicators={n: _opt(r[f"{n}_score"]) for n in config.indicators},
            dimensions={d: round(float(r[f"dim_{d}"]), config.score_decimals) for d in config.dimensions},
        ))
    return rows


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _opt(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
