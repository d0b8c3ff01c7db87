"""The rows that pass between stages, as written to JSON-lines files under ``out/<year>/``.

Each stage reads the files of the stages before it and writes its own (see top100.paths);
the load stage puts all of them into the warehouse. Dates are ISO strings, amounts floats in
the currency's base unit, ``None`` where unknown. Field names are the warehouse's column names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


class Record:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, row: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass
class DocumentRow(Record):
    """raw.document: one fetched or delivered file, stored once by sha256 in the raw store."""

    source: str  # cninfo | hkex | edgar | inbox
    url: str  # where it came from (file:// path relative to the inbox for delivered files)
    company_id: str | None
    doc_type: str  # top100.vocab.DocType
    fiscal_year: int | None
    title: str
    published_at: str | None  # ISO datetime (Asia/Shanghai for CNINFO)
    sha256: str
    size: int
    fetched_at: str  # ISO datetime, UTC
    supersedes: str | None = None  # sha256 (or source id) of the document this one replaces
    source_id: str | None = None  # the source's own id (announcementId, NEWS_ID, accession)
    content_type: str | None = None


@dataclass
class Fact(Record):
    """staging.extracted_fact: one figure read from a document, with its provenance."""

    company_id: str | None
    document_sha256: str
    doc_type: str
    metric: str  # top100.vocab.Metric
    fiscal_year: int
    value: float  # in the currency's base unit, scale applied
    currency: str  # CNY | HKD | USD
    page: int | None  # 1-based PDF page; None for JSON/xlsx
    label: str  # as printed
    raw: str  # the value's text as printed
    unit: str  # the unit as printed (元, 千元, 万元, HK$'000, USD, ...)
    scale: float  # factor applied to the printed number
    bbox: list[float] | None  # x0, top, x1, bottom in PDF points on that page
    extractor: str
    extractor_version: str
    basis: str | None = None  # e.g. "rd_investment" where R&D came from the MD&A amount
    period_start: str | None = None
    period_end: str | None = None
    restated: bool = False  # the restated (调整后) column
    superseded: bool = False  # an older value of the same period (history, not used)


@dataclass
class DeclaredFact(Record):
    """staging.declared_fact: one cell of a declaration form, as validated."""

    company_id: str
    form_sha256: str
    field: str  # top100.form_template field code
    fiscal_year: int
    value: Any  # number in base units for money/count fields; text, bool or ISO date otherwise
    unit: str | None
    scale: float | None
    cell: str  # e.g. "C21"
    raw: str


@dataclass
class Quote(Record):
    """staging.market_quote: a close on (or the last trading day before) the market-value date."""

    company_id: str
    exchange: str
    ticker: str
    requested_date: str
    date: str  # the trading day actually used
    close: float
    currency: str
    total_shares: float | None  # shares (ADS for US listings when ads_ratio is set)
    market_value: float | None  # in `currency`, when the feed gives it
    ads_ratio: float | None  # ordinary shares per ADS
    url: str


@dataclass
class ShareCount(Record):
    """collect/shares.jsonl: the share count a market value used, with its date and source (issue 17).

    The latest count disclosed on or before the valuation date (a filing cover, companyfacts'
    dei:EntityCommonStockSharesOutstanding, a delivered market_values.csv row); today's quote
    snapshot only as a fallback, labelled so (``fallback`` true)."""

    company_id: str
    requested_date: str  # the valuation date
    shares: float  # ordinary shares (all classes)
    as_of: str | None  # the date the count is stated for
    filed: str | None  # when it was published (filing date), if known
    source: str  # e.g. "companyfacts dei:EntityCommonStockSharesOutstanding 10-K 0001640147-21-000073"
    url: str
    fallback: bool = False  # today's snapshot, not a count as of the date


@dataclass
class FxRate(Record):
    """staging.fx_rate: CFETS central parity, CNY per unit of the foreign currency."""

    pair: str  # "USD/CNY" | "HKD/CNY"
    requested_date: str
    date: str  # the date of the rate actually used
    rate: float
    url: str


@dataclass
class LicenceRecord(Record):
    """staging.licence_registry: a row of the licence-registry export."""

    licence_number: str
    licence_type: str
    holder_name: str
    company_id: str | None
    valid_from: str
    valid_until: str
    status: str  # valid | revoked | ...
    source_row: int


@dataclass
class TrafficRecord(Record):
    """staging.traffic: third-party traffic for a company and year (visits, in 万次/day or as delivered)."""

    company_id: str
    fiscal_year: int
    desktop: float
    mobile: float
    source_row: int


@dataclass
class IntegrityRecord(Record):
    """staging.integrity_record: a credit/integrity record for a company."""

    company_id: str
    record_date: str
    kind: str
    disqualifying: bool
    description: str
    source_row: int


@dataclass
class ErrorRow(Record):
    """An input that could not be used: named, with the cause. Nothing is dropped silently."""

    stage: str  # collect | extract | verify | load | score | report
    kind: str  # exception class name
    reason: str
    company_id: str | None = None
    document: str | None = None  # sha256 or file name
    url: str | None = None
    page: int | None = None
    cell: str | None = None


@dataclass
class CompanyRow(Record):
    """clean.company: the registry as declared and verified."""

    company_id: str
    fiscal_year: int
    legal_name: str
    brands: str
    province: str
    business_type: str
    exchange: str | None
    ticker: str | None
    group_parent_id: str | None
    licence_type: str | None
    licence_number: str | None
    self_operated_ecommerce: bool
    eligible: bool = True
    excluded_reason: str | None = None


@dataclass
class MetricRow(Record):
    """clean.company_year_metric: the reconciled value used for scoring."""

    company_id: str
    fiscal_year: int
    metric: str
    value: float | None  # the value used (CNY for money)
    source: str  # declared | annual_report | companyfacts | hk_annual_report | prospectus | derived | quotes | traffic
    source_ref: str | None  # document sha256 and page, or rule inputs
    declared: float | None
    public: float | None
    difference: float | None  # declared - public, relative (0.01 = 1%)
    rule: str  # the reconciliation rule applied
    status: str  # agree | corrected | public_used | declared_only | derived | missing


@dataclass
class Finding(Record):
    """clean.finding: one data-quality result."""

    company_id: str
    fiscal_year: int
    check: str  # top100.vocab.Check
    metric: str  # metric or form field
    kind: str  # e.g. unit_error, mismatch, licence_expired
    severity: str  # top100.vocab.Severity
    message: str
    declared: float | str | None = None
    public: float | str | None = None
    difference: float | None = None
    rule: str | None = None
    status: str = "open"  # open | corrected | excluded
    expectation: str | None = None  # the GX expectation that raised it
    correct_value: float | str | None = None


@dataclass
class RankingRow(Record):
    """marts.ranking."""

    fiscal_year: int
    rank: int
    company_id: str
    name: str
    brands: str
    total_score: float
    indicators: dict[str, float | None] = field(default_factory=dict)
    dimensions: dict[str, float] = field(default_factory=dict)
