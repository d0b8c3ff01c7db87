"""Read twice, decide once: every reading of a metric and year in one document, compared.

An extractor records a ``Reading`` for every place that prints a figure (the main-figures table,
the consolidated statements, the MD&A, a summary's tables), in the order of trust. ``decide``
makes one fact per metric and year from the first reading and lists every other one as a
corroboration. Readings that differ by more than their printed precision (a 万元 figure with two
decimals is exact to 50 元) and where neither is a labelled restatement (调整前 column) make the
fact ``conflict: true`` and an error row naming both pages and values: never used silently. A
fact read in one place only says so (``single_source``).

Accounting identities are checked where the document prints their parts (利润总额 = 营业利润 +
营业外收入 − 营业外支出; 净利润 = 归母净利润 + 少数股东损益; 营业总收入 ≥ 营业收入;
资产总计 = 负债合计 + 所有者权益合计): a violated identity usually means a misread column or row,
and is handled like a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row, make_fact
from top100.errors import IdentityViolated, ReadingsConflict

# Parts of the identities: read like metrics, never emitted as facts (their names start with _)
PART_TOTAL_REVENUE = "_total_operating_revenue"  # 营业总收入
PART_NONOP_INCOME = "_non_operating_income"  # 营业外收入
PART_NONOP_EXPENSE = "_non_operating_expense"  # 营业外支出
PART_MINORITY = "_minority_interest"  # 少数股东损益
PART_LIABILITIES = "_total_liabilities"  # 负债合计
PART_EQUITY = "_total_equity"  # 所有者权益（或股东权益）合计


@dataclass
class Reading:
    metric: str
    year: int
    number: Decimal  # as printed (sign included), before the unit's scale
    unit: Unit
    page: int
    label: str
    raw: str
    bbox: tuple | list | None
    source: str  # main | income | balance | mdna | summary ...
    basis: str | None = None
    restated: str | None = None  # after | before: the column is labelled 调整后 / 调整前
    positive: bool = False  # a cost: stored as a positive amount

    @property
    def value(self) -> Decimal:
        v = self.unit.apply(self.number)
        return abs(v) if self.positive else v

    @property
    def tolerance(self) -> Decimal:
        """Half a unit of the last printed digit, in base units (rounding of the printed figure)."""
        digits = self.raw.replace(",", "").replace(")", "").strip()
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
        return Decimal(5) / Decimal(10) ** (decimals + 1) * Decimal(str(self.unit.scale))

    def as_corroboration(self, agrees: bool) -> dict:
        return {"page": self.page, "label": " ".join(self.label.split()), "raw": self.raw,
                "bbox": [round(float(v), 2) for v in self.bbox] if self.bbox else None,
                "value": float(self.value), "unit": self.unit.printed, "source": self.source,
                "restated": self.restated, "agrees": agrees}


def agree(a: Reading, b: Reading) -> bool:
    return abs(a.value - b.value) <= a.tolerance + b.tolerance


class Readings:
    """All readings of one document, in the order they were made (the order of trust)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int], list[Reading]] = {}

    def add(self, r: Reading) -> None:
        same = self.by_key.setdefault((r.metric, r.year), [])
        if any(o.page == r.page and o.bbox == r.bbox for o in same):
            return  # the same printed figure reached twice (a page read for two sections)
        same.append(r)

    def has(self, metric: str, year: int, source: str | None = None) -> bool:
        return any(source is None or r.source == source for r in self.by_key.get((metric, year), []))

    def first(self, metric: str, year: int, source: str | None = None) -> Reading | None:
        return next((r for r in self.by_key.get((metric, year), []) if source is None or r.source == source), None)


def decide(readings: Readings, origin: Origin, result: ExtractResult, name: str,
           period: Callable[[str, int], tuple[str | None, str | None]]) -> None:
    """One fact per metric and year into ``result``; conflicts and violated identities as errors."""
    facts = {}
    for (metric, year), rs in readings.by_key.items():
        if metric.startswith("_"):
            continue
        first, others = rs[0], rs[1:]
        corr, conflict = [], []
        for o in others:
            ok = agree(first, o)
            corr.append(o.as_corroboration(ok))
            if not ok and "before" not in (first.restated, o.restated):  # 调整前 differs on purpose
                conflict.append(o)
        start, end = period(metric, year)
        f = make_fact(origin, metric, year, first.number, first.unit, page=first.page, label=first.label,
                      raw=first.raw, bbox=first.bbox, basis=first.basis, restated=first.restated == "after",
                      positive=first.positive, period_start=start, period_end=end)
        f.corroborations = corr
        f.single_source = not corr
        if conflict:
            f.conflict = True
            for o in conflict:
                result.errors.append(error_row(ReadingsConflict(
                    f"{metric} {year}: {first.raw} {first.unit.printed} on page {first.page} "
                    f"({_short(first.label)}, {first.source}) but {o.raw} {o.unit.printed} on page {o.page} "
                    f"({_short(o.label)}, {o.source}); the fact is not confirmed", page=first.page),
                    document=name, company_id=origin.company_id))
        facts[(metric, year)] = f
        result.facts.append(f)
    for metric, year, reason, page in identities(readings):
        f = facts.get((metric, year))
        if f is not None:
            f.conflict = True
        result.errors.append(error_row(IdentityViolated(reason, page=page), document=name,
                                       company_id=origin.company_id))


def _short(label: str) -> str:
    s = " ".join(label.split())
    return s if len(s) <= 40 else s[:39] + "…"


def _fmt(v: Decimal) -> str:
    return f"{v:,.2f}"


def identities(readings: Readings) -> list[tuple[str, int, str, int]]:
    """(metric, year, reason, page) of every identity the document's own figures violate.

    Each identity is checked on the readings of one statement (the income statement's parts
    with the income statement's total; the balance sheet's with the balance sheet's), so that a
    misread column shows, not a difference of scope between tables."""
    out = []
    years = {y for _, y in readings.by_key}
    for y in sorted(years):
        def get(m, src):
            return readings.first(m, y, src)

        op, nin, nex, pbt = (get(m, "income") for m in ("operating_profit", PART_NONOP_INCOME, PART_NONOP_EXPENSE,
                                                         "profit_before_tax"))
        if op and nin and nex and pbt:
            rhs = op.value + nin.value - abs(nex.value)
            # a negative 营业外支出 is either printed in brackets as the amount taken off (a bank's
            # (281)) or is a negative expense, a reversal, that adds (-5,455,007.28): either holds
            alt = op.value + nin.value - nex.unit.apply(nex.number)
            tol = sum(r.tolerance for r in (op, nin, nex, pbt))
            if abs(pbt.value - rhs) > tol and abs(pbt.value - alt) > tol:
                out.append(("profit_before_tax", y, f"{y}: 利润总额 {_fmt(pbt.value)} (page {pbt.page}) ≠ 营业利润 "
                            f"{_fmt(op.value)} + 营业外收入 {_fmt(nin.value)} − 营业外支出 {_fmt(abs(nex.value))} "
                            f"= {_fmt(rhs)}", pbt.page))
        np_, npa, mi = (get(m, "income") for m in ("net_profit", "net_profit_attributable", PART_MINORITY))
        if np_ and npa and mi:
            rhs = npa.value + mi.value
            if abs(np_.value - rhs) > sum(r.tolerance for r in (np_, npa, mi)):
                out.append(("net_profit", y, f"{y}: 净利润 {_fmt(np_.value)} (page {np_.page}) ≠ 归属于母公司股东的"
                            f"净利润 {_fmt(npa.value)} + 少数股东损益 {_fmt(mi.value)} = {_fmt(rhs)}", np_.page))
        tr, rev = get(PART_TOTAL_REVENUE, "income"), get("revenue", "income")
        if tr and rev and tr.value + tr.tolerance + rev.tolerance < rev.value:
            out.append(("revenue", y, f"{y}: 营业总收入 {_fmt(tr.value)} (page {tr.page}) < 营业收入 "
                        f"{_fmt(rev.value)} (page {rev.page})", rev.page))
        ta, li, eq = (get(m, "balance") for m in ("total_assets", PART_LIABILITIES, PART_EQUITY))
        if ta and li and eq:
            rhs = li.value + eq.value
            if abs(ta.value - rhs) > sum(r.tolerance for r in (ta, li, eq)):
                out.append(("total_assets", y, f"{y}: 资产总计 {_fmt(ta.value)} (page {ta.page}) ≠ 负债合计 "
                            f"{_fmt(li.value)} + 所有者权益合计 {_fmt(eq.value)} = {_fmt(rhs)}", ta.page))
    return out


def mark_single_sources(result: ExtractResult) -> None:
    """Facts of readers that do not corroborate (yet) say they were read once."""
    for f in result.facts:
        if not f.corroborations:
            f.single_source = True
