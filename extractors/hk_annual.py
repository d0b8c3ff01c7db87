"""HK annual reports and annual results announcements (English, Chinese or bilingual PDF).

A fast text pass finds the pages: the consolidated statement of profit or loss (its title in any
case and language, on a line of its own, not a contents entry or a note, with its own rows), the
statement of financial position, and up to three five-year summary / financial highlights pages.
Positioned words of those pages go through extractors.hk_tables and hk_statements (year columns by the
header's order, any year end, notes columns, segment columns resolved by their total or refused).
Every metric and year is read from every page that prints it: the statement's figure is the fact,
the others are its ``corroborations``; figures that differ beyond the coarser unit's rounding make
it a ``conflict`` with an error row naming both pages and values; accounting identities are
checked where the parts are printed. Units stay as printed, with their currency (HK$'000,
RMB'000, US$'000, S$'000, 千港元). Staff counts come from extractors.hk_employees.

The parts: extractors.hk_pages (what each page is), hk_tables and hk_statements (the tables'
readings), hk_facts (readings decided into facts, identities), hk_notes (R&D and staff outside
the tables); this module runs the pass over the pages and puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from extractors.hk_employees import find_employees
from extractors.hk_facts import POSITION_METRICS, decide, identities, period_end, whole_profit_to_owners
from extractors.hk_notes import RD_WORDS, read_employees, read_rd_investment_row, read_rd_sentence
from extractors.hk_pages import (NOTES_PAGE, RD_STATEMENT_ROW, RESULTS_ANNOUNCEMENT, fiscal_year_end, page_kind,
                                 unmapped_share)
from extractors.hk_statements import Reading, readings
from extractors.labels import simplify
from extractors.layout import TextPass, words_of_pages
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load
from extractors.share_capital import VERSION as SHARES_VERSION
from extractors.share_capital import add_share_count
from top100.errors import RowNotFound, TableNotFound, Top100Error
from top100.vocab import DocType

NAME = "hk_annual"
VERSION = f"1.2.1+{READER_VERSION}+{SHARES_VERSION}"


@dataclass(frozen=True)
class HkAnnualSettings:
    currency: str = "HKD"  # for units printed without a currency (千元)
    engine: str = "pdfium"  # or "pdfplumber" (see extractors.cn_annual)


_ZH_STAFF = re.compile(r"僱員|雇員|雇员|員工|员工")
_ZH_COUNT = re.compile(r"\d\s*名|名\s*\d")
# a date or sentence given back to front by the text layer ('日31月12年2019', a line opening on '。')
_ZH_REVERSED = re.compile(r"(?m)日\s*\d{1,2}\s*月\s*\d{1,2}\s*年|^\s*[。，；]")


MAX_PAGES = {"income": 4, "position": 3, "summary": 4, "rd_note": 1}  # pages of each kind read word by word
SUMMARY_TAIL = 15  # the last pages of a report, always read (a five-year summary after the notes)


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: HkAnnualSettings | None = None, doc_type: str = DocType.hk_annual_report) -> ExtractResult:
    """Every metric and year from the consolidated statements and from the five-year summary or
    highlights, each figure read from every place that prints it (see extractors.hk_facts.decide)."""
    settings = settings or HkAnnualSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(doc_type), company_id, NAME, VERSION)
    result = ExtractResult()
    kinds: dict[str, list[int]] = {"income": [], "position": [], "summary": [], "rd_note": []}
    year_end: tuple[int, int] | None = None  # (month, day) the fiscal year ends on
    employees: tuple[int, str] | None = None
    employees_undated = False
    results_announcement = False
    unmapped: int | None = None  # the first page whose glyphs come out as U+FFFD (no Unicode for them)
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    try:
        tp.check_readable()
        previous: str | None = None
        texts: dict[int, str] = {}
        page_texts: dict[int, str] = {}  # every page read here, for the share count (one text pass)
        notes_run = 0  # consecutive pages of the notes to the financial statements
        rd_in_statement = False  # the income statement prints an R&D line: no note needed for it
        n = 0
        while n < tp.n_pages:
            n += 1
            text = tp.text(n)
            page_texts[n] = text
            notes_run = notes_run + 1 if NOTES_PAGE.search(text[:400]) else 0
            if notes_run >= 5 and kinds["income"] and kinds["position"] and employees and not employees_undated \
                    and (kinds["rd_note"] or rd_in_statement) and n < tp.n_pages - SUMMARY_TAIL:
                # deep in the notes with everything found that they hold: no statement or summary
                # is printed among them, only after them (a five-year summary closes many
                # reports): the last pages are read, the rest of the notes is not
                n = tp.n_pages - SUMMARY_TAIL
                previous = None
                continue
            if RD_WORDS.search(text):
                texts[n] = text  # for R&D printed only in a sentence (read_rd_sentence)
            if unmapped is None and unmapped_share(text) > 0.05:
                unmapped = n
            if n <= 2 and RESULTS_ANNOUNCEMENT.search(simplify(text)):
                results_announcement = True
            if employees is None or employees_undated:
                counts = find_employees(text)
                staff_text = text
                if not counts and _ZH_STAFF.search(text) and (_ZH_COUNT.search(text) or _ZH_REVERSED.search(text)):
                    # a Chinese page whose text layer gives a right-to-left paragraph's runs in
                    # reverse ('名雇员減少231日的31月12年2018較截至'): its sentences are read again
                    # from the words in their printed order
                    staff_text = "\n".join(ln.text for ln in tp.words(n).lines)
                    counts = find_employees(staff_text)
                if counts and (employees is None or all(y is not None for y, _, _ in counts)):
                    # a sentence that dates its count wins over an undated one found earlier (a
                    # chairman's letter's 'nearly 12,000 employees')
                    employees, employees_undated = (n, staff_text), any(y is None for y, _, _ in counts)
            kind = page_kind(text, previous)
            if kind == "income" and RD_STATEMENT_ROW.search(text):
                rd_in_statement = True
            if kind and len(kinds[kind]) < MAX_PAGES[kind]:
                kinds[kind].append(n)
                if kind == "income" and year_end is None:
                    year_end = fiscal_year_end(text)
            previous = kind
        income, positions, summaries, rd_notes = kinds["income"], kinds["position"], kinds["summary"], kinds["rd_note"]
        if year_end is None and summaries:
            year_end = fiscal_year_end(tp.text(summaries[0]))
        wanted = sorted(set(income) | set(positions) | set(summaries) | set(rd_notes)
                        | ({employees[0]} if employees else set()))
        pages = {n: tp.words(n) for n in wanted} if settings.engine == "pdfium" else None
        # the share count's note sits among the notes skipped above: those pages are read now, the
        # others are not read again
        share_pages = [(n, page_texts[n] if n in page_texts else tp.text(n)) for n in range(1, tp.n_pages + 1)]
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    finally:
        tp.close()
    if pages is None:
        try:
            pages = words_of_pages(data, wanted, name)
        except Top100Error as exc:
            result.errors.append(error_row(exc, document=name, company_id=company_id))
            return result
    if not income:
        result.errors.append(error_row(TableNotFound(
            "the consolidated statement of profit or loss was not found"
            + (" (an annual results announcement, 业绩公告: its statements are read where their titles are found)"
               if results_announcement else "")
            + (f"; from page {unmapped} on, the text layer gives U+FFFD for many glyphs (fonts without a Unicode "
               "map): titles and labels there cannot be read" if unmapped else "")),
            document=name, company_id=company_id, page=unmapped))
    found: dict[tuple[str, int], list[tuple[str, Reading]]] = {}
    for kind, group, only in (("statement", income, None), ("statement", positions, POSITION_METRICS),
                              ("summary", summaries, None), ("note", rd_notes, ("rd_expense",))):
        for n in group:
            rs, tables = readings(pages[n])
            for err in (e for t in tables for e in t.errors):
                result.errors.append(error_row(TableNotFound(err), document=name, company_id=company_id, page=n))
            for r in rs:
                if (only and r.metric not in only) or (kind == "statement" and not only and r.metric in POSITION_METRICS
                                                   and positions):
                    continue
                found.setdefault((r.metric, r.year), []).append((kind, r))
    whole_profit_to_owners(found)
    years = decide(found, origin, result, name, year_end, settings.currency)
    identities(found, result, name, origin.company_id)
    if employees:
        read_employees(employees, pages.get(employees[0]), max(years) if years else None, origin, result, name, year_end)
    if not any(f.metric == "rd_expense" for f in result.facts):
        read_rd_sentence(texts, origin, result, name, years, year_end)
    if years:
        read_rd_investment_row(texts, origin, result, name, max(years), year_end)
    _rows_not_found(result, name, origin.company_id, income, positions, years)
    statement_pages = income + positions
    if statement_pages and not any(f.metric != "employees_total" for f in result.facts):
        result.errors.append(error_row(TableNotFound(
            "the statements were found but no figure could be read from them"), document=name,
            company_id=company_id, page=statement_pages[0]))
    add_share_count(data, share_pages, market="hk", fiscal_year=max(years) if years else None, year_end=period_end(
        max(years), year_end) if years else None, origin=origin, result=result, name=name)
    return result


# rows every set of statements prints: a statement read without one of them says so
_EXPECTED = {"income": ("revenue", "profit_before_tax", "net_profit"), "position": ("total_assets",)}


def _rows_not_found(result: ExtractResult, name: str, company_id: str | None, income: list[int],
                    positions: list[int], years: list[int]) -> None:
    """A metric that the statements should print but no page gave for the latest year is an
    error naming the pages looked at, never a silent gap (an insurer's statement has no revenue
    line; a balance sheet may print no total-assets line)."""
    if not years:
        return
    fy = max(years)
    have = {f.metric for f in result.facts if f.fiscal_year == fy}
    for kind, pages in (("income", income), ("position", positions)):
        if not pages:
            continue
        for metric in _EXPECTED[kind]:
            if metric not in have:
                shown = ", ".join(str(p) for p in pages)
                result.errors.append(error_row(RowNotFound(
                    f"{metric} {fy}: no row of the statement{'s' if len(pages) > 1 else ''} on page{'s' if len(pages) > 1 else ''} "
                    f"{shown} is read as {metric} (no such line, or a label the reader does not know)"),
                    document=name, company_id=company_id, page=pages[0]))


