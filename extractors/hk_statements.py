"""HK statement and five-year-summary tables read from positioned words.

HK statements are unruled, bilingual (``Turnover 營業額 5,6 76,705,162 (52,399,474)``), carry a
note column, put labels on several lines above their figures, and print their years in headers
that may span several lines (``Year ended`` / ``30 September`` / ``2021``) or columns (two
segments and a total under one year). The shared table reader (extractors.tables) is built around
A-share layouts and is being reworked; this reader is hand-written for the HK layouts because no
library reads unruled financial tables by column position: it finds the value columns from the
figures' right edges, gives each column the year printed above it, and refuses (an error, never
a guess) where a year heads several columns and none of them is a total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.labels import simplify
from extractors.layout import Line, PageLines, Word

# an amount as printed: 76,705,162  (52,399,474)  223,076  0.18  –  (nil dashes count as zero)
_AMOUNT = re.compile(r"^\(?-?(?:\d{1,3}(?:,\d{3})+|\d{4,}|\d{1,3})(?:\.\d+)?\)?$")
_NIL = {"-", "–", "—", "−", "_", "nil", "Nil"}
_NOTE = re.compile(r"^(?:\d{1,2}(?:\([a-z]\))?(?:[,&]\s*\d{1,2}(?:\([a-z]\))?)*)$")
_YEAR = re.compile(r"^(?:FY)?((?:19|20)\d{2})(?:年)?$")
_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"^(?:截至)?([〇零○一二三四五六七八九]{4})年")
_CN_YEAR_WORD = re.compile(r"^[〇零○一二三四五六七八九]{4}年(?:度)?$")
_TOTAL = re.compile(r"(?i)^(total|totals|consolidated|group|總計|总计|合計|合计|總額|总额|綜合|综合)$")


def cn_year(text: str) -> int | None:
    """'二零二一年' / '二〇二一年' / '截至二零二一年' -> 2021."""
    m = _CN_YEAR.match(text.replace(" ", ""))
    if not m:
        return None
    y = int("".join(_CN_DIGITS[c] for c in m.group(1)))
    return y if 1990 <= y <= 2100 else None


def word_year(text: str) -> int | None:
    t = text.strip().strip("()（）")
    m = _YEAR.match(t)
    if m:
        return int(m.group(1))
    return cn_year(t) if _CN_YEAR_WORD.match(t.replace(" ", "")) else None


def is_amount(text: str) -> bool:
    t = text.strip().replace("−", "-")
    return t in _NIL or bool(_AMOUNT.match(t))


def amount_value(text: str) -> Decimal:
    t = text.strip().replace("−", "-")
    if t in _NIL:
        return Decimal(0)
    neg = t.startswith("(") and t.endswith(")") or t.startswith("-")
    v = Decimal(t.strip("()-").replace(",", ""))
    return -v if neg else v


def merge_spaced(words: list[Word]) -> list[Word]:
    """Letter-spaced CJK (one character per word: ``二 零 二 一 年``) joined back into words."""
    out: list[Word] = []
    for w in words:
        if out:
            p = out[-1]
            cjk = re.fullmatch(r"[\u3000-\u9fff\uff00-\uffef]+", w.text) and re.search(r"[\u3000-\u9fff\uff00-\uffef]$", p.text)
            if cjk and 0 <= w.x0 - p.x1 < 2.5 * max(1.0, w.x1 - w.x0) and len(w.text) <= 2:
                out[-1] = Word(p.text + w.text, p.x0, w.x1, min(p.top, w.top), max(p.bottom, w.bottom))
                continue
        out.append(w)
    return out


@dataclass
class Column:
    x0: float
    x1: float
    year: int | None = None
    total: bool = False
    segment: str | None = None
    header_line: int = 0


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


@dataclass
class StatementTable:
    page: int
    columns: list[Column]
    rows: list[tuple[str, list[tuple[Column, Word]]]] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)  # the label-only lines above each row
    unit_text: str | None = None
    errors: list[str] = field(default_factory=list)


_UNIT = re.compile(r"(?i)((?:HK|US|S|NT|A|RM|MOP|SGD|HKD|USD|RMB|CNY|MYR|EUR|GBP|JPY)\$?\s*['’]?\s*(?:000|'000|million|m)?)$")


def _value_words(line: Line) -> list[Word]:
    """The figures at the right of a line (notes and label text at the left are not figures)."""
    ws = line.words
    vals: list[Word] = []
    for w in reversed(ws):
        if is_amount(w.text):
            vals.append(w)
        else:
            break
    vals.reverse()
    return vals


_MONTH_WORD = re.compile(r"(?i)^(?:january|february|march|april|may|june|july|august|september|october|november|"
                         r"december)\b")


def read_table(pl: PageLines) -> StatementTable:
    """Columns and rows of one statement or summary page (see the module's docstring)."""
    lines = [Line(ln.page, merge_spaced(ln.words), ln.top, ln.bottom) for ln in pl.lines]
    year_words: list[tuple[Word, int, int]] = []  # (word, year, line index)
    for i, ln in enumerate(lines):
        ys = [(w, word_year(w.text)) for w in ln.words]
        ys = [(w, y) for w, y in ys if y]
        # the day of a date in the header ('Year ended 31 December 2019 2020 ...') is no figure
        amounts = sum(1 for k, w in enumerate(ln.words) if is_amount(w.text) and not word_year(w.text)
                      and not (k + 1 < len(ln.words) and re.match(r"^\d{1,2}$", w.text)
                               and _MONTH_WORD.match(ln.words[k + 1].text)))
        if ys and (len(ys) >= 2 or len(ln.words) <= 4) and amounts == 0:
            year_words += [(w, y, i) for w, y in ys]
    table = StatementTable(pl.page, [])
    if not year_words:
        return table
    first_header = min(i for _, _, i in year_words)
    # value columns: clusters of the right edges of the figures below the first year header
    rights: list[tuple[float, float]] = []
    body: list[tuple[int, Line, list[Word]]] = []
    header_lines = {i for _, _, i in year_words}
    for i, ln in enumerate(lines):
        if i <= first_header or i in header_lines:
            continue
        vals = _value_words(ln)
        if len(ln.words) == len(vals):  # a line of figures only: the label is on the lines above
            pass
        vals = [w for w in vals if not (len(vals) > 1 and w is vals[0] and _NOTE.match(w.text) and _is_note(w, lines))]
        if vals:
            body.append((i, ln, vals))
            rights += [(w.x0, w.x1) for w in vals]
    cols: list[Column] = []
    members: list[int] = []
    for x0, x1 in sorted(rights):  # figures of one column overlap (right, left or centre aligned)
        if cols and x0 <= cols[-1].x1 + 2:
            cols[-1].x1 = max(cols[-1].x1, x1)
            members[-1] += 1
        else:
            cols.append(Column(x0, x1))
            members.append(1)
    cols = [c for c, n in zip(cols, members) if n >= 2 or len(rights) < 6]
    # a notes column (5, 7, 14(b), 5,6) is not a value column
    cols = [c for c in cols if not all(_NOTE.match(w.text) for _, _, vals in body for w in vals
                                       if w.x0 <= c.x1 and w.x1 >= c.x0)]
    # each column's year. The header line with the most years (the lowest of equals) gives them in
    # order where it names one year per column, or one per group of columns (a year over two
    # segments and a total), whatever the alignment of headers and figures; else the nearest year
    # word across (then several columns of one year are resolved by a total, or refused, below)
    cols.sort(key=lambda c: c.x0)
    per_line: dict[int, list[tuple[Word, int]]] = {}
    for w, y, i in year_words:
        per_line.setdefault(i, []).append((w, y))
    head_i = max(per_line, key=lambda i: (len(per_line[i]), i))
    head = sorted(per_line[head_i], key=lambda t: t[0].x0)
    years_in_order = [y for _, y in head]
    if cols and len(set(years_in_order)) == len(years_in_order) and len(cols) % len(head) == 0:
        k = len(cols) // len(head)
        for n, c in enumerate(cols):
            c.year, c.header_line = years_in_order[n // k], head_i
    else:
        for c in cols:
            cx = (c.x0 + c.x1) / 2
            cands = [(abs((w.x0 + w.x1) / 2 - cx), -i, y, i) for w, y, i in year_words]
            cands = [t for t in cands if t[0] <= 100]
            if cands:
                dmin = min(t[0] for t in cands)
                _, _, y, i = min((t for t in cands if t[0] <= dmin + 2), key=lambda t: t[1])
                c.year, c.header_line = y, i
    # a total or segment name printed between a column's year and its figures: a header line with
    # one name per value column gives them in order (left, centre or right aligned alike); any other
    # count is not guessed at (the columns of a year stay unresolved and are refused below)
    first_row = body[0][0] if body else len(lines)
    yc = sorted((c for c in cols if c.year is not None), key=lambda c: c.x0)
    top = min((c.header_line for c in yc), default=first_row)
    for ln in lines[top:first_row]:
        names = [w for w in _phrases(ln.words) if not word_year(w.text) and not _UNIT.search(w.text.replace("’", "'"))
                 and w.text.lower() not in ("notes", "note", "附註", "附注") and w.x1 > (yc[0].x0 - 60 if yc else 0)]
        if yc and len(names) == len(yc):
            for c, w in zip(yc, sorted(names, key=lambda w: w.x0)):
                if _TOTAL.match(simplify(w.text)) or re.match(r"(?i)^total\b", w.text):
                    c.total = True
                else:
                    c.segment = (c.segment + " " + w.text) if c.segment else w.text
    table.columns = [c for c in cols if c.year]
    by_year: dict[int, list[Column]] = {}
    for c in table.columns:
        by_year.setdefault(c.year, []).append(c)
    keep: list[Column] = []
    for y, cs in by_year.items():
        if len(cs) == 1:
            keep += cs
        else:
            totals = [c for c in cs if c.total]
            if len(totals) == 1:
                keep += totals
            else:
                table.errors.append(f"the year {y} heads {len(cs)} columns and none is marked as the total: "
                                    "columns not assigned")
    keep.sort(key=lambda c: c.x0)
    table.columns = keep
    # the unit printed in the header band
    first_row = body[0][0] if body else first_header + 4
    for ln in lines[max(0, first_header - 2):first_row + 1]:
        t = ln.text.replace("’", "'")
        m = re.search(r"(?i)(?<![A-Za-z])(HK\$|US\$|S\$|RMB|NT\$|A\$|MOP\$?|SGD|HKD|USD)\s*('000|000|million|m)?(?![A-Za-z])", t) or \
            re.search(r"(千港元|港元千元|人民幣千元|人民币千元|千美元|千新加坡元|港元|人民幣|人民币|美元|千元)", t)
        if m:
            table.unit_text = m.group(0).strip()
            break
    # rows: label = own label text, or the label lines since the previous row
    pending: list[str] = []
    last = first_header
    for i, ln, vals in body:
        for ln2 in lines[last + 1:i]:
            if not _value_words(ln2):
                pending.append(ln2.text)
        own = [w.text for w in ln.words if w not in vals and not (_NOTE.match(w.text) and _is_note(w, lines))]
        own_text = " ".join(own).strip()
        # a wrapped label: the row's own text continues the lines above it (it starts in lower
        # case or is Chinese only); those lines run back to the last one that starts a label
        starts = [k for k, t in enumerate(pending) if re.match(r"[A-Z(]", t)]
        if pending and own_text and not re.search(r"[A-Za-z]", own_text) and not starts:
            label = own_text  # a Chinese-only label on the row's own line
        elif pending and not re.match(r"[A-Z(]", own_text):
            start = starts[-1] if starts else 0
            label = " ".join(pending[start:] + ([own_text] if own_text else []))
        else:
            label = own_text
        cells = []
        for w in vals:
            c = next((c for c in table.columns if w.x0 <= c.x1 + 1 and w.x1 >= c.x0 - 1), None)
            if c:
                cells.append((c, w))
        table.rows.append((label.strip(), cells))
        table.contexts.append(" ".join(pending))
        pending = []
        last = i
    return table


def _phrases(words: list[Word]) -> list[Word]:
    """Words closer than a few points joined into one header name ('Continuing operations')."""
    out: list[Word] = []
    for w in sorted(words, key=lambda w: w.x0):
        if out and 0 <= w.x0 - out[-1].x1 < 6:
            p = out[-1]
            out[-1] = Word(p.text + " " + w.text, p.x0, w.x1, min(p.top, w.top), max(p.bottom, w.bottom))
        else:
            out.append(w)
    return out


def _is_note(w: Word, lines: list[Line]) -> bool:
    """A small integer in the notes column (under 'Notes'/'附註'), not a figure."""
    for ln in lines:
        for h in ln.words:
            if h.text.lower() in ("notes", "note", "附註", "附注") and h.x0 - 15 <= w.x0 <= h.x1 + 15:
                return True
    return bool(re.fullmatch(r"\d{1,2}(?:\([a-z]\))?(?:,\d{1,2})+", w.text))


# --- metric names ---------------------------------------------------------------------------------

_P = r"(?:\(?(?:profit|loss|gain|earnings|income)\)?(?:\s*/\s*\(?(?:profit|loss|gain)\)?|\s*\((?:profit|loss|gain)\))?)"
_EN = {
    "operating_cost": re.compile(r"^cost\s+of\s+(?:sales|revenue|services|goods\s+sold)$"),
    "internet_revenue": re.compile(r"^(?:revenue\s+from\s+internet\s+business|internet\s+business\s+revenue)$"),
    "revenue": re.compile(r"^(?:total\s+)?(?:revenue|revenues|turnover)(?:\s*\((?:note\s*\d+)?\))?$"),
    "operating_profit": re.compile(rf"^(?:operating\s+{_P}|{_P}\s+from\s+operations|{_P}\s+from\s+operating\s+activities)$"),
    "profit_before_tax": re.compile(rf"^{_P}\s+before\s+(?:income\s+)?tax(?:ation)?(?:\s+expenses?)?$"),
    "net_profit": re.compile(rf"^{_P}(?:\s+and\s+total\s+comprehensive\s+(?:\(?(?:income|expense)\)?\s*)+)?\s+for\s+the\s+(?:year|period)$"),
    "net_profit_attributable": re.compile(
        rf"^(?:{_P}(?:\s+and\s+total\s+comprehensive\s+(?:\(?(?:income|expense)\)?\s*)+)?\s+for\s+the\s+(?:year|period)\s+"
        r"attributable\s+to\s+|"
        rf"{_P}\s+attributable\s+to\s+)?(?:the\s+)?(?:owners|equity\s+holders|(?:equity\s+)?shareholders)\s+of\s+the\s+(?:company|parent)$"),
    "total_assets": re.compile(r"^total\s+assets$"),
    # parts of the accounting identities (checked by extractors.hk_annual, never facts themselves)
    "_nci": re.compile(r"^non[- ]controlling\s+interests?$"),
    "_total_liabilities": re.compile(r"^total\s+liabilities$"),
    "_total_equity": re.compile(r"^(?:total\s+equity|net\s+assets)$"),
}
_ZH = {
    "operating_cost": re.compile(r"^(?:销售成本|服务成本|销售及服务成本)$"),
    "internet_revenue": re.compile(r"^互联网业务(?:收益|收入)$"),
    "revenue": re.compile(r"^(?:收益|收入|营业额|总收益)$"),
    "operating_profit": re.compile(r"^(?:经营|营运)(?:业务)?(?:溢利|亏损|收益|利润){1,2}$"),
    "profit_before_tax": re.compile(r"^除税前(?:溢利|亏损|利润){1,2}$"),
    "net_profit": re.compile(r"^(?:年内|本年度)(?:溢利|亏损|利润){1,2}(?:及全面收益总额|及全面开支总额)?$"),
    "net_profit_attributable": re.compile(r"^本公司(?:拥有人|股权持有人|权益持有人|股东)$"),
    "total_assets": re.compile(r"^(?:资产总值|总资产|资产总额)$"),
    "_nci": re.compile(r"^非控股权益$"),
    "_total_liabilities": re.compile(r"^(?:负债总额|总负债|负债总值)$"),
    "_total_equity": re.compile(r"^(?:权益总额|总权益|资产净值)$"),
}


def metric_of(label: str) -> str | None:
    """The metric a printed row label names (English part first, else the Chinese one), or None."""
    s = simplify(label).replace("’", "'")
    en = " ".join(re.findall(r"[A-Za-z][A-Za-z'()/,\-&\s]*", s))
    en = re.sub(r"\s+", " ", en).strip(" ,").lower()
    en = re.sub(r"\s*\(note[s]?\s*[\d,\s]*\)$", "", en)
    if en:
        for m, pat in _EN.items():
            if pat.match(en):
                return m
        if len(en) > 3:
            return None
    zh = re.sub(r"[\sA-Za-z\d,.:：()（）/／]", "", s)
    for m, pat in _ZH.items():
        if pat.match(zh):
            return m
    return None


def readings(pl: PageLines) -> tuple[list[Reading], StatementTable]:
    """Every row of the page whose label names a metric, one reading per year column. Where a
    label repeats (the attribution of profit and of total comprehensive income), the first wins."""
    table = read_table(pl)
    out: list[Reading] = []
    seen: set[tuple[str, int]] = set()
    attributable_block = False
    for (label, cells), context in zip(table.rows, table.contexts):
        if re.search(r"(?i)attributable\s+to|应占|應佔", context + " " + label):
            attributable_block = True
        metric = metric_of(label)
        low = label.lower()
        if metric in ("net_profit_attributable", "_nci") and not re.search(r"(?i)attributable|应占|應佔", label) and \
                not attributable_block:
            metric = None  # 'Owners of the Company' outside an 'attributable to' block (equity section)
        if "attributable to" in low and metric is None:
            attributable_block = True
        if metric is None:
            continue
        for col, w in cells:
            if (metric, col.year) in seen:
                continue
            seen.add((metric, col.year))
            out.append(Reading(pl.page, metric, label, w.text, amount_value(w.text), col.year, (w.x0, w.top, w.x1, w.bottom),
                               table.unit_text))
    return out, table
