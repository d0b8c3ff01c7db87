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

from extractors.hk_tokens import cn_year
from extractors.labels import simplify

_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_DATE_EN = re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s*((?:19|20)\d{{2}})\b|"
                      rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,\s*((?:19|20)\d{{2}})\b")
_DATE_ZH = re.compile(r"((?:19|20)\d{2})年\d{1,2}月\d{1,2}日|([〇零○一二三四五六七八九]{4})年[一二三四五六七八九十]{1,3}月")
_BARE_YEAR = re.compile(r"[(（]\s*((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}年)(?:年)?\s*[:：]")
_COUNT_EN = re.compile(
    r"(?i)(?:had|employed|has|have|with|of|was|were|to|totall?ed|amounted\s+to|approximately|about|around|a\s+total\s+of|:)"
    r"\s+(?:a\s+total\s+of\s+|approximately\s+|about\s+|around\s+|near(?:ly)?\s+)?"
    r"(\d{1,3}(?:,\d{3})+|\d+)"
    r"(?:\s+(?:full[- ]time|permanent|staff))?\s*(?:employees|staff|workers|personnel|people)?")
_CONTEXT_EN = re.compile(r"(?i)\b(?:employees|staff|workforce|headcount|workers)\b")
_COUNT_ZH = re.compile(r"(?:约|共|有|聘用|雇用|僱用|拥有|：|:)\s*约?\s*(\d{1,3}(?:,\d{3})+|\d+)\s*名")
_CONTEXT_ZH = re.compile(r"雇员|僱員|员工|職員|职员|員工")


_COUNT_ROW = re.compile(r"(?i)^(?:total\s+number\s+of\s+(?:in-service\s+|full-time\s+)?(?:employees|staff)(?:\s+of\s+the\s+group)?|"
                        r"在职员工的数量合计|在职员工数量合计)\s*[:：]?\s*(\d{1,3}(?:,\d{3})+|\d+)$")


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


_COMPARE = re.compile(r"(?i)compared\s+(?:to|with)|as\s+against|versus|\b(?:up|down)\s+from|"
                      r"(?:increased|decreased|rose|grew|fell)\s+from|[较較]|比(?![例率重])")
_N = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_COUNT_LIST = re.compile(rf"(?i)(?:approximately\s+|a\s+total\s+of\s+|about\s+)?({_N}(?:\s*,\s*{_N})*\s*,?\s+and\s+{_N})"
                         r"\s+(?:full[- ]time\s+|permanent\s+)?(?:employees|staff|personnel)\b")
_YEAR_LIST = re.compile(rf"(?i)(?:\b\d{{1,2}}\s+{_MONTH}|\b{_MONTH}\s+\d{{1,2}}\s*,)\s*((?:19|20)\d{{2}}(?:\s*,\s*"
                        rf"(?:\d{{1,2}}\s+{_MONTH}\s+|{_MONTH}\s+\d{{1,2}}\s*,\s*)?(?:19|20)\d{{2}})*\s*,?\s+and\s+"
                        rf"(?:\d{{1,2}}\s+{_MONTH}\s+|{_MONTH}\s+\d{{1,2}}\s*,\s*)?(?:19|20)\d{{2}})")


def _respectively(sentence: str) -> list[tuple[int, str]] | None:
    """(year, count) pairs of a sentence that lists counts and dates 'respectively', in order;
    None unless it says 'respectively' and both lists have the same length."""
    if not re.search(r"(?i)\brespectively\b", sentence):
        return None
    counts_m, years_m = _COUNT_LIST.search(sentence), _YEAR_LIST.search(sentence)
    if not counts_m or not years_m:
        return None
    counts = re.findall(_N, counts_m.group(1))
    years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", years_m.group(1))]
    if len(counts) != len(years) or len(counts) < 2:
        return None
    return list(zip(years, counts))


def find_employees(text: str) -> list[tuple[int | None, str, str]]:
    """(year, count as printed, the sentence) for the first sentence of the page that states the
    group's staff count; [] where none does."""
    t = _squeeze(text)
    # a table row of an A+H report's staff section ('Total number of in-service employees 26,740',
    # 在职员工的数量合计 26,740): the count at the end of the line, dated by the report's year
    for line in t.split("\n"):
        m = _COUNT_ROW.match(line.strip())
        if m:
            return [(None, m.group(1), " ".join(line.split())[:300])]
    for s in _sentences(t):
        # the reporting entity's own staff ('the Group had', 'we had'), not a rule about 'a company
        # with more than 300 employees'
        en = _CONTEXT_EN.search(s) and re.search(r"(?i)\bthe\s+group\b|\bthe\s+company\b|\bwe\b|\bour\b", s)
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
        # 'As at 31 December 2021 and 2020, the Group had 1,200 and 1,100 employees respectively';
        # 'We had approximately 39,800, 35,900 and 33,500 full time employees as of December 31,
        # 2023, 2024 and 2025, respectively': a list of counts and a list of dates, paired in order
        listed = _respectively(outside) if en else None
        if listed:
            label = " ".join(s.split())[:300]
            return [(year, count, label) for year, count in listed]
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
        # a comparison after the count ('較截至2018年12月31日的231名', 'compared to 2,100 as at ...')
        # dates the other count: its dates are not the count's
        cmp_at = re.search(_COMPARE, outside[main.end(1):])
        if cmp_at:
            own = [d for d in dates if d.start() < main.end(1) + cmp_at.start()]
            dates = own or dates
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
        cm = re.search(r"(?i)(?:compared\s+(?:to|with)|as\s+against|versus|up\s+from|down\s+from|"
                       r"(?:increased|decreased|rose|grew|fell)\s+from|[较較比])\s*"
                       r"(?:approximately\s+|约\s*)?(\d{1,3}(?:,\d{3})+|\d+)", outside[main.end(1):])
        cz = None if en or cm else re.search(r"[较較比](?:截至|于|於)?\s*(" + _DATE_ZH.pattern + r")\s*(?:止)?的?\s*约?\s*"
                                             r"(\d{1,3}(?:,\d{3})+|\d+)\s*名", outside[main.end(1):])
        if cz:  # '較截至2018年12月31日的231名僱員': the date before the count
            d = _DATE_ZH.search(cz.group(1))
            cy = _year_of(d) if d else None
            if cy and cy != year:
                out.append((cy, cz.group(cz.lastindex), label))
        if cm:
            rest = outside[main.end(1) + cm.end(1):]
            d = (_DATE_EN if en else _DATE_ZH).search(rest[:80])
            cy = _year_of(d) if d else None
            if cy and cy != year:
                out.append((cy, cm.group(1), label))
        return out
    return []
