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

The parts: extractors.cn_sections (where each section is), cn_readings (the settings and the
readings collected), cn_mdna (R&D and staff from the MD&A's tables), cn_prose (figures printed in
sentences); this module reads the sections' tables and decides (extractors.corroborate).
"""

from __future__ import annotations

import re
from pathlib import Path

from extractors.cn_mdna import read_employees, read_rd
from extractors.cn_prose import LazyTexts, read_dated_head_count, report_prose_figures
from extractors.cn_readings import CnAnnualSettings, Collector, same_concept
from extractors.cn_sections import carried_unit, find_sections, statement_pages, year_of_headers
from extractors.corroborate import decide
from extractors.labels import CN_BALANCE, CN_INCOME, CN_INCOME_PARTS, CN_MAIN, key
from extractors.layout import TextPass, strip_furniture, words_of_pages
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load
from extractors.share_capital import VERSION as SHARES_VERSION
from extractors.share_capital import add_share_count
from extractors.tables import read_tables
from top100.errors import TableNotFound, Top100Error
from top100.vocab import DocType

__all__ = ["CnAnnualSettings", "NAME", "VERSION", "extract"]

NAME = "cn_annual"
VERSION = f"1.1.0+{READER_VERSION}+{SHARES_VERSION}"


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
        carried = {n: carried_unit(tp, n, settings.currency) for n in wanted}
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
    out = Collector(origin, result, name, settings, carried)
    main = [pages[n] for n in sec.main or [] if n in pages]
    income = statement_pages(pages, sec.income or [], sec.income_title,
                              ("母公司利润表", "利润表", "合并现金流量表", "现金流量表",
                               sec.income_title.replace("利润表", "现金流量表")) if sec.income_title.startswith("合并")
                              else ("现金流量表", "股东权益变动表", "所有者权益变动表"))
    balance = statement_pages(pages, sec.balance or [], sec.balance_title,
                               ("母公司资产负债表", "资产负债表", "合并利润表",
                                sec.balance_title.replace("资产负债表", "利润表")) if sec.balance_title.startswith("合并")
                               else ("利润表",))
    fy = sec.fiscal_year or year_of_headers(main + income + balance)
    main_t, income_t, balance_t = read_tables(main, fy), read_tables(income, fy), read_tables(balance, fy)
    out.take(main_t, CN_MAIN, "main")
    out.take(income_t, CN_INCOME | CN_INCOME_PARTS, "income",
             basis_of=lambda label: "income_statement" if key(label) == "研发费用" else None)
    out.take(balance_t, CN_BALANCE, "balance")
    read_rd(sec, pages, fy, out)
    read_employees(sec, pages, fy, out)
    for what, got, numbers in (("main-figures table (主要会计数据)", main_t, sec.main),
                               ("consolidated income statement (合并利润表)", income_t, sec.income),
                               ("consolidated balance sheet (合并资产负债表)", balance_t, sec.balance)):
        if numbers and not out.read_from(got):
            out.fail(TableNotFound(f"the {what} was found but no figure could be read from its table"), numbers[0])
    same_concept(out.readings)
    if fy is not None and not out.readings.has("employees_total", fy):
        read_dated_head_count(texts, fy, out)
    decide(out.readings, origin, result, name, _period)
    report_prose_figures(texts, fy, result, name, company_id)
    first_statement = min([*(sec.income or [])[:1], *(sec.balance or [])[:1]], default=None)
    add_share_count(data, share_count_pages(texts, first_statement), market="cn", fiscal_year=fy, year_end=None, origin=origin, result=result,
                    name=name)
    return result


# the notes' first section (公司基本情况, which may state the total share count again) ends where
# the basis of preparation begins
_BASIS_OF_PREPARATION = re.compile(r"财务报表的编制基础|财务报表编制基础|编制基础")


def share_count_pages(texts: LazyTexts, first_statement: int | None, most_after: int = 40):
    """The pages that may print the share count: everything before the financial statements
    (股份变动及股东情况, 公司基本情况) and the statements with the notes' first section after them,
    up to the basis of preparation (at most ``most_after`` pages on); the rest of the notes (their
    股本 is in 元, not a count) is not read for it."""
    for n, text in texts.items():
        if first_statement is not None and n > first_statement + most_after:
            return
        yield n, text  # the page that begins the basis of preparation may end 公司基本情况
        if first_statement is not None and n > first_statement and \
                _BASIS_OF_PREPARATION.search(re.sub(r"\s+", "", text)):
            return
