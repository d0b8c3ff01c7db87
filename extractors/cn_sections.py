"""Where the sections of an A-share report are: its fiscal year, the main-figures table, the
consolidated income statement and balance sheet, the MD&A's R&D and staff pages (``find_sections``,
from the fast text pass), each statement's own lines (``statement_pages``), and a unit carried
over from the page before (``carried_unit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.cn_readings import CnAnnualSettings
from extractors.labels import CN_EMPLOYEES, key, simplify
from extractors.layout import PageLines, TextPass
from extractors.numbers import Unit, parse_unit
from extractors.tables import read_tables


_TOC_LINE = re.compile(r"(\.{4,}|…{2,}|·{4,})\s*\d*\s*$")


# the report's year on its cover: 2019年年度报告, 2019 年度报告, 2019年年报, 二〇一九年年度报告
_FY = re.compile(r"(?<!\d)((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年?\s*(?:年度报告|年报)(?!\S{0,2}摘要之)")


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


_NUM = r"-?\(?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2})"  # a figure: 1,234 or 0.00, not a page number


# the main-figures section's title: 主要会计数据和财务指标 (SSE/SZSE), 会计数据和财务指标 (BSE)
_MAIN_TITLE = re.compile(r"主要会计数据|会计数据和财务指标")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in simplify(text).split("\n") if ln.strip()]


def _is_title(text: str, title: str) -> bool:
    """A section title on its own line, not a table-of-contents entry."""
    return any(key(ln) == title and not _TOC_LINE.search(ln) for ln in _lines(text))


def _consolidated_title(text: str, base: str) -> str | None:
    """The key of a consolidated statement's title on its own line: 合并利润表, or the group's and
    the parent's printed in one table (合并利润表和利润表, 合并及公司利润表, 合并及母公司利润表)."""
    scope = "(?:母公司|本公司|公司|本行|银行)"
    pat = re.compile(rf"^合并(?:(?:及|和|与){scope})?{base}(?:(?:和|及|与){scope}?{base})?$")
    for ln in _lines(text):
        k = key(ln)
        if pat.match(k) and not _TOC_LINE.search(ln):
            return k
    return None


def fiscal_year_of(text: str) -> int | None:
    """The report's year as its cover prints it, or None; letter-spaced covers too."""
    t = simplify(text)
    for s in (t, re.sub(r"\s+", "", t)):
        m = _FY.search(s)
        if m:
            y = int(m.group(1).translate(_CN_DIGITS))
            if 1990 <= y <= 2100:
                return y
    return None


@dataclass
class Sections:
    fiscal_year: int | None = None
    main: list[int] | None = None
    income: list[int] | None = None
    balance: list[int] | None = None
    employees: int | None = None
    rd: list[int] = field(default_factory=list)  # MD&A pages printing R&D investment
    income_title: str = "合并利润表"  # 利润表 where the document prints no consolidated statement
    balance_title: str = "合并资产负债表"
    expense: list[int] = field(default_factory=list)  # MD&A pages printing 研发费用 (the expense table)


def find_sections(tp: TextPass, settings: CnAnnualSettings) -> Sections:
    s = Sections()
    unconsolidated_income: int | None = None
    unconsolidated_balance: int | None = None
    for n in range(1, tp.n_pages + 1):
        text = tp.text(n)
        st = simplify(text)
        flat = re.sub(r"\s+", "", st)
        if s.fiscal_year is None and n <= 5:
            s.fiscal_year = fiscal_year_of(text)
        title = _MAIN_TITLE.search(flat)
        if s.main is None and title and not _TOC_LINE.search(re.split(_MAIN_TITLE, text)[-1][:80]):
            nxt = simplify(tp.text(n + 1)) if n < tp.n_pages else ""
            if re.search("营业(总)?收入[^\n]{0,12}?" + _NUM, st) or re.search("营业(总)?收入[^\n]{0,12}?" + _NUM, nxt):
                # a title at the foot of its page: the table runs over the next two pages
                after = re.split(_MAIN_TITLE, st)[-1] if _MAIN_TITLE.search(st) else st
                span = 3 if len(re.findall(_NUM, after)) < 6 else 2
                s.main = list(range(n, min(n + span, tp.n_pages + 1)))
        if s.employees is None and any(k in flat for k in CN_EMPLOYEES):
            s.employees = n
        before_statements = s.income is None and s.balance is None
        if before_statements and len(s.rd) < settings.max_rd_pages and \
                re.search("(研发投入金额|研发投入合计|研发支出合计|研发投入总额|研发支出金额|研发支出)[^\n]{0,12}?" + _NUM, st):
            top = "\n".join(st.split("\n")[:8])
            if n > 1 and n - 1 not in s.rd and re.search("(研发投入|研发支出)[^\n]{0,12}?" + _NUM, top):
                s.rd.append(n - 1)  # the table starts at the top of the page: its header is on the page before
            s.rd.append(n)
        if before_statements and len(s.expense) < 2 and n not in (s.main or []) and \
                re.search("(研发费用|研究与开发费用|费用化研发支出)[^\n]{0,12}?" + _NUM, st):
            s.expense.append(n)
        if s.balance is None and "合并" in flat and "资产负债表" in flat and re.search(_NUM, text) and \
                (title := _consolidated_title(text, "资产负债表")):
            s.balance = list(range(n, min(n + settings.balance_pages, tp.n_pages + 1)))
            s.balance_title = title
        # a company without subsidiaries prints its statements without 合并 (a bank of 2013): the
        # first such title stands in where the document prints no consolidated statement at all
        if unconsolidated_income is None and "利润表" in flat and _is_title(text, "利润表") and re.search(_NUM, text):
            unconsolidated_income = n
        if unconsolidated_balance is None and "资产负债表" in flat and _is_title(text, "资产负债表") and re.search(_NUM, text):
            unconsolidated_balance = n
        if s.income is None and "合并" in flat and "利润表" in flat and re.search(_NUM, text) and \
                (title := _consolidated_title(text, "利润表")):
            s.income = list(range(n, min(n + settings.statement_pages, tp.n_pages + 1)))
            s.income_title = title
            if s.balance:  # the balance sheet ends where the income statement starts
                s.balance = [p for p in s.balance if p <= n]
        if s.income is not None and s.employees is not None:
            break  # the employee section precedes the statements: nothing more to look for
    if s.income is None and s.balance is None and unconsolidated_income is not None:
        s.income = list(range(unconsolidated_income, min(unconsolidated_income + settings.statement_pages,
                                                          tp.n_pages + 1)))
        s.income_title = "利润表"
        if unconsolidated_balance is not None:
            s.balance = [p for p in range(unconsolidated_balance, min(unconsolidated_balance + settings.balance_pages,
                                                                      tp.n_pages + 1)) if p <= unconsolidated_income]
            s.balance_title = "资产负债表"
    return s


def statement_pages(pages: dict[int, PageLines], numbers: list[int], title: str, stops: tuple[str, ...]
                     ) -> list[PageLines]:
    """One statement's lines only: from its title to the next statement's title. Copies: the
    same page may hold other sections read separately."""
    out: list[PageLines] = []
    started = False
    for n in numbers:
        pl = pages.get(n)
        if pl is None:
            continue
        lines = pl.lines
        if not started:
            at = next((i for i, ln in enumerate(lines) if key(ln.text) == title), None)
            lines = lines[at:] if at is not None else lines
            started = True
        stop = next((i for i, ln in enumerate(lines) if i > 0 and key(ln.text) in stops), None)
        out.append(PageLines(pl.page, lines[:stop] if stop is not None else lines, pl.synthetic, pl.rules, pl.vrules))
        if stop is not None:
            break
    return out


def year_of_headers(pages: list[PageLines]) -> int | None:
    """The fiscal year from the statements' own headers when the cover prints none: the latest
    year column of the tables (2019年, 2019年12月31日)."""
    years = [c.year for t in read_tables(pages, None) if t.header for c in t.header.columns
             if c.kind == "year" and c.year]
    return max(years) if years else None


def carried_unit(tp: TextPass, page: int, currency: str) -> Unit | None:
    """The last unit printed on the page before: a table that starts there and continues on
    ``page`` repeats its header but not its unit line."""
    from extractors.numbers import find_unit

    if page <= 1:
        return None
    lines = _lines(tp.text(page - 1))[-40:]
    for line in reversed(lines):
        u = find_unit(line, default_currency=currency)
        if u:
            return u
    # a bare unit over the columns (元) as the page's last line, a page number aside: the table's
    # header follows on the next page
    tail = [ln for ln in lines[-3:] if not re.fullmatch(r"[\d\s/\-第页共]+", ln)]
    if tail and re.fullmatch(r"(?:单位[:：])?\s*(人民币)?(元|千元|万元|百万元|亿元)", tail[-1]):
        return parse_unit(tail[-1].split("：")[-1].split(":")[-1].strip(), default_currency=currency)
    return None
