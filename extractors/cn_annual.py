"""A-share annual reports (年度报告, Chinese PDF; the 摘要 too): main figures, the consolidated
income statement, R&D and employees, for every year printed.

Sections are found with a fast pypdfium2 text pass (about 2 ms a page) that stops once the
consolidated income statement and the employee section are found. Bookmarks are not used: those
of real reports are often Word's OLE_LINK anchors, and the sections we need all lie before the
statements, where the pass stops anyway. Only the pages that hold the tables are then read
word by word, with positions and rules (pypdfium2 character boxes by default, or pdfplumber:
``CnAnnualSettings.engine``), for the table reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from extractors.labels import CN_EMPLOYEES, CN_INCOME, CN_MAIN, CN_RD_INVESTMENT, key, simplify, unit_in_label
from extractors.layout import PageLines, TextPass, words_of_pages
from extractors.numbers import Unit, parse_unit
from extractors.picking import number_of, pick, single_values, table_unit
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load, make_fact
from extractors.tables import read_tables
from top100.errors import TableNotFound, Top100Error, UnitUnknown
from top100.vocab import DocType

NAME = "cn_annual"
VERSION = f"1.0.0+{READER_VERSION}"


@dataclass(frozen=True)
class CnAnnualSettings:
    currency: str = "CNY"  # the currency of units printed without one (元, 万元)
    statement_pages: int = 3  # pages read from the 合并利润表 title on (it spans two or three)
    max_rd_pages: int = 4
    # the careful pass over the chosen pages: "pdfium" (character boxes, ~10 ms a page) or
    # "pdfplumber" (~100 ms a page); both give the same words and rules to the table reader
    engine: str = "pdfium"


_TOC_LINE = re.compile(r"(\.{4,}|…{2,}|·{4,})\s*\d*\s*$")
_FY = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:年度报告|年度報告|年报)")
_NUM = r"-?\(?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2})"  # a figure: 1,234 or 0.00, not a page number


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in simplify(text).split("\n") if ln.strip()]


def _is_title(text: str, title: str) -> bool:
    """A section title on its own line, not a table-of-contents entry."""
    return any(key(ln) == title and not _TOC_LINE.search(ln) for ln in _lines(text))


@dataclass
class Sections:
    fiscal_year: int | None = None
    main: list[int] | None = None
    income: list[int] | None = None
    employees: int | None = None
    rd: list[int] | None = None


def find_sections(tp: TextPass, settings: CnAnnualSettings) -> Sections:
    s = Sections(rd=[])
    for n in range(1, tp.n_pages + 1):
        text = tp.text(n)
        flat = re.sub(r"\s+", "", simplify(text))
        if s.fiscal_year is None and n <= 5:
            m = _FY.search(simplify(text))
            if m:
                s.fiscal_year = int(m.group(1))
        if s.main is None and "主要会计数据" in flat and not _TOC_LINE.search(text.split("主要会计数据")[-1][:80]):
            nxt = tp.text(n + 1) if n < tp.n_pages else ""
            if re.search("营业(总)?收入[^\n]{0,12}?" + _NUM, simplify(text)) or \
                    re.search("营业(总)?收入[^\n]{0,12}?" + _NUM, simplify(nxt)):
                s.main = [n, n + 1] if n < tp.n_pages else [n]
        if s.employees is None and any(k in flat for k in CN_EMPLOYEES):
            s.employees = n
        if s.income is None and len(s.rd) < settings.max_rd_pages and \
                re.search("(研发投入金额|研发投入合计|研发支出合计|研发支出)[^\n]{0,12}?" + _NUM, simplify(text)):
            s.rd.append(n)
        if s.income is None and "合并利润表" in flat and _is_title(text, "合并利润表") and re.search(_NUM, text):
            s.income = list(range(n, min(n + settings.statement_pages, tp.n_pages + 1)))
        if s.income is not None and s.employees is not None:
            break  # the employee section precedes the statements: nothing more to look for
    return s


def _statement_pages(pages: dict[int, PageLines], income: list[int]) -> list[PageLines]:
    """The consolidated income statement's lines only: from its title to the parent company's
    statement (母公司利润表). Copies: the same page may hold other sections read separately."""
    out: list[PageLines] = []
    started = False
    for n in income:
        pl = pages.get(n)
        if pl is None:
            continue
        lines = pl.lines
        if not started:
            at = next((i for i, ln in enumerate(lines) if key(ln.text) == "合并利润表"), None)
            lines = lines[at:] if at is not None else lines
            started = True
        stop = next((i for i, ln in enumerate(lines) if i > 0 and key(ln.text) in ("母公司利润表", "利润表")), None)
        out.append(PageLines(pl.page, lines[:stop] if stop is not None else lines, pl.synthetic, pl.rules, pl.vrules))
        if stop is not None:
            break
    return out


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: CnAnnualSettings | None = None, doc_type: str = DocType.annual_report) -> ExtractResult:
    settings = settings or CnAnnualSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(doc_type), company_id, NAME, VERSION)
    result = ExtractResult()
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    try:
        tp.check_readable()
        sec = find_sections(tp, settings)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    else:
        wanted = set(sec.main or []) | set(sec.income or []) | set(sec.rd or [])
        carried = {n: _carried_unit(tp, n, settings.currency) for n in wanted}
        if sec.employees:
            wanted.add(sec.employees)
        pages = {n: tp.words(n) for n in sorted(wanted)} if settings.engine == "pdfium" else None
    finally:
        tp.close()
    if not sec.main and not sec.income:
        result.errors.append(error_row(TableNotFound(
            "neither the main-figures table (主要会计数据和财务指标) nor the consolidated income statement "
            "(合并利润表) was found"), document=name, company_id=company_id))
        return result
    if pages is None:
        try:
            pages = words_of_pages(data, sorted(wanted), name)
        except Top100Error as exc:
            result.errors.append(error_row(exc, document=name, company_id=company_id))
            return result
    out = _Collector(origin, result, name, settings, carried)
    fy = sec.fiscal_year
    out.take(read_tables([pages[n] for n in sec.main or [] if n in pages], fy), CN_MAIN)
    out.take(read_tables(_statement_pages(pages, sec.income or []), fy), CN_INCOME,
             basis_of=lambda label: "income_statement" if key(label) == "研发费用" else None)
    _rd_investment(sec, pages, fy, out)
    _employees(sec, pages, fy, out)
    return result


class _Collector:
    """Facts of one document, one per metric and year: the first source read wins (the main
    table, then the income statement, then the MD&A)."""

    def __init__(self, origin: Origin, result: ExtractResult, name: str, settings: CnAnnualSettings,
                 carried: dict[int, Unit | None]) -> None:
        self.origin, self.result, self.name, self.settings, self.carried = origin, result, name, settings, carried
        self.chosen: set[tuple[str, int]] = set()

    def taken(self, metric: str, year: int) -> bool:
        return (metric, year) in self.chosen

    def fail(self, exc: Exception, page: int | None) -> None:
        self.result.errors.append(error_row(exc, document=self.name, company_id=self.origin.company_id, page=page))

    def emit(self, metric: str, year: int, number: Decimal, unit: Unit, page: int, label: str, raw: str, bbox,
             basis: str | None = None, restated: bool = False) -> None:
        if self.taken(metric, year):
            return
        self.chosen.add((metric, year))
        # A-share fiscal years are calendar years; balances and headcounts are year-end figures
        start = None if metric in ("total_assets", "employees_total") else f"{year}-01-01"
        self.result.facts.append(make_fact(self.origin, metric, year, number, unit, page=page, label=label, raw=raw,
                                           bbox=bbox, basis=basis, restated=restated,
                                           positive=metric == "operating_cost", period_start=start,
                                           period_end=f"{year}-12-31"))

    def take(self, tables, names: dict[str, set[str]], basis_of=lambda label: None) -> None:
        for hit in pick(tables, names, key):
            if self.taken(hit.metric, hit.year):
                continue
            try:
                unit = table_unit(hit.row, self.settings.currency, self.carried.get(hit.row.page))
                number = number_of(hit.cell.raw)
            except Top100Error as exc:
                self.fail(exc, hit.row.page)
                continue
            self.emit(hit.metric, hit.year, number, unit, hit.row.page, hit.row.label, hit.cell.raw, hit.cell.bbox,
                      basis=basis_of(hit.row.label), restated=hit.restated)


def _carried_unit(tp: TextPass, page: int, currency: str) -> Unit | None:
    """The last unit printed on the page before: a table that starts there and continues on
    ``page`` repeats its header but not its unit line."""
    from extractors.numbers import find_unit

    if page <= 1:
        return None
    for line in reversed(_lines(tp.text(page - 1))[-40:]):
        u = find_unit(line, default_currency=currency)
        if u:
            return u
    return None


def _rd_investment(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: _Collector) -> None:
    """R&D from the MD&A where the income statement has no 研发费用 line (basis says which)."""
    rd_pages = [pages[n] for n in (sec.rd or []) if n in pages]
    if not rd_pages:
        return
    tables = read_tables(rd_pages, fy)
    in_tables = {id(r.line) for t in tables for r in t.rows}
    for label in CN_RD_INVESTMENT:  # best first: 研发投入金额 > 研发投入合计 > 研发支出合计 > 研发支出
        out.take(tables, {"rd_expense": {label}}, basis_of=lambda _, label=label: f"rd_investment:{label}")
        if fy is None or out.taken("rd_expense", fy):
            continue
        for single in single_values(rd_pages, lambda lab, label=label: key(lab) == label, skip=in_tables):
            inside = unit_in_label(single.label)
            unit = parse_unit(inside, default_currency=out.settings.currency) if inside else \
                _unit_above(pages[single.page], single, out.settings.currency)
            if unit is None:
                out.fail(UnitUnknown(f"no unit printed above {single.label!r}"), single.page)
                continue
            w = single.word
            try:
                out.emit("rd_expense", fy, number_of(w.text), unit, single.page, single.label, w.text,
                         (w.x0, w.top, w.x1, w.bottom), basis=f"rd_investment:{label}")
            except Top100Error as exc:
                out.fail(exc, single.page)
            break


def _unit_above(pl: PageLines, single, currency: str) -> Unit | None:
    from extractors.numbers import find_unit

    above = [ln for ln in pl.lines if ln.bottom <= single.word.top + 1]
    for ln in reversed(above[-8:]):
        u = find_unit(simplify(ln.text), default_currency=currency)
        if u:
            return u
    return None


def _employees(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: _Collector) -> None:
    if sec.employees is None or sec.employees not in pages:
        return
    if fy is None:
        out.fail(TableNotFound("employees found but the report's fiscal year is not printed"), sec.employees)
        return
    for single in single_values([pages[sec.employees]], lambda lab: key(lab) in CN_EMPLOYEES):
        w = single.word
        try:
            out.emit("employees_total", fy, number_of(w.text), parse_unit("人"), single.page, single.label, w.text,
                     (w.x0, w.top, w.x1, w.bottom))
        except Top100Error as exc:
            out.fail(exc, single.page)
        return
