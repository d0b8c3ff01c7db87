"""Table headers: the period columns of a financial table and what else sits over the figures.

A header is a band of figure-free lines holding two or more period anchors (``2014年``,
``2019 年度``, ``本期发生额``, ``2021``, ``二零二一年``, ``第一季度``...), its cells wrapped and
centred as real tables print them. 调整后/调整前 under a year split it in two; notes, units,
percentage-change and text columns are told apart from the year columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.labels import simplify
from extractors.layout import Line, Word
from extractors.numbers import looks_numeric, normalise

_YEAR = re.compile(r"^((?:19|20)\d{2})(?:年)?(?:度|末|年度|年末|12月31日|年12月31日|-12-31|\.12\.31|/12/31|年金额)?$")
_INTERIM = re.compile(r"^(?:19|20)\d{2}(?:年)?(?:1-\d+月|-\d{1,2}-\d{1,2}|\.\d{1,2}\.\d{1,2}|年\d{1,2}月\d{1,2}日|[上下]半年|半年度)$")
_QUARTER = re.compile(r"^(第[一二三四]季度|[一二三四]季度|Q[1-4]|\d{1,2}-\d{1,2}月份?)$", re.I)
_THIS = {"本年度", "本期发生额", "本期金额", "本期数", "本年数", "本年金额", "本期", "本年", "本报告期", "本年发生额", "期末余额", "期末数", "期末人数"}
_PRIOR = {"上年度", "上期发生额", "上期金额", "上年同期数", "上年数", "上年金额", "上期", "上年", "上年同期", "上年发生额", "期初余额", "上年年末余额", "期初数", "期初人数"}
_AFTER = {"调整后", "重述后", "追溯调整后", "restated"}
_BEFORE = {"调整前", "重述前", "追溯调整前", "original", "aspreviouslyreported"}
_NOTE_RE = re.compile(r"^(?:附注|注释|注|note|notes|附注编号|附注号)[一二三四五六七八九十\d]*$")


class _NoteNames:
    """Note column headers of any name: 附注, 附注五, 附注七, 注释, Note, Notes (a membership test)."""

    def __contains__(self, s: object) -> bool:
        return isinstance(s, str) and bool(_NOTE_RE.match(s.strip("()[]（）").lower()))


_NOTE = _NoteNames()
_UNIT_WORD = re.compile(r"(?i)^(HK\$|RMB|US\$|人民币)?['’]?000$|^(HK\$|RMB|US\$)['’]000$|^(千元|万元|元|百万元)$")


@dataclass
class Column:
    kind: str  # year | quarter | interim | pct | note | text
    x0: float
    x1: float
    text: str
    year: int | None = None
    restated: str | None = None  # after | before

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Header:
    page: int
    top: float
    bottom: float
    columns: list[Column]
    text: str  # the header band's text (units may be printed there)
    above: list[str]  # text of the lines just above the header on its page (title, 单位：元)
    previous: "Header | None" = None  # the header before this one (a unit printed once serves both)


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def anchor(text: str, fiscal_year: int | None) -> Column | None:
    s = normalise(simplify(text))
    s = re.sub(r"[/／](?:比例|占比|%)$", "", s)  # 本期金额/比例: an amount column that also prints a ratio
    if re.fullmatch(r"[〇零一二三四五六七八九]{4}年?", s):  # 二零二一年 in HK reports in Chinese
        s = s.translate(_CN_DIGITS)
    m = _YEAR.match(s)
    if m:
        return Column("year", 0, 0, text, year=int(m.group(1)))
    if _INTERIM.match(s):
        return Column("interim", 0, 0, text)
    if re.fullmatch(r"1-12月份?", s):
        return None  # the whole year under its year cell (2013年 / 1-12月): a suffix, not a period
    if _QUARTER.match(s):
        return Column("quarter", 0, 0, text)
    if s in _THIS or s in _PRIOR:
        year = None if fiscal_year is None else fiscal_year - (s in _PRIOR)
        return Column("year" if year else "period", 0, 0, text, year=year)
    return None


def _header_anchors(line: Line, fy: int | None) -> list[tuple[Word, Column]]:
    return [(w, c) for w in line.words if (c := anchor(w.text, fy)) is not None]


def _numeric_others(line: Line, fy: int | None) -> bool:
    return any(looks_numeric(w.text) and anchor(w.text, fy) is None for w in line.words)


_STUB = re.compile(r"^(项目|项|目|科目|主要会计数据|主要财务指标|指标|Items?)$", re.I)
# a unit or currency line over a table (单位：元, （货币单位：人民币百万元）, HK$'000): never a header cell
_UNIT_LINE = re.compile(r"^(?:[（(]?(?:货币|金额)?单位[:：]|币种[:：]|\(?(HK\$|RMB|US\$)['’]000\)?$)|(?:金额|货币)单位均为")


def _title_date(line: Line, lines: list[Line] | None = None) -> bool:
    """A statement's period printed alone under its title (利润表 / 2013年度), at the page's left
    margin: not a column header (the header's years stand over the figures, right of the labels)."""
    if len(line.words) != 1 or anchor(line.words[0].text, None) is None:
        return False
    if lines is None:
        return True
    left = min((ln.words[0].x0 for ln in lines if ln.words), default=line.words[0].x0)
    return line.words[0].x0 <= left + 5


def header_band(lines: list[Line], i: int, fy: int | None, reach: float) -> tuple[int, int] | None:
    """(first, last) index of the header band around line i, if it holds two or more period anchors.

    A header's cells wrap and are centred vertically, so its anchors may sit on different lines
    (``2013年`` above ``2014年``, ``调整后 调整前`` below): the band is the run of figure-free lines
    around the anchor line that stay right of the label column."""
    ln = lines[i]
    anchors = _header_anchors(ln, fy)
    if not anchors or _numeric_others(ln, fy) or _title_date(ln, lines):
        return None
    left = min(a.x0 for a, _ in anchors)

    def fits(other: Line, margin: float) -> bool:
        if _numeric_others(other, fy) or _UNIT_LINE.search(normalise(other.text)) or _title_date(other):
            return False
        # a line of units or notes over the columns (Notes HK$'000 HK$'000) belongs to the header
        marks = any(_UNIT_WORD.match(normalise(w.text)) or normalise(simplify(w.text)).lower() in _NOTE
                    for w in other.words)
        # a staggered header prints some years lower or higher than others, further left too;
        # the stub column's own header (项目) may sit on any line of the band
        rest = [w for w in other.words if not _STUB.match(normalise(simplify(w.text)))]
        return marks or bool(_header_anchors(other, fy)) or not rest or min(w.x0 for w in rest) > left - margin
    a = i
    while a > 0 and lines[a].top - lines[a - 1].bottom < reach and fits(lines[a - 1], 20):
        a -= 1
    b = i
    while b + 1 < len(lines) and lines[b + 1].top - lines[b].bottom < reach and fits(lines[b + 1], 90):
        b += 1
    count = sum(len(_header_anchors(lines[k], fy)) for k in range(a, b + 1))
    return (a, b) if count >= 2 else None


def build_header(band: list[Line], above: list[str], fy: int | None) -> Header:
    cols: list[Column] = []
    used: set[int] = set()
    for ln in band:
        for w, c in _header_anchors(ln, fy):
            c.x0, c.x1 = w.x0, w.x1
            cols.append(c)
            used.add(id(w))
    left = min(c.x0 for c in cols) - 12
    anchor_top = max((ln.top for ln in band if any(id(w) in used for w in ln.words)), default=0.0)
    _split_restated(band, cols, used)
    for ln in band:
        for w in ln.words:
            if id(w) in used:
                continue
            s = normalise(simplify(w.text)).lower().strip("()[]")
            suffix_of = _year_suffix_of(w, s, cols)
            if suffix_of is not None:
                # '2025' above '年度' (a cell printed on two baselines): one year column
                suffix_of.x0, suffix_of.x1 = min(suffix_of.x0, w.x0), max(suffix_of.x1, w.x1)
                suffix_of.text += w.text
            elif s in _NOTE:
                cols.append(Column("note", w.x0, w.x1, w.text))
            elif w.xc > left and not _UNIT_WORD.match(normalise(w.text)):
                near = [c for c in cols if c.kind in ("pct", "text") and abs(c.xc - w.xc) < 30]
                if near:
                    near[0].x0, near[0].x1 = min(near[0].x0, w.x0), max(near[0].x1, w.x1)
                    near[0].text += w.text
                    if re.search(r"增减|变动|%|比例|比上年|同比|变化", near[0].text):
                        near[0].kind = "pct"
                else:
                    kind = "pct" if re.search(r"增减|变动|%|比例|比上年|同比|变化", s) else "text"
                    if kind == "text" and ln.top < anchor_top and _spans_years(w, cols):
                        continue  # a heading over the year columns (本集团 / 本行 / 本公司): not a column
                    cols.append(Column(kind, w.x0, w.x1, w.text))
    cols = sorted((c for c in cols if c.kind != "split"), key=lambda c: c.xc)
    _set_aside_parent_scope(cols, [w for ln in band if ln.top < anchor_top for w in ln.words
                                   if _SCOPE.match(normalise(simplify(w.text)))])
    return Header(band[0].page, band[0].top, band[-1].bottom, cols, " ".join(ln.text for ln in band), above)


# the scope a statement's columns are of, printed once over them: 本集团 / 本行 (a bank's group
# and the bank alone), 本公司, 合并 / 母公司
_SCOPE = re.compile(r"^(?:本集团|本行|本银行|本公司|集团|合并|母公司)(?:数|报表)?$")
_PARENT_SCOPE = re.compile(r"^(?:本行|本银行|本公司|母公司)")


def _set_aside_parent_scope(cols: list[Column], scopes: list[Word]) -> None:
    """A statement printing the group's and the parent's columns side by side (合并利润表和利润表:
    本集团 2025年 2024年 | 本行 2025年 2024年) has each year twice. Where the header names both
    scopes, each year column belongs to the nearest heading, and the parent's are set aside like
    a text column (their figures placed, never read), so that a year is the group's only."""
    kinds = {bool(_PARENT_SCOPE.match(normalise(simplify(w.text)))) for w in scopes}
    if kinds != {True, False}:
        return
    for c in cols:
        if c.kind == "year":
            w = min(scopes, key=lambda s: abs(s.xc - c.xc))
            if _PARENT_SCOPE.match(normalise(simplify(w.text))):
                c.kind, c.text = "text", f"{c.text} ({w.text})"


def _spans_years(w: Word, cols: list[Column]) -> bool:
    """A scope heading (本集团) printed above the years, between the centres of two neighbouring
    year columns: a cell merged over both, which would otherwise cut the left year's column
    short of its own figures (the figure's right edge passes the heading's left edge)."""
    if not _SCOPE.match(normalise(simplify(w.text))):
        return False
    years = sorted((c for c in cols if c.kind == "year"), key=lambda c: c.xc)
    return any(a.xc < w.xc < b.xc for a, b in zip(years, years[1:]))


_SUFFIX = re.compile(r"^(?:年|年度|年末|度|末|年12月31日|12月31日|年1-12月|1-12月|1-12月份)$")


def _year_suffix_of(w: Word, s: str, cols: list[Column]) -> Column | None:
    """The year column a stray '年度' / '年末' / '12月31日' belongs to: a year printed on another
    line of the header right beside it (nearest centre, within a cell's width)."""
    if not _SUFFIX.match(s):
        return None
    years = [c for c in cols if c.kind == "year" and c.restated is None]
    near = [c for c in years if abs(c.xc - w.xc) <= max(30.0, (c.x1 - c.x0) + (w.x1 - w.x0))]
    return min(near, key=lambda c: abs(c.xc - w.xc)) if near else None


def _split_restated(band: list[Line], cols: list[Column], used: set[int]) -> None:
    """调整后/调整前 (restated/original) under a year: that year becomes two sub-columns.

    Marks are placed by x-position, never in order (``_place_marks``): staggered headers print
    years on different lines (``2018 年 2017 年`` above ``2019 年 增减``), and a change column
    may print 调整后 too (for its restated base)."""
    marks = [(ln, w, normalise(simplify(w.text)).lower().strip("()[]")) for ln in band for w in ln.words]
    marks = [(ln, w, s) for ln, w, s in marks if s in _AFTER or s in _BEFORE]
    if not marks:
        return
    mark_ids = {id(w) for _, w, _ in marks}
    years = [c for c in cols if c.kind == "year" and c.restated is None and c.x1 > 0 and c.x0 >= 0]
    if not years:
        return
    left = min(c.x0 for c in years) - 12
    # the other header cells (增减, 本年比上年增减 ...), as (top, xc) of their words
    others = [(ln.top, w.xc) for ln in band for w in ln.words
              if id(w) not in used and id(w) not in mark_ids and w.xc > left and normalise(w.text)
              and not _UNIT_WORD.match(normalise(w.text)) and normalise(simplify(w.text)).lower() not in _NOTE]
    year_top = {id(c): min((ln.top for ln in band for w in ln.words if id(w) in used and w.x0 == c.x0),
                           default=0.0) for c in years}
    placed = _place_marks([(ln.top, w, "after" if s in _AFTER else "before") for ln, w, s in marks],
                          [(c, year_top[id(c)]) for c in years], others)
    split: list[Column] = []
    for w, parent, side in placed:
        used.add(id(w))
        if parent is None:
            continue  # the mark of a change column (调整后 under 增减): not a year
        cols.append(Column("year", w.x0, w.x1, w.text, parent.year, side))
        if parent not in split:
            split.append(parent)
    for parent in split:
        parent.kind = "split"  # replaced by its restated/original sub-columns


def marks_only(line: Line) -> bool:
    """A line of 调整前/调整后 marks alone (the last line of a header cut by a page break)."""
    marks = [normalise(simplify(w.text)).lower().strip("()[]") for w in line.words]
    return len(marks) >= 2 and all(m in _AFTER or m in _BEFORE for m in marks)


def resplit(header: Header, line: Line) -> Header:
    """The header of a table continued on the next page whose first line holds the 调整前/调整后
    marks the page before did not: each mark goes to the nearest column above it by x-position
    (a year, or a change column), as in one band."""
    cols = [Column(c.kind, c.x0, c.x1, c.text, c.year, c.restated) for c in header.columns]
    years = [c for c in cols if c.kind == "year" and c.restated is None]
    others = [c for c in cols if c.kind != "year"]
    marks = [(line.top, w, "after" if normalise(simplify(w.text)).lower().strip("()[]") in _AFTER else "before")
             for w in line.words]
    placed = _place_marks(marks, [(c, line.top - 10) for c in years], [(line.top - 10, c.xc) for c in others])
    split: list[Column] = []
    for w, parent, side in placed:
        if parent is None:
            continue
        cols.append(Column("year", w.x0, w.x1, w.text, parent.year, side))
        if parent not in split:
            split.append(parent)
    cols = sorted((c for c in cols if c not in split), key=lambda c: c.xc)
    return Header(line.page, line.top, line.bottom, cols, header.text + " " + line.text, header.above, header)


def _place_marks(marks: list[tuple[float, Word, str]], years: list[tuple[Column, float]],
                 others: list[tuple[float, float]]) -> list[tuple[Word, Column | None, str]]:
    """Each 调整前/调整后 mark's parent: ``None`` for a mark printed right under another column's
    cell (a change column's 调整后); the others pair up, left to right on their line (a 调整前 and
    a 调整后 side by side), each pair under the year nearest to its middle, by x-position: a merged
    year cell is centred over its pair or starts over its first half. A year takes one pair."""
    out: list[tuple[Word, Column | None, str]] = []
    rest = []
    for top, w, side in marks:
        near_other = min((abs(xc - w.xc) for t, xc in others if t < top - 1), default=None)
        near_year = min((abs(c.xc - w.xc) for c, t in years if t < top - 1), default=None)
        if near_other is not None and near_other < max((w.x1 - w.x0) / 2, 8) and \
                (near_year is None or near_other < near_year):
            out.append((w, None, side))
        else:
            rest.append((top, w, side))
    rest.sort(key=lambda m: (round(m[0]), m[1].x0))
    taken: set[int] = set()
    i = 0
    while i < len(rest):
        top, w, side = rest[i]
        group = [rest[i]]
        if i + 1 < len(rest) and abs(rest[i + 1][0] - top) < 2 and rest[i + 1][2] != side:
            group.append(rest[i + 1])
        i += len(group)
        middle = sum(g[1].xc for g in group) / len(group)
        cands = [c for c, t in years if t < top - 1 and id(c) not in taken]
        if not cands:
            continue
        parent = min(cands, key=lambda c: (abs(c.xc - middle), c.xc))
        taken.add(id(parent))
        out.extend((g[1], parent, g[2]) for g in group)
    return out
