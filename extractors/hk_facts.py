"""An HK report's readings decided into facts: one fact per metric and year, every other reading
of it a corroboration, readings that disagree a conflict; the accounting identities checked where
the statements print their parts.

The readings come from extractors.hk_statements (``found``: (metric, year) -> [(kind, Reading)],
kind 'statement', 'summary' or 'note'); the statement's figure is the fact, else the summary's.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from extractors.hk_statements import Reading
from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row, make_fact
from top100.errors import IdentityViolated, ReadingsConflict, Top100Error, UnitUnknown


_TO_OWNERS_ROW = re.compile(r"(?i)^\W*(?:profit|loss|\(?loss\)?\s*/\s*profit|\(?profit\)?\s*/\s*\(?loss\)?)\W*(?:and\s+total\s+"
                            r"comprehensive\s+\S+\s+)?for\s+the\s+(?:year|period)\s+attributable\s+to\s+(?:the\s+)?(?:owners|"
                            r"equity\s+holders|(?:equity\s+)?shareholders)\s+of\s+the\s+company\W*$|"
                            r"^本公司(?:拥有人|擁有人|股权持有人|权益持有人|股东)[应應][占佔](?:年内|年內|本年度|年度)"
                            r"(?:溢利|亏损|虧損|利润){1,2}$")


def whole_profit_to_owners(found: dict) -> None:
    """A statement whose one profit line is 'Loss for the year attributable to owners of the
    Company', with no profit-for-the-year row and no non-controlling interests, states the
    year's profit in that line: it is read as net_profit too (from the same figure and page).
    With an NCI row, or a separate profit-for-the-year row, nothing is added."""
    from dataclasses import replace

    for (metric, year), items in list(found.items()):
        if metric != "net_profit_attributable":
            continue
        st = [r for kind, r in items if kind == "statement" and _TO_OWNERS_ROW.match(" ".join(r.label.split()))]
        if not st or any(k == "statement" for k, _ in found.get(("net_profit", year), [])) or \
                any(k == "statement" for k, _ in found.get(("_nci", year), [])):
            continue
        found.setdefault(("net_profit", year), []).insert(0, ("statement", replace(st[0], metric="net_profit")))


POSITION_METRICS = ("total_assets", "_total_liabilities", "_total_equity", "_total_liabilities_and_equity")


def _reading_unit(r: Reading, default_currency: str | None) -> Unit:
    """The unit of one reading: read from its table's head (extractors.hk_tokens.head_unit),
    with the document's currency where the head prints a scale and no currency (千元)."""
    if r.unit is None:
        if r.unit_error:
            raise UnitUnknown(f"{r.unit_error}; row {r.label!r}", page=r.page)
        raise UnitUnknown(f"no unit printed over the columns of {r.label!r}", page=r.page)
    if r.unit.currency is None:
        if not default_currency:
            raise UnitUnknown(f"unit {r.unit.printed!r} over the columns of {r.label!r} names no currency",
                              page=r.page)
        return Unit(r.unit.printed, r.unit.scale, default_currency)
    return r.unit


CURRENCIES = {"HK$": "HKD", "HKD": "HKD", "US$": "USD", "USD": "USD", "S$": "SGD", "SGD": "SGD", "RMB": "CNY",
               "NT$": "TWD", "A$": "AUD", "MOP": "MOP"}


def decide(found: dict, origin: Origin, result: ExtractResult, name: str,
            year_end: tuple[int, int] | None, default_currency: str | None = None) -> list[int]:
    """One fact per metric and year: the statement's figure (else the summary's), with every other
    reading as a corroboration; readings that differ beyond the rounding of the coarser unit make
    the fact a conflict and an error row naming both pages and values."""
    years: list[int] = []
    for (metric, year), rs in sorted(found.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if metric.startswith("_"):
            continue  # a part of an identity (extractors.hk_statements), not a metric
        valued = []
        for kind, r in rs:
            try:
                unit = _reading_unit(r, default_currency)
            except Top100Error as exc:
                result.errors.append(error_row(exc, document=name, company_id=origin.company_id, page=r.page))
                continue
            valued.append((kind, r, unit, unit.apply(r.value)))
        if not valued:
            continue
        valued.sort(key=lambda v: {"statement": 0, "summary": 1}.get(v[0], 2))
        kind, r, unit, value = valued[0]
        positive = metric in ("operating_cost", "rd_expense")  # expenses, printed in brackets as deductions
        fact = make_fact(origin, metric, year, r.value, unit, page=r.page, label=r.label, raw=r.raw, bbox=r.bbox,
                         positive=positive, period_end=period_end(year, year_end))
        others = valued[1:]
        conflict = False
        corroborations = []
        for okind, o, ounit, ovalue in others:
            a, b = (abs(value), abs(ovalue)) if positive else (value, ovalue)
            tolerance = max(unit.scale, ounit.scale) / 2
            agrees = abs(a - b) <= tolerance
            corroborations.append(_corroboration(okind, o, ounit, b, agrees))
            if not agrees:
                conflict = True
                result.errors.append(error_row(ReadingsConflict(
                    f"{metric} {year}: {r.raw} ({unit.printed}) on page {r.page} ({r.label!r}) but {o.raw} "
                    f"({ounit.printed}) on page {o.page} ({o.label!r}); the fact is not confirmed"), document=name,
                    company_id=origin.company_id, page=r.page))
        annotate(fact, corroborations, conflict=conflict)
        result.facts.append(fact)
        years.append(year)
    return years


def _first(found: dict, metric: str, year: int):
    rs = sorted(found.get((metric, year), []), key=lambda kr: 0 if kr[0] == "statement" else 1)
    for _, r in rs:
        try:
            return r, _reading_unit(r, None)
        except Top100Error:
            continue
    return None


def identities(found: dict, result: ExtractResult, name: str, company_id: str | None) -> None:
    """Where the document prints the parts: profit for the year = owners + non-controlling
    interests; total assets = total liabilities + total equity (net assets). A violation is
    handled like a conflict: the facts it involves are marked and an error row says why."""
    years = sorted({y for _, y in found})
    checks = (("net_profit", ("net_profit_attributable", "_nci"), False),
              ("total_assets", ("_total_liabilities", "_total_equity"), True))
    for year in years:
        for total, parts, absolute in checks:
            if total == "total_assets" and _first(found, "_total_liabilities_and_equity", year):
                # the statement prints the other side's total (US GAAP: 'Total liabilities,
                # redeemable noncontrolling interests and equity'): the assets must equal it
                parts = ("_total_liabilities_and_equity",)
            t = _first(found, total, year)
            ps = [_first(found, p, year) for p in parts]
            if t is None or any(p is None for p in ps):
                continue
            (tr, tu), got = t, [(r, u) for r, u in ps]
            values = [u.apply(abs(r.value) if absolute else r.value) for r, u in got]
            tolerance = sum(u.scale for _, u in got) / 2 + tu.scale / 2
            if abs(tu.apply(tr.value) - sum(values)) > tolerance:
                what = " + ".join(f"{r.raw} ({r.label!r}, page {r.page})" for r, _ in got)
                result.errors.append(error_row(IdentityViolated(
                    f"{total} {year}: {tr.raw} on page {tr.page} is not {what}"), document=name,
                    company_id=company_id, page=tr.page))
                for f in result.facts:
                    if f.fiscal_year == year and f.metric in (total,) + parts:
                        f.conflict = True


def _corroboration(kind: str, r: Reading, unit: Unit, value: Decimal, agrees: bool) -> dict:
    """One other reading of a fact, in the shape of extractors.corroborate.Reading.as_corroboration
    (one shape for every reader: the warehouse and the report read it)."""
    source = kind if kind != "statement" else "balance" if r.metric in POSITION_METRICS else "income"
    return {"page": r.page, "label": " ".join(r.label.split()), "raw": r.raw,
            "bbox": [round(float(v), 2) for v in r.bbox] if r.bbox else None,
            "value": float(value), "unit": unit.printed, "source": source, "restated": None, "agrees": agrees}


def annotate(fact, corroborations: list[dict], *, conflict: bool) -> None:
    """Per-fact corroborations, conflict and single_source: the Fact fields of top100.records."""
    fact.corroborations = list(fact.corroborations) + corroborations
    fact.conflict = fact.conflict or conflict
    fact.single_source = not fact.corroborations


def period_end(year: int, year_end: tuple[int, int] | None) -> str | None:
    if year_end is None:
        return None
    try:
        return date(year, *year_end).isoformat()
    except ValueError:
        return None
