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

Like is compared with like. Where either year's internet revenue is **derived** (status
``derived``: self-operated e-commerce, revenue less the cost of goods, METHOD.md section 3), the
form's and the report's columns hold the gross figure as declared or printed, not the figure
used; each is then compared with the same column of last year's row (what the company declared,
what its report printed, last year), never with the derived figure.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TOLERANCE = 0.01  # relative: 1%, the reconciliation's tolerance for amounts
METRIC = "internet_revenue"
PRIOR = "internet_revenue_prior"
DERIVED = "derived"  # the status of a figure derived from others (self-operated e-commerce)


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
    last_row: dict[str, dict] = {}
    if len(prev_long):
        rows = prev_long[prev_long["metric"] == METRIC]
        for r in rows.to_dict("records"):
            cid = str(r["company_id"])
            if _num(r.get("value")) is not None:
                last[cid] = float(r["value"])
                last_row[cid] = r
    findings: list[dict] = []
    if not last or not len(this_long):
        return last, findings
    prior = this_long[this_long["metric"] == PRIOR]
    for r in prior.to_dict("records"):
        cid = str(r["company_id"])
        if cid not in last:
            continue
        derived = DERIVED in (r.get("status"), last_row[cid].get("status"))
        for column, kind, what in (("public", "restated", "the public report's prior-year column"),
                                   ("declared", "inconsistent", "the declaration form's prior-year column")):
            v = _num(r.get(column))
            # a derived figure's columns hold the gross figure: compared with last year's same column
            was = _num(last_row[cid].get(column)) if derived else last[cid]
            if v is None or was is None or (was == 0 and v == 0):
                continue
            diff = (v - was) / abs(was) if was else float("inf")
            if abs(diff) > tolerance:
                then = (f"last year's {'form' if column == 'declared' else 'report'} gave {was:,.0f} ({diff:+.1%}; "
                        "the gross figure: internet revenue is derived, self-operated e-commerce)" if derived
                        else f"the warehouse's FY{year - 1} figure (evaluated last year) is {was:,.0f} ({diff:+.1%})")
                findings.append({
                    "company_id": cid, "fiscal_year": year, "check": "accuracy", "kind": kind, "metric": PRIOR,
                    "severity": "WARNING", "warehouse": was, "this_year": v, "column": column,
                    "message": f"{what} gives FY{year - 1} internet revenue {v:,.0f}; {then}; growth uses the warehouse's",
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
