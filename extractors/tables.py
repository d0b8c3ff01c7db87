"""Financial tables read from positioned words: rows, wrapped labels, value cells.

Works on ruled and unruled tables alike (real reports, reportlab imitations, HK statements
without rules, text conversions without positions). Below a header (extractors.headers) the lines
carrying figures are rows; label fragments on lines without figures (a wrapped label, a label
printed on the line before its figures) join their row; a figure's column is found from the cell
rules where the table is ruled, else from the header's left edges; prose across the columns, a
title (…情况表) or a unit line ends the table; a table continues onto the next page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.headers import Column, Header, build_header, header_band, marks_only, resplit
from extractors.layout import Line, PageLines, Word
from extractors.numbers import is_nil, looks_numeric, normalise, parse_number

@dataclass
class Cell:
    column: Column
    raw: str
    value: Decimal | None
    bbox: tuple[float, float, float, float]
    error: str | None = None  # a printed figure that is not a number


@dataclass
class Row:
    page: int
    label: str
    cells: list[Cell]
    header: Header | None
    line: Line


@dataclass
class Table:
    header: Header | None
    rows: list[Row] = field(default_factory=list)


_DATE = r"(?:19|20)\d{2}年(?:\d{1,2}(?:月(?:\d{1,2}(?:日)?)?)?)?(?:末|度)?"


def _merge_words(words: list[Word]) -> list[Word]:
    """Rejoin '2019' + '年度' and a number split after a thousands comma ('913,' '789')."""
    out: list[Word] = []
    for w in words:
        if out:
            prev = out[-1]
            gap = w.x0 - prev.x1
            p, t = normalise(prev.text), normalise(w.text)
            year_word = re.fullmatch(r"(?:19|20)\d{2}", p) and re.match(r"^年", t) and gap < 12
            split_num = (re.search(r"\d,$", p) and re.match(r"^\d{3}(?:[,.\d]*)\)?$", t) and gap < 14) or \
                (re.search(r"\d\.$", p) and re.match(r"^\d+\)?$", t) and gap < 14)
            # a date header printed in pieces: 2023 年 12 月 31 日
            date_word = re.match(r"(?:19|20)\d{2}年", p) and gap < 8 and re.fullmatch(_DATE, p + t)
            # a period under a year printed in pieces: 1-12 月
            months = gap < 8 and re.fullmatch(r"\d{1,2}-\d{1,2}", p) and t == "月"
            # letter-spaced Chinese-numeral years: 二 零 二 五 年
            spaced = gap < 8 and re.fullmatch(r"[〇零一二三四五六七八九]{1,3}", p) and re.fullmatch(r"[〇零一二三四五六七八九年]", t)
            if year_word or split_num or date_word or spaced or months:
                out[-1] = Word(prev.text + w.text, prev.x0, w.x1, min(prev.top, w.top), max(prev.bottom, w.bottom))
                continue
        out.append(w)
    return out


# 27,122,781,6 | 2,448,802,10 | 18,079,461, | 2,813,497,944.
_WRAP_HEAD = re.compile(r"^-?\(?\d{1,3}(?:,\d{3})*(?:,\d{0,2}|\.)$")
_WRAP_TAIL = re.compile(r"^\d{0,3}(?:\.\d+)?\)?$")  # 99.16 | 3.34 | 482.75
_WHOLE = re.compile(r"^-?\(?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?$")


def join_wrapped_numbers(lines: list[Line]) -> list[Line]:
    """A figure wrapped inside a narrow cell (``27,122,781,6`` over ``99.16``, right-aligned, the
    label between them): the pieces joined on the first line. Only where the first piece cannot
    be a figure on its own (a thousands group cut short) and the joined text is one figure."""
    out = [Line(ln.page, list(ln.words), ln.top, ln.bottom) for ln in lines]
    for i, ln in enumerate(out):
        height = max(ln.bottom - ln.top, 4.0)
        for k, w in enumerate(ln.words):
            t = normalise(w.text)
            if not _WRAP_HEAD.match(t):
                continue
            for nxt in out[i + 1:i + 4]:
                if nxt.top - ln.bottom > 2.5 * height:
                    break
                tail = next((v for v in nxt.words if abs(v.x1 - w.x1) <= 3 and _WRAP_TAIL.match(normalise(v.text))
                             and _WHOLE.match(t + normalise(v.text))), None)
                if tail is not None:
                    ln.words[k] = Word(w.text + tail.text, min(w.x0, tail.x0), w.x1, w.top, tail.bottom)
                    nxt.words.remove(tail)
                    break
    _join_wrapped_signs(out)
    return [ln for ln in out if ln.words]


_DASH = {"-", "−", "–", "—", "－"}


def _join_wrapped_signs(lines: list[Line]) -> None:
    """Negative figures wrapped inside narrow centred cells, the sign on the row's line and the
    digits on the next (``归属于…净利润  -  -  -`` over ``53,722,574.18 45,180,740.62 …``): each
    sign joins the figure right under it. Only where every figure of the lower line, which has no
    label of its own, sits under a sign of the row (a wrap of the whole row): a lone dash is a
    nil elsewhere, and stays one."""
    for i, ln in enumerate(lines):
        dashes = [w for w in ln.words if normalise(w.text) in _DASH or w.text in _DASH]
        if not dashes or any(looks_numeric(w.text) for w in ln.words):
            continue
        height = max(ln.bottom - ln.top, 4.0)
        for nxt in lines[i + 1:i + 3]:
            if nxt.top - ln.bottom > 2.5 * height:
                break
            figs = [w for w in nxt.words if looks_numeric(w.text)]
            if not figs or len(figs) != len(nxt.words):
                continue  # a labelled line, or nothing to join
            pairs = [(d, f) for f in figs for d in dashes if f.x0 - 1 <= d.x0 and d.x1 <= f.x1 + 1]
            if len(pairs) != len(figs) or len({id(d) for d, _ in pairs}) != len(figs):
                continue
            for d, f in pairs:
                k = ln.words.index(d)
                ln.words[k] = Word("-" + f.text, f.x0, f.x1, d.top, f.bottom)
                nxt.words.remove(f)
            break


_PERCENT = re.compile(r"^[-+]?[\d,]*\.?\d+%$")


def _is_value(w: Word) -> bool:
    """A cell's content: a figure, a nil dash, or a percentage (kept, never read as an amount)."""
    return looks_numeric(w.text) or is_nil(w.text) or bool(_PERCENT.match(normalise(w.text)))


def _assign(values: list[Word], header: Header, synthetic: bool, vrules=None, y: float = 0.0
            ) -> list[tuple[Word, Column]]:
    """Each value's column.

    With positions: a column runs from its header's left edge to the next header's left edge,
    and a value belongs where its right edge falls. This holds whether headers are centred or
    left-aligned and figures right-aligned or centred (the usual layouts), where the nearest
    centre does not (a wide right-aligned figure under a left-aligned header). Without positions
    (text conversions) values map to the data columns in order, and only when the counts agree."""
    cols = sorted(header.columns, key=lambda c: c.x0)
    if synthetic:
        data_cols = [c for c in cols if c.kind != "text"]
        return list(zip(values, data_cols)) if len(values) == len(data_cols) else []
    out = []
    xs = sorted({round(x, 1) for x, top, bottom in vrules if top - 1 <= y <= bottom + 1}) if vrules else []
    for w in values:
        col = _ruled_column(w, cols, xs) if len(xs) >= 3 else None
        if col is None:
            inside = [c for c in cols if c.x0 < w.x1 - 1]
            col = inside[-1] if inside else None
        if col is not None:
            out.append((w, col))
    return out


def _looks_glued(text: str) -> bool:
    """Figures (or a percentage and a figure) printed as one word: '12.4914,376,641,614'."""
    t = normalise(text)
    return bool(re.fullmatch(r"[-(]?[\d,.]+\)?", t)) and sum(c.isdigit() for c in t) >= 6 and not looks_numeric(t)


def _glued(values: list[Word], header: Header, placed: list[tuple[Word, Column]]) -> list[tuple[Word, Column]]:
    """Figures of neighbouring columns printed with no space between them ('19,669,397,56617,484,
    730,046' across 2025 and 2024): no number, and the word stands under several columns. Each
    year column it covers gets the word too, so that every year it hides is refused by name (the
    cell fails to parse), never silently missing."""
    years = [c for c in header.columns if c.kind in ("year", "period")]
    taken = {(id(w), id(c)) for w, c in placed}
    out: list[tuple[Word, Column]] = []
    for w in values:
        try:
            if parse_number(w.text) is not None or is_nil(w.text):
                continue
        except Exception:  # noqa: BLE001 - a figure that is not a number: the case looked for
            pass
        for c in years:
            if (id(w), id(c)) not in taken and w.x0 < c.x1 and c.x0 < w.x1:
                out.append((w, c))
    return out


def _ruled_column(w: Word, cols: list[Column], xs: list[float]) -> Column | None:
    """In a ruled table the cell borders crossing the row (``xs``) decide: the column whose cell
    (between the rules left and right of its header) holds the value's centre."""

    def cell(c: Column) -> tuple[float, float] | None:
        lo = [x for x in xs if x <= c.xc]
        hi = [x for x in xs if x > c.xc]
        return (lo[-1], hi[0]) if lo and hi else None
    hits = [c for c in cols if (span := cell(c)) and span[0] <= w.xc <= span[1]]
    return hits[0] if len(hits) == 1 else None


def _cell(w: Word, col: Column) -> Cell:
    try:
        value = parse_number(w.text)
        err = None
    except Exception as exc:  # NumberFormatError: kept on the cell, reported by the caller
        value, err = None, str(exc)
    return Cell(col, w.text, value, (w.x0, w.top, w.x1, w.bottom), err)


_SECTION = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[)）、]|[（(]\d+[)）]|\d+[、.．\s]|第[一二三四五六七八九十]+节)")


def _first_col(table: "Table | None") -> float | None:
    if table is None or table.header is None:
        return None
    xs = [c.x0 for c in table.header.columns if c.kind in ("year", "period")]
    return min(xs) if xs else None


def read_tables(pages: list[PageLines], fiscal_year: int | None) -> list[Table]:
    """Every table on the given pages (in order), a table continuing onto the next page included."""
    tables: list[Table] = []
    current: Table | None = None
    for pl in pages:
        lines = join_wrapped_numbers([Line(ln.page, _merge_words(ln.words), ln.top, ln.bottom) for ln in pl.lines])
        heights = sorted(ln.bottom - ln.top for ln in lines) or [10.0]
        reach = 2.3 * heights[len(heights) // 2]
        pending: list[Line] = []  # label fragments not yet given to a row
        rows_here: list[Row] = []
        i = 0
        while i < len(lines):
            ln = lines[i]
            band = header_band(lines, i, fiscal_year, reach)
            if band is not None:
                a, b = band
                # lines of the band above i were taken for rows or fragments: take them back
                pending = [f for f in pending if f.top < lines[a].top]
                for r in rows_here[:]:
                    if r.line.top >= lines[a].top:
                        rows_here.remove(r)
                        if current is not None:
                            current.rows.remove(r)
                _attach(rows_here, pending, reach, pl.rules, _first_col(current))
                pending, rows_here = [], []
                above = [x.text for x in lines[max(0, a - 12):a]]
                prev = current.header if current is not None and current.header is not None else None
                current = Table(build_header(lines[a:b + 1], above, fiscal_year))
                current.header.previous = prev or (tables[-1].header if tables else None)
                tables.append(current)
                i = b + 1
                continue
            if current is None or current.header is None:
                i += 1
                continue
            if not rows_here and marks_only(ln):  # the header's last line, printed after the page break
                current.header = resplit(current.header, ln)
                i += 1
                continue
            header = current.header
            left = min((c.x0 for c in header.columns if c.kind != "text"), default=header.columns[0].x0) - 12
            notes = [c for c in header.columns if c.kind == "note"]
            if pl.synthetic:  # positions are cell indexes: every figure after the label is a value
                values = [w for w in ln.words[1:] if _is_value(w)]
            else:
                values = [w for w in ln.words if (_is_value(w) or _looks_glued(w.text)) and w.xc > left - 40]
            labels = [w for w in ln.words if w not in values
                      and not any(w.x1 > c.x0 - 8 and w.x0 < c.x1 + 8 for c in notes)]
            prose = any(w.x0 < left and w.x1 > header.columns[0].xc for w in labels)
            title = labels and not values and re.match(r"^(单位[:：]|币种[:：])|.*(情况表|明细表|情况如下)$", normalise(ln.text))
            if (prose and not values) or title:
                _attach(rows_here, pending, reach, pl.rules, _first_col(current))  # prose across the columns: the table ended
                pending, rows_here = [], []
                current = Table(None)
                i += 1
                continue
            placed = [(w, c) for w, c in _assign(values, header, pl.synthetic, pl.vrules, ln.yc) if c.kind not in ("text",)]
            if not pl.synthetic:
                placed += _glued(values, header, placed)
            if any(c.kind in ("year", "period", "quarter", "interim") for _, c in placed):
                row = Row(ln.page, " ".join(w.text for w in labels if w.x0 < left), [_cell(w, c) for w, c in placed],
                          header, ln)
                current.rows.append(row)
                rows_here.append(row)
            elif labels:
                frag = [w for w in labels if w.x0 < left]
                if frag:
                    pending.append(Line(ln.page, frag, ln.top, ln.bottom))
            i += 1
        _attach(rows_here, pending, reach, pl.rules, _first_col(current))
    return [t for t in tables if t.header is not None]


def _separated(rules: list[tuple[float, float, float]], a: float, b: float, x_from: float, x_to: float) -> bool:
    lo, hi = min(a, b), max(a, b)
    return any(lo < y < hi and x0 <= x_from + 2 and x1 >= x_to for y, x0, x1 in rules)


def _unbalanced(text: str) -> bool:
    t = normalise(text)
    return t.count("(") > t.count(")")


def _attach(rows: list[Row], fragments: list[Line], reach: float, rules=None, col_x: float | None = None) -> None:
    """Give label fragments to rows: a wrapped label, or a label printed on the line before its
    figures. In a ruled table a fragment joins the nearest row of its own ruled band; without
    rules only a fragment that cannot stand alone does (the row has no label of its own, the label
    is left open, or the fragment hangs left of the row's label); the rest are rows with no figures."""
    if not rows:
        return
    parts: dict[int, list[tuple[float, str]]] = {id(r): [(r.line.yc, r.label)] for r in rows}
    ruled = False
    if rules and col_x is not None:
        # ruled only if rules cross from the label column into the figures between the rows
        # (underlines of subtotals under the figures alone do not separate rows)
        lx = min(w.x0 for r in rows for w in r.line.words)
        lo, hi = min(r.line.top for r in rows) - reach, max(r.line.bottom for r in rows) + reach
        ruled = sum(1 for y, x0, x1 in rules if lo <= y <= hi and x0 <= lx + 2 and x1 >= col_x) >= 2
    for frag in fragments:
        near = [r for r in rows if abs(r.line.yc - frag.yc) <= reach]
        if ruled:
            fx = min(w.x0 for w in frag.words)
            near = [r for r in near if not _separated(rules, frag.yc, r.line.yc, fx, col_x)]
        if not near:
            continue
        best = min(near, key=lambda r: abs(r.line.yc - frag.yc))
        text = frag.text
        below = frag.yc > best.line.yc
        if below and _SECTION.match(normalise(text)):
            continue  # a new numbered heading below a row is not its continuation
        if not ruled:
            own = [w for w in best.line.words if normalise(w.text) and w.text in best.label]
            row_x0 = min((w.x0 for w in own), default=None)
            fx = min(w.x0 for w in frag.words)
            if below:
                ok = not best.label or _unbalanced(best.label) or (row_x0 is not None and fx < row_x0 - 2) \
                    or text[:1].islower()
            else:
                ok = not best.label or _unbalanced(text) or best.label[:1].islower()
            if not ok:
                continue
        parts[id(best)].append((frag.yc, text))
    for r in rows:
        r.label = "".join(t for _, t in sorted(parts[id(r)])).strip()
