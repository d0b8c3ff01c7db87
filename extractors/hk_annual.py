"""HK annual reports (English or Chinese PDF): the consolidated statement of profit or loss,
total assets from the statement of financial position, and employees from the narrative.

Same two passes as the A-share reader: a fast text pass finds the statement pages (a title on
its own line, not a contents entry, on a page that carries figures), then positioned words of
those pages go through the table reader. Columns are years (``2021 2020``, ``二零二一年``);
amounts are in the unit printed over them (``HK$'000``, ``千港元``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from extractors.labels import HK_INCOME, hk_key, simplify
from extractors.layout import PageLines, TextPass, words_of_pages
from extractors.numbers import parse_number, parse_unit
from extractors.picking import number_of, pick, table_unit
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load, make_fact
from extractors.tables import read_tables
from top100.errors import TableNotFound, Top100Error
from top100.vocab import DocType

NAME = "hk_annual"
VERSION = f"1.0.0+{READER_VERSION}"


@dataclass(frozen=True)
class HkAnnualSettings:
    currency: str = "HKD"  # for units printed without a currency (千元)
    engine: str = "pdfium"  # or "pdfplumber" (see extractors.cn_annual)


_INCOME_TITLE = re.compile(
    r"(?im)^\s*(consolidated\s+(statement\s+of\s+(profit\s+or\s+loss|comprehensive\s+income)|income\s+statement)"
    r"|综合(损益|收益)(及其他全面收益)?表)")
_POSITION_TITLE = re.compile(r"(?im)^\s*(consolidated\s+(statement\s+of\s+financial\s+position|balance\s+sheet)"
                             r"|综合财务状况表)")
_TOC = re.compile(r"(\.{4,}|…{2,})|\s\d{1,3}\s*$")
_FIRST_ROW = re.compile(r"(?im)^\s*(revenue|turnover|收益|收入|营业额)\b.*\d")
_TOTAL_ASSETS = re.compile(r"(?im)^\s*(total\s+assets|资产总值|总资产)\b.*\d")
_EMPLOYEES_EN = re.compile(
    r"(?is)(?:as\s+at\s+(?P<date>\d{1,2}\s+\w+\s+(?P<year>(?:19|20)\d{2})),?\s+)?the\s+group\s+(?:had|employed|has)\s+"
    r"(?:a\s+total\s+of\s+|approximately\s+)?(?P<n>\d[\d,]*)\s+(?:full[- ]time\s+)?(?:employees|staff)"
    r"(?:\s*\((?P<py>(?:19|20)\d{2})\s*:\s*(?P<pn>\d[\d,]*)(?:\s+(?:employees|staff))?\))?")
_EMPLOYEES_EN2 = re.compile(
    r"(?is)(?:as\s+at\s+(?P<date>\d{1,2}\s+\w+\s+(?P<year>(?:19|20)\d{2})),?\s+)?the\s+(?:total\s+)?number\s+of\s+"
    r"(?:full[- ]time\s+)?(?:employees|staff)\s+(?:of\s+the\s+group\s+)?(?:was|were|amounted\s+to)\s+"
    r"(?:approximately\s+)?(?P<n>\d[\d,]*)(?:\s*\((?P<py>(?:19|20)\d{2})\s*:\s*(?P<pn>\d[\d,]*)\))?")
_EMPLOYEES_ZH = re.compile(
    r"(?s)(?:于(?P<year>(?:19|20)\d{2})年\d{1,2}月\d{1,2}日[,，]?\s*)?本集团(?:共有|共聘用|聘用|雇用|拥有)\s*"
    r"(?P<n>\d[\d,]*)\s*名(?:全职)?(?:雇员|员工)(?:[（(](?P<py>(?:19|20)\d{2})年[:：]\s*(?P<pn>\d[\d,]*)\s*名[^)）]*[)）])?")


def _title_page(text: str, title: re.Pattern, row: re.Pattern) -> bool:
    t = simplify(text)
    m = title.search(t)
    if not m:
        return False
    line = t[m.start():t.find("\n", m.end()) if "\n" in t[m.end():] else len(t)]
    return not _TOC.search(line) and bool(row.search(t))


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: HkAnnualSettings | None = None, doc_type: str = DocType.hk_annual_report) -> ExtractResult:
    settings = settings or HkAnnualSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(doc_type), company_id, NAME, VERSION)
    result = ExtractResult()
    income = position = after = None
    year_end: tuple[int, int] | None = None  # (month, day) the fiscal year ends on
    employees: list[tuple[int, re.Match]] = []
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    try:
        tp.check_readable()
        for n in range(1, tp.n_pages + 1):
            text = tp.text(n)
            if not employees:
                t = simplify(text)
                m = _EMPLOYEES_EN.search(t) or _EMPLOYEES_EN2.search(t) or _EMPLOYEES_ZH.search(t)
                if m:
                    employees.append((n, m))
            if income is None and _title_page(text, _INCOME_TITLE, _FIRST_ROW):
                income = n
                year_end = _year_end(text)
            if position is None and _title_page(text, _POSITION_TITLE, _TOTAL_ASSETS):
                position = n
            if income and position and employees:
                break
        # the statement may run onto the next page (the profit attributable to owners, often)
        after = income + 1 if income and income < tp.n_pages and income + 1 != position else None
        wanted = sorted({p for p in (income, after, position) if p} | ({employees[0][0]} if employees else set()))
        pages = {n: tp.words(n) for n in wanted} if settings.engine == "pdfium" else None
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    finally:
        tp.close()
    if income is None:
        result.errors.append(error_row(TableNotFound("the consolidated statement of profit or loss was not found"),
                                       document=name, company_id=company_id))
        if position is None and not employees:
            return result
    if pages is None:
        try:
            pages = words_of_pages(data, wanted, name)
        except Top100Error as exc:
            result.errors.append(error_row(exc, document=name, company_id=company_id))
            return result
    chosen: set[tuple[str, int]] = set()
    years: list[int] = []
    income_names = {k: v for k, v in HK_INCOME.items() if k != "total_assets"}
    groups = (([income] + ([after] if after else []), income_names),
              ([position], {"total_assets": HK_INCOME["total_assets"]}))
    for group, names in groups:
        group_pages = [pages[n] for n in group if n is not None and n in pages]
        if not group_pages:
            continue
        for hit in pick(read_tables(group_pages, None), names, hk_key):
            if (hit.metric, hit.year) in chosen:
                continue
            try:
                unit = table_unit(hit.row, settings.currency)
                number = number_of(hit.cell.raw)
                end = _period_end(hit.year, year_end)
                fact = make_fact(origin, hit.metric, hit.year, number, unit, page=hit.row.page, label=hit.row.label,
                                 raw=hit.cell.raw, bbox=hit.cell.bbox, positive=hit.metric == "operating_cost",
                                 period_end=end)
            except Top100Error as exc:
                result.errors.append(error_row(exc, document=name, company_id=company_id, page=hit.row.page))
                continue
            chosen.add((hit.metric, hit.year))
            years.append(hit.year)
            result.facts.append(fact)
    if employees:
        _employees(employees[0], pages, max(years) if years else None, origin, result, name)
    return result


def _employees(found: tuple[int, re.Match], pages: dict[int, PageLines], fy: int | None, origin: Origin,
               result: ExtractResult, name: str) -> None:
    page, m = found
    year = int(m.group("year")) if m.group("year") else fy
    if year is None:
        result.errors.append(error_row(TableNotFound("employees found but no year for them"),
                                       document=name, company_id=origin.company_id, page=page))
        return
    label = " ".join(m.group(0).split())
    pl = pages.get(page)
    for metric_year, raw in ((year, m.group("n")), (int(m.group("py")) if m.group("py") else None, m.group("pn"))):
        if metric_year is None or raw is None:
            continue
        value = parse_number(raw)
        bbox = _find_word(pl, raw)
        result.facts.append(make_fact(origin, "employees_total", metric_year, value or Decimal(0), parse_unit("人"),
                                      page=page, label=label, raw=raw, bbox=bbox))


def _find_word(pl: PageLines | None, raw: str):
    """The box of the printed number (first occurrence on the page's lines that mention staff)."""
    if pl is None:
        return None
    for ln in pl.lines:
        text = simplify(ln.text).lower()
        if "employ" in text or "staff" in text or "雇员" in text or "员工" in text or "(20" in text:
            for w in ln.words:
                if re.sub(r"[^\d,]", "", w.text) == raw:
                    return (w.x0, w.top, w.x1, w.bottom)
    return None


_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}


def _year_end(text: str) -> tuple[int, int] | None:
    """'For the year ended 30 September 2021' / '截至二零二一年九月三十日止年度' -> (9, 30)."""
    m = re.search(r"(?i)year\s+ended\s+(\d{1,2})\s+([a-z]+)", text)
    if m and m.group(2).lower() in _MONTHS:
        return _MONTHS[m.group(2).lower()], int(m.group(1))
    m = re.search(r"(?i)year\s+ended\s+([a-z]+)\s+(\d{1,2})", text)
    if m and m.group(1).lower() in _MONTHS:
        return _MONTHS[m.group(1).lower()], int(m.group(2))
    m = re.search(r"截至\S*?年(\d{1,2})月(\d{1,2})日止年度", simplify(text))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _period_end(year: int, year_end: tuple[int, int] | None) -> str | None:
    if year_end is None:
        return None
    try:
        return date(year, *year_end).isoformat()
    except ValueError:
        return None
