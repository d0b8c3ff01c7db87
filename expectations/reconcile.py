"""The reconciliation rules, as pure functions over plain rows (dicts and numbers).

Declared figures (申报数据) are put beside public ones (年报, 20-F, 招股说明书) in RMB at the same
scale; differences that are exactly a unit factor are unit errors and corrected; otherwise the
audited public value wins for listed companies beyond tolerance (the declared one is kept).
Nothing here reads a file or knows about Great Expectations: the accuracy and licence checks
(expectations.accuracy, expectations.licence) apply these rules to a year's rows.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from expectations.rules import VerifyRules

# ---- currency -------------------------------------------------------------------------------


def fx_average(fx_rows: Iterable[dict], currency: str, year: int, period_end: str | None = None) -> float | None:
    """Mean of the CFETS central parity rates (CNY per unit) published in the fiscal period: the
    rate for flows (revenue, profit) of that fiscal year. The period is the twelve months ending
    on the fact's ``period_end`` (a fiscal year may end in any month: 2015-03-31 averages
    2014-04-01..2015-03-31); without one, the calendar year. One rate per published date."""
    if currency == "CNY":
        return 1.0
    start, end = fiscal_period(year, period_end)
    pair = f"{currency}/CNY"
    lo, hi = start.isoformat(), end.isoformat()
    by_date = {r["date"]: float(r["rate"]) for r in fx_rows
               if r.get("pair") == pair and lo <= str(r.get("date", ""))[:10] <= hi}
    return statistics.fmean(by_date.values()) if by_date else None


def fiscal_period(year: int, period_end: str | None) -> tuple[date, date]:
    """(first day, last day) of fiscal ``year``: the twelve months ending on ``period_end`` when it
    is given and falls in that year, else the calendar year."""
    try:
        end = date.fromisoformat(str(period_end)[:10]) if period_end else None
    except ValueError:
        end = None
    if end is None or end.year != year:
        return date(year, 1, 1), date(year, 12, 31)
    try:
        before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        before = end.replace(year=end.year - 1, day=28)
    return before + timedelta(days=1), end


# ---- declared versus public -----------------------------------------------------------------


def relative_difference(declared: float | None, public: float | None) -> float | None:
    """(declared - public) / |public|; None when either is missing or public is zero."""
    if declared is None or public is None or public == 0:
        return None
    return (declared - public) / abs(public)


def unit_factor(declared: float | None, public: float | None, factors: Sequence[float],
                tolerance: float) -> float | None:
    """The factor by which ``declared`` is off from ``public`` when that is exactly a unit
    factor (declared ≈ public × factor, factor 10^k or 10^-k), else None."""
    if not declared or not public or (declared > 0) != (public > 0):
        return None
    ratio = declared / public
    for f in factors:
        for cand in (f, 1 / f):
            if abs(ratio / cand - 1) <= tolerance:
                return cand
    return None


def suspect_factors(printed_scale: float | None, rules: VerifyRules) -> list[float]:
    """The unit errors a cell can have, from the unit printed beside it: under a 万元 (10^4)
    heading the slip is numbers in 元 (declared 10^4 times too large); under 元 it is numbers
    in 千元/万元/… (too small). An unknown unit allows every factor either way."""
    if printed_scale and printed_scale > 1:
        return [float(printed_scale)]
    if printed_scale == 1:
        return [1 / f for f in rules.unit_factors]
    return [c for f in rules.unit_factors for c in (f, 1 / f)]


def employees_unit_correction(revenue: float | None, employees: float | None,
                              rules: VerifyRules, revenue_factors: Sequence[float] | None = None,
                              ) -> tuple[str, float] | None:
    """A unit error seen in revenue per employee (人均收入) when no public figure exists.

    When revenue / employees is outside the plausible bounds and one unit factor applied to
    either revenue or the head count brings it inside, returns (field, factor) meaning
    "that field was declared ``factor`` times too large" (a factor < 1: too small). Of several
    corrections the one closest to the typical figure wins."""
    if not revenue or not employees or revenue <= 0 or employees <= 0:
        return None
    rpe = revenue / employees
    lo, hi = rules.revenue_per_employee_min, rules.revenue_per_employee_max
    if lo <= rpe <= hi:
        return None
    options: list[tuple[float, str, float]] = []
    # money declared under the wrong heading (元 vs 万元) is the common slip; a head count in
    # thousands shows itself as a fraction or a tiny number, and only then is it suspected
    if employees != int(employees) or employees < rules.employees_suspect_below:
        for f in (1e3, 1e4):
            fixed = rpe / f
            if lo <= fixed <= hi:
                options.append((abs(math.log(fixed / rules.revenue_per_employee_typical)), "employees_total", 1 / f))
    else:
        for cand in revenue_factors or suspect_factors(None, rules):
            fixed = rpe / cand  # revenue declared cand times too large
            if lo <= fixed <= hi:
                options.append((abs(math.log(fixed / rules.revenue_per_employee_typical)), "revenue", cand))
    if not options:
        return None
    _, field, factor = min(options)
    return field, factor


def share_unit_correction(part: float | None, whole: float | None, rules: VerifyRules,
                          factors: Sequence[float] | None = None) -> float | None:
    """A part (internet revenue, R&D, profit, cost) larger than the whole (revenue) by about a
    unit factor was declared in the wrong unit: the factor it is too large by, else None.
    "About": part / whole between factor × ``unit_part_min_share`` and factor, so that a cost a
    little above revenue (a loss) is not taken for a unit error."""
    if part is None or not whole or whole <= 0 or abs(part) <= whole * (1 + rules.relative_tolerance):
        return None
    ratio = abs(part) / whole
    for f in sorted(x for x in (factors or rules.unit_factors) if x > 1):
        if f * rules.unit_part_min_share <= ratio <= f * (1 + rules.relative_tolerance):
            return f
    return None


@dataclass(frozen=True)
class Decision:
    """What to use for one metric of one company."""

    value: float | None
    source: str
    rule: str
    status: str  # agree | corrected | public_used | declared_only | derived | missing
    difference: float | None
    unit_factor: float | None = None
    corrected_declared: float | None = None


def decide(declared: float | None, public: float | None, public_source: str | None,
           rules: VerifyRules) -> Decision:
    """Declared vs public for one metric, in CNY. Unit error → the corrected declared value;
    within tolerance → the declared value (agree); beyond → the audited public value."""
    if declared is None and public is None:
        return Decision(None, "declared", "missing", "missing", None)
    if public is None:
        return Decision(declared, "declared", "declared_only", "declared_only", None)
    if declared is None:
        return Decision(public, public_source or "public", "public_only", "public_used", None)
    factor = unit_factor(declared, public, rules.unit_factors, rules.unit_factor_tolerance)
    if factor is not None:
        fixed = declared / factor
        diff = relative_difference(fixed, public)
        if diff is not None and abs(diff) <= rules.relative_tolerance:
            return Decision(fixed, "declared", f"unit_error x{factor:g}", "corrected",
                            relative_difference(declared, public), factor, fixed)
        return Decision(public, public_source or "public", f"unit_error x{factor:g}, public used",
                        "public_used", relative_difference(declared, public), factor, fixed)
    diff = relative_difference(declared, public)
    if diff is not None and abs(diff) <= rules.relative_tolerance:
        return Decision(declared, "declared", f"within {rules.relative_tolerance:g}", "agree", diff)
    return Decision(public, public_source or "public",
                    f"beyond {rules.relative_tolerance:g}: audited public value", "public_used", diff)


# SEC filings as filed, read by extractors.sec_filing (issue 17): read where companyfacts lacks a
# figure or a company; where companyfacts has the figure it is the one used (a filing that agrees
# confirms it, one that disagrees is a finding: filing_disagreements), so nothing is counted twice
SEC_FILING_SOURCES = ("20-F", "F-1", "424B4")


def pick_public(facts: Iterable[dict], metric: str, year: int, sources: Sequence[str]) -> dict | None:
    """The public fact to compare with: current (not superseded) facts of the year from the
    most preferred source; CNY before a convenience translation in another currency (20-F).
    A fact read from an SEC filing as filed is a candidate only where the company's companyfacts
    give no fact of the metric and year."""
    order = {s: i for i, s in enumerate(sources)}
    cands = [f for f in facts if f.get("metric") == metric and f.get("fiscal_year") == year
             and not f.get("superseded") and f.get("doc_type") in order and f.get("value") is not None]
    if any(f.get("doc_type") == "companyfacts" for f in cands):
        cands = [f for f in cands if f.get("doc_type") not in SEC_FILING_SOURCES]
    if not cands:
        return None
    return min(cands, key=lambda f: (order[f["doc_type"]], f.get("currency") != "CNY",
                                     not f.get("restated"), f.get("page") or 0))


def filing_disagreements(facts: Iterable[dict], years: Sequence[int], *, relative: float = 0.001
                         ) -> list[tuple[dict, dict]]:
    """(companyfacts fact, filing fact) pairs of one company, metric and year, in the same
    currency, both current, whose values differ by more than the filing's printed rounding
    (half its scale) and ``relative`` of the companyfacts value. pick_public uses the
    companyfacts figure; each pair is reported (collected.filing_findings), never resolved silently."""
    current = [f for f in facts if not f.get("superseded") and f.get("value") is not None
               and f.get("fiscal_year") in years and f.get("company_id")]
    xbrl: dict[tuple, list[dict]] = {}
    for f in current:
        if f.get("doc_type") == "companyfacts":
            xbrl.setdefault((f["company_id"], f.get("metric"), f.get("fiscal_year"), f.get("currency") or ""), []).append(f)
    out: list[tuple[dict, dict]] = []
    for f in current:
        if f.get("doc_type") not in SEC_FILING_SOURCES:
            continue
        for x in xbrl.get((f["company_id"], f.get("metric"), f.get("fiscal_year"), f.get("currency") or ""), []):
            a, b = float(x["value"]), float(f["value"])
            allowed = max(0.5 * float(f.get("scale") or 1), relative * abs(a))
            if abs(a - b) > allowed:
                out.append((x, f))
    return out


# ---- groups and duplicates ------------------------------------------------------------------


def consolidated_into(parent_id: str | None, joined_on: str | None, declarants: set[str],
                      year: int, grace_years: int = 1) -> str | None:
    """The group a separate declaration belongs to (a finding), or None.

    A subsidiary whose group also declares is consolidated into it, except a company that joined
    the group only after the fiscal year (并入集团 in year + grace): it was independent then."""
    if not parent_id or parent_id not in declarants:
        return None
    if joined_on:
        try:
            joined = date.fromisoformat(str(joined_on)[:10])
        except ValueError:
            joined = None
        if joined is not None and joined.year >= year + grace_years:
            return None
    return parent_id


def normalise_name(name: str | None) -> str:
    """Legal names compared without spaces, brackets' width or case: （ ）and ( ) alike."""
    if not name:
        return ""
    table = str.maketrans({"（": "(", "）": ")", " ": "", "\u3000": ""})
    return str(name).translate(table).casefold()


def duplicate_companies(names: dict[str, str]) -> dict[str, str]:
    """company_id -> the id it duplicates (same legal name declared under another id; the
    smallest id is the original)."""
    first: dict[str, str] = {}
    dup: dict[str, str] = {}
    for cid in sorted(names):
        key = normalise_name(names[cid])
        if not key:
            continue
        if key in first:
            dup[cid] = first[key]
        else:
            first[key] = cid
    return dup


# ---- self-operated e-commerce ---------------------------------------------------------------


def gross_margin(revenue: float | None, cost: float | None) -> float | None:
    if not revenue or revenue <= 0 or cost is None or cost < 0:
        return None
    return (revenue - cost) / revenue


def peer_margin(peers: dict[str, tuple[float | None, float | None]]) -> tuple[float | None, list[str]]:
    """Median gross margin of the peers that publish revenue and cost, and their ids."""
    margins = {cid: gross_margin(r, c) for cid, (r, c) in sorted(peers.items())}
    used = {cid: m for cid, m in margins.items() if m is not None}
    if not used:
        return None, []
    return statistics.median(used.values()), list(used)


def ecommerce_internet_revenue(revenue: float | None, cost: float | None,
                               margin: float | None) -> float | None:
    """自营电商: internet revenue = revenue - cost of goods; without the cost, revenue × margin."""
    if revenue is None:
        return None
    if cost is not None:
        return revenue - cost
    if margin is None:
        return None
    return revenue * margin


# ---- growth --------------------------------------------------------------------------------


def growth(value: float | None, prior: float | None) -> float | None:
    if value is None or not prior or prior <= 0:
        return None
    return value / prior - 1
