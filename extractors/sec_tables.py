"""The tables of an SEC filing as filed (HTML, parsed by lxml): which tables are the statements
of operations or the selected financial data (by the heading printed before them), and their
figures by row label and year column, with the currency and scale the table states
(``read_table`` -> ``TableReading``). A US$ column beside RMB ones is a convenience translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extractors.labels import en_metric


_STATEMENT = re.compile(r"statements?\s+of\s+(?:consolidated\s+)?(?:operations|income|loss|comprehensive\s+(?:loss|income)|"
                        r"(?:income|loss|operations)\s+and\s+comprehensive\s+(?:loss|income))", re.I)


SELECTED = re.compile(r"selected\s+(?:consolidated\s+)?financial\s+(?:and\s+operating\s+)?data|"
                       r"summary\s+(?:consolidated\s+)?financial\s+(?:and\s+operating\s+)?data", re.I)


_YEAR = re.compile(r"^(?:fy\s*)?((?:19|20)\d\d)$", re.I)


_NUM = re.compile(r"^\(?-?[\d,]*\.?\d+\)?$")


_DASHES = {"-", "—", "–", "--", "—%", "nil", "n/a"}


_CURRENCY_WORDS = [
    (re.compile(r"\brmb\b|renminbi|\bcny\b|人民币"), "CNY"),
    (re.compile(r"hk\$|hong\s+kong\s+dollars?|\bhkd\b"), "HKD"),
    (re.compile(r"us\$|u\.s\.\s*dollars?|united\s+states\s+dollars?|\busd\b"), "USD"),
    (re.compile(r"canadian\s+dollars?|\bcad\b|cdn\$|c\$"), "CAD"),
    (re.compile(r"\beuros?\b|\beur\b|€"), "EUR"),
]


_SCALE = [(re.compile(r"in\s+thousands|thousands\s+of|in\s+\$?\s*000|\(\s*\$?\s*000|'000|000s|in\s+\w+\s+thousands"), 1000),
          (re.compile(r"in\s+millions|millions\s+of|in\s+\w+\s+millions"), 1_000_000)]


@dataclass
class TableReading:
    metric: str
    year: int
    number: Decimal
    currency: str
    scale: int
    label: str
    raw: str
    section: str
    table: int
    convenience: bool


def text_of(node) -> str:
    return re.sub(r"\s+", " ", " ".join(node.itertext())).strip()


def _number(cells: list[str]) -> list[str | None]:
    """The figures of a row's cells as printed: "(3,569" + ")" is one negative figure; "$" and
    empty cells are not figures; a dash is a printed nil (None)."""
    out: list[str | None] = []
    for c in cells:
        c = c.replace("\xa0", " ").strip()
        c = re.sub(r"^(?:us\$|rmb|hk\$|\$|€|c\$)\s*", "", c, flags=re.I).strip()
        if c in ("", "$", ")", "%", ")%"):
            if c.startswith(")") and out and out[-1] and out[-1].startswith("(") and not out[-1].endswith(")"):
                out[-1] += ")"
            continue
        if c.lower() in _DASHES:
            out.append(None)
        elif _NUM.match(c.replace(" ", "")):
            out.append(c.replace(" ", ""))
        else:
            out.append("")  # text in a figure column
    return out


def _to_decimal(raw: str) -> Decimal | None:
    neg = raw.startswith("(") or raw.startswith("-")
    digits = raw.strip("()").lstrip("-").replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if neg else value


def _rows(table) -> list[list[str]]:
    out = []
    for tr in table.iter("tr"):
        cells = [text_of(td) for td in tr if td.tag in ("td", "th")]
        if any(cells):
            out.append([c for c in cells if c])
    return out


def _columns(rows: list[list[str]], n: int) -> list[tuple[int | None, str | None]] | None:
    """(year, currency) of each of the ``n`` figure columns, from the header rows."""
    years: list[int] = []
    currencies: list[str] = []
    for r in rows:
        ys = [int(m.group(1)) for c in r for m in [_YEAR.match(c.strip())] if m]
        if ys and len(ys) >= len(years):
            years = ys
        cs = [cur for c in r for cur in [_currency_token(c)] if cur]
        if len(cs) >= 2 and len(cs) >= len(currencies):
            currencies = cs
        if not ys:  # years inside a sentence-like header: "Year ended December 31, 2014"
            ys2 = [int(y) for c in r for y in re.findall(r"\b((?:19|20)\d\d)\b", c)]
            if len(ys2) == n and len(ys2) > len(years):
                years = ys2
    if len(years) == n:
        cols = [(y, currencies[i] if len(currencies) == n else None) for i, y in enumerate(years)]
        return cols
    if len(currencies) == n and len(years) == n - 1 and currencies[-1] == "USD" and currencies[-2] != "USD":
        # "2012 2013 2014" over "RMB RMB RMB US$": the US$ column translates the last year
        return [(y, currencies[i]) for i, y in enumerate(years + [years[-1]])]
    return None


def _currency_token(cell: str) -> str | None:
    c = cell.strip().lower()
    if c in ("rmb", "cny"):
        return "CNY"
    if c in ("us$", "usd"):  # a bare "$" is no currency: C$ and US$ both print it
        return "USD"
    if c in ("hk$", "hkd"):
        return "HKD"
    return None


def _unit_of(context: str) -> tuple[str | None, int]:
    low = context.lower()
    currency = None
    for pat, cur in _CURRENCY_WORDS:
        if pat.search(low):
            currency = cur
            break
    scale = 1
    for pat, s in _SCALE:
        if pat.search(low):
            scale = s
            break
    return currency, scale


def text_before(node, chars: int) -> str:
    """The text printed before ``node`` (its last ``chars`` characters)."""
    parts: list[str] = []
    total = 0
    for t in node.itersiblings(preceding=True):
        s = (text_of(t) if isinstance(t.tag, str) else "") + " " + (t.tail or "")
        parts.append(s.strip())
        total += len(s)
        if total >= chars:
            break
    text = " ".join(reversed(parts))
    if total < chars and node.getparent() is not None and node.getparent().tag not in ("body", "html"):
        text = text_before(node.getparent(), chars - total) + " " + text
    return text[-chars:]


def is_statement_heading(tail: str) -> bool:
    """The text just before a table names a statement of operations as a heading: "Consolidated
    Statements of Operations", "STATEMENTS OF COMPREHENSIVE LOSS (Expressed in U.S. dollars)",
    within the last 160 characters, capitalised (a sentence mentioning "the statements of
    comprehensive loss" is no heading), and no "notes to" after it."""
    last = None
    for m in _STATEMENT.finditer(tail):
        last = m
    if last is None or len(tail) - last.end() > 160 or not last.group(0)[0].isupper():
        return False
    return not re.search(r"notes?\s+to\b", tail[last.end():], re.I)


def read_table(table, n_table: int, section: str, context: str, reporting: str | None, usd_default: bool
                ) -> list[TableReading]:
    rows = _rows(table)
    currency, scale = _unit_of(context + " " + " ".join(" ".join(r) for r in rows[:4]))
    currency = currency or reporting
    out: list[TableReading] = []
    # the header: the rows before the first row with a figure that is not a year
    first_data = next((i for i, r in enumerate(rows) if any(
        f for f in _number(r[1:]) if f and not _YEAR.match(f.strip("()"))) and not _YEAR.match(r[0])), len(rows))
    if currency is None and usd_default and "$" in " ".join(" ".join(r) for r in rows):
        currency = "USD"  # a 10-K filer's "$": domestic filers report in US dollars
    for r in rows[first_data:]:
        label = r[0]
        # one English vocabulary for every statement (extractors.labels.en_metric: HKFRS and US GAAP);
        # the non-controlling interests' line is kept for the identity net = attributable + NCI
        metric = en_metric(label)
        if metric is None or (metric.startswith("_") and metric != "_nci"):
            continue
        figures = _number(r[1:])
        figures = [f for f in figures if f != ""]
        header = rows[: first_data]
        has_note = any(c.strip().lower() in ("note", "notes") for h in header for c in h)
        cols = _columns(header, len(figures))
        if cols is None and has_note and figures and figures[0] and re.match(r"^\d{1,2}$", figures[0]):
            figures = figures[1:]  # the note reference column
            cols = _columns(header, len(figures))
        if cols is None:
            continue
        for (year, cur), raw in zip(cols, figures):
            if raw is None or year is None:
                continue
            number = _to_decimal(raw)
            if number is None:
                continue
            col_cur = cur or currency
            out.append(TableReading(str(metric), year, number, col_cur or "", scale, label, raw, section, n_table,
                             convenience=bool(cur == "USD" and (reporting or currency) == "CNY")))
    return out
