"""What every document reader returns (``ExtractResult``), and the one way a fact is made from a
printed figure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from extractors.numbers import Unit, to_float
from top100.errors import Top100Error
from top100.records import DeclaredFact, ErrorRow, Fact

# The version of the shared reading code (layout, tables, labels, numbers, picking): part of every
# PDF extractor's VERSION, so that a change there changes the extract cache key. Bump it with them.
READER_VERSION = "r5"


@dataclass
class ExtractResult:
    """What a document reader (extractors.registry) gives for one document: the figures it read,
    and an error row for everything it could not read (never an exception for bad input).

    ``facts``: figures with their provenance (reports, prospectuses, filings, companyfacts; a
    declaration form's money and count cells, for `top100 extract`); ``declared``: every cell of a
    declaration form, validated (extractors.forms); ``rows``: the records of a delivered CSV file's
    valid rows (extractors.delivered). A reader fills the lists its document type has."""

    facts: list[Fact] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    declared: list[DeclaredFact] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)

    def extend(self, other: "ExtractResult") -> None:
        self.facts.extend(other.facts)
        self.errors.extend(other.errors)
        self.declared.extend(other.declared)
        self.rows.extend(other.rows)

    def is_empty(self) -> bool:
        """Nothing read and no error said why (a reader must never leave it so: extractors.read)."""
        return not (self.facts or self.errors or self.declared or self.rows)


def load(source: Path | str | bytes, sha256: str | None) -> tuple[bytes, str, str]:
    """(bytes, sha256, a name for messages) of a document given as a path or bytes."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        name = None
    else:
        data = Path(source).read_bytes()
        name = Path(source).name
    digest = sha256 or hashlib.sha256(data).hexdigest()
    return data, digest, name or digest[:12]


def error_row(exc: Exception, *, document: str, company_id: str | None = None, page: int | None = None) -> ErrorRow:
    """An error row from any exception; project errors keep their page and cell."""
    if isinstance(exc, Top100Error):
        row = exc.as_row()
        return ErrorRow(stage="extract", kind=row["kind"], reason=row["reason"],
                        company_id=row["company_id"] or company_id, document=row["document"] or document,
                        url=row["url"], page=row["page"] if row["page"] is not None else page, cell=row["cell"])
    return ErrorRow(stage="extract", kind=type(exc).__name__, reason=f"{type(exc).__name__}: {exc}",
                    company_id=company_id, document=document, page=page)


@dataclass(frozen=True)
class Origin:
    """Which document, and which extractor read it."""

    sha256: str
    doc_type: str
    company_id: str | None
    extractor: str
    version: str


def make_fact(origin: Origin, metric: str, year: int, number: Decimal, unit: Unit, *, page: int | None,
              label: str, raw: str, bbox: tuple | list | None, basis: str | None = None,
              restated: bool = False, positive: bool = False, period_start: str | None = None,
              period_end: str | None = None, superseded: bool = False) -> Fact:
    """A fact with its provenance. ``positive``: a cost printed as a deduction ``(202,198)`` is
    stored as a positive amount (costs are positive, losses negative)."""
    value = unit.apply(number)
    if positive:
        value = abs(value)
    return Fact(
        company_id=origin.company_id, document_sha256=origin.sha256, doc_type=origin.doc_type, metric=metric,
        fiscal_year=year, value=to_float(value), currency=unit.currency or "", page=page,
        label=" ".join(label.split()), raw=raw, unit=unit.printed, scale=float(unit.scale),
        bbox=[round(float(v), 2) for v in bbox] if bbox else None, extractor=origin.extractor,
        extractor_version=origin.version, basis=basis, restated=restated, period_start=period_start,
        period_end=period_end, superseded=superseded,
    )
