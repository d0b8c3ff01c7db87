"""What an A-share report's MD&A prints in its tables: R&D as two metrics never mixed
(``rd_investment``, capitalised part included, and ``rd_expense``, as expensed), the revenue and
operating cost of its analysis of the statement lines, and the staff count with the total of the
staff's professional composition (专业构成) as a second reading.
"""

from __future__ import annotations

from extractors.cn_readings import Collector
from extractors.cn_sections import Sections
from extractors.labels import CN_EMPLOYEES, CN_RD_EXPENSE_MDNA, key, simplify, unit_in_label
from extractors.layout import PageLines
from extractors.numbers import Unit, parse_unit
from extractors.picking import number_of, pick, single_values
from extractors.tables import read_tables
from top100.errors import TableNotFound, Top100Error, UnitUnknown


# R&D investment (capitalised part included), best first; 研发支出 alone only when none of these
RD_INVESTMENT_STRONG = ("研发投入金额", "研发投入合计", "研发支出合计", "研发投入总额", "研发支出金额")


def read_rd(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: Collector) -> None:
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


def _single(rd_pages, pages, wanted, in_tables, out: Collector, metric: str, fy: int, basis: str) -> bool:
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


def read_employees(sec: Sections, pages: dict[int, PageLines], fy: int | None, out: Collector) -> None:
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


def _take_counts(out: Collector, tables, source: str) -> None:
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
