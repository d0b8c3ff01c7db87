"""The A-share reader's settings, and the readings of one report it collects, in the order of
trust (main table, statements, MD&A): every figure of a metric and year, for
extractors.corroborate.decide to turn into one fact with its corroborations.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.corroborate import Reading, Readings
from extractors.labels import key
from extractors.numbers import Unit
from extractors.picking import number_of, pick, table_unit
from extractors.result import ExtractResult, Origin, error_row
from top100.errors import TableNotFound, Top100Error


@dataclass(frozen=True)
class CnAnnualSettings:
    currency: str = "CNY"  # the currency of units printed without one (元, 万元)
    statement_pages: int = 3  # pages read from the 合并利润表 title on (it spans two or three)
    balance_pages: int = 3  # pages read from the 合并资产负债表 title on
    max_rd_pages: int = 4
    # the careful pass over the chosen pages: "pdfium" (character boxes, ~10 ms a page) or
    # "pdfplumber" (~100 ms a page); both give the same words and rules to the table reader
    engine: str = "pdfium"


def same_concept(readings: Readings) -> None:
    """A main table that prints 营业总收入 (total operating revenue, a financial group's or an
    insurer's) is compared with the statement's 营业总收入, not with its 营业收入 sub-line: two
    different figures are not a conflict, nor a confirmation."""
    from dataclasses import replace

    for (metric, year), rs in list(readings.by_key.items()):
        if metric != "revenue" or not rs or key(rs[0].label) != "营业总收入":
            continue
        kept = [r for r in rs if key(r.label) != "营业收入"]
        total = readings.first("_total_operating_revenue", year, "income")
        if total is not None:
            kept.append(replace(total, metric="revenue"))
        readings.by_key[(metric, year)] = kept


class Collector:
    """Readings of one document, in the order of trust (main table, statements, MD&A)."""

    def __init__(self, origin: Origin, result: ExtractResult, name: str, settings: CnAnnualSettings,
                 carried: dict[int, Unit | None]) -> None:
        self.origin, self.result, self.name, self.settings, self.carried = origin, result, name, settings, carried
        self.readings = Readings()
        self._rows: set[int] = set()  # ids of the tables' rows that gave a reading

    def fail(self, exc: Exception, page: int | None) -> None:
        self.result.errors.append(error_row(exc, document=self.name, company_id=self.origin.company_id, page=page))

    def read_from(self, tables) -> bool:
        return any(id(r) in self._rows for t in tables for r in t.rows)

    def add(self, metric: str, year: int, number, unit: Unit, page: int, label: str, raw: str, bbox, source: str,
            basis: str | None = None, restated: str | None = None) -> None:
        self.readings.add(Reading(metric, year, number, unit, page, label, raw, bbox, source, basis, restated,
                                  positive=metric in ("operating_cost", "_non_operating_expense")))

    def take(self, tables, names: dict[str, set[str]], source: str, basis_of=lambda label: None,
             only_new: bool = False) -> None:
        for hit in pick(tables, names, key):
            if only_new and self.readings.has(hit.metric, hit.year):
                continue
            if hit.ambiguous:
                self.fail(TableNotFound(f"{hit.row.label!r} {hit.year}: two figures under one year column "
                                        "(restated and original?) and no 调整前/调整后 to tell them apart"),
                          hit.row.page)
                continue
            try:
                unit = table_unit(hit.row, self.settings.currency, self.carried.get(hit.row.page))
                number = number_of(hit.cell.raw)
            except Top100Error as exc:
                # the row and year named, so that the refusal says which figure it is
                if isinstance(exc, Top100Error):
                    exc.cause = f"{key(hit.row.label)} {hit.year}: {exc.cause}"
                self.fail(exc, hit.row.page)
                continue
            self._rows.add(id(hit.row))
            self.add(hit.metric, hit.year, number, unit, hit.row.page, hit.row.label, hit.cell.raw, hit.cell.bbox,
                     source, basis=basis_of(hit.row.label), restated=hit.cell.column.restated)
