"""The generator's own statement of the documented method (METHOD.md section 3; the weights of
docs/CONTRACTS.md "Default scoring" and evaluation/2015.toml ``[method]``).

The demo world is calibrated so that the published 2015 order comes out of this composite. It is
written here, a second time and on purpose, rather than imported from ``scoring/``: the known
answers must not be computed by the code they check, so a wrong weight or normalisation in
``scoring/`` makes the known-answer tests fail instead of moving the known answers with it
(tests/scoring/test_scoring_world.py perturbs scoring and sees them fail).

Each indicator: its source column (or ratio), how it is normalised over the eligible pool, its
weight. Normalisations: ``log``: log1p(max(x, 0)) then min-max; ``signed_log``: sign(x) *
log1p(|x|) then min-max; ``clip``: clip to [lo, hi] then min-max; ``fixed``: clip to [lo, hi]
then (x - lo) / (hi - lo). Min-max without spread scores 1; a missing value scores 0. Market
value or users: a listed company (market value > 0) is scored on market value, the others on
users, each group normalised on its own. total = 100 * sum(w * s) / sum(w).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# name: (source, normalisation, clip, weight), in the method's order
METHOD_VERSION = "2015.1"
INDICATORS: dict[str, tuple[str, str, tuple[float, float] | None, float]] = {
    "revenue_scale": ("internet_revenue", "log", None, 0.25),
    "human_capital": ("employees_total", "log", None, 0.05),
    "profitability": ("operating_profit", "signed_log", None, 0.10),
    "business_scale": ("traffic", "log", None, 0.15),
    "business_scale_2": ("market_value_or_users", "log", None, 0.10),
    "growth_rate": ("internet_revenue_growth", "clip", (-0.5, 3.0), 0.10),
    "technical_innovation": ("rd_ratio", "clip", (0.0, 0.5), 0.10),
    "social_responsibility": ("social_responsibility", "fixed", (0.0, 100.0), 0.15),
}
REVENUE_FLOOR = 2.0e8  # 入围企业互联网业务收入规模均在 2 亿元以上


def _col(table: pd.DataFrame, col: str) -> pd.Series:
    if col not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    return pd.to_numeric(table[col], errors="coerce").astype("float64")


def _per(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype("float64")


def _raw(table: pd.DataFrame, source: str) -> tuple[pd.Series, pd.Series | None]:
    if source == "internet_revenue_growth":
        return _per(_col(table, "internet_revenue"), _col(table, "internet_revenue_prior")) - 1.0, None
    if source == "rd_ratio":
        return _per(_col(table, "rd_expense"), _col(table, "revenue")), None
    if source == "market_value_or_users":
        mv = _col(table, "market_value")
        listed = mv > 0
        return mv.where(listed, _col(table, "users")), pd.Series(np.where(listed, "market_value", "users"),
                                                                  index=table.index)
    return _col(table, source), None


def _spread(x: pd.Series) -> pd.Series:
    lo, hi = x.min(), x.max()
    if not np.isfinite(lo) or hi == lo:
        return pd.Series(np.where(x.notna(), 1.0, np.nan), index=x.index)
    return (x - lo) / (hi - lo)


def _norm(x: pd.Series, how: str, clip: tuple[float, float] | None) -> pd.Series:
    x = x.astype("float64")
    if how == "log":
        return _spread(np.log1p(x.clip(lower=0)))
    if how == "signed_log":
        return _spread(np.sign(x) * np.log1p(x.abs()))
    if how == "clip":
        return _spread(x.clip(*clip))
    if how == "fixed":
        lo, hi = clip
        return (x.clip(lo, hi) - lo) / (hi - lo)
    raise ValueError(f"unknown normalisation {how!r}")


def total_score(table: pd.DataFrame) -> pd.Series:
    """The composite (0..100) of every row of ``table`` (the eligible pool), by the method above."""
    total_w = sum(w for *_, w in INDICATORS.values())
    total = pd.Series(0.0, index=table.index)
    for source, how, clip, weight in INDICATORS.values():
        raw, kind = _raw(table, source)
        if kind is None:
            score = _norm(raw, how, clip)
        else:
            score = pd.Series(np.nan, index=table.index)
            for k in sorted(kind.unique()):
                mask = kind == k
                score[mask] = _norm(raw[mask], how, clip)
        missing = raw.isna()
        score = score.fillna(0.0).where(~missing, 0.0)
        total = total + 100.0 * weight / total_w * score
    return total
