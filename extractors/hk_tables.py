"""HK statement and five-year-summary tables read from positioned words, by column position.

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
(extractors.hk_tokens.head_unit). Which rows are which metrics: extractors.hk_statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.hk_tokens import currency_of_token, head_unit, is_amount, word_year
from extractors.labels import simplify
from extractors.layout import Line, PageLines, Word
from extractors.numbers import Unit


_NOTE = re.compile(r"^(?:\d{1,2}(?:\([a-z]\))?(?:[,&]\s*\d{1,2}(?:\([a-z]\))?)*)$")


_TOTAL = re.compile(r"(?i)^(total|totals|consolidated|group|總計|总计|合計|合计|總額|总额|綜合|综合)$")


_RESTATED = re.compile(r"(?i)^\(?(?:restated|re-?presented|經重列|经重列|重列)\)?$")


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
    # a 'column' whose every figure stands alone on a line with no label (a page number, the
    # digits of a running title set vertically down the margin) is furniture, not a column
    def _alone(c: Column) -> bool:
        hits = [(ln, vals) for _, ln, vals in body if any(w.x0 <= c.x1 and w.x1 >= c.x0 for w in vals)]
        return bool(hits) and all(len(vals) == 1 and len(ln.words) == 1 for ln, vals in hits)
    if len(cols) > 1:
        cols = [c for c in cols if not _alone(c)]
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
        curs = [w for w in words if currency_of_token(w.text)]
        if len(curs) == len(yc) and len(curs) == len(words):
            for c, w in zip(yc, sorted(curs, key=lambda w: w.x0)):
                c.currency = currency_of_token(w.text)
            continue
        names = [w for w in words if not word_year(w.text) and not currency_of_token(w.text)
                 and not _RESTATED.match(w.text) and w.text.lower() not in ("notes", "note", "附註", "附注")]
        if len(names) == len(yc):
            for c, w in zip(yc, sorted(names, key=lambda w: w.x0)):
                if _TOTAL.match(simplify(w.text)) or re.match(r"(?i)^total\b", w.text):
                    c.total = True
                else:
                    c.segment = (c.segment + " " + w.text) if c.segment else w.text
    if not any(c.total for c in yc):
        _total_group(yc, lines, top)


def _total_group(yc: list[Column], lines: list[Line], top: int) -> None:
    """A group heading above the years ('Continuing Operations  Discontinued Operations  Total',
    each over a pair of year columns): the columns under 'Total' are the totals. Marked only
    where, for every year, its column nearest the word lies next to the others (one column per
    year, side by side) and the word stands over them."""
    years = sorted({c.year for c in yc})
    if len(yc) <= len(years):
        return
    for ln in lines[max(0, top - 3):top]:
        for w in ln.words:
            if not (_TOTAL.match(simplify(w.text)) or w.text.lower() == "total"):
                continue
            cx = (w.x0 + w.x1) / 2
            chosen = [min((c for c in yc if c.year == y), key=lambda c: abs((c.x0 + c.x1) / 2 - cx)) for y in years]
            at = sorted(yc.index(c) for c in chosen)
            if at != list(range(at[0], at[0] + len(at))):
                continue
            if not min(c.x0 for c in chosen) - 20 <= cx <= max(c.x1 for c in chosen) + 20:
                continue
            for c in chosen:
                c.total = True
            return


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
    return all(word_year(w.text) or currency_of_token(w.text) or _RESTATED.match(w.text)
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
