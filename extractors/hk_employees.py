"""Staff counts of HK annual reports, from the sentence that states them.

``As at 30 September 2021, the Group had 135 employees (2020: 85)``,
``The Group employed approximately 1,200 staff as at 31 March 2022 (31 March 2021: 1,050)``,
``於二零二一年九月三十日，本集團有13名僱員`` (letter-spaced: ``於 二 零 二 一 年 … 有13名僱員``),
``本集團共有約1,200名員工（二零二零年：1,100名）``. Each count is given the year of the date
nearest to it in its own clause: the count outside the brackets takes the sentence's date, the
one inside takes the date or year inside the brackets. A count with no date in its sentence is
returned with year None (the caller uses the statements' year or reports it).

Hand-written (regular expressions over the page text): the sentences are prose, no table reader
applies, and no library parses this.
"""

from __future__ import annotations

import re

from extractors.hk_statements import cn_year
from extractors.labels import simplify

_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_DATE_EN = re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s*((?:19|20)\d{{2}})\b|"
                      rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,\s*((?:19|20)\d{{2}})\b")
_DATE_ZH = re.compile(r"((?:19|20)\d{2})年\d{1,2}月\d{1,2}日|([〇零○一二三四五六七八九]{4})年[一二三四五六七八九十]{1,3}月")
_BARE_YEAR = re.compile(r"[(（]\s*((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}年)(?:年)?\s*[:：]")
_COUNT_EN = re.compile(
    r"(?i)(?:had|employed|has|have|with|of|was|were|to|totall?ed|amounted\s+to|approximately|about|around|a\s+total\s+of|:)"
    r"\s+(?:a\s+total\s+of\s+|approximately\s+|about\s+|around\s+)?(\d{1,3}(?:,\d{3})+|\d+)"
    r"(?:\s+(?:full[- ]time|permanent|staff))?\s*(?:employees|staff|workers|personnel|people)?")
_CONTEXT_EN = re.compile(r"(?i)\b(?:employees|staff|workforce|headcount|workers)\b")
_COUNT_ZH = re.compile(r"(?:约|共|有|聘用|雇用|僱用|拥有|：|:)\s*约?\s*(\d{1,3}(?:,\d{3})+|\d+)\s*名")
_CONTEXT_ZH = re.compile(r"雇员|僱員|员工|職員|职员|員工")


def _squeeze(text: str) -> str:
    """Letter-spaced CJK glyphs joined: '於 二 零 二 一 年' -> '於二零二一年'."""
    t = simplify(text).replace("約", "约").replace("僱", "雇")
    t = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef\d])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef\d（(])", "", t)
    t = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef（(])[ \t]+(?=\d)", "", t)
    return t


def _year_of(m: re.Match) -> int | None:
    for g in m.groups():
        if g:
            return int(g) if g.isdigit() else cn_year(g if g.endswith("年") else g + "年")
    return None


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s*\n\s*", " ", text)
    return [s for s in re.split(r"(?<=[.。;；])\s+|(?<=。)", flat) if s.strip()]


def _split_brackets(sentence: str) -> tuple[str, list[str]]:
    """The sentence outside brackets, and each bracketed part."""
    inside = re.findall(r"[(（]([^()（）]*)[)）]", sentence)
    outside = re.sub(r"[(（][^()（）]*[)）]", " ", sentence)
    return outside, inside


def find_employees(text: str) -> list[tuple[int | None, str, str]]:
    """(year, count as printed, the sentence) for the first sentence of the page that states the
    group's staff count; [] where none does."""
    t = _squeeze(text)
    for s in _sentences(t):
        en = _CONTEXT_EN.search(s) and re.search(r"(?i)\bgroup\b|\bcompany\b|\bwe\b", s)
        zh = _CONTEXT_ZH.search(s) and re.search(r"本集团|本公司|集团", s)
        if not (en or zh):
            continue
        outside, inside = _split_brackets(s)
        # a pay sentence is skipped unless it states a count; the count is looked for with the
        # brackets taken out too ('had 193 (2020: 204) employees' under a heading 'Employees and
        # Remuneration Policies' that the sentence split leaves in front of it)
        if re.search(r"(?i)remuneration|cost|salar|benefit|pension|share option|酬金|成本|薪酬总额|购股权", s) and \
                not any(re.search(r"(?i)\d\s*(?:full[- ]time\s+)?(?:employees|staff)\b|\d\s*名", x) for x in (s, outside)):
            continue
        # 'As at 31 December 2021 and 2020, the Group had 1,200 and 1,100 employees respectively'
        pair = re.search(r"(?i)(\d{1,3}(?:,\d{3})+|\d+)\s+and\s+(\d{1,3}(?:,\d{3})+|\d+)\s+(?:full[- ]time\s+)?"
                         r"(?:employees|staff)\s+respectively", outside)
        years2 = re.search(rf"(?i)\b\d{{1,2}}\s+{_MONTH}\s+((?:19|20)\d{{2}})\s+and\s+(?:\d{{1,2}}\s+{_MONTH}\s+)?"
                           r"((?:19|20)\d{2})\b", outside)
        if en and pair and years2:
            label = " ".join(s.split())[:300]
            return [(int(years2.group(1)), pair.group(1), label), (int(years2.group(2)), pair.group(2), label)]
        count_re = _COUNT_EN if en else _COUNT_ZH
        main = None
        for m in count_re.finditer(outside):
            after = outside[m.end(1):m.end(1) + 40]
            if en and not re.match(r"(?i)\s*(?:full[- ]time\s+|permanent\s+)?(?:employees|staff|workers|personnel)", after):
                continue
            if re.match(r"\s*(?:%|per\s*cent|港元|hk\$|年|月|日)", after, re.I):
                continue
            main = m
            break
        if main is None:
            continue
        dates = [d for d in (_DATE_EN.finditer(outside) if en else _DATE_ZH.finditer(outside))]
        if not dates and not en:
            dates = list(_DATE_EN.finditer(outside))
        if not dates and en:
            dates = list(_DATE_ZH.finditer(outside))
        year = None
        if dates:  # the date nearest the count in the sentence outside the brackets
            nearest = min(dates, key=lambda d: abs(d.start() - main.start(1)))
            year = _year_of(nearest)
        label = " ".join(s.split())[:300]
        out = [(year, main.group(1), label)]
        for part in inside:
            pm = re.search(r"[:：]\s*(?:approximately\s+|约\s*)?(\d{1,3}(?:,\d{3})+|\d+)\s*(?:名|(?:full[- ]time\s+)?"
                           r"(?:employees|staff))?", part.strip())
            py = None
            for pat in (_DATE_EN, _DATE_ZH):
                d = pat.search(part)
                if d:
                    py = _year_of(d)
                    break
            if py is None:
                b = _BARE_YEAR.search("(" + part.strip() + ")") or re.match(r"\s*((?:19|20)\d{2})\s*[:：]", part)
                if b:
                    g = b.group(1)
                    py = int(g) if g.isdigit() else cn_year(g)
            if pm and py and py != year and not re.search(r"%|港元|港\s*元|HK\$|RMB|US\$|S\$", part):
                out.append((py, pm.group(1), label))
                break  # the comparison of this count; later brackets belong to other figures (of which 15 ...)
        # a second count in the sentence itself: '..., compared to 2,100 as at 31 December 2020'
        cm = re.search(r"(?i)(?:compared\s+(?:to|with)|as\s+against|versus|up\s+from|down\s+from|较|比)\s*"
                       r"(?:approximately\s+|约\s*)?(\d{1,3}(?:,\d{3})+|\d+)", outside[main.end(1):])
        if cm:
            rest = outside[main.end(1) + cm.end(1):]
            d = (_DATE_EN if en else _DATE_ZH).search(rest[:80])
            cy = _year_of(d) if d else None
            if cy and cy != year:
                out.append((cy, cm.group(1), label))
        return out
    return []
