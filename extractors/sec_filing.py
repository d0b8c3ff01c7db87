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

HTML is parsed with lxml (``lxml.html``), never by hand; the regular expressions read the text
lxml gives (labels, headings, the cover's sentences). The parts: extractors.sec_tables (the
statements' and selected data's tables), sec_cover (the cover and the sentences); this module
reads the filing, compares the two readings and makes the facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import lxml.html

from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row, load, make_fact
from extractors.sec_cover import DATE, CoverShares, ads_ratio_of, cover_shares_of, employees_sentence, iso_date
from extractors.sec_tables import SELECTED, TableReading, is_statement_heading, read_table, text_before, text_of
from top100.errors import DocumentUnreadable
from top100.records import ErrorRow, Fact
from top100.vocab import Metric

NAME = "sec_filing"
VERSION = "1.1.0"  # 1.1: the shared English vocabulary (extractors.labels.en_metric), corroborations, the NCI identity
MAX_BYTES = 40 * 1024 * 1024  # the largest 20-Fs as filed are ~10 MB; anything far beyond is refused

_FY = re.compile(rf"(?:fiscal\s+)?year\s+ended\s+({DATE})", re.I)


@dataclass
class SecFilingResult(ExtractResult):
    form: str | None = None
    period_end: str | None = None
    currency: str | None = None
    cover_shares: CoverShares | None = None
    ads_ratio: float | None = None  # ordinary shares per ADS
    ads_ratio_raw: str | None = None
    conflicts: list[str] = field(default_factory=list)


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
    text = text_of(doc)
    head = text[:30000]
    form = re.search(r"\bform\s+(20-f|10-k|40-f|f-1|424b4)\b", head, re.I)
    result.form = form.group(1).upper() if form else None
    fy = _FY.search(head)
    result.period_end = iso_date(fy.group(1)) if fy else None
    cover, why = cover_shares_of(head)
    result.cover_shares = cover
    if why:
        err(f"cover: {why}", kind="SecFilingNote")
    result.ads_ratio, result.ads_ratio_raw = ads_ratio_of(text)

    reads: list[TableReading] = []
    reporting: str | None = None
    usd_default = result.form == "10-K"
    seen_statements = False
    for n, table in enumerate(doc.iter("table"), start=1):
        before = text_before(table, 600)
        tail = before[-300:]
        if is_statement_heading(tail) and not re.search(r"selected|summary", tail[-200:], re.I):
            section = "statements of operations"
            seen_statements = True
        elif not seen_statements and SELECTED.search(text_before(table, 1500)):
            # selected data comes before the financial statements (Item 3.A / Item 6 / the summary)
            section = "selected financial data"
        else:
            continue
        got = read_table(table, n, section, before, reporting, usd_default)
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
    first: dict[tuple[str, str, int, bool], TableReading] = {}
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
    employees, raw = employees_sentence(text)
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
