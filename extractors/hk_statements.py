"""HK statement and five-year-summary tables read from positioned words.

HK statements (and the US GAAP statements that dual-listed issuers print in their HK annual
reports) are unruled, often bilingual (``Turnover 營業額 5,6 76,705,162 (52,399,474)``), carry a
notes column, put labels on several lines above their figures, and print their years in headers
that may span several lines (``Year ended`` / ``30 September`` / ``2021``, or ``2025`` above
``2025年``), carry footnote marks (``2022(1)``, ``(Restated)``), a currency per column (``RMB``
``RMB`` ``US$``: a convenience translation beside the reported figures) or columns per segment
(two segments and a total under one year).

This reader is hand-written because no library reads unruled financial tables by column
position (camelot/pdfplumber's table finders need rules or regular cell grids; these have
neither): it finds the value columns from the figures' edges, gives each column the year
printed above it, keeps the reporting currency's column where a year has a convenience
translation beside it, and refuses (an error, never a guess) where a year heads several columns
of one currency and none of them is a total. The unit is read from the whole head of the page
(``(Amounts in millions of Renminbi)``, ``(RMB'000)``, ``HK$'000`` under each year, ``人民幣千元``);
a scale word it does not know, or two scales, is an error naming the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.labels import en_metric, simplify
from extractors.layout import Line, PageLines, Word
from extractors.numbers import Unit

# an amount as printed: 76,705,162  (52,399,474)  223,076  0.18  –  (nil dashes count as zero)
_AMOUNT = re.compile(r"^\(?-?(?:\d{1,3}(?:,\d{3})+|\d{4,}|\d{1,3})(?:\.\d+)?\)?$")
_NIL = {"-", "–", "—", "−", "_", "nil", "Nil"}
_NOTE = re.compile(r"^(?:\d{1,2}(?:\([a-z]\))?(?:[,&]\s*\d{1,2}(?:\([a-z]\))?)*)$")
# a year as a header prints it: 2021, FY2021, 2021年, 2021(1), 2021*, 2021年(1), (2021)
_YEAR = re.compile(r"^(?:FY)?((?:19|20)\d{2})(?:年)?(?:\(\d{1,2}\)|\([a-z]\)|[*#†]+|[¹²³⁴⁵⁶⁷⁸⁹]+)?$")
_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"^(?:截至)?([〇零○一二三四五六七八九]{4})年")
_CN_YEAR_WORD = re.compile(r"^[〇零○一二三四五六七八九]{4}年(?:度)?$")
_TOTAL = re.compile(r"(?i)^(total|totals|consolidated|group|總計|总计|合計|合计|總額|总额|綜合|综合)$")
_RESTATED = re.compile(r"(?i)^\(?(?:restated|re-?presented|經重列|经重列|重列)\)?$")

# currencies as printed over columns or in a unit phrase -> ISO code
_CURRENCY_TOKENS = {"HK$": "HKD", "HKD": "HKD", "US$": "USD", "USD": "USD", "S$": "SGD", "SGD": "SGD", "RMB": "CNY",
                    "CNY": "CNY", "NT$": "TWD", "A$": "AUD", "MOP": "MOP", "MOP$": "MOP", "MYR": "MYR", "RM": "MYR",
                    "EUR": "EUR", "GBP": "GBP", "JPY": "JPY"}
_CURRENCY_WORDS = [(re.compile(r"(?i)\brenminbi\b|人民币"), "CNY"), (re.compile(r"(?i)hong\s+kong\s+dollars?|港元|港币"), "HKD"),
                   (re.compile(r"(?i)u\.?s\.?\s+dollars?|united\s+states\s+dollars?|美元"), "USD"),
                   (re.compile(r"(?i)singapore\s+dollars?|新加坡元"), "SGD")]
_SCALE_WORDS = {"000": 1000, "thousand": 1000, "thousands": 1000, "million": 10**6, "millions": 10**6, "mn": 10**6,
                "m": 10**6, "billion": 10**9, "billions": 10**9, "bn": 10**9}
_CUR_RE = r"(HK\$|US\$|S\$|NT\$|A\$|MOP\$?|RMB|HKD|USD|SGD|CNY|MYR|EUR|GBP|JPY)"
# a currency token with what follows it: RMB'000, RMB’Million, HK$ thousand, US$ (a bare currency)
# (a word after an apostrophe is the unit's scale, known or not; a word after a space only if it
# is a scale word: 'RMB RMB US$' over three columns is three currencies)
_UNIT_TOKEN = re.compile(rf"(?<![A-Za-z]){_CUR_RE}(?:\s*'\s*([A-Za-z]+|000)(?![A-Za-z$])|(000|mn|m)(?![A-Za-z$])|"
                         r"\s+(000|thousands?|millions?|billions?|mn|bn)(?![A-Za-z$])|(?![A-Za-z]))")
# a scale stated in words: 'in millions of Renminbi', 'Amounts in thousands', '(RMB in thousands)'
_SCALE_PHRASE = re.compile(r"(?i)\bin\s+(thousands|millions|billions)\b")
_CN_UNIT = re.compile(r"(千|百万|百萬)?(港元|港币|港幣|人民币|人民幣|美元|新加坡元)(千元|百万元|百萬元)?|(千元|百万元|百萬元)")


def cn_year(text: str) -> int | None:
    """'二零二一年' / '二〇二一年' / '截至二零二一年' -> 2021."""
    m = _CN_YEAR.match(text.replace(" ", ""))
    if not m:
        return None
    y = int("".join(_CN_DIGITS[c] for c in m.group(1)))
    return y if 1990 <= y <= 2100 else None


def word_year(text: str) -> int | None:
    t = text.strip()
    if t.startswith("(") and t.endswith(")") and _YEAR.match(t[1:-1]):
        t = t[1:-1]
    m = _YEAR.match(t)
    if m:
        return int(m.group(1))
    return cn_year(t) if _CN_YEAR_WORD.match(t.replace(" ", "")) else None


def is_amount(text: str) -> bool:
    t = text.strip().replace("−", "-")
    return t in _NIL or bool(_AMOUNT.match(t))


def amount_value(text: str) -> Decimal:
    t = text.strip().replace("−", "-")
    if t in _NIL:
        return Decimal(0)
    neg = t.startswith("(") and t.endswith(")") or t.startswith("-")
    v = Decimal(t.strip("()-").replace(",", ""))
    return -v if neg else v


def merge_spaced(words: list[Word]) -> list[Word]:
    """Letter-spaced CJK (one character per word: ``二 零 二 一 年``) joined back into words."""
    out: list[Word] = []
    for w in words:
        if out:
            p = out[-1]
            cjk = re.fullmatch(r"[\u3000-\u9fff\uff00-\uffef]+", w.text) and re.search(r"[\u3000-\u9fff\uff00-\uffef]$", p.text)
            if cjk and 0 <= w.x0 - p.x1 < 2.5 * max(1.0, w.x1 - w.x0) and len(w.text) <= 2:
                out[-1] = Word(p.text + w.text, p.x0, w.x1, min(p.top, w.top), max(p.bottom, w.bottom))
                continue
        out.append(w)
    return out


@dataclass
class Column:
    x0: float
    x1: float
    year: int | None = None
    total: bool = False
    segment: str | None = None
    header_line: int = 0
    currency: str | None = None  # printed over this column alone (RMB / US$ / HK$'000)


@dataclass
class Reading:
    """One figure of a row: where it is and the year of its column."""

    page: int
    metric: str
    label: str
    raw: str
    value: Decimal
    year: int
    bbox: tuple[float, float, float, float]
    unit_text: str | None
    unit: Unit | None = None  # None: unit_error says why the figure cannot be valued
    unit_error: str | None = None


@dataclass
class StatementTable:
    page: int
    columns: list[Column]
    rows: list[tuple[str, list[tuple[Column, Word]]]] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)  # the label-only lines above each row
    unit_text: str | None = None
    unit: Unit | None = None
    unit_error: str | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was set aside and why (convenience columns)
    first_row: int | None = None  # line indexes of the first and last rows with figures
    last_row: int | None = None


def _value_words(line: Line) -> list[Word]:
    """The figures at the right of a line (notes and label text at the left are not figures)."""
    ws = line.words
    vals: list[Word] = []
    for w in reversed(ws):
        if is_amount(w.text):
            vals.append(w)
        else:
            break
    vals.reverse()
    return vals


_MONTH_WORD = re.compile(r"(?i)^(?:january|february|march|april|may|june|july|august|september|october|november|"
                         r"december)\b")


def _currency_of_token(text: str) -> str | None:
    """'RMB' / 'US$' / "HK$'000" / '(RMB’000)' / '人民幣千元' -> ISO currency, for a column's own header."""
    t = simplify(text).replace("’", "'").strip("()（） ")
    m = re.fullmatch(rf"(?i){_CUR_RE}(?:\s*'?\s*(?:000|thousands?|millions?|mn|m|billions?|bn))?", t)
    if m:
        return _CURRENCY_TOKENS.get(m.group(1).upper(), _CURRENCY_TOKENS.get(m.group(1)))
    m = _CN_UNIT.fullmatch(t)
    if m and m.group(2):
        return _cn_currency(m.group(2))
    return None


def _cn_currency(word: str) -> str:
    return {"港元": "HKD", "港币": "HKD", "港幣": "HKD", "美元": "USD", "新加坡元": "SGD"}.get(word, "CNY")


def head_unit(texts: list[str]) -> tuple[Unit | None, str | None, str | None]:
    """The unit of a table from the lines of its head (title block down to the first row):
    (unit, text as printed, error). One scale must be stated; currencies may be several (a
    convenience column), the first named is the reporting one."""
    scales: dict[int, str] = {}
    currencies: list[tuple[str, str]] = []
    bare: list[str] = []
    unknown: list[str] = []
    for raw in texts:
        t = simplify(raw).replace("’", "'").replace("‘", "'")
        for m in _UNIT_TOKEN.finditer(t):
            cur = _CURRENCY_TOKENS.get(m.group(1).upper(), _CURRENCY_TOKENS.get(m.group(1)))
            word = (m.group(2) or m.group(3) or m.group(4) or "").lower()
            if not cur:
                continue
            currencies.append((cur, m.group(0)))
            if not word:
                bare.append(m.group(0))
            elif word in _SCALE_WORDS:
                scales.setdefault(_SCALE_WORDS[word], m.group(0).strip())
            elif word in ("in",):  # '(RMB in thousands)': the scale follows as a phrase
                pass
            else:
                unknown.append(m.group(0).strip())
        for m in _SCALE_PHRASE.finditer(t):
            scales.setdefault(_SCALE_WORDS[m.group(1).lower()], m.group(0))
            for pat, code in _CURRENCY_WORDS:
                if pat.search(t):
                    currencies.append((code, pat.search(t).group(0)))
        for m in _CN_UNIT.finditer(t):
            if m.group(2):
                currencies.append((_cn_currency(m.group(2)), m.group(0)))
            word = m.group(1) or m.group(3) or m.group(4) or ""
            scale = 1000 if word.startswith("千") else 10**6 if word.startswith("百") else 1
            if scale > 1 or m.group(2):
                scales.setdefault(scale, m.group(0)) if scale > 1 else bare.append(m.group(0))
    if unknown and not scales:
        return None, unknown[0], f"unknown unit {unknown[0]!r} over the columns (a scale word that is not read)"
    if len(scales) > 1:
        shown = " and ".join(repr(v) for v in scales.values())
        return None, shown, f"two units over the columns ({shown}): the figures' scale is not chosen"
    if not currencies:
        if scales:
            (scale, printed), = scales.items()
            return Unit(printed, Decimal(scale), None), printed, None  # currency supplied by the caller
        return None, None, None
    cur, printed_cur = currencies[0]
    if scales:
        (scale, printed), = scales.items()
        return Unit(printed if cur in printed or printed_cur in printed else f"{printed_cur} {printed}".strip(),
                    Decimal(scale), cur), printed, None
    # a currency with no scale at all ('HK$' over the columns): figures in units of the currency
    return Unit(bare[0] if bare else printed_cur, Decimal(1), cur), bare[0] if bare else printed_cur, None


def _header_years(ln: Line) -> list[tuple[Word, int]]:
    """The years of a header line ('2025 2024', 'Year ended 31 December 2019 2020'), or [] for a
    line that carries figures (the day of a date is no figure)."""
    ys = [(w, y) for w in ln.words if (y := word_year(w.text))]
    if not ys:
        return []
    ws = ln.words
    amounts = sum(1 for k, w in enumerate(ws) if is_amount(w.text) and not word_year(w.text)
                  and not (k + 1 < len(ws) and re.match(r"^\d{1,2}$", w.text) and _MONTH_WORD.match(ws[k + 1].text))
                  and not (k > 0 and re.match(r"^\d{1,2},?$", w.text) and _MONTH_WORD.match(ws[k - 1].text)))
    return ys if (len(ys) >= 2 or len(ws) <= 4) and amounts == 0 else []


def read_tables(pl: PageLines) -> list[StatementTable]:
    """The tables of one statement or summary page, each under its own head of years (a page
    may hold the results and the balance sheet, or a cash-flow summary above a consolidating
    schedule), with the unit of its head, else the unit stated at the top of the page."""
    lines = [Line(ln.page, merge_spaced(ln.words), ln.top, ln.bottom) for ln in pl.lines]
    heads = {i: ys for i, ln in enumerate(lines) if (ys := _header_years(ln))}
    if not heads:
        return [StatementTable(pl.page, [])]
    # bands of header lines: a band ends at the first line with figures after it
    starts: list[int] = []
    for i in sorted(heads):
        if starts and not any(_value_words(ln) for ln in lines[starts[-1]:i]):
            continue  # the same head, on another line ('2025' above '2025年')
        starts.append(i)
    tables: list[StatementTable] = []
    page_unit: tuple | None = None
    previous_end = 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        year_words = [(w, y, i) for i, ys in heads.items() if start <= i < end for w, y in ys]
        table = _read_block(pl.page, lines, start, end, year_words)
        first_row = table.first_row if table.first_row is not None else end
        unit = head_unit([ln.text for ln in lines[previous_end:first_row]])
        if k == 0:
            page_unit = head_unit([ln.text for ln in lines[:first_row]])
            unit = page_unit
        elif unit[0] is None and unit[2] is None and page_unit is not None:
            unit = page_unit  # stated once at the top of the page for every table on it
        table.unit, table.unit_text, table.unit_error = unit
        tables.append(table)
        previous_end = table.last_row + 1 if table.last_row is not None else end
    return tables


def read_table(pl: PageLines) -> StatementTable:
    """The first table of a page (see read_tables)."""
    return read_tables(pl)[0]


def _read_block(page: int, lines: list[Line], start: int, end: int,
                year_words: list[tuple[Word, int, int]]) -> StatementTable:
    """Columns and rows of the table whose head starts at line ``start`` (see the module's
    docstring)."""
    table = StatementTable(page, [])
    first_header = start
    header_lines = {i for _, _, i in year_words}
    # value columns: clusters of the edges of the figures below the head
    rights: list[tuple[float, float]] = []
    body: list[tuple[int, Line, list[Word]]] = []
    for i in range(start + 1, end):
        if i in header_lines:
            continue
        ln = lines[i]
        vals = _value_words(ln)
        vals = [w for w in vals if not (len(vals) > 1 and w is vals[0] and _NOTE.match(w.text) and _is_note(w, lines))]
        if vals:
            body.append((i, ln, vals))
            rights += [(w.x0, w.x1) for w in vals]
    cols: list[Column] = []
    members: list[int] = []
    for x0, x1 in sorted(rights):  # figures of one column overlap (right, left or centre aligned)
        if cols and x0 <= cols[-1].x1 + 2:
            cols[-1].x1 = max(cols[-1].x1, x1)
            members[-1] += 1
        else:
            cols.append(Column(x0, x1))
            members.append(1)
    # a value column ends right of the head's first year, or holds figures on at least half the
    # rows (a year centred over three segment columns starts right of the first); figures in a
    # wrapped label further left ('Class A ordinary shares issued and 2,587,296,615 outstanding')
    # are no column
    left = min((w.x0 for w, _, _ in year_words), default=0.0) - 30
    kept = [(c, n) for c, n in zip(cols, members) if (n >= 2 or len(rights) < 6) and (c.x1 >= left or n >= 0.5 * len(body))]
    cols = [c for c, _ in kept]
    # a notes column (5, 7, 14(b), 5,6) is not a value column
    cols = [c for c in cols if not all(_NOTE.match(w.text) for _, _, vals in body for w in vals
                                       if w.x0 <= c.x1 and w.x1 >= c.x0)]
    cols.sort(key=lambda c: c.x0)
    first_row = body[0][0] if body else end
    table.first_row = body[0][0] if body else None
    table.last_row = body[-1][0] if body else None
    _assign_years(cols, year_words)
    _column_headers(cols, lines, first_row)
    _resolve_years(table, cols)
    _rows(table, lines, body, first_header)
    return table


def _assign_years(cols: list[Column], year_words: list[tuple[Word, int, int]]) -> None:
    """Each column's year. The header line with the most years (the lowest of equals) gives them
    in order where it names one year per column, or one per group of columns (a year over two
    segments and a total), whatever the alignment of headers and figures; else the nearest year
    word across (several columns of one year are then resolved by a total or a currency, or
    refused). A year printed twice in one header band ('2025' above '2025年') is one header."""
    per_line: dict[int, list[tuple[Word, int]]] = {}
    for w, y, i in year_words:
        per_line.setdefault(i, []).append((w, y))
    head_i = max(per_line, key=lambda i: (len(per_line[i]), i))
    head = sorted(per_line[head_i], key=lambda t: t[0].x0)
    years_in_order = [y for _, y in head]
    if cols and len(set(years_in_order)) == len(years_in_order) and len(cols) % len(head) == 0:
        k = len(cols) // len(head)
        for n, c in enumerate(cols):
            c.year, c.header_line = years_in_order[n // k], head_i
        return
    for c in cols:
        cx = (c.x0 + c.x1) / 2
        cands = [(abs((w.x0 + w.x1) / 2 - cx), -i, y, i) for w, y, i in year_words]
        cands = [t for t in cands if t[0] <= 100]
        if cands:
            dmin = min(t[0] for t in cands)
            _, _, y, i = min((t for t in cands if t[0] <= dmin + 2), key=lambda t: t[1])
            c.year, c.header_line = y, i


def _column_headers(cols: list[Column], lines: list[Line], first_row: int) -> None:
    """What the head prints over each column between its year and its figures: a currency per
    column (RMB RMB US$), a total or segment name per column. A header line with one name per
    value column gives them in order (left, centre or right aligned alike); any other count is
    not guessed at."""
    yc = sorted((c for c in cols if c.year is not None), key=lambda c: c.x0)
    if not yc:
        return
    top = min(c.header_line for c in yc)
    for ln in lines[top:first_row]:
        words = [w for w in _phrases(ln.words) if w.x1 > yc[0].x0 - 60
                 and w.text.lower().strip("()") not in ("note", "notes", "附註", "附注")]
        curs = [w for w in words if _currency_of_token(w.text)]
        if len(curs) == len(yc) and len(curs) == len(words):
            for c, w in zip(yc, sorted(curs, key=lambda w: w.x0)):
                c.currency = _currency_of_token(w.text)
            continue
        names = [w for w in words if not word_year(w.text) and not _currency_of_token(w.text)
                 and not _RESTATED.match(w.text) and w.text.lower() not in ("notes", "note", "附註", "附注")]
        if len(names) == len(yc):
            for c, w in zip(yc, sorted(names, key=lambda w: w.x0)):
                if _TOTAL.match(simplify(w.text)) or re.match(r"(?i)^total\b", w.text):
                    c.total = True
                else:
                    c.segment = (c.segment + " " + w.text) if c.segment else w.text


def _resolve_years(table: StatementTable, cols: list[Column]) -> None:
    """One column per year: where a year heads several columns, the reporting currency's column
    (a convenience translation beside it is set aside, and said so), else the total, else none
    (an error)."""
    cols = [c for c in cols if c.year]
    with_cur = [c.currency for c in cols if c.currency]
    reporting = max(set(with_cur), key=with_cur.count) if with_cur else None
    by_year: dict[int, list[Column]] = {}
    for c in cols:
        by_year.setdefault(c.year, []).append(c)
    keep: list[Column] = []
    for y, cs in by_year.items():
        if len(cs) > 1 and reporting and len({c.currency for c in cs}) > 1:
            other = [c for c in cs if c.currency != reporting]
            cs = [c for c in cs if c.currency == reporting]
            table.notes.append(f"the {y} column in {other[0].currency} beside the {reporting} one is a convenience "
                               "translation: not read")
        if len(cs) == 1:
            keep += cs
            continue
        totals = [c for c in cs if c.total]
        if len(totals) == 1:
            keep += totals
        else:
            table.errors.append(f"the year {y} heads {len(cs)} columns and none is marked as the total: "
                                "columns not assigned")
    keep.sort(key=lambda c: c.x0)
    table.columns = keep


def _rows(table: StatementTable, lines: list[Line], body: list[tuple[int, Line, list[Word]]], first_header: int) -> None:
    """Rows: label = own label text, or the label lines since the previous row."""
    pending: list[str] = []
    last = first_header
    for i, ln, vals in body:
        for ln2 in lines[last + 1:i]:
            if not _value_words(ln2) and not _is_head_line(ln2):
                pending.append(ln2.text)
        own = [w.text for w in ln.words if w not in vals and not (_NOTE.match(w.text) and _is_note(w, lines))]
        own_text = " ".join(own).strip()
        # a wrapped label: the row's own text continues the lines above it (it starts in lower
        # case or is Chinese only); those lines run back to the last one that starts a label
        starts = [k for k, t in enumerate(pending) if re.match(r"[A-Z(]", t)]
        if pending and own_text and not re.search(r"[A-Za-z]", own_text) and not starts:
            label = own_text  # a Chinese-only label on the row's own line
        elif pending and own_text and _CONTINUES.search(pending[-1]):
            # 'PROFIT BEFORE TAX FROM' / 'CONTINUING OPERATIONS 6,943,396': the line above ends
            # mid-phrase, whatever the case of the row's own words
            label = " ".join(pending[-1:] + [own_text])
        elif pending and own_text and not re.match(r"[A-Z(]", own_text):
            start = starts[-1] if starts else 0
            label = " ".join(pending[start:] + [own_text])
        else:
            label = own_text
        cells = []
        for w in vals:
            c = next((c for c in table.columns if w.x0 <= c.x1 + 1 and w.x1 >= c.x0 - 1), None)
            if c:
                cells.append((c, w))
        table.rows.append((label.strip(), cells))
        table.contexts.append(" ".join(pending))
        pending = []
        last = i


# a label line that ends mid-phrase: its row's own words continue it
_CONTINUES = re.compile(r"(?i)(?:\b(?:from|of|to|and|for|in|on|before|after|attributable|the|with|by|at|or)|[,(&/–-])\s*$")


def _is_head_line(ln: Line) -> bool:
    """A line of the table's head: years, currencies and units, 'Notes', '(Restated)' only."""
    return all(word_year(w.text) or _currency_of_token(w.text) or _RESTATED.match(w.text)
               or w.text.lower().strip("()") in ("note", "notes", "附註", "附注")
               or re.fullmatch(r"(?i)\(?(?:in|'000|000|thousands?|millions?)\)?", w.text.replace("’", "'"))
               for w in ln.words)


def _phrases(words: list[Word]) -> list[Word]:
    """Words closer than a few points joined into one header name ('Continuing operations')."""
    out: list[Word] = []
    for w in sorted(words, key=lambda w: w.x0):
        if out and 0 <= w.x0 - out[-1].x1 < 6:
            p = out[-1]
            out[-1] = Word(p.text + " " + w.text, p.x0, w.x1, min(p.top, w.top), max(p.bottom, w.bottom))
        else:
            out.append(w)
    return out


def _is_note(w: Word, lines: list[Line]) -> bool:
    """A small integer in the notes column (under 'Notes'/'附註'), not a figure."""
    for ln in lines:
        for h in ln.words:
            if h.text.lower() in ("notes", "note", "附註", "附注") and h.x0 - 15 <= w.x0 <= h.x1 + 15:
                return True
    return bool(re.fullmatch(r"\d{1,2}(?:\([a-z]\))?(?:,\d{1,2})+", w.text))


# --- metric names ---------------------------------------------------------------------------------
# English labels: extractors.labels.en_metric (one vocabulary with the SEC filings); Chinese here.
_ZH = {
    "operating_cost": re.compile(r"^(?:销售成本|服务成本|销售及服务成本|收入成本)$"),
    "internet_revenue": re.compile(r"^互联网业务(?:收益|收入)$"),
    "revenue": re.compile(r"^(?:收益|收入|营业额|总收益|总收入|客户合约收益|来自客户合约(?:之|的)?收益)$"),
    "operating_profit": re.compile(r"^(?:经营|营运)(?:业务)?(?:溢利|亏损|收益|利润){1,2}$"),
    "profit_before_tax": re.compile(r"^除(?:所得)?税前(?:溢利|亏损|利润){1,2}$"),
    "net_profit": re.compile(r"^(?:年内|本年度|年度)(?:溢利|亏损|利润){1,2}(?:及全面收益总额|及全面开支总额)?$"),
    "_owners": re.compile(r"^本公司(?:拥有人|股权持有人|权益持有人|股东)$"),
    "total_assets": re.compile(r"^(?:资产总值|总资产|资产总额)$"),
    "rd_expense": re.compile(r"^(?:研发开支|研究及开发开支|研发费用|研究及开发费用|研发成本)$"),
    "_nci": re.compile(r"^非控股权益$"),
    "_total_liabilities_and_equity": re.compile(r"^(?:权益及负债总额|负债及权益总额|总权益及负债|权益及负债总值)$"),
    "_total_liabilities": re.compile(r"^(?:负债总额|总负债|负债总值)$"),
    "_total_equity": re.compile(r"^(?:权益总额|总权益|资产净值)$"),
}


def metric_of(label: str) -> str | None:
    """The metric a printed row label names (English part first, else the Chinese one), or None.
    'Owners of the Company' alone is '_owners': the owners' share only within an attribution of
    the year's profit (see readings)."""
    s = simplify(label).replace("’", "'")
    # the English words with their punctuation (a colon or dash still ends a phrase), the Chinese
    # label beside them and its brackets taken out
    en = re.sub(r"[(（]?[\u3000-\u9fff]+[)）]?", " ", s) if re.search(r"[A-Za-z]", s) else ""
    en = re.sub(r"\s+", " ", en).strip(" ,")
    en = re.sub(r"\(\s*$", "", en).strip()  # a bracket opened by the Chinese label beside
    if en:
        metric = en_metric(en)
        if metric:
            return metric
        if len(en) > 3:
            return None
    zh = re.sub(r"[\sA-Za-z\d,.:：()（）/／]", "", s)
    for m, pat in _ZH.items():
        if pat.match(zh):
            return m
    return None


_ATTRIBUTION = re.compile(r"(?i)attributable\s+to|应占|應佔")
_COMPREHENSIVE = re.compile(r"(?i)comprehensive|全面(?:收益|开支|開支|收入|亏损|虧損)")


def readings(pl: PageLines) -> tuple[list[Reading], list[StatementTable]]:
    """Every row of the page whose label names a metric, one reading per year column.

    'Owners of the Company' counts as the owners' share of the year's profit only within an
    attribution of the profit ('Profit for the year attributable to:', or 'Attributable to:'
    under the profit line); under total comprehensive income it is another figure. An
    unlabelled line whose figures are the sums of the rows under a heading ('Revenues' over four
    lines of business, then the total with only its note number) is that heading's total: read,
    because the sum confirms what it is. Where a metric repeats on the page, the first wins."""
    tables = read_tables(pl)
    out: list[Reading] = []
    seen: set[tuple[str, int]] = set()
    for table in tables:
        out += _table_readings(pl.page, table, seen)
    return out, tables


def _table_readings(page: int, table: StatementTable, seen: set[tuple[str, int]]) -> list[Reading]:
    out: list[Reading] = []
    block: str | None = None  # the attribution we are in: 'profit', 'comprehensive', 'other' or None
    last_label = ""
    heading_at: int | None = None  # index of the first row under a label-only heading
    for k, ((label, cells), context) in enumerate(zip(table.rows, table.contexts)):
        if context and not _ATTRIBUTION.search(context):
            heading_at = k
        opened = False
        for text in (context, label):
            if _ATTRIBUTION.search(text):
                block, opened = _attribution_of(text, last_label), True
        metric = metric_of(label) if label else None
        if not label and cells and heading_at is not None and heading_at < k:
            metric = _heading_total(table, heading_at, k)
            if metric:
                label = f"{table.contexts[heading_at]} (total of the {k - heading_at} lines above)"
        if metric == "_owners":
            metric = "net_profit_attributable" if block == "profit" else None
        elif metric == "_nci" and block != "profit" and not opened:
            metric = None  # non-controlling interests of the equity section
        elif label and not opened and metric not in ("_nci",):
            block = None  # any other labelled line ends an attribution
        if label:
            last_label = label
        if metric is None:
            continue
        for col, w in cells:
            if (metric, col.year) in seen:
                continue
            seen.add((metric, col.year))
            unit, error = _column_unit(table, col)
            out.append(Reading(page, metric, label, w.text, amount_value(w.text), col.year,
                               (w.x0, w.top, w.x1, w.bottom), table.unit_text, unit, error))
    return out


def _attribution_of(text: str, above: str) -> str:
    """What an 'attributable to' line attributes: the year's profit, total comprehensive income,
    or something else (equity); a bare 'Attributable to:' (以下人士應佔：) attributes the line above it."""
    profit = r"(?i)profit|loss|income|earnings|溢利|亏损|虧損|利润"
    bare = re.sub(r"(?i)attributable\s+to|应占|應佔|以下人士|下列人士|[\s:：()（）-]", "", simplify(text)) == ""
    subject = above if bare else text
    if _COMPREHENSIVE.search(subject):
        return "comprehensive"
    if re.search(profit, subject):
        return "profit"
    return "other"


def _column_unit(table: StatementTable, col: Column) -> tuple[Unit | None, str | None]:
    if table.unit is None:
        return None, table.unit_error
    if col.currency and table.unit.currency and col.currency != table.unit.currency:
        # the column names its own currency (a reporting currency named second in the head)
        return Unit(f"{table.unit.printed} ({col.currency})", table.unit.scale, col.currency), None
    if table.unit.currency is None and col.currency:
        return Unit(table.unit.printed, table.unit.scale, col.currency), None
    return table.unit, None


def _heading_total(table: StatementTable, start: int, end: int) -> str | None:
    """The metric of an unlabelled total line: the heading's, when every figure of the line is the
    sum of the figures of the rows since the heading (at least two of them), column by column."""
    heading = table.contexts[start]
    metric = metric_of(heading)
    if metric is None or end - start < 2:
        return None
    sums: dict[int, Decimal] = {}
    for label, cells in table.rows[start:end]:
        if not label:
            return None
        for col, w in cells:
            sums[id(col)] = sums.get(id(col), Decimal(0)) + amount_value(w.text)
    _, total_cells = table.rows[end]
    if not total_cells or any(sums.get(id(col)) != amount_value(w.text) for col, w in total_cells):
        return None
    return metric
