"""Growth against last year's figure in the warehouse, cross-checked with this year's prior-year
columns.

Growth is internet revenue over the prior year's. When the warehouse holds the previous fiscal
year, the prior figure is the one used for the company last year (its reconciled value), so a
company is measured against what it was evaluated on. This year's declaration form and public
report each carry a prior-year column too (``internet_revenue_prior``: ``declared`` and
``public`` of clean.company_year_metric); each is compared with last year's figure:

- the public report's prior-year column differs: the company **restated** last year's figure
  (finding kind ``restated``);
- the form's prior-year column differs: the declaration is **inconsistent** with what the company
  was evaluated on last year (finding kind ``inconsistent``).

Each finding carries both values. Without the previous year in the warehouse, this year's
prior-year value is used as it is and nothing is cross-checked (``prior_source`` says which).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TOLERANCE = 0.01  # relative: 1%, the reconciliation's tolerance for amounts
METRIC = "internet_revenue"
PRIOR = "internet_revenue_prior"


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def cross_check(this_long: pd.DataFrame, prev_long: pd.DataFrame, year: int,
                tolerance: float = TOLERANCE) -> tuple[dict[str, float], list[dict]]:
    """(last year's internet revenue by company, findings) from the two years' metric rows
    (``warehouse.reads.metrics_long``)."""
    last: dict[str, float] = {}
    if len(prev_long):
        rows = prev_long[prev_long["metric"] == METRIC]
        for cid, v in zip(rows["company_id"].astype(str), rows["value"]):
            if _num(v) is not None:
                last[cid] = float(v)
    findings: list[dict] = []
    if not last or not len(this_long):
        return last, findings
    prior = this_long[this_long["metric"] == PRIOR]
    for r in prior.to_dict("records"):
        cid = str(r["company_id"])
        if cid not in last:
            continue
        was = last[cid]
        for column, kind, what in (("public", "restated", "the public report's prior-year column"),
                                   ("declared", "inconsistent", "the declaration form's prior-year column")):
            v = _num(r.get(column))
            if v is None or (was == 0 and v == 0):
                continue
            diff = (v - was) / abs(was) if was else float("inf")
            if abs(diff) > tolerance:
                findings.append({
                    "company_id": cid, "fiscal_year": year, "check": "accuracy", "kind": kind, "metric": PRIOR,
                    "severity": "WARNING", "warehouse": was, "this_year": v, "column": column,
                    "message": (f"{what} gives FY{year - 1} internet revenue {v:,.0f}; the warehouse's FY{year - 1} "
                                f"figure (evaluated last year) is {was:,.0f} ({diff:+.1%}); growth uses the warehouse's"),
                })
    return last, findings


def apply_prior(pool: pd.DataFrame, last: dict[str, float]) -> pd.DataFrame:
    """The pool with ``internet_revenue_prior`` taken from last year's figure where there is one."""
    if not last:
        return pool
    pool = pool.copy()
    ids = pool.index.astype(str)
    from_wh = pd.Series([last.get(i) for i in ids], index=pool.index, dtype="float64")
    current = pd.to_numeric(pool.get(PRIOR), errors="coerce") if PRIOR in pool else pd.Series(float("nan"), index=pool.index)
    pool[PRIOR] = from_wh.where(from_wh.notna(), current)
    return pool
