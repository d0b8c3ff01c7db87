"""SEC XBRL companyfacts JSON -> facts, with the rules the data needs.

- Tag choice: each metric has an ordered list of tags (filers drift: Baidu ``SalesRevenueNet``
  until 2017, Weibo then ``RevenueFromContractWithCustomerIncludingAssessedTax``, IFRS filers
  ``ifrs-full:Revenue``); for each period the first tag that has it is used.
- Unit: Chinese ADRs file CNY and a USD convenience translation under one tag: one unit is picked
  per tag (``prefer_currencies`` order), never added.
- Period: from ``start``/``end`` (a duration of about a year; instants for total assets at a
  year end), never from ``fy``/``fp``, which describe the filing.
- Restatements: the latest filed value of a period is the fact; earlier different values are
  kept as history with ``superseded=True``.

Also reads the hand-made excerpt shape of the real fixtures (``"us-gaap:Tag": {unit: [...]}``
with a ``filings`` map of accession -> filed date).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row, load, make_fact
from top100.errors import DocumentUnreadable, SchemaDrift
from top100.vocab import DocType

NAME = "companyfacts"
VERSION = "1.0.0"

TAGS: dict[str, tuple[str, ...]] = {
    "revenue": ("us-gaap:Revenues", "us-gaap:SalesRevenueNet",
                "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
                "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax", "us-gaap:SalesRevenueServicesNet",
                "us-gaap:SalesRevenueGoodsNet", "ifrs-full:Revenue", "ifrs-full:RevenueFromContractsWithCustomers"),
    "operating_cost": ("us-gaap:CostOfRevenue", "us-gaap:CostOfGoodsAndServicesSold", "us-gaap:CostOfServices",
                       "us-gaap:CostOfGoodsSold", "ifrs-full:CostOfSales"),
    "operating_profit": ("us-gaap:OperatingIncomeLoss", "ifrs-full:ProfitLossFromOperatingActivities"),
    "profit_before_tax": (
        "us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest",
        "us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesMinorityInterestAndIncomeLossFromEquityMethodInvestments",
        "ifrs-full:ProfitLossBeforeTax"),
    "net_profit": ("us-gaap:ProfitLoss", "ifrs-full:ProfitLoss"),
    "net_profit_attributable": ("us-gaap:NetIncomeLoss", "ifrs-full:ProfitLossAttributableToOwnersOfParent"),
    "rd_expense": ("us-gaap:ResearchAndDevelopmentExpense",
                   "us-gaap:ResearchAndDevelopmentExpenseExcludingAcquiredInProcessCost",
                   "ifrs-full:ResearchAndDevelopmentExpense"),
    "total_assets": ("us-gaap:Assets", "ifrs-full:Assets"),
}
INSTANT = frozenset({"total_assets"})
POSITIVE = frozenset({"operating_cost", "rd_expense"})


@dataclass(frozen=True)
class CompanyFactsSettings:
    prefer_currencies: tuple[str, ...] = ("CNY", "HKD", "USD")
    min_days: int = 350  # an annual duration: 350..380 days
    max_days: int = 380


@dataclass
class Obs:
    tag: str
    unit: str
    start: str | None
    end: str
    val: Decimal
    accn: str
    filed: str  # ISO date, or an estimate from the accession number


def _currency(unit: str) -> str | None:
    u = unit.upper()
    for c in ("CNY", "RMB", "HKD", "USD"):
        if u.startswith(c):
            return "CNY" if c == "RMB" else c
    return None


def observations(doc: dict) -> list[Obs]:
    """Every value of every tag, from the API shape or the excerpt shape."""
    facts = doc.get("facts")
    if not isinstance(facts, dict):
        raise SchemaDrift("companyfacts JSON has no 'facts' object")
    filed_of = {a: (f or {}).get("filed") for a, f in (doc.get("filings") or {}).items() if isinstance(f, dict)}
    tags: dict[str, dict[str, list]] = {}
    for k, v in facts.items():
        if ":" in k:  # excerpt: "us-gaap:Tag": {unit: [...]} or a list in the document's unit
            tags[k] = v if isinstance(v, dict) else {doc.get("unit", "USD"): v}
        elif isinstance(v, dict):  # API: taxonomy -> tag -> {"units": {unit: [...]}}
            for tag, body in v.items():
                if isinstance(body, dict) and isinstance(body.get("units"), dict):
                    tags[f"{k}:{tag}"] = body["units"]
    out: list[Obs] = []
    for tag, units in tags.items():
        for unit, rows in units.items():
            if not isinstance(rows, list):
                continue
            for r in rows:
                if not isinstance(r, dict) or "end" not in r or "val" not in r:
                    continue
                accn = str(r.get("accn", "")).split(" ")[0]
                filed = r.get("filed") or filed_of.get(accn) or _filed_from_accn(accn)
                out.append(Obs(tag, unit, r.get("start"), r["end"], Decimal(str(r["val"])), accn, filed))
                later = r.get("later_restated_rounded") or r.get("later_restated")
                if isinstance(later, dict) and "val" in later:
                    la = str(later.get("accn", ""))
                    out.append(Obs(tag, unit, r.get("start"), r["end"], Decimal(str(later["val"])), la,
                                   later.get("filed") or filed_of.get(la) or _filed_from_accn(la)))
    return out


def _filed_from_accn(accn: str) -> str:
    """An accession number carries its year (0001193125-18-084050 -> 2018): an estimate for order."""
    parts = accn.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        return f"20{parts[1]}-00-00"
    return "0000-00-00"


def _annual(o: Obs, s: CompanyFactsSettings) -> bool:
    if o.start is None:
        return False
    days = (date.fromisoformat(o.end) - date.fromisoformat(o.start)).days
    return s.min_days <= days <= s.max_days


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: CompanyFactsSettings | None = None) -> ExtractResult:
    settings = settings or CompanyFactsSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(DocType.companyfacts), company_id, NAME, VERSION)
    result = ExtractResult()
    try:
        if not data.strip():
            raise DocumentUnreadable("zero-byte companyfacts file")
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DocumentUnreadable(f"not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise SchemaDrift("companyfacts JSON is not an object")
        obs = observations(doc)
    except (DocumentUnreadable, SchemaDrift) as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    annual_ends = {o.end for o in obs if _annual(o, settings)}
    for metric, tags in TAGS.items():
        taken: set[tuple[str | None, str]] = set()  # periods already given by an earlier tag
        for tag in tags:
            rows = [o for o in obs if o.tag == tag]
            if not rows:
                continue
            unit = _pick_unit({o.unit for o in rows}, settings)
            if unit is None:
                continue
            rows = [o for o in rows if o.unit == unit]
            if metric in INSTANT:
                rows = [o for o in rows if o.start is None and o.end in annual_ends]
            else:
                rows = [o for o in rows if _annual(o, settings)]
            periods: dict[tuple[str | None, str], list[Obs]] = {}
            for o in rows:
                periods.setdefault((o.start, o.end), []).append(o)
            for period, group in sorted(periods.items(), key=lambda kv: kv[0][1]):
                if period in taken:
                    continue
                taken.add(period)
                _emit(origin, metric, tag, unit, period, group, result)
    return result


def _pick_unit(units: set[str], settings: CompanyFactsSettings) -> str | None:
    for cur in settings.prefer_currencies:
        exact = [u for u in units if u.upper() == cur]
        if exact:
            return exact[0]
    for cur in settings.prefer_currencies:
        near = sorted(u for u in units if _currency(u) == cur)
        if near:
            return near[0]
    return None


def _emit(origin: Origin, metric: str, tag: str, unit: str, period: tuple[str | None, str], group: list[Obs],
          result: ExtractResult) -> None:
    """The latest filed value is the fact; earlier different values are history (superseded)."""
    group = sorted(group, key=lambda o: (o.filed, o.accn))
    latest = group[-1]
    seen: set[Decimal] = {latest.val}
    start, end = period
    year = date.fromisoformat(end).year
    u = Unit(unit, Decimal(1), _currency(unit))
    for o, superseded in [(latest, False)] + [(o, True) for o in reversed(group[:-1])]:
        if superseded and o.val in seen:
            continue
        seen.add(o.val)
        result.facts.append(make_fact(
            origin, metric, year, o.val, u, page=None, label=f"{tag} (accn {o.accn}, filed {o.filed})",
            raw=str(o.val), bbox=None, positive=metric in POSITIVE, period_start=start, period_end=end,
            superseded=superseded))
