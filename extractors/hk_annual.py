"""HK annual reports and annual results announcements (English, Chinese or bilingual PDF).

A fast text pass finds the pages: the consolidated statement of profit or loss (its title in any
case and language, on a line of its own, not a contents entry or a note, with its own rows), the
statement of financial position, and up to three five-year summary / financial highlights pages.
Positioned words of those pages go through extractors.hk_statements (year columns by the
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
from top100.errors import IdentityViolated, ReadingsConflict, TableNotFound, Top100Error, UnitUnknown
from top100.vocab import DocType

NAME = "hk_annual"
VERSION = f"1.1.0+{READER_VERSION}"


@dataclass(frozen=True)
class HkAnnualSettings:
    currency: str = "HKD"  # for units printed without a currency (千元)
    engine: str = "pdfium"  # or "pdfplumber" (see extractors.cn_annual)


_TOC = re.compile(r"(\.{4,}|…{2,})|\s\d{1,3}\s*$")



_STATEMENT_TITLE = re.compile(
    r"(?im)^\s*(?:consolidated\s+)?(?:statement\s+of\s+(?:profit\s+or\s+loss|comprehensive\s+(?:income|loss))|"
    r"income\s+statement|statement\s+of\s+income)|综合(?:损益|收益)(?:及其他全面收益)?表|综合全面收益表")
_POSITION_ANY = re.compile(r"(?im)^\s*(?:consolidated\s+)?(?:statement\s+of\s+financial\s+position|balance\s+sheet)"
                           r"|综合财务状况表|综合资产负债表")
_SUMMARY_TITLE = re.compile(r"(?im)^\s*(?:(?:five|ten|5|10)[- ]years?\s+)?financial\s+(?:summary|highlights)\b"
                            r"|^\s*(?:five|ten)[- ]years?\s+(?:financial\s+)?summary|财务概要|财务摘要|五年财务|十年财务|财务资料概要")
# a statement page carries its own rows (prose that names a statement does not)
_INCOME_ROW = re.compile(r"(?im)^\s*(?:revenue|turnover|cost\s+of\s+sales|.{0,30}\bbefore\s+(?:income\s+)?tax|"
                         r"收益|收入|营业额|除税前)")
_POSITION_ROW = re.compile(r"(?im)^\s*(?:total\s+assets|non[- ]current\s+assets|current\s+assets|net\s+assets|"
                           r"资产总值|总资产|非流动资产|流动资产)")
_NOTES_PAGE = re.compile(r"(?i)notes\s+to\s+the\s+(?:consolidated\s+)?financial\s+statements|财务报表附注")
_FIGURE = re.compile(r"(?<![\w.])\(?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?(?![\w.])")


def _title_page(text: str, title: re.Pattern, row: re.Pattern | None = None) -> bool:
    """A statement's own page: its title on a line of its own (not a contents entry, not the
    notes), with figures under it."""
    t = simplify(text)
    if _NOTES_PAGE.search(t[:400]):
        return False
    for m in title.finditer(t):
        end = t.find("\n", m.end())
        line = t[m.start():end if end >= 0 else len(t)]
        if _TOC.search(line):
            continue
        if len(_FIGURE.findall(t)) >= 4 and (row is None or row.search(t)):
            return True
    return False


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: HkAnnualSettings | None = None, doc_type: str = DocType.hk_annual_report) -> ExtractResult:
    """Every metric and year from the consolidated statements and from the five-year summary or
    highlights, each figure read from every place that prints it (see ``_decide``)."""
    settings = settings or HkAnnualSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(doc_type), company_id, NAME, VERSION)
    result = ExtractResult()
    income: list[int] = []
    position: int | None = None
    summaries: list[int] = []
    year_end: tuple[int, int] | None = None  # (month, day) the fiscal year ends on
    employees: tuple[int, str] | None = None
    results_announcement = False
    unmapped: int | None = None  # the first page whose glyphs come out as U+FFFD (no Unicode for them)
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    try:
        tp.check_readable()
        for n in range(1, tp.n_pages + 1):
            text = tp.text(n)
            if unmapped is None and _unmapped_share(text) > 0.05:
                unmapped = n
            if n <= 2 and _RESULTS_ANNOUNCEMENT.search(simplify(text)):
                results_announcement = True
            if employees is None and (hit := find_employees(text)):
                employees = (n, text)
            if not income and _title_page(text, _STATEMENT_TITLE, _INCOME_ROW):
                income = [n]
                year_end = _year_end(text)
            elif income and len(income) == 1 and n == income[0] + 1 and _title_page(text, _STATEMENT_TITLE) \
                    and not _title_page(text, _POSITION_ANY):
                income.append(n)  # the statement continued (the attribution of profit, often)
            if position is None and _title_page(text, _POSITION_ANY, _POSITION_ROW):
                position = n
            if len(summaries) < 3 and _title_page(text, _SUMMARY_TITLE) and n not in income:
                summaries.append(n)
        if year_end is None and summaries:
            year_end = _year_end(tp.text(summaries[0]))
        wanted = sorted(set(income) | ({position} if position else set()) | set(summaries)
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
    for kind, group, only in (("statement", income, None), ("statement", [position] if position else [],
                                                                              _POSITION_METRICS),
                              ("summary", summaries, None)):
        for n in group:
            rs, table = readings(pages[n])
            for err in table.errors:
                result.errors.append(error_row(TableNotFound(err), document=name, company_id=company_id, page=n))
            for r in rs:
                if (only and r.metric not in only) or (kind == "statement" and not only and r.metric in _POSITION_METRICS
                                                   and position):
                    continue
                found.setdefault((r.metric, r.year), []).append((kind, r))
    _whole_profit_to_owners(found)
    years = _decide(found, origin, result, name, year_end, settings.currency)
    _identities(found, result, name, origin.company_id)
    if employees:
        _employees(employees, pages.get(employees[0]), max(years) if years else None, origin, result, name, year_end)
    statement_pages = income + ([position] if position else [])
    if statement_pages and not any(f.metric != "employees_total" for f in result.facts):
        result.errors.append(error_row(TableNotFound(
            "the statements were found but no figure could be read from them"), document=name,
            company_id=company_id, page=statement_pages[0]))
    return result


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


_POSITION_METRICS = ("total_assets", "_total_liabilities", "_total_equity")
_RESULTS_ANNOUNCEMENT = re.compile(r"(?i)(annual|final)\s+results\s+announcement|全年业绩公告|年度业绩公告|业绩公告|"
                                   r"announcement\s+of\s+(?:annual|final)\s+results")


def _unit(text: str | None, page: int, label: str, default_currency: str | None = None) -> Unit:
    """The unit printed over the columns, kept as printed with its currency (HK$, RMB, US$, S$...)."""
    if not text:
        raise UnitUnknown(f"no unit printed over the columns of {label!r}", page=page)
    t = simplify(text).replace("’", "'").replace(" ", "")
    m = re.fullmatch(r"(?i)(HK\$|US\$|S\$|NT\$|A\$|MOP\$?|RMB|HKD|USD|SGD)('000|000|million|m)?", t)
    if m:
        cur = _CURRENCIES[m.group(1).upper().rstrip("$") if m.group(1).upper().startswith("MOP") else m.group(1).upper()]
        scale = {"": 1, "'000": 1000, "000": 1000, "million": 1_000_000, "m": 1_000_000}[(m.group(2) or "").lower()]
        return Unit(text, Decimal(scale), cur)
    if re.fullmatch(r"(千|百万)?元", t) and default_currency:  # no currency printed: the document's (settings)
        return Unit(text, Decimal(1000 if t.startswith("千") else 1_000_000 if t.startswith("百万") else 1),
                    default_currency)
    m = re.fullmatch(r"(千|百万)?(港元|人民币|美元|新加坡元)(千元)?", t)
    if m:
        scale = 1000 if (m.group(1) == "千" or m.group(3)) else 1_000_000 if m.group(1) == "百万" else 1
        return Unit(text, Decimal(scale), {"港元": "HKD", "人民币": "CNY", "美元": "USD", "新加坡元": "SGD"}[m.group(2)])
    raise UnitUnknown(f"unknown unit {text!r} over the columns of {label!r}", page=page)


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
                unit = _unit(r.unit_text, r.page, r.label, default_currency)
            except Top100Error as exc:
                result.errors.append(error_row(exc, document=name, company_id=origin.company_id, page=r.page))
                continue
            valued.append((kind, r, unit, unit.apply(r.value)))
        if not valued:
            continue
        valued.sort(key=lambda v: 0 if v[0] == "statement" else 1)
        kind, r, unit, value = valued[0]
        positive = metric == "operating_cost"
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
            return r, _unit(r.unit_text, r.page, r.label)
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
    source = "summary" if kind != "statement" else "balance" if r.metric in _POSITION_METRICS else "income"
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
