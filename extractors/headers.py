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
_THIS = {"本期发生额", "本期金额", "本期数", "本年数", "本年金额", "本期", "本年", "本报告期", "本年发生额", "期末余额", "期末数"}
_PRIOR = {"上期发生额", "上期金额", "上年同期数", "上年数", "上年金额", "上期", "上年", "上年同期", "上年发生额", "期初余额", "上年年末余额", "期初数"}
_AFTER = {"调整后", "重述后", "追溯调整后", "restated"}
_BEFORE = {"调整前", "重述前", "追溯调整前", "original", "aspreviouslyreported"}
_NOTE = {"附注", "注释", "note", "notes", "附注编号"}
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
    if re.fullmatch(r"[〇零一二三四五六七八九]{4}年?", s):  # 二零二一年 in HK reports in Chinese
        s = s.translate(_CN_DIGITS)
    m = _YEAR.match(s)
    if m:
        return Column("year", 0, 0, text, year=int(m.group(1)))
    if _INTERIM.match(s):
        return Column("interim", 0, 0, text)
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


_UNIT_LINE = re.compile(r"^(单位[:：]|币种[:：]|\(?(HK\$|RMB|US\$)['’]000\)?$)")


def header_band(lines: list[Line], i: int, fy: int | None, reach: float) -> tuple[int, int] | None:
    """(first, last) index of the header band around line i, if it holds two or more period anchors.

    A header's cells wrap and are centred vertically, so its anchors may sit on different lines
    (``2013年`` above ``2014年``, ``调整后 调整前`` below): the band is the run of figure-free lines
    around the anchor line that stay right of the label column."""
    ln = lines[i]
    anchors = _header_anchors(ln, fy)
    if not anchors or _numeric_others(ln, fy):
        return None
    left = min(a.x0 for a, _ in anchors)

    def fits(other: Line, margin: float) -> bool:
        if _numeric_others(other, fy) or _UNIT_LINE.match(normalise(other.text)):
            return False
        # a line of units or notes over the columns (Notes HK$'000 HK$'000) belongs to the header
        marks = any(_UNIT_WORD.match(normalise(w.text)) or normalise(simplify(w.text)).lower() in _NOTE
                    for w in other.words)
        return marks or min(w.x0 for w in other.words) > left - margin
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
    _split_restated(band, cols, used)
    for ln in band:
        for w in ln.words:
            if id(w) in used:
                continue
            s = normalise(simplify(w.text)).lower().strip("()[]")
            if s in _NOTE:
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
                    cols.append(Column(kind, w.x0, w.x1, w.text))
    cols = sorted((c for c in cols if c.kind != "split"), key=lambda c: c.xc)
    return Header(band[0].page, band[0].top, band[-1].bottom, cols, " ".join(ln.text for ln in band), above)


def _split_restated(band: list[Line], cols: list[Column], used: set[int]) -> None:
    """调整后/调整前 (restated/original) under a year: that year becomes two sub-columns.

    The pair's parent is the year above it nearest to the pair's middle (a merged header cell is
    centred over both, or starts over the first), so both halves always get the same year."""
    marks = [(ln, w, normalise(simplify(w.text)).lower().strip("()[]")) for ln in band for w in ln.words]
    marks = [(ln, w, s) for ln, w, s in marks if s in _AFTER or s in _BEFORE]
    marks.sort(key=lambda m: (m[0].top, m[1].x0))
    i = 0
    while i < len(marks):
        ln, w, s = marks[i]
        group = [marks[i]]
        if i + 1 < len(marks) and marks[i + 1][0] is ln and (marks[i + 1][2] in _AFTER) != (s in _AFTER):
            group.append(marks[i + 1])
        i += len(group)
        middle = sum(g[1].xc for g in group) / len(group)
        years = [c for c in cols if c.kind == "year" and c.restated is None and c.x1 > 0 and c.x0 >= 0
                 and any(id(a) in used and a.top < ln.top - 1 and a.x0 == c.x0 for b in band for a in b.words)]
        if not years:
            continue
        parent = min(years, key=lambda c: (abs(c.xc - middle), c.xc))
        for _, gw, gs in group:
            cols.append(Column("year", gw.x0, gw.x1, gw.text, parent.year, "after" if gs in _AFTER else "before"))
            used.add(id(gw))
        parent.kind = "split"  # replaced by its restated/original sub-columns
