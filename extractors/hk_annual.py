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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from extractors.hk_employees import find_employees
from extractors.hk_statements import Reading, readings
from extractors.labels import simplify
from extractors.layout import PageLines, TextPass, words_of_pages
from extractors.numbers import Unit, parse_number, parse_unit
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load, make_fact
from top100.errors import IdentityViolated, ReadingsConflict, RowNotFound, TableNotFound, Top100Error, UnitUnknown
from top100.vocab import DocType

NAME = "hk_annual"
VERSION = f"1.2.0+{READER_VERSION}"


@dataclass(frozen=True)
class HkAnnualSettings:
    currency: str = "HKD"  # for units printed without a currency (千元)
    engine: str = "pdfium"  # or "pdfplumber" (see extractors.cn_annual)


_TOC = re.compile(r"(\.{4,}|…{2,})|\s\d{1,3}\s*$")



# titles of the statements, at the start of a line (a contents entry or a sentence that names a
# statement is not its page): HKFRS and US GAAP, singular or plural, in any case; Chinese titles
# (letter-spaced glyphs are joined first, see _squeeze)
_STATEMENT_TITLE = re.compile(
    r"(?im)^\s*(?:condensed\s+)?(?:consolidated\s+)?(?:statements?\s+of\s+(?:consolidated\s+)?(?:profit\s+or\s+loss|"
    r"comprehensive\s+(?:income|loss)|operations|income|(?:income|loss|operations)\s+and\s+comprehensive)|"
    r"income\s+statements?|statements?\s+of\s+income)|^\s*(?:简明)?(?:综合|合并)(?:损益|收益)(?:及其他全面收益)?表|"
    r"^\s*(?:简明)?综合全面收益表")
_POSITION_ANY = re.compile(r"(?im)^\s*(?:condensed\s+)?(?:consolidated\s+)?(?:statements?\s+of\s+(?:consolidated\s+)?"
                           r"financial\s+position|balance\s+sheets?)|^\s*(?:简明)?(?:综合|合并)(?:财务状况表|资产负债表)")
_SUMMARY_TITLE = re.compile(
    r"(?im)^\s*(?:(?:five|ten|5|10)[- ]years?\s+)?financial\s+(?:summary|highlights)\b|"
    r"^\s*(?:five|ten|5|10)[- ]years?\s+(?:financial\s+|performance\s+)?(?:summary|review|record|highlights)|"
    r"^\s*(?:selected|summary)\s+(?:consolidated\s+)?financial\s+(?:and\s+operating\s+)?data|"
    r"^\s*(?:financial|performance)\s+(?:summary|highlights|review)\b|"
    r"财务概要|财务摘要|五年财务|十年财务|财务资料概要|五年业绩|五年概要|财务摘要")
# a statement page carries its own rows (prose that names a statement does not)
_INCOME_ROW = re.compile(r"(?im)^\s*(?:(?:total\s+)?revenues?|turnover|cost\s+of\s+(?:sales|revenues?)|"
                         r".{0,40}\bbefore\s+(?:income\s+)?tax|收益|收入|营业额|除税前)")
_POSITION_ROW = re.compile(r"(?im)^\s*(?:total\s+assets|non[- ]current\s+assets|current\s+assets|net\s+assets|"
                           r"资产总值|总资产|非流动资产|流动资产)")
_NOTES_PAGE = re.compile(r"(?i)notes\s+to\s+(?:the\s+)?(?:condensed\s+)?(?:consolidated\s+)?financial\s+statements|"
                         r"财务报表附注|财务报表附註")
_FIGURE = re.compile(r"(?<![\w.])\(?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?(?![\w.])")
MAX_PAGES = {"income": 4, "position": 3, "summary": 4, "rd_note": 1}  # pages of each kind read word by word
SUMMARY_TAIL = 15  # the last pages of a report, always read (a five-year summary after the notes)


def _squeeze(text: str) -> str:
    """Simplified, with letter-spaced CJK glyphs joined ('綜 合 損 益 表' -> '综合损益表')."""
    t = simplify(text)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", t)


def _title_line(t: str, title: re.Pattern, head_chars: int | None = None) -> str | None:
    """The first title line of ``title`` in ``t`` (or its first ``head_chars``) that is not a
    contents entry."""
    for m in title.finditer(t[:head_chars] if head_chars else t):
        end = t.find("\n", m.end())
        line = t[m.start():end if end >= 0 else len(t)]
        if _TOC.search(line):
            continue
        return line
    return None


# the note that analyses profit before tax ('arrived at after charging'), where HK reports print
# their R&D costs when the income statement has no line for them
_RD_NOTE_ROW = re.compile(r"(?im)^\s*(?:[-–•]\s*)?research\s+and\s+development\s+(?:costs?|expenses?|expenditures?)\b[^\n]*\d")
_RD_STATEMENT_ROW = re.compile(r"(?im)^\s*(?:research\s+and\s+development|研發|研发)[^\n]*\d")
_PBT_NOTE = re.compile(r"(?i)arrived\s+at\s+after\s+(?:charging|crediting)|(?:profit|loss)\s+before\s+tax(?:ation)?\s+is\s+stated")


def _page_kind(text: str, previous: str | None) -> str | None:
    """'income' | 'position' | 'summary' | None for one page, by its title and rows; a page
    that repeats the title of the page before it continues that statement."""
    t = _squeeze(text)
    if len(_FIGURE.findall(t)) < 4:
        return None
    if _NOTES_PAGE.search(t[:400]):
        return "rd_note" if _RD_NOTE_ROW.search(t) and _PBT_NOTE.search(t) else None
    if _title_line(t, _SUMMARY_TITLE, 600) and (_INCOME_ROW.search(t) or _POSITION_ROW.search(t)):
        return "summary"
    income = _title_line(t, _STATEMENT_TITLE)
    position = _title_line(t, _POSITION_ANY)
    if income and (re.match(r"(?i)\s*condensed|\s*简明", income) or re.search(r"(?i)\bdata\b", income)) \
            and _INCOME_ROW.search(t):
        # a condensed statement (a five-year review), or a statement's 'Data' (selected financial
        # data, the MD&A's results of operations): a summary of the statements, not one of them
        return "summary"
    if income and (_INCOME_ROW.search(t) or previous == "income") and not (position and _POSITION_ROW.search(t)):
        return "income"
    if position and (_POSITION_ROW.search(t) or previous == "position"):
        return "position"
    return None


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: HkAnnualSettings | None = None, doc_type: str = DocType.hk_annual_report) -> ExtractResult:
    """Every metric and year from the consolidated statements and from the five-year summary or
    highlights, each figure read from every place that prints it (see ``_decide``)."""
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
        notes_run = 0  # consecutive pages of the notes to the financial statements
        rd_in_statement = False  # the income statement prints an R&D line: no note needed for it
        n = 0
        while n < tp.n_pages:
            n += 1
            text = tp.text(n)
            notes_run = notes_run + 1 if _NOTES_PAGE.search(text[:400]) else 0
            if notes_run >= 5 and kinds["income"] and kinds["position"] and employees and not employees_undated \
                    and (kinds["rd_note"] or rd_in_statement) and n < tp.n_pages - SUMMARY_TAIL:
                # deep in the notes with everything found that they hold: no statement or summary
                # is printed among them, only after them (a five-year summary closes many
                # reports): the last pages are read, the rest of the notes is not
                n = tp.n_pages - SUMMARY_TAIL
                previous = None
                continue
            if _RD_WORDS.search(text):
                texts[n] = text  # for R&D printed only in a sentence (_rd_sentence)
            if unmapped is None and _unmapped_share(text) > 0.05:
                unmapped = n
            if n <= 2 and _RESULTS_ANNOUNCEMENT.search(simplify(text)):
                results_announcement = True
            if employees is None or employees_undated:
                counts = find_employees(text)
                if counts and (employees is None or all(y is not None for y, _, _ in counts)):
                    # a sentence that dates its count wins over an undated one found earlier (a
                    # chairman's letter's 'nearly 12,000 employees')
                    employees, employees_undated = (n, text), any(y is None for y, _, _ in counts)
            kind = _page_kind(text, previous)
            if kind == "income" and _RD_STATEMENT_ROW.search(text):
                rd_in_statement = True
            if kind and len(kinds[kind]) < MAX_PAGES[kind]:
                kinds[kind].append(n)
                if kind == "income" and year_end is None:
                    year_end = _year_end(text)
            previous = kind
        income, positions, summaries, rd_notes = kinds["income"], kinds["position"], kinds["summary"], kinds["rd_note"]
        if year_end is None and summaries:
            year_end = _year_end(tp.text(summaries[0]))
        wanted = sorted(set(income) | set(positions) | set(summaries) | set(rd_notes)
                        | ({employees[0]} if employees else set()))
        pages = {n: tp.words(n) for n in wanted} if settings.engine == "pdfium" else None
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
    for kind, group, only in (("statement", income, None), ("statement", positions, _POSITION_METRICS),
                              ("summary", summaries, None), ("note", rd_notes, ("rd_expense",))):
        for n in group:
            rs, tables = readings(pages[n])
            for err in (e for t in tables for e in t.errors):
                result.errors.append(error_row(TableNotFound(err), document=name, company_id=company_id, page=n))
            for r in rs:
                if (only and r.metric not in only) or (kind == "statement" and not only and r.metric in _POSITION_METRICS
                                                   and positions):
                    continue
                found.setdefault((r.metric, r.year), []).append((kind, r))
    _whole_profit_to_owners(found)
    years = _decide(found, origin, result, name, year_end, settings.currency)
    _identities(found, result, name, origin.company_id)
    if employees:
        _employees(employees, pages.get(employees[0]), max(years) if years else None, origin, result, name, year_end)
    if not any(f.metric == "rd_expense" for f in result.facts):
        _rd_sentence(texts, origin, result, name, years, year_end)
    if years:
        _rd_investment_row(texts, origin, result, name, max(years), year_end)
    _rows_not_found(result, name, origin.company_id, income, positions, years)
    statement_pages = income + positions
    if statement_pages and not any(f.metric != "employees_total" for f in result.facts):
        result.errors.append(error_row(TableNotFound(
            "the statements were found but no figure could be read from them"), document=name,
            company_id=company_id, page=statement_pages[0]))
    return result


_RD_WORDS = re.compile(r"(?i)\bR&D\b|research\s+and\s+development")
_MONEY = r"(?P<cur>RMB|HK\$|US\$)\s?(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>million|billion|thousand)?"
_RD_SENTENCE = re.compile(
    r"(?i)(?:year|period)\s+ended\s+\d{1,2}\s+[a-z]+\s+(?P<year>(?:19|20)\d{2})[^.]{0,120}?(?:expenses?|costs?|expenditures?)"
    r"\s+(?:for\s+the\s+purpose\s+of\s+)?(?:R&D|research\s+and\s+development)[^.]{0,40}?(?:of|were|was|amounted\s+to|"
    r"totall?ed)\s+(?:approximately\s+)?" + _MONEY + r"(?:\s*\((?P<prior>(?:19|20)\d{2})\s*:\s*(?P<pcur>RMB|HK\$|US\$)\s?"
    r"(?P<pnum>\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*(?P<pscale>million|billion|thousand)?\))?")
_SCALES = {"million": 1_000_000, "billion": 1_000_000_000, "thousand": 1000, None: 1}


def _rd_sentence(texts: dict[int, str], origin: Origin, result: ExtractResult, name: str, years: list[int],
                 year_end: tuple[int, int] | None) -> None:
    """R&D expenses a report states only in a sentence of its notes ('During the year ended 31
    December 2025, the Group had incurred expenses for the purpose of R&D of approximately
    RMB85,747 million (2024: RMB70,686 million)'): read once, for the year the sentence names
    and the bracketed prior year, and said so (single source: no table prints them)."""
    for page, text in sorted(texts.items()):
        flat = re.sub(r"\s+", " ", text)
        m = _RD_SENTENCE.search(flat)
        if not m:
            continue
        label = flat[max(0, m.start() - 20):m.end()].strip()[:300]
        pairs = [(int(m.group("year")), m.group("cur"), m.group("num"), m.group("scale"))]
        if m.group("prior"):
            pairs.append((int(m.group("prior")), m.group("pcur"), m.group("pnum"), m.group("pscale")))
        for year, cur, num, scale in pairs:
            unit = Unit(f"{cur} {scale or ''}".strip(), Decimal(_SCALES[scale.lower() if scale else None]),
                        _CURRENCIES[cur.upper()])
            fact = make_fact(origin, "rd_expense", year, Decimal(num.replace(",", "")), unit, page=page, label=label,
                             raw=f"{cur}{num} {scale or ''}".strip(), bbox=None, period_end=_period_end(year, year_end))
            annotate(fact, [], conflict=False)
            result.facts.append(fact)
        return


# an A+H report's R&D table, translated from the A-share template: 'Total R&D investment
# 5,730,120,190' under 'Unit: Yuan Currency: RMB'
_RD_INVESTMENT_ROW = re.compile(r"(?im)^\s*total\s+(?:R&D|research\s+and\s+development)\s+investment\s+"
                                r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?)\s*$")
_UNIT_LINE = re.compile(r"(?i)unit\s*:\s*(yuan|rmb\s*'?000|thousand\s+yuan|ten\s+thousand\s+yuan|rmb)\b")


def _rd_investment_row(texts: dict[int, str], origin: Origin, result: ExtractResult, name: str, fy: int,
                       year_end: tuple[int, int] | None) -> None:
    """R&D investment (capitalised part included) of the year from its one row, where the report
    prints the A-share R&D table in English with its unit above it; read once, said so."""
    for page, text in sorted(texts.items()):
        m = _RD_INVESTMENT_ROW.search(text)
        if not m:
            continue
        unit_m = None
        for u in _UNIT_LINE.finditer(text[:m.start()]):
            unit_m = u
        if unit_m is None:
            result.errors.append(error_row(UnitUnknown(
                f"rd_investment {fy}: 'Total R&D investment {m.group(1)}' has no unit line above it"),
                document=name, company_id=origin.company_id, page=page))
            return
        word = re.sub(r"\s+", " ", unit_m.group(1).lower())
        scale = {"yuan": 1, "rmb": 1, "thousand yuan": 1000, "ten thousand yuan": 10000}.get(word, 1000)
        unit = Unit(unit_m.group(0), Decimal(scale), "CNY")
        fact = make_fact(origin, "rd_investment", fy, Decimal(m.group(1).replace(",", "")), unit, page=page,
                         label="Total R&D investment", raw=m.group(1), bbox=None, period_end=_period_end(fy, year_end))
        annotate(fact, [], conflict=False)
        result.facts.append(fact)
        return


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


_HK_COVER = re.compile(r"股份代號|聯交所|聯合交易所|香港交易及結算所|年報|(?i:\bstock\s+code\b|incorporated\s+in\s+(?:the\s+)?"
                       r"(?:cayman\s+islands|bermuda|british\s+virgin\s+islands|hong\s+kong)|hkexnews|"
                       r"(?:HK|S|US)\$\s*['’]?000)")
_A_SHARE_COVER = re.compile(r"股票代码|证券代码|公司代码|证券简称|上海证券交易所|深圳证券交易所")


_TO_OWNERS_ROW = re.compile(r"(?i)^\W*(?:profit|loss|\(?loss\)?\s*/\s*profit|\(?profit\)?\s*/\s*\(?loss\)?)\W*(?:and\s+total\s+"
                            r"comprehensive\s+\S+\s+)?for\s+the\s+(?:year|period)\s+attributable\s+to\s+(?:the\s+)?(?:owners|"
                            r"equity\s+holders|(?:equity\s+)?shareholders)\s+of\s+the\s+company\W*$")


def _whole_profit_to_owners(found: dict) -> None:
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


def _unmapped_share(text: str) -> float:
    """The share of a page's printed characters that the text layer gives as U+FFFD."""
    visible = re.sub(r"\s+", "", text)
    return visible.count("\ufffd") / len(visible) if len(visible) >= 200 else 0.0


def looks_hk(raw: str) -> bool:
    """An HK document by its first pages as printed (traditional characters, 股份代號, Stock Code,
    an offshore incorporation, HK$/S$/US$'000), with none of an A-share cover's simplified marks."""
    return bool(_HK_COVER.search(raw)) and not _A_SHARE_COVER.search(raw)


_POSITION_METRICS = ("total_assets", "_total_liabilities", "_total_equity", "_total_liabilities_and_equity")
_RESULTS_ANNOUNCEMENT = re.compile(r"(?i)(annual|final)\s+results\s+announcement|全年业绩公告|年度业绩公告|业绩公告|"
                                   r"announcement\s+of\s+(?:annual|final)\s+results")


def _unit(text: str | None, page: int, label: str, default_currency: str | None = None) -> Unit:
    """The unit printed over the columns, kept as printed with its currency (HK$, RMB, US$, S$...)."""
    if not text:
        raise UnitUnknown(f"no unit printed over the columns of {label!r}", page=page)
    t = simplify(text).replace("’", "'").replace(" ", "")
    m = re.fullmatch(r"(?i)(HK\$|US\$|S\$|NT\$|A\$|MOP\$?|RMB|HKD|USD|SGD)'?(000|thousands?|millions?|mn|m|billions?|bn)?", t)
    if m:
        cur = _CURRENCIES[m.group(1).upper().rstrip("$") if m.group(1).upper().startswith("MOP") else m.group(1).upper()]
        word = (m.group(2) or "").lower().rstrip("s") if (m.group(2) or "").lower() not in ("s",) else ""
        scale = {"": 1, "000": 1000, "thousand": 1000, "million": 1_000_000, "mn": 1_000_000, "m": 1_000_000,
                 "billion": 1_000_000_000, "bn": 1_000_000_000}[word]
        return Unit(text, Decimal(scale), cur)
    if re.fullmatch(r"(千|百万)?元", t) and default_currency:  # no currency printed: the document's (settings)
        return Unit(text, Decimal(1000 if t.startswith("千") else 1_000_000 if t.startswith("百万") else 1),
                    default_currency)
    m = re.fullmatch(r"(千|百万)?(港元|人民币|美元|新加坡元)(千元|百万元)?", t)
    if m:
        scale = 1000 if (m.group(1) == "千" or m.group(3) == "千元") else \
            1_000_000 if (m.group(1) == "百万" or m.group(3) == "百万元") else 1
        return Unit(text, Decimal(scale), {"港元": "HKD", "人民币": "CNY", "美元": "USD", "新加坡元": "SGD"}[m.group(2)])
    raise UnitUnknown(f"unknown unit {text!r} over the columns of {label!r}", page=page)


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


_CURRENCIES = {"HK$": "HKD", "HKD": "HKD", "US$": "USD", "USD": "USD", "S$": "SGD", "SGD": "SGD", "RMB": "CNY",
               "NT$": "TWD", "A$": "AUD", "MOP": "MOP"}


def _decide(found: dict, origin: Origin, result: ExtractResult, name: str,
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
                         positive=positive, period_end=_period_end(year, year_end))
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


def _identities(found: dict, result: ExtractResult, name: str, company_id: str | None) -> None:
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
    source = kind if kind != "statement" else "balance" if r.metric in _POSITION_METRICS else "income"
    return {"page": r.page, "label": " ".join(r.label.split()), "raw": r.raw,
            "bbox": [round(float(v), 2) for v in r.bbox] if r.bbox else None,
            "value": float(value), "unit": unit.printed, "source": source, "restated": None, "agrees": agrees}


def annotate(fact, corroborations: list[dict], *, conflict: bool) -> None:
    """Per-fact corroborations, conflict and single_source: the Fact fields of top100.records."""
    fact.corroborations = list(fact.corroborations) + corroborations
    fact.conflict = fact.conflict or conflict
    fact.single_source = not fact.corroborations


def _employees(found: tuple[int, str], pl: PageLines | None, fy: int | None, origin: Origin,
               result: ExtractResult, name: str, year_end: tuple[int, int] | None) -> None:
    page, text = found
    counts = find_employees(text)
    if not counts:
        return
    for year, raw, label in counts:
        if year is None:
            year = fy
        if year is None:
            result.errors.append(error_row(TableNotFound("employees found but no year for them"),
                                           document=name, company_id=origin.company_id, page=page))
            continue
        value = parse_number(raw)
        fact = make_fact(origin, "employees_total", year, value or Decimal(0), parse_unit("人"),
                         page=page, label=label, raw=raw, bbox=_find_word(pl, raw))
        annotate(fact, [], conflict=False)
        result.facts.append(fact)


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
    """'For the year ended 30 September 2021' / '30TH SEPTEMBER' / 'March 31, 2022' /
    '截至二零二一年九月三十日止年度' / '截至2021年3月31日止年度' -> (month, day)."""
    m = re.search(r"(?i)(?:year|period)\s+ended\s+(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)", text)
    if m and m.group(2).lower() in _MONTHS:
        return _MONTHS[m.group(2).lower()], int(m.group(1))
    m = re.search(r"(?i)(?:year|period)\s+ended\s+([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?", text)
    if m and m.group(1).lower() in _MONTHS:
        return _MONTHS[m.group(1).lower()], int(m.group(2))
    t = re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", simplify(text))
    m = re.search(r"截至\S*?年(\d{1,2})月(\d{1,2})日止", t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"截至[〇零○一二三四五六七八九]{4}年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,4})日止", t)
    if m:
        return cn_small(m.group(1)), cn_small(m.group(2))
    return None


def cn_small(s: str) -> int:
    """'九' -> 9, '十二' -> 12, '三十' -> 30, '三十一' -> 31."""
    d = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    d["零"] = 0
    if "十" in s:
        a, _, b = s.partition("十")
        return (d[a] if a else 1) * 10 + (d[b] if b else 0)
    return d[s]


def _period_end(year: int, year_end: tuple[int, int] | None) -> str | None:
    if year_end is None:
        return None
    try:
        return date(year, *year_end).isoformat()
    except ValueError:
        return None
