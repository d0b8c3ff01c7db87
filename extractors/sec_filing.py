"""SEC filings as filed (HTML): 20-F / 10-K / 40-F annual reports and F-1 / 424B4 prospectuses.

Read where companyfacts lacks a figure or a company (recent listings, prospectuses):

- the consolidated statements of operations (revenues, income from operations, net income and
  net income attributable to the company, R&D): the table whose heading names the statement;
- the same figures a second time from the selected financial data (Item 3.A / Item 6 /
  "Summary consolidated financial data" of a prospectus): a figure both readings give and that
  differs is a conflict, reported and not used; one that agrees is kept once;
- employees (the "we had N employees" sentence);
- the reporting currency and the convenience translation kept apart: RMB columns are the
  figures; a US$ column beside them ("translated solely for the convenience of the reader") is
  kept as a superseded fact with basis ``convenience_translation``, never used, never added;
- the cover: shares outstanding with their date (all classes added), and the ADS ratio.

Every fact carries its provenance: the document's sha256, the section and table (``page`` is
the table's ordinal in the document, there being no pages in HTML), the row label as printed
and the figure's text as printed. A reporting currency the evaluation does not convert (CAD,
EUR, ...) is an error, not a guess.

HTML is parsed with lxml (``lxml.html``), never by hand; the regular expressions below read the
text lxml gives (labels, headings, the cover's sentences).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import lxml.html

from extractors.labels import en_metric
from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row, load, make_fact
from top100.errors import DocumentUnreadable
from top100.records import ErrorRow, Fact
from top100.vocab import Metric

NAME = "sec_filing"
VERSION = "1.1.0"  # 1.1: the shared English vocabulary (extractors.labels.en_metric), corroborations, the NCI identity
MAX_BYTES = 40 * 1024 * 1024  # the largest 20-Fs as filed are ~10 MB; anything far beyond is refused

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december")
_DATE = rf"(?:{_MONTHS})\s+\d{{1,2}}\s*,\s*\d{{4}}"
_FY = re.compile(rf"(?:fiscal\s+)?year\s+ended\s+({_DATE})", re.I)
_STATEMENT = re.compile(r"statements?\s+of\s+(?:consolidated\s+)?(?:operations|income|loss|comprehensive\s+(?:loss|income)|"
                        r"(?:income|loss|operations)\s+and\s+comprehensive\s+(?:loss|income))", re.I)
_SELECTED = re.compile(r"selected\s+(?:consolidated\s+)?financial\s+(?:and\s+operating\s+)?data|"
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


@dataclass(frozen=True)
class CoverShares:
    shares: float  # every class added
    as_of: str | None  # ISO date the cover gives, None when it gives none
    raw: str  # the cover's sentence as printed


@dataclass
class SecFilingResult(ExtractResult):
    form: str | None = None
    period_end: str | None = None
    currency: str | None = None
    cover_shares: CoverShares | None = None
    ads_ratio: float | None = None  # ordinary shares per ADS
    ads_ratio_raw: str | None = None
    conflicts: list[str] = field(default_factory=list)


@dataclass
class _Read:
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


def _text(node) -> str:
    return re.sub(r"\s+", " ", " ".join(node.itertext())).strip()


def _iso(date_text: str) -> str:
    from datetime import datetime

    clean = re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", date_text.strip()))
    return datetime.strptime(clean.title(), "%B %d, %Y").date().isoformat()


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
        cells = [_text(td) for td in tr if td.tag in ("td", "th")]
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


def _before(node, chars: int) -> str:
    """The text printed before ``node`` (its last ``chars`` characters)."""
    parts: list[str] = []
    total = 0
    for t in node.itersiblings(preceding=True):
        s = (_text(t) if isinstance(t.tag, str) else "") + " " + (t.tail or "")
        parts.append(s.strip())
        total += len(s)
        if total >= chars:
            break
    text = " ".join(reversed(parts))
    if total < chars and node.getparent() is not None and node.getparent().tag not in ("body", "html"):
        text = _before(node.getparent(), chars - total) + " " + text
    return text[-chars:]


def _is_heading(tail: str) -> bool:
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


def _read_table(table, n_table: int, section: str, context: str, reporting: str | None, usd_default: bool
                ) -> list[_Read]:
    rows = _rows(table)
    currency, scale = _unit_of(context + " " + " ".join(" ".join(r) for r in rows[:4]))
    currency = currency or reporting
    out: list[_Read] = []
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
            out.append(_Read(str(metric), year, number, col_cur or "", scale, label, raw, section, n_table,
                             convenience=bool(cur == "USD" and (reporting or currency) == "CNY")))
    return out


def _cover(text: str) -> tuple[CoverShares | None, str | None]:
    """Shares outstanding on the cover and the cover's date, or (None, why)."""
    m = re.search(r"indicate\s+the\s+number\s+of\s+outstanding\s+shares(.{0,900}?)(?:indicate\s+by\s+check|$)", text,
                  re.I | re.S)
    sentence = None
    if m:
        sentence = m.group(1)
    else:
        for pat in (rf"as\s+of\s+{_DATE}\s*,?\s+there\s+were\s+(?:outstanding\s+)?[\d,]+\s+shares.{{0,300}}?\.(?:\s|$)",
                    rf"number\s+of\s+shares\s+outstanding\s+of\s+the\s+registrant.{{0,300}}?\.(?:\s|$)",
                    r"number\s+of\s+(?:common|ordinary)\s+shares\s+outstanding\s*:?\s*[\d,]+"):
            m = re.search(pat, text, re.I | re.S)
            if m:
                sentence = m.group(0)
                break
    if sentence is None:
        return None, "no shares-outstanding statement on the cover"
    clean = re.sub(r"\((?:including|excluding)[^)]*\)", " ", sentence)
    counts = re.findall(r"(\d{1,3}(?:,\d{3})+|\d{4,})\s+(?:shares\s+of\s+)?(?:class\s+[a-z]\s+)?"
                        r"(?:ordinary|common)?\s*shares?", clean, re.I)
    counts += re.findall(r"(?:common|ordinary)\s+shares\s+outstanding\s*:?\s*(\d{1,3}(?:,\d{3})+)", clean, re.I)
    if not counts:
        counts = re.findall(r"there\s+were\s+(?:outstanding\s+)?(\d{1,3}(?:,\d{3})+)", clean, re.I)
    if not counts:
        return None, f"cover shares statement without a share count: {sentence.strip()[:160]!r}"
    dates = re.findall(_DATE, sentence, re.I)
    as_of = _iso(dates[-1]) if dates else None
    total = float(sum(int(c.replace(",", "")) for c in counts))
    return CoverShares(total, as_of, " ".join(sentence.split())[:400]), None


_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10,
                "twenty": 20, "one-half": 0.5, "one-fourth": 0.25, "one-quarter": 0.25, "one-tenth": 0.1}
_COUNT = r"(\d+(?:\.\d+)?|one-half|one-fourth|one-quarter|one-tenth|one|two|three|four|five|six|eight|ten|twenty)"


def _count(tok: str) -> float:
    tok = tok.lower()
    return float(_COUNT_WORDS[tok]) if tok in _COUNT_WORDS else float(tok)


def _ads_ratio(text: str) -> tuple[float | None, str | None]:
    """Ordinary shares per ADS from the sentence that states it: "each ADS represents two Class A
    ordinary shares", "ADSs, each representing one-tenth of one ordinary share", "three ADSs
    represent two ordinary shares" (shares / ADSs)."""
    ads = r"(?:ads|american\s+depositary\s+shares?)s?"
    shares = r"(?:\(\d+\)\s+)?(?:of\s+(?:one|an?)\s+)?(?:class\s+[a-z]\s+)?(?:ordinary|common)\s+shares?"
    m = re.search(rf"(?:each|one)\s+{ads}\s*(?:\([^)]*\)\s*)?,?\s*(?:represents?|representing)\s+{_COUNT}\s+{shares}",
                  text, re.I)
    if not m:
        m = re.search(rf"{ads},?\s+each\s+representing\s+{_COUNT}\s+{shares}", text, re.I)
    if m:
        return _count(m.group(1)), m.group(0)
    m = re.search(rf"\b{_COUNT}\s+{ads}\s+(?:represents?|representing)\s+{_COUNT}\s+{shares}", text, re.I)
    if m:
        return _count(m.group(2)) / _count(m.group(1)), m.group(0)
    return None, None


def _employees(text: str) -> tuple[int | None, str | None]:
    m = re.search(r"(?:we|the\s+company|the\s+group|the\s+partnership)\s+(?:had|employed|have)\s+(?:a\s+total\s+of\s+)?"
                  r"(\d{1,3}(?:,\d{3})+|\d+)\s+(?:full[-\s]time\s+)?employees", text, re.I)
    if not m:
        return None, None
    return int(m.group(1).replace(",", "")), m.group(0)


def read(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
         doc_type: str = "20-F", settings: object | None = None) -> SecFilingResult:
    data, digest, name = load(source, sha256)
    result = SecFilingResult()
    origin = Origin(digest, doc_type, company_id, NAME, VERSION)

    def err(reason: str, kind: str = "SecFilingError", page: int | None = None) -> None:
        result.errors.append(ErrorRow(stage="extract", kind=kind, reason=reason, company_id=company_id,
                                      document=name, page=page))
    try:
        if not data.strip():
            raise DocumentUnreadable("zero-byte filing")
        if len(data) > MAX_BYTES:
            raise DocumentUnreadable(f"filing of {len(data)} bytes exceeds {MAX_BYTES}")
        doc = lxml.html.fromstring(_decoded(data))
    except Exception as exc:  # noqa: BLE001 - an unreadable filing is this document's error
        result.errors.append(error_row(exc, document=name, company_id=company_id))
        return result
    for bad in doc.xpath("//script|//style"):
        bad.drop_tree()
    text = _text(doc)
    head = text[:30000]
    form = re.search(r"\bform\s+(20-f|10-k|40-f|f-1|424b4)\b", head, re.I)
    result.form = form.group(1).upper() if form else None
    fy = _FY.search(head)
    result.period_end = _iso(fy.group(1)) if fy else None
    cover, why = _cover(head)
    result.cover_shares = cover
    if why:
        err(f"cover: {why}", kind="SecFilingNote")
    result.ads_ratio, result.ads_ratio_raw = _ads_ratio(text)

    reads: list[_Read] = []
    reporting: str | None = None
    usd_default = result.form == "10-K"
    seen_statements = False
    for n, table in enumerate(doc.iter("table"), start=1):
        before = _before(table, 600)
        tail = before[-300:]
        if _is_heading(tail) and not re.search(r"selected|summary", tail[-200:], re.I):
            section = "statements of operations"
            seen_statements = True
        elif not seen_statements and _SELECTED.search(_before(table, 1500)):
            # selected data comes before the financial statements (Item 3.A / Item 6 / the summary)
            section = "selected financial data"
        else:
            continue
        got = _read_table(table, n, section, before, reporting, usd_default)
        if section == "statements of operations" and got and reporting is None:
            reporting = next((g.currency for g in got if not g.convenience and g.currency), None)
        reads.extend(got)
    result.currency = reporting or next((r.currency for r in reads if not r.convenience and r.currency), None)
    for r in reads:  # selected data printed with a bare "$" is in the statements' reporting currency
        if not r.currency and result.currency:
            r.currency = result.currency
    if not reads:
        err("no statement of operations or selected financial data table with a known row label and year columns")

    # one reading per (section, metric, year, convenience): the first table of the section gives it
    first: dict[tuple[str, str, int, bool], _Read] = {}
    for r in reads:
        first.setdefault((r.section, r.metric, r.year, r.convenience), r)
    keys = {(m, y, c) for (_, m, y, c) in first}
    parts: dict[tuple[str, int, bool], Decimal] = {}
    for metric, year, conv in sorted(keys):
        stmt = first.get(("statements of operations", metric, year, conv))
        sel = first.get(("selected financial data", metric, year, conv))
        chosen = stmt or sel
        # selected data is often rounded to a coarser unit ($000 beside $): agreement within half of it
        if stmt and sel and abs(stmt.number * stmt.scale - sel.number * sel.scale) > Decimal(max(stmt.scale, sel.scale)) / 2:
            msg = (f"{metric} {year}: statements of operations (table {stmt.table}, {stmt.label!r}) print "
                   f"{stmt.raw} x{stmt.scale}, selected financial data (table {sel.table}, {sel.label!r}) print "
                   f"{sel.raw} x{sel.scale}: conflict, neither used")
            result.conflicts.append(msg)
            err(msg, kind="ReadTwiceConflict", page=stmt.table)
            continue
        if chosen.currency not in ("CNY", "HKD", "USD"):
            err(f"{metric} {year}: reporting currency {chosen.currency or 'unknown'} (table {chosen.table}) is not one "
                "the evaluation converts (CNY, HKD, USD)", page=chosen.table)
            continue
        unit = Unit(printed=f"{chosen.currency} x{chosen.scale}", scale=Decimal(chosen.scale), currency=chosen.currency)
        if metric.startswith("_"):
            parts[(metric, year, conv)] = chosen.number * chosen.scale
            continue
        basis = "convenience_translation" if conv else (None if not (stmt and sel) else "read_twice_agree")
        fact = make_fact(
            origin, metric, year, chosen.number, unit, page=chosen.table,
            label=f"{chosen.section}: {chosen.label}", raw=chosen.raw, bbox=None, basis=basis,
            positive=metric == Metric.rd_expense, period_end=result.period_end if year == _year(result.period_end) else None,
            superseded=conv)
        other = sel if stmt and sel else None
        fact.corroborations = [{"page": other.table, "label": f"{other.section}: {other.label}", "raw": other.raw,
                                "bbox": None, "value": float(other.number * other.scale), "unit": f"{other.currency} x{other.scale}",
                                "source": "selected_data", "restated": None, "agrees": True}] if other else []
        fact.single_source = not fact.corroborations
        result.facts.append(fact)
    _identity(result, parts, err)
    employees, raw = _employees(text)
    if employees is not None and result.period_end:
        result.facts.append(Fact(
            company_id=company_id, document_sha256=digest, doc_type=doc_type, metric=str(Metric.employees_total),
            fiscal_year=_year(result.period_end), value=float(employees), currency="", page=None,
            label="employees", raw=raw or "", unit="人", scale=1.0, bbox=None, extractor=NAME,
            extractor_version=VERSION))
    return result


def _identity(result: "SecFilingResult", parts: dict, err) -> None:
    """Net income = net income attributable to the company + non-controlling interests, where the
    statement prints all three (the NCI line as printed: 'Less: net income attributable to
    noncontrolling interests'). A violation marks the facts it involves as a conflict."""
    facts = {(f.metric, f.fiscal_year): f for f in result.facts if not f.superseded}
    for (metric, year, conv), nci in parts.items():
        if metric != "_nci" or conv:
            continue
        net, att = facts.get(("net_profit", year)), facts.get(("net_profit_attributable", year))
        if net is None or att is None:
            continue
        scale = Decimal(str(net.scale))
        if abs(Decimal(str(net.value)) - Decimal(str(att.value)) - nci) > scale:
            # 'Less:' lines print the NCI as a deduction from net income: the sign may be either way
            if abs(Decimal(str(net.value)) - Decimal(str(att.value)) + nci) > scale:
                err(f"net_profit {year}: {net.raw} is not {att.raw} (attributable) plus the non-controlling "
                    f"interests' {nci / scale}", kind="IdentityViolated", page=net.page)
                net.conflict = att.conflict = True


_DECLARED = re.compile(rb"<\?xml[^>]*encoding|<meta[^>]+charset", re.I)


def _decoded(data: bytes) -> bytes | str:
    """The filing as lxml should read it: as bytes where it declares its encoding (lxml follows the
    declaration), else as text decoded here: UTF-8 where the bytes are valid UTF-8 (Chinese names
    and curly quotes of a filing without a declaration came out as mojibake, 'æ·\x98ç±³', read as
    Latin-1), else Windows-1252, EDGAR's usual encoding of undeclared filings."""
    if _DECLARED.search(data[:4096]):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: object | None = None, doc_type: str = "20-F") -> ExtractResult:
    """The extractor interface (extractors.read): facts and errors; the cover's
    shares and ADS ratio are on the SecFilingResult."""
    res = read(source, company_id=company_id, sha256=sha256, doc_type=doc_type)
    res.errors = [e for e in res.errors if e.kind != "SecFilingNote"] + \
        [e for e in res.errors if e.kind == "SecFilingNote" and not res.facts]
    return res
