"""The composite index: a pure, vectorised function of an indicator table (METHOD.md section 3).

Input: one row per eligible company, indexed by company_id, with the columns
``internet_revenue, employees_total, operating_profit, traffic, market_value, users,
internet_revenue_prior, revenue, rd_expense, social_responsibility`` (NaN where unknown).
The mirror's generator imports this module to calibrate the demo world, so it depends on
nothing but pandas, numpy and scoring.config.

Normalisations (each maps the raw values of the eligible companies to [0, 1]):

- ``log_minmax``: ``log1p(max(x, 0))`` then min-max. Revenue, staff and traffic span five
  orders of magnitude; on a linear scale everyone below the top five would score ~0.
- ``signed_log_minmax``: ``sign(x) * log1p(|x|)`` then min-max. Losses are kept and rank
  below break-even, a big loss below a small one, on the same compressed scale as profits.
- ``clip_minmax``: clip to ``[lo, hi]`` then min-max over the clipped values. Used for growth
  (-50%..+300%: a company growing from almost nothing must not flatten everyone else) and the
  R&D ratio (0..50%).
- ``fixed``: clip to ``[lo, hi]`` then ``(x - lo) / (hi - lo)``: a scale that does not depend on
  the pool (the social-responsibility score is already 0..100).
- ``minmax``, ``rank`` (percentile of the average rank) and ``zscore`` (clipped to +-3 sd and
  mapped linearly) are available in the configuration.

When every non-missing value is equal, min-max has no spread: all of them score 1.

Missing values: an indicator whose raw value is missing (NaN, or a ratio whose denominator is
missing or not positive) scores ``config.missing_score`` (default 0: no evidence, no credit) and
sets ``<indicator>_missing``; the others are normalised without it.

``market_value_or_users``: listed companies (a positive market value) are scored on market
value, the others on users; each kind is normalised within its own group, because yuan of
market value and counts of users share no scale. ``<indicator>_kind`` says which one was used.

Scores: ``total_score = 100 * sum(w_i * s_i) / sum(w_i)``; a dimension's score is its
indicators' share of that sum, so the dimension scores add up to total_score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import Indicator, Norm, ScoringConfig

INPUT_COLUMNS = (
    "internet_revenue", "employees_total", "operating_profit", "traffic", "market_value", "users",
    "internet_revenue_prior", "revenue", "rd_expense", "social_responsibility",
)


def rd_basis(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """R&D for the R&D ratio: ``rd_expense`` (研发费用) where present, else ``rd_investment``
    (研发投入合计, capitalised part included), and which one per row (``basis``; NaN: neither)."""
    exp, inv = _num(table, "rd_expense"), _num(table, "rd_investment")
    basis = pd.Series(np.where(exp.notna(), "rd_expense", np.where(inv.notna(), "rd_investment", None)),
                      index=table.index, dtype=object)
    return exp.where(exp.notna(), inv), basis


def _num(table: pd.DataFrame, col: str) -> pd.Series:
    if col not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    return pd.to_numeric(table[col], errors="coerce").astype("float64")


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den where den > 0, else NaN (a ratio to nothing is missing, not infinite)."""
    return (num / den.where(den > 0)).astype("float64")


def source_values(table: pd.DataFrame, metric: str) -> tuple[pd.Series, pd.Series | None]:
    """The raw values of a source metric, and for ``market_value_or_users`` the kind per row."""
    if metric == "internet_revenue_growth":
        return _ratio(_num(table, "internet_revenue"), _num(table, "internet_revenue_prior")) - 1.0, None
    if metric == "rd_ratio":
        return _ratio(rd_basis(table)[0], _num(table, "revenue")), None
    if metric == "market_value_or_users":
        mv = _num(table, "market_value")
        listed = mv > 0
        kind = pd.Series(np.where(listed, "market_value", "users"), index=table.index)
        return mv.where(listed, _num(table, "users")), kind
    return _num(table, metric), None


def _minmax(x: pd.Series) -> pd.Series:
    lo, hi = x.min(), x.max()
    if not np.isfinite(lo) or hi == lo:
        return pd.Series(np.where(x.notna(), 1.0, np.nan), index=x.index)
    return (x - lo) / (hi - lo)


def normalise(raw: pd.Series, ind: Indicator) -> pd.Series:
    """Scores in [0, 1] of one group of raw values (NaN stays NaN)."""
    x = raw.astype("float64")
    match ind.norm:
        case Norm.log_minmax:
            return _minmax(np.log1p(x.clip(lower=0)))
        case Norm.signed_log_minmax:
            return _minmax(np.sign(x) * np.log1p(x.abs()))
        case Norm.clip_minmax:
            return _minmax(x.clip(*ind.clip))
        case Norm.fixed:
            lo, hi = ind.clip
            return (x.clip(lo, hi) - lo) / (hi - lo)
        case Norm.minmax:
            return _minmax(x)
        case Norm.rank:
            r = x.rank(method="average")
            n = int(x.notna().sum())
            return (r - 1) / (n - 1) if n > 1 else r.where(r.isna(), 1.0)
        case Norm.zscore:
            sd = x.std(ddof=0)
            if not sd > 0:
                return pd.Series(np.where(x.notna(), 0.5, np.nan), index=x.index)
            return ((x - x.mean()) / sd).clip(-3, 3).add(3).div(6)
    raise ValueError(f"unknown normalisation {ind.norm!r}")  # pragma: no cover


def composite(table: pd.DataFrame, config: ScoringConfig) -> pd.DataFrame:
    """Per company: ``<ind>_raw``, ``<ind>_score``, ``<ind>_missing`` (and ``<ind>_kind`` for
    market value/users) for every indicator, ``dim_<dimension>`` and ``total_score`` (0..100).
    Deterministic: the same table and configuration give the same frame, in the input's order."""
    out = pd.DataFrame(index=table.index)
    total_w = sum(config.weights.values())
    dims = {d: pd.Series(0.0, index=table.index) for d in config.dimensions}
    total = pd.Series(0.0, index=table.index)
    for name, ind in config.indicators.items():
        raw, kind = source_values(table, ind.metric)
        if kind is None:
            score = normalise(raw, ind)
        else:  # each kind normalised within its own group
            score = pd.Series(np.nan, index=table.index)
            for k in sorted(kind.unique()):
                mask = kind == k
                score[mask] = normalise(raw[mask], ind)
            out[f"{name}_kind"] = kind.where(raw.notna())
        missing = raw.isna()
        if ind.metric == "rd_ratio":  # which R&D figure the ratio used
            out[f"{name}_basis"] = rd_basis(table)[1].where(raw.notna())
        out[f"{name}_raw"] = raw
        out[f"{name}_score"] = score.fillna(config.missing_score).where(~missing, config.missing_score)
        out[f"{name}_missing"] = missing
        contribution = 100.0 * ind.weight / total_w * out[f"{name}_score"]
        dims[ind.dimension.value] = dims[ind.dimension.value] + contribution
        total = total + contribution
    for d, s in dims.items():
        out[f"dim_{d}"] = s
    out["total_score"] = total
    return out


def total_score(table: pd.DataFrame, config: ScoringConfig) -> pd.Series:
    """The composite score alone (0..100), indexed like ``table``: what calibration needs."""
    return composite(table, config)["total_score"]


def score_matrix(scored: pd.DataFrame, config: ScoringConfig) -> np.ndarray:
    """The normalised scores as an (n companies x n indicators) matrix, in config order."""
    return scored[[f"{n}_score" for n in config.indicators]].to_numpy(dtype="float64")
