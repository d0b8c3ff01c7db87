"""What each page of an HK annual report is, from its text: a statement of profit or loss, of
financial position, a five-year summary, the note that analyses profit before tax (R&D costs),
or none of them; whether a document is an HK one at all (``looks_hk``, for extractors.sniffing);
and the day the fiscal year ends on (``fiscal_year_end``).

A title counts on a line of its own, in any case and language, not a contents entry, and only on
a page that carries the statement's own rows (prose that names a statement is not its page).
"""

from __future__ import annotations

import re

from extractors.labels import simplify


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
    r"(?im)^\s*(?:(?:three|four|five|six|seven|eight|nine|ten|\d{1,2})[- ]years?\s+)?financial\s+(?:summary|highlights)\b|"
    r"^\s*(?:three|four|five|six|seven|eight|nine|ten|\d{1,2})[- ]years?\s+(?:financial\s+|performance\s+)?(?:summary|review|record|highlights|statistics)|"
    r"^\s*(?:selected|summary)\s+(?:consolidated\s+)?financial\s+(?:and\s+operating\s+)?data|"
    r"^\s*(?:financial|performance)\s+(?:summary|highlights|review)\b|"
    r"财务概要|财务摘要|五年财务|十年财务|财务资料概要|五年业绩|五年概要|财务摘要")


# a statement page carries its own rows (prose that names a statement does not)
# a row's label may come after its figures where the text layer runs right to left (Chinese pages
# set in InDesign give "171,806 141,518 6 收入")
_LEAD = r"(?:[\d,.() \t\u2013\u2014-]+[ \t])?"


_INCOME_ROW = re.compile(r"(?im)^\s*" + _LEAD + r"(?:(?:total\s+)?revenues?|turnover|cost\s+of\s+(?:sales|revenues?)|"
                         r".{0,40}\bbefore\s+(?:income\s+)?tax|收益|收入|营业额|除税前)")


_POSITION_ROW = re.compile(r"(?im)^\s*" + _LEAD + r"(?:total\s+assets|non[- ]current\s+assets|current\s+assets|net\s+assets|"
                           r"资产总值|总资产|非流动资产|流动资产)")


NOTES_PAGE = re.compile(r"(?i)notes\s+to\s+(?:the\s+)?(?:condensed\s+)?(?:consolidated\s+)?financial\s+statements|"
                         r"财务报表附注|财务报表附註")


_FIGURE = re.compile(r"(?<![\w.])\(?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?(?![\w.])")


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


RD_STATEMENT_ROW = re.compile(r"(?im)^\s*(?:research\s+and\s+development|研發|研发)[^\n]*\d")


_PBT_NOTE = re.compile(r"(?i)arrived\s+at\s+after\s+(?:charging|crediting)|(?:profit|loss)\s+before\s+tax(?:ation)?\s+is\s+stated")


def page_kind(text: str, previous: str | None) -> str | None:
    """'income' | 'position' | 'summary' | None for one page, by its title and rows; a page
    that repeats the title of the page before it continues that statement."""
    t = _squeeze(text)
    if len(_FIGURE.findall(t)) < 4:
        return None
    if NOTES_PAGE.search(t[:400]):
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


_HK_COVER = re.compile(r"股份代號|聯交所|聯合交易所|香港交易及結算所|年報|(?i:\bstock\s+code\b|incorporated\s+in\s+(?:the\s+)?"
                       r"(?:cayman\s+islands|bermuda|british\s+virgin\s+islands|hong\s+kong)|hkexnews|"
                       r"(?:HK|S|US)\$\s*['’]?000)")


_A_SHARE_COVER = re.compile(r"股票代码|证券代码|公司代码|证券简称|上海证券交易所|深圳证券交易所")


def unmapped_share(text: str) -> float:
    """The share of a page's printed characters that the text layer gives as U+FFFD."""
    visible = re.sub(r"\s+", "", text)
    return visible.count("\ufffd") / len(visible) if len(visible) >= 200 else 0.0


def looks_hk(raw: str) -> bool:
    """An HK document by its first pages as printed (traditional characters, 股份代號, Stock Code,
    an offshore incorporation, HK$/S$/US$'000), with none of an A-share cover's simplified marks."""
    return bool(_HK_COVER.search(raw)) and not _A_SHARE_COVER.search(raw)


RESULTS_ANNOUNCEMENT = re.compile(r"(?i)(annual|final)\s+results\s+announcement|全年业绩公告|年度业绩公告|业绩公告|"
                                   r"announcement\s+of\s+(?:annual|final)\s+results")


_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}


def fiscal_year_end(text: str) -> tuple[int, int] | None:
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
