"""The figures of HK statement and five-year-summary pages, as readings of metrics.

extractors.hk_tables reads a page's tables by column position (years, currencies, segments,
notes columns); here each row whose label names a metric (``metric_of``: the English vocabulary
of extractors.labels, the Chinese labels below) gives one ``Reading`` per year column, with the
unit of its table and column. 'Owners of the Company' counts only within an attribution of the
year's profit; an unlabelled line that sums the rows under a heading is that heading's total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.hk_tables import Column, StatementTable, read_tables
from extractors.hk_tokens import amount_value
from extractors.labels import en_metric, simplify
from extractors.layout import PageLines
from extractors.numbers import Unit


@dataclass
class Reading:
    """One figure of a row: where it is and the year of its column."""

    page: int
    metric: str
    label: str
    raw: str
    value: Decimal
    year: int
    bbox: tuple[float, float, float, float]
    unit_text: str | None
    unit: Unit | None = None  # None: unit_error says why the figure cannot be valued
    unit_error: str | None = None


# --- metric names ---------------------------------------------------------------------------------
# English labels: extractors.labels.en_metric (one vocabulary with the SEC filings); Chinese here.
_ZH = {
    "operating_cost": re.compile(r"^(?:销售成本|服务成本|销售及服务成本|收入成本)$"),
    "internet_revenue": re.compile(r"^互联网业务(?:收益|收入)$"),
    "revenue": re.compile(r"^(?:收益|收入|营业额|总收益|总收入|客户合约收益|来自客户合约(?:之|的)?收益)$"),
    "operating_profit": re.compile(r"^(?:经营|营运)(?:业务)?(?:溢利|亏损|收益|利润){1,2}$"),
    "profit_before_tax": re.compile(r"^除(?:所得)?税前(?:溢利|亏损|利润){1,2}$"),
    "net_profit": re.compile(r"^(?:年内|本年度|年度)(?:溢利|亏损|利润){1,2}(?:及全面收益总额|及全面开支总额)?$"),
    "_owners": re.compile(r"^本公司(?:拥有人|股权持有人|权益持有人|权益股东|股东)$"),
    # the year's profit to the owners in one label (本公司擁有人應佔年度虧損), the total comprehensive
    # income to them (应占年内全面收益总额, 总全面收入) is another figure and is not matched
    "net_profit_attributable": re.compile(r"^本公司(?:拥有人|股权持有人|权益持有人|权益股东|股东)应[占佔](?:年内|本年度|年度)"
                                          r"(?:溢利|亏损|利润){1,2}(?:及全面(?:收益|开支)总额)?$"),
    "total_assets": re.compile(r"^(?:资产总值|总资产|资产总额)$"),
    "rd_expense": re.compile(r"^(?:研发开支|研究及开发开支|研发费用|研究及开发费用|研发成本)$"),
    "_nci": re.compile(r"^非控股权益$"),
    "_total_liabilities_and_equity": re.compile(r"^(?:权益及负债总额|负债及权益总额|总权益及负债|权益及负债总值)$"),
    "_total_liabilities": re.compile(r"^(?:负债总额|总负债|负债总值)$"),
    "_total_equity": re.compile(r"^(?:权益总额|总权益|资产净值)$"),
}


def metric_of(label: str) -> str | None:
    """The metric a printed row label names (English part first, else the Chinese one), or None.
    'Owners of the Company' alone is '_owners': the owners' share only within an attribution of
    the year's profit (see readings)."""
    s = simplify(label).replace("’", "'")
    # the English words with their punctuation (a colon or dash still ends a phrase), the Chinese
    # label beside them and its brackets taken out
    en = re.sub(r"[(（]?[\u3000-\u9fff]+[)）]?", " ", s) if re.search(r"[A-Za-z]", s) else ""
    en = re.sub(r"\s+", " ", en).strip(" ,")
    en = re.sub(r"\(\s*$", "", en).strip()  # a bracket opened by the Chinese label beside
    # a note reference the text layer glued to the label ('Revenue 6.7(i)', '... assets 3(iv)')
    en = re.sub(r"(?i)\s+\d{1,2}(?:[.,]\d{1,2})*(?:\((?:[a-z]|[ivx]{1,4})\))*$", "", en)
    if en:
        metric = en_metric(en)
        if metric:
            return metric
        if len(en) > 3:
            return None
    zh = re.sub(r"[\sA-Za-z\d,.:：()（）/／╱]", "", s)
    for m, pat in _ZH.items():
        if pat.match(zh):
            return m
    return None


_ATTRIBUTION = re.compile(r"(?i)attributable\s+to|应[占佔]|應[占佔]")
_COMPREHENSIVE = re.compile(r"(?i)comprehensive|全面(?:收益|开支|開支|收入|亏损|虧損)")


def readings(pl: PageLines) -> tuple[list[Reading], list[StatementTable]]:
    """Every row of the page whose label names a metric, one reading per year column.

    'Owners of the Company' counts as the owners' share of the year's profit only within an
    attribution of the profit ('Profit for the year attributable to:', or 'Attributable to:'
    under the profit line); under total comprehensive income it is another figure. An
    unlabelled line whose figures are the sums of the rows under a heading ('Revenues' over four
    lines of business, then the total with only its note number) is that heading's total: read,
    because the sum confirms what it is. Where a metric repeats on the page, the first wins."""
    tables = read_tables(pl)
    out: list[Reading] = []
    seen: set[tuple[str, int]] = set()
    for table in tables:
        out += _table_readings(pl.page, table, seen)
    return out, tables


def _table_readings(page: int, table: StatementTable, seen: set[tuple[str, int]]) -> list[Reading]:
    out: list[Reading] = []
    block: str | None = None  # the attribution we are in: 'profit', 'comprehensive', 'other' or None
    last_label = ""
    heading_at: int | None = None  # index of the first row under a label-only heading
    for k, ((label, cells), context) in enumerate(zip(table.rows, table.contexts)):
        if context and (not _ATTRIBUTION.search(context) or metric_of(context) == "net_profit_attributable"):
            # a heading, or an attribution of the year's profit to the owners split into lines
            # (continuing / discontinued operations) whose unlabelled sum follows
            heading_at = k
        opened = False
        for text in (context, label):
            if _ATTRIBUTION.search(text):
                block, opened = _attribution_of(text, last_label), True
        metric = metric_of(label) if label else None
        if not label and cells and heading_at is not None and heading_at < k:
            metric = _heading_total(table, heading_at, k)
            if metric:
                label = f"{table.contexts[heading_at]} (total of the {k - heading_at} lines above)"
        if metric == "_owners":
            metric = "net_profit_attributable" if block == "profit" else None
        elif metric == "_nci" and block != "profit" and not opened:
            metric = None  # non-controlling interests of the equity section
        elif label and not opened and metric not in ("_nci",):
            block = None  # any other labelled line ends an attribution
        if label:
            last_label = label
        if metric is None:
            continue
        for col, w in cells:
            if (metric, col.year) in seen:
                continue
            seen.add((metric, col.year))
            unit, error = _column_unit(table, col)
            out.append(Reading(page, metric, label, w.text, amount_value(w.text), col.year,
                               (w.x0, w.top, w.x1, w.bottom), table.unit_text, unit, error))
    return out


def _attribution_of(text: str, above: str) -> str:
    """What an 'attributable to' line attributes: the year's profit, total comprehensive income,
    or something else (equity); a bare 'Attributable to:' (以下人士應佔：) attributes the line above it."""
    profit = r"(?i)profit|loss|income|earnings|溢利|亏损|虧損|利润"
    bare = re.sub(r"(?i)attributable\s+to|应[占佔]|應[占佔]|以下人士|下列人士|[\s:：()（）-]", "", simplify(text)) == ""
    subject = above if bare else text
    if _COMPREHENSIVE.search(subject):
        return "comprehensive"
    if re.search(profit, subject):
        return "profit"
    return "other"


def _column_unit(table: StatementTable, col: Column) -> tuple[Unit | None, str | None]:
    if table.unit is None:
        return None, table.unit_error
    if col.currency and table.unit.currency and col.currency != table.unit.currency:
        # the column names its own currency (a reporting currency named second in the head)
        return Unit(f"{table.unit.printed} ({col.currency})", table.unit.scale, col.currency), None
    if table.unit.currency is None and col.currency:
        return Unit(table.unit.printed, table.unit.scale, col.currency), None
    return table.unit, None


def _heading_total(table: StatementTable, start: int, end: int) -> str | None:
    """The metric of an unlabelled total line: the heading's, when every figure of the line is the
    sum of the figures of the rows since the heading (at least two of them), column by column."""
    heading = table.contexts[start]
    metric = metric_of(heading)
    if metric is None or end - start < 2:
        return None
    sums: dict[int, Decimal] = {}
    for label, cells in table.rows[start:end]:
        if not label:
            return None
        for col, w in cells:
            sums[id(col)] = sums.get(id(col), Decimal(0)) + amount_value(w.text)
    _, total_cells = table.rows[end]
    if not total_cells or any(sums.get(id(col)) != amount_value(w.text) for col, w in total_cells):
        return None
    return metric
