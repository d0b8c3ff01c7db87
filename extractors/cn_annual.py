"""A-share annual reports (年度报告, Chinese PDF; the 摘要 too): every metric and year from every
place that prints it, compared (extractors.corroborate).

Read from: the main-figures table (主要会计数据和财务指标), the consolidated income statement
(合并利润表), the consolidated balance sheet (合并资产负债表: total assets and the parts of
资产总计 = 负债合计 + 所有者权益合计), the MD&A (R&D: the expense table's 研发费用 and the R&D
investment table; employees). The first reading of a metric and year (in that order) is the
fact; the others are its corroborations, and a disagreement is a conflict, never a silent choice.

Sections are found with a fast pypdfium2 text pass (about 2 ms a page) that stops once the
consolidated income statement and the employee section are found. Bookmarks are not used: those
of real reports are often Word's OLE_LINK anchors, and the sections we need all lie before the
statements, where the pass stops anyway. Only the pages that hold the tables are then read
word by word, with positions and rules (pypdfium2 character boxes by default, or pdfplumber:
``CnAnnualSettings.engine``), for the table reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from extractors.corroborate import Reading, Readings, decide
from extractors.labels import (CN_BALANCE, CN_EMPLOYEES, CN_INCOME, CN_INCOME_PARTS, CN_MAIN, CN_RD_EXPENSE_MDNA, key,
                               simplify, unit_in_label)
from extractors.layout import PageLines, TextPass, strip_furniture, words_of_pages
from extractors.numbers import Unit, parse_unit
from extractors.picking import number_of, pick, single_values, table_unit
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load
from extractors.share_capital import VERSION as SHARES_VERSION
from extractors.share_capital import add_share_count
from extractors.tables import read_tables
from top100.errors import FigureNotRead, TableNotFound, Top100Error, UnitUnknown
from top100.vocab import DocType

NAME = "cn_annual"
VERSION = f"1.1.0+{READER_VERSION}+{SHARES_VERSION}"


@dataclass(frozen=True)
class CnAnnualSettings:
    currency: str = "CNY"  # the currency of units printed without one (元, 万元)
    statement_pages: int = 3  # pages read from the 合并利润表 title on (it spans two or three)
    balance_pages: int = 3  # pages read from the 合并资产负债表 title on
    max_rd_pages: int = 4
    # the careful pass over the chosen pages: "pdfium" (character boxes, ~10 ms a page) or
    # "pdfplumber" (~100 ms a page); both give the same words and rules to the table reader
    engine: str = "pdfium"


_TOC_LINE = re.compile(r"(\.{4,}|…{2,}|·{4,})\s*\d*\s*$")
# the report's year on its cover: 2019年年度报告, 2019 年度报告, 2019年年报, 二〇一九年年度报告
_FY = re.compile(r"(?<!\d)((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年?\s*(?:年度报告|年报)(?!\S{0,2}摘要之)")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_NUM = r"-?\(?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2})"  # a figure: 1,234 or 0.00, not a page number
# R&D investment (capitalised part included), best first; 研发支出 alone only when none of these
RD_INVESTMENT_STRONG = ("研发投入金额", "研发投入合计", "研发支出合计", "研发投入总额", "研发支出金额")
# the main-figures section's title: 主要会计数据和财务指标 (SSE/SZSE), 会计数据和财务指标 (BSE)
_MAIN_TITLE = re.compile(r"主要会计数据|会计数据和财务指标")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in simplify(text).split("\n") if ln.strip()]


def _is_title(text: str, title: str) -> bool:
    """A section title on its own line, not a table-of-contents entry."""
    return any(key(ln) == title and not _TOC_LINE.search(ln) for ln in _lines(text))


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
        if s.balance is None and "合并资产负债表" in flat and _is_title(text, "合并资产负债表") and re.search(_NUM, text):
            s.balance = list(range(n, min(n + settings.balance_pages, tp.n_pages + 1)))
        # a company without subsidiaries prints its statements without 合并 (a bank of 2013): the
        # first such title stands in where the document prints no consolidated statement at all
        if unconsolidated_income is None and "利润表" in flat and _is_title(text, "利润表") and re.search(_NUM, text):
            unconsolidated_income = n
        if unconsolidated_balance is None and "资产负债表" in flat and _is_title(text, "资产负债表") and re.search(_NUM, text):
            unconsolidated_balance = n
        if s.income is None and "合并利润表" in flat and _is_title(text, "合并利润表") and re.search(_NUM, text):
            s.income = list(range(n, min(n + settings.statement_pages, tp.n_pages + 1)))
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


def _statement_pages(pages: dict[int, PageLines], numbers: list[int], title: str, stops: tuple[str, ...]
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


def _period(metric: str, year: int) -> tuple[str | None, str]:
    # A-share fiscal years are calendar years; balances and headcounts are year-end figures
    start = None if metric in ("total_assets", "employees_total") else f"{year}-01-01"
    return start, f"{year}-12-31"


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: CnAnnualSettings | None = None, doc_type: str = DocType.annual_report) -> ExtractResult:
    settings = settings or CnAnnualSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(doc_type), company_id, NAME, VERSION)
    result = ExtractResult()
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    try:
        tp.check_readable()
        sec = find_sections(tp, settings)
        wanted = set(sec.main or []) | set(sec.income or []) | set(sec.rd) | set(sec.expense) | set(sec.balance or [])
        carried = {n: _carried_unit(tp, n, settings.currency) for n in wanted}
        if sec.employees:
            wanted.add(sec.employees)
            if sec.employees < tp.n_pages:  # the 专业构成 table (its 合计 is the headcount again) may follow
                wanted.add(sec.employees + 1)
        pages = {n: tp.words(n) for n in sorted(wanted)} if settings.engine == "pdfium" else None
        neighbours = {n: (tp.text(n - 1) if n > 1 else "", tp.text(n + 1) if n < tp.n_pages else "")
                      for n in wanted}
        # for figures printed in sentences, read only if a metric is missing (the text pass stopped
        # at the statements; the pages after them are opened again on demand)
        texts = LazyTexts(data, name, tp.n_pages, dict(tp._texts))
    except Top100Error as exc:
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    finally:
        tp.close()
    if not sec.main and not sec.income:
        result.errors.append(error_row(TableNotFound(
            "neither the main-figures table (主要会计数据和财务指标) nor the consolidated income statement "
            "(合并利润表) was found"), document=name, company_id=company_id))
        return result
    if pages is None:
        try:
            pages = words_of_pages(data, sorted(wanted), name)
        except Top100Error as exc:
            result.errors.append(error_row(exc, document=name, company_id=company_id))
            return result
    pages = {n: strip_furniture(pl, neighbours.get(n, ())) for n, pl in pages.items()}
    out = _Collector(origin, result, name, settings, carried)
    main = [pages[n] for n in sec.main or [] if n in pages]
    income = _statement_pages(pages, sec.income or [], sec.income_title,
                              ("母公司利润表", "利润表", "合并现金流量表", "现金流量表") if sec.income_title == "合并利润表"
                              else ("现金流量表", "股东权益变动表", "所有者权益变动表"))
    balance = _statement_pages(pages, sec.balance or [], sec.balance_title,
                               ("母公司资产负债表", "资产负债表", "合并利润表") if sec.balance_title == "合并资产负债表"
                               else ("利润表",))
    fy = sec.fiscal_year or _year_of_headers(main + income + balance)
    main_t, income_t, balance_t = read_tables(main, fy), read_tables(income, fy), read_tables(balance, fy)
    out.take(main_t, CN_MAIN, "main")
    out.take(income_t, CN_INCOME | CN_INCOME_PARTS, "income",
             basis_of=lambda label: "income_statement" if key(label) == "研发费用" else None)
    out.take(balance_t, CN_BALANCE, "balance")
    _rd_mdna(sec, pages, fy, out)
    _employees(sec, pages, fy, out)
    for what, got, numbers in (("main-figures table (主要会计数据)", main_t, sec.main),
                               ("consolidated income statement (合并利润表)", income_t, sec.income),
                               ("consolidated balance sheet (合并资产负债表)", balance_t, sec.balance)):
        if numbers and not out.read_from(got):
            out.fail(TableNotFound(f"the {what} was found but no figure could be read from its table"), numbers[0])
    _same_concept(out.readings)
    if fy is not None and not out.readings.has("employees_total", fy):
        _dated_head_count(texts, fy, out)
    decide(out.readings, origin, result, name, _period)
    _prose_figures(texts, fy, result, name, company_id)
    add_share_count(data, texts.items(), market="cn", fiscal_year=fy, year_end=None, origin=origin, result=result,
                    name=name)
    return result


class LazyTexts:
    """Page texts in page order, those of the fast pass first; the others read on demand by a
    second text pass over the same bytes, opened on the first page missing and closed after."""

    def __init__(self, data: bytes, name: str, n_pages: int, known: dict[int, str]) -> None:
        self.data, self.name, self.n_pages, self.known = data, name, n_pages, known

    def items(self):
        tp = None
        try:
            for n in range(1, self.n_pages + 1):
                if n not in self.known:
                    tp = tp or TextPass(self.data, self.name)
                    self.known[n] = tp.text(n)
                yield n, self.known[n]
        finally:
            if tp is not None:
                tp.close()


# Metrics a report may print only in a sentence of its MD&A ("研发费用投入166,066,239.06元",
# "利润总额190,905,713.07元", "2024 年度公司研发投入 6.16 亿元"), by the words that name them.
PROSE_LABELS = {"rd_investment": ("研发投入",), "rd_expense": ("研发费用投入", "研发费用"),
                "profit_before_tax": ("利润总额",), "employees_total": ("公司员工", "名员工", "员工总数", "在职员工")}
# a label, a few non-digit characters at most (no clause break), a number, and its unit right after
# it: how a sentence prints a figure (a table row prints its unit above the columns, not after each)
_PROSE = re.compile(r"(?P<label>%s)[^\d，。；;,.、（）()]{0,6}?(?P<raw>-?\d[\d,]*(?:\.\d+)?)(?P<unit>亿元|万元|元|人|名)"
                    % "|".join(sorted({w for ws in PROSE_LABELS.values() for w in ws}, key=len, reverse=True)))
# a head count printed before its noun: 公司共拥有 44,361 名员工
_PROSE_COUNT = re.compile(r"(?:共有|拥有|共计|合计|总数为|总数|有)(?P<raw>\d[\d,]*)(?P<unit>名|人)(?P<label>员工|在职员工|职工)")


def _prose_figures(texts: "LazyTexts", fy: int | None, result: ExtractResult, name: str,
                   company_id: str | None) -> None:
    """A metric of the year that no table gave but a sentence prints is never missing silently:
    an error names the document, the page, the metric and the sentence's figure, which is not
    read (a sentence has no columns, so its year and scope cannot be checked like a table's)."""
    if fy is None:
        return
    have = {f.metric for f in result.facts if f.fiscal_year == fy}
    for metric, words in PROSE_LABELS.items():
        if metric in have:
            continue
        for page, text in texts.items():
            flat = re.sub(r"\s+", "", text)  # a sentence wraps anywhere, even inside its label
            m = next((m for m in _PROSE.finditer(flat) if m.group("label") in words and
                      (m.group("unit") in ("人", "名")) == (metric == "employees_total")), None)
            if m is None and metric == "employees_total":
                m = _PROSE_COUNT.search(flat)
            if m is None:
                continue
            result.errors.append(error_row(FigureNotRead(
                f"{metric} {fy}: {m.group('label')} {m.group('raw')} {m.group('unit')} is printed in a sentence "
                f"on page {page}, which is not read (no table of the document prints it)", page=page),
                document=name, company_id=company_id))
            break


# a head count in a sentence dated to the year's end: 截至 2023 年 12 月 31 日，公司共有 1,747 名员工;
# 截至报告期期末，公司员工 9,788 人
_DATED_COUNT = re.compile(r"截至(?:本)?报告期(?:期)?末|报告期末|截至(?P<y>(?:19|20)\d{2})年(?:12月31日|末|底)")
_COUNT_IN_SENTENCE = re.compile(r"(?:公司|本公司|集团|本集团)(?:共|总)?(?:有|拥有|计|在职)?(?:员工|职工)?(?:总数|人数|总人数)?(?:为|共|有)?"
                                r"(?P<raw>\d[\d,]*)(?:名|人)(?:员工|职工)?")


def _dated_head_count(texts: "LazyTexts", fy: int, out: "_Collector") -> None:
    """The staff count of a report that prints it only in a sentence dated to the end of the
    year (a summary, 摘要): read once, from the first such sentence, and said so (single source).
    An undated sentence is not read (see _prose_figures: an error names it)."""
    for page, text in texts.items():
        flat = re.sub(r"\s+", "", simplify(text))
        for sentence in re.split(r"[。；;]", flat):
            date = _DATED_COUNT.search(sentence)
            if not date or (date.group("y") and int(date.group("y")) != fy):
                continue
            m = _COUNT_IN_SENTENCE.search(sentence, date.end())
            if not m or not re.search(r"员工|职工", sentence[m.start():m.end() + 4]):
                continue
            out.add("employees_total", fy, number_of(m.group("raw")), parse_unit("人"), page, sentence[:120],
                    m.group("raw"), None, "mdna_sentence")
            return


def _same_concept(readings: Readings) -> None:
    """A main table that prints 营业总收入 (total operating revenue, a financial group's or an
    insurer's) is compared with the statement's 营业总收入, not with its 营业收入 sub-line: two
    different figures are not a conflict, nor a confirmation."""
    from dataclasses import replace

    for (metric, year), rs in list(readings.by_key.items()):
        if metric != "revenue" or not rs or key(rs[0].label) != "营业总收入":
            continue
        kept = [r for r in rs if key(r.label) != "营业收入"]
        total = readings.first("_total_operating_revenue", year, "income")
        if total is not None:
            kept.append(replace(total, metric="revenue"))
        readings.by_key[(metric, year)] = kept


def _year_of_headers(pages: list[PageLines]) -> int | None:
    """The fiscal year from the statements' own headers when the cover prints none: the latest
    year column of the tables (2019年, 2019年12月31日)."""
    years = [c.year for t in read_tables(pages, None) if t.header for c in t.header.columns
             if c.kind == "year" and c.year]
    return max(years) if years else None


class _Collector:
    """Readings of one document, in the order of trust (main table, statements, MD&A)."""

    def __init__(self, origin: Origin, result: ExtractResult, name: str, settings: CnAnnualSettings,
                 carried: dict[int, Unit | None]) -> None:
        self.origin, self.result, self.name, self.settings, self.carried = origin, result, name, settings, carried
        self.readings = Readings()
        self._rows: set[int] = set()  # ids of the tables' rows that gave a reading

    def fail(self, exc: Exception, page: int | None) -> None:
        self.result.errors.append(error_row(exc, document=self.name, company_id=self.origin.company_id, page=page))

    def read_from(self, tables) -> bool:
        return any(id(r) in self._rows for t in tables for r in t.rows)

    def add(self, metric: str, year: int, number, unit: Unit, page: int, label: str, raw: str, bbox, source: str,
            basis: str | None = None, restated: str | None = None) -> None:
        self.readings.add(Reading(metric, year, number, unit, page, label, raw, bbox, source, basis, restated,
                                  positive=metric in ("operating_cost", "_non_operating_expense")))

    def take(self, tables, names: dict[str, set[str]], source: str, basis_of=lambda label: None,
             only_new: bool = False) -> None:
        for hit in pick(tables, names, key):
            if only_new and self.readings.has(hit.metric, hit.year):
                continue
            if hit.ambiguous:
                self.fail(TableNotFound(f"{hit.row.label!r} {hit.year}: two figures under one year column "
                                        "(restated and original?) and no 调整前/调整后 to tell them apart"),
                          hit.row.page)
                continue
            try:
                unit = table_unit(hit.row, self.settings.currency, self.carried.get(hit.row.page))
                number = number_of(hit.cell.raw)
            except Top100Error as exc:
                # the row and year named, so that the refusal says which figure it is
                if isinstance(exc, Top100Error):
                    exc.cause = f"{key(hit.row.label)} {hit.year}: {exc.cause}"
                self.fail(exc, hit.row.page)
                continue
            self._rows.add(id(hit.row))
            self.add(hit.metric, hit.year, number, unit, hit.row.page, hit.row.label, hit.cell.raw, hit.cell.bbox,
                     source, basis=basis_of(hit.row.label), restated=hit.cell.column.restated)


def _carried_unit(tp: TextPass, page: int, currency: str) -> Unit | None:
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


def _rd_mdna(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: _Collector) -> None:
    """R&D from the MD&A, as two metrics never mixed: ``rd_investment`` (研发投入金额 / 研发投入合计
    / 研发支出合计, capitalised part included) and ``rd_expense`` (the expense table's 研发费用,
    the 研究与开发费用 note, 本期费用化研发支出): a corroboration of the income statement's
    研发费用, or the expensed amount where the statement has no such line."""
    numbers = sorted(set(sec.rd) | set(sec.expense))
    rd_pages = [pages[n] for n in numbers if n in pages]
    if not rd_pages:
        return
    tables = read_tables(rd_pages, fy)
    in_tables = {id(r.line) for t in tables for r in t.rows}
    for label in RD_INVESTMENT_STRONG + ("研发支出",):
        basis = f"rd_investment:{label}"
        # 研发支出 alone (a weaker name) only for the years no other name gives
        out.take(tables, {"rd_investment": {label}}, "mdna", basis_of=lambda _, b=basis: b,
                 only_new=label == "研发支出")
        if fy is None or out.readings.has("rd_investment", fy):
            continue
        _single(rd_pages, pages, lambda lab, label=label: key(lab) == label, in_tables, out, "rd_investment", fy, basis)
    # the MD&A's analysis of the statement lines (利润表及现金流量表相关科目变动分析表): revenue and
    # operating cost a second time, in the table's own columns (本期数 / 上年同期数)
    out.take(tables, {"revenue": {"营业收入"}, "operating_cost": {"营业成本"}}, "mdna")
    for label in sorted(CN_RD_EXPENSE_MDNA, key=lambda lab: "费用化" in lab):
        # the expensed part of the R&D spending may be counted on another scope than the income
        # statement's 研发费用 line: it stands in only where the statement prints none
        out.take(tables, {"rd_expense": {label}}, "mdna", basis_of=lambda _, b=f"mdna:{label}": b,
                 only_new="费用化" in label)
    if fy is not None and not out.readings.has("rd_expense", fy):
        _single(rd_pages, pages, lambda lab: key(lab) in CN_RD_EXPENSE_MDNA, in_tables, out, "rd_expense", fy,
                "mdna")


def _single(rd_pages, pages, wanted, in_tables, out: _Collector, metric: str, fy: int, basis: str) -> bool:
    for single in single_values(rd_pages, wanted, skip=in_tables):
        inside = unit_in_label(single.label)
        unit = parse_unit(inside, default_currency=out.settings.currency) if inside else \
            _unit_above(pages[single.page], single, out.settings.currency)
        if unit is None:
            out.fail(UnitUnknown(f"no unit printed above {single.label!r}"), single.page)
            continue
        w = single.word
        try:
            out.add(metric, fy, number_of(w.text), unit, single.page, single.label, w.text,
                    (w.x0, w.top, w.x1, w.bottom), "mdna", basis=basis if metric == "rd_investment"
                    else f"mdna:{key(single.label)}")
        except Top100Error as exc:
            out.fail(exc, single.page)
            continue
        return True
    return False


def _unit_above(pl: PageLines, single, currency: str) -> Unit | None:
    from extractors.numbers import find_unit

    above = [ln for ln in pl.lines if ln.bottom <= single.word.top + 1]
    for ln in reversed(above[-8:]):
        u = find_unit(simplify(ln.text), default_currency=currency)
        if u:
            return u
    return None


def _employees(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: _Collector) -> None:
    if sec.employees is None or sec.employees not in pages:
        return
    if fy is None:
        out.fail(TableNotFound("employees found but the report's fiscal year is not printed"), sec.employees)
        return
    for single in single_values([pages[sec.employees]], lambda lab: key(lab) in CN_EMPLOYEES):
        w = single.word
        try:
            out.add("employees_total", fy, number_of(w.text), parse_unit("人"), single.page, single.label, w.text,
                    (w.x0, w.top, w.x1, w.bottom), "mdna")
        except Top100Error as exc:
            out.fail(exc, single.page)
        break
    if not out.readings.has("employees_total", fy):
        # a table of head counts at the start and the end of the year (期初人数 / 本期新增 /
        # 本期减少 / 期末人数, the BSE template): its total row, by its period columns
        tables = read_tables([pages[sec.employees]], fy)
        _take_counts(out, tables, "mdna")
    if not out.readings.has("employees_total", fy):
        return
    parent = _parent_staff(pages[sec.employees])
    # a second reading: the total (合计) of the staff's professional composition (专业构成), the
    # first 合计 after that title, on the same page or the next
    after: list[PageLines] = []
    for n in (sec.employees, sec.employees + 1):
        pl = pages.get(n)
        if pl is None:
            continue
        at = 0
        if not after:
            at = next((i for i, ln in enumerate(pl.lines) if "专业构成" in simplify(ln.text).replace(" ", "")), None)
            if at is None:
                continue
        after.append(PageLines(pl.page, pl.lines[at:], pl.synthetic, pl.rules, pl.vrules))
    for single in single_values(after, lambda lab: key(lab) == "合计")[:1]:
        w = single.word
        if parent is not None and number_of(w.text) == parent:
            continue  # the composition of the parent company's staff alone (母公司在职员工的数量): not the group's
        try:
            out.add("employees_total", fy, number_of(w.text), parse_unit("人"), single.page, "专业构成 " + single.label,
                    w.text, (w.x0, w.top, w.x1, w.bottom), "mdna_composition")
        except Top100Error as exc:
            out.fail(exc, single.page)


def _take_counts(out: _Collector, tables, source: str) -> None:
    for hit in pick(tables, {"employees_total": set(CN_EMPLOYEES)}, key):
        if hit.ambiguous:
            continue
        try:
            out.add("employees_total", hit.year, number_of(hit.cell.raw), parse_unit("人"), hit.row.page,
                    hit.row.label, hit.cell.raw, hit.cell.bbox, source)
        except Top100Error as exc:
            out.fail(exc, hit.row.page)


def _parent_staff(pl: PageLines):
    """The parent company's own head count (母公司在职员工的数量), where printed beside the total."""
    for single in single_values([pl], lambda lab: key(lab) in ("母公司在职员工的数量", "母公司在职员工数量")):
        try:
            return number_of(single.word.text)
        except Top100Error:
            return None
    return None
