"""The one registry of document readers, keyed by document type (top100.vocab.DocType).

``read(doc_type, path, *, company_id, sha256, name, settings) -> ExtractResult`` is the only way
a document is read, by the extract stage (flows.extract_task, flows.candidates through
extractors.isolated) and by `top100 extract` (extractors.command) alike:

| document type | reader module | what the result holds |
|---|---|---|
| annual_report | cn_annual | facts, errors |
| hk_annual_report | hk_annual | facts, errors |
| prospectus | prospectus (PDF or pdf2jsonl text) | facts, errors |
| companyfacts | companyfacts | facts, errors |
| 20-F, F-1, 424B4 | sec_filing (HTML as filed) | facts, errors |
| declaration_form | forms | declared (every cell), facts (money and count cells), errors |
| licence_registry, traffic, integrity, listings | delivered | rows, errors |

A type of None is told from the file's content (extractors.sniffing). Whatever the input, ``read``
returns: a document that cannot be read gives an error row (document, page, reason), never an
exception. The reader modules are imported when first used, so `top100 extract` loads only the
one it needs.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from extractors.result import ExtractResult, error_row
from top100.errors import DocumentUnreadable, ExtractionError, TableNotFound
from top100.records import Fact
from top100.vocab import DocType, Metric


@dataclass(frozen=True)
class Document:
    """One document as a reader gets it."""

    path: Path
    data: bytes | None  # the file's bytes; None for a reader that reads the file itself
    doc_type: str
    name: str  # the file's name, for error rows
    sha256: str | None
    company_id: str | None
    settings: object | None  # the reader's settings dataclass (e.g. CnAnnualSettings), or None: defaults


@dataclass(frozen=True)
class Reader:
    """How one document type is read."""

    module: str  # extractors.<module> reads it; its NAME and VERSION name and version the reader
    read: Callable[[Document], ExtractResult]
    # part of extractors.VERSION, the extract cache key (the inbox readers' own versions key the
    # inbox read cache instead: flows.candidates)
    in_extract_cache_key: bool = True
    reads_the_file: bool = False  # opens the file itself (a delivered CSV, with its own size limit)

    def extractor(self) -> ModuleType:
        return importlib.import_module(f"extractors.{self.module}")


def _with_settings(module: str, settings_class: str) -> Callable[[Document], ExtractResult]:
    """A PDF or JSON reader: ``extract(data, company_id=, sha256=, settings=)`` of ``module``, given
    the caller's settings when they are of its own settings class."""
    def read_one(doc: Document) -> ExtractResult:
        extractor = importlib.import_module(f"extractors.{module}")
        own = doc.settings if isinstance(doc.settings, getattr(extractor, settings_class)) else None
        return extractor.extract(doc.data, company_id=doc.company_id, sha256=doc.sha256, settings=own)
    return read_one


def _sec_filing(doc: Document) -> ExtractResult:
    from extractors import sec_filing  # SEC filings as filed (HTML): 20-F/10-K/40-F, F-1, 424B4

    if doc.data.lstrip()[:5] == b"%PDF-":
        raise ExtractionError(f"no extractor reads {doc.doc_type} documents as PDF (extractors.sec_filing reads the "
                              "filing as filed, in HTML)")
    return sec_filing.extract(doc.data, company_id=doc.company_id, sha256=doc.sha256, doc_type=doc.doc_type)


def _declaration_form(doc: Document) -> ExtractResult:
    """Every cell of a declaration form (``declared``), and its money and count cells as facts
    (for `top100 extract form.xlsx`)."""
    from extractors import forms
    from top100.form_template import FIELD_BY_CODE

    result = forms.read_form(doc.data, doc.sha256)
    metrics = {m.value for m in Metric}
    result.facts = [
        Fact(company_id=d.company_id, document_sha256=doc.sha256, doc_type=str(DocType.declaration_form), metric=d.field,
             fiscal_year=d.fiscal_year, value=d.value, currency="CNY" if d.unit in (None, "元", "千元", "万元", "百万元", "亿元") and
             FIELD_BY_CODE[d.field].kind == "money" else "", page=None,
             label=f"{FIELD_BY_CODE[d.field].label} ({d.cell})", raw=d.raw, unit=d.unit or "", scale=d.scale or 1.0,
             bbox=None, extractor=forms.NAME, extractor_version=forms.VERSION)
        for d in result.declared
        if d.field in metrics and isinstance(d.value, (int, float)) and not isinstance(d.value, bool)
    ]
    return result


def _delivered(function: str) -> Callable[[Document], ExtractResult]:
    def read_one(doc: Document) -> ExtractResult:
        from extractors import delivered

        return getattr(delivered, function)(doc.path, doc.name)
    return read_one


_SEC_FILING = Reader("sec_filing", _sec_filing)
_DELIVERED = {"in_extract_cache_key": False, "reads_the_file": True}

READERS: dict[str, Reader] = {
    DocType.annual_report: Reader("cn_annual", _with_settings("cn_annual", "CnAnnualSettings")),
    DocType.hk_annual_report: Reader("hk_annual", _with_settings("hk_annual", "HkAnnualSettings")),
    DocType.prospectus: Reader("prospectus", _with_settings("prospectus", "ProspectusSettings")),
    DocType.companyfacts: Reader("companyfacts", _with_settings("companyfacts", "CompanyFactsSettings")),
    DocType.form_20f: _SEC_FILING,
    DocType.form_f1: _SEC_FILING,
    DocType.form_424b4: _SEC_FILING,
    DocType.declaration_form: Reader("forms", _declaration_form),
    DocType.licence_registry: Reader("delivered", _delivered("read_licences"), **_DELIVERED),
    DocType.traffic: Reader("delivered", _delivered("read_traffic"), **_DELIVERED),
    DocType.integrity: Reader("delivered", _delivered("read_integrity"), **_DELIVERED),
    DocType.listings: Reader("delivered", _delivered("read_listings"), **_DELIVERED),
}

# the inbox's declaration forms and delivered files: read once per run, for the collect and the
# extract stage alike (flows.candidates.read_inbox, in bounded workers: extractors.isolated)
INBOX_TYPES = frozenset({DocType.declaration_form, DocType.licence_registry, DocType.traffic, DocType.integrity,
                         DocType.listings})
# every other document (reports, prospectuses, filings, companyfacts): one cached worker task each
# in the extract stage (flows.extract_task)
EXTRACTED_TYPES = frozenset(READERS) - INBOX_TYPES


def reader_versions() -> dict[str, str]:
    """Extractor name -> version of the readers whose results the extract cache keeps."""
    modules = {r.extractor() for r in READERS.values() if r.in_extract_cache_key}
    return dict(sorted((m.NAME, m.VERSION) for m in modules))


def read(doc_type: str | None, path: Path | str, *, company_id: str | None = None, sha256: str | None = None,
         name: str | None = None, settings: object | None = None) -> ExtractResult:
    """What one document holds and the errors met reading it; never raises for bad input.

    ``doc_type``: a top100.vocab.DocType, or None to tell it from the content (extractors.sniffing);
    ``name``: the file's name in error rows (default: the path's); ``settings``: the settings
    dataclass of the document's reader (e.g. CnAnnualSettings), used when it is the one chosen."""
    path = Path(path)
    name = name or path.name
    reader = READERS.get(str(doc_type)) if doc_type else None
    if reader is not None and reader.reads_the_file:
        return reader.read(Document(path, None, str(doc_type), name, sha256, company_id, settings))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ExtractResult(errors=[error_row(DocumentUnreadable(f"cannot read the file: {exc.strerror}"),
                                               document=name, company_id=company_id)])
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    try:
        if doc_type:
            kind = str(doc_type)
        else:
            from extractors.sniffing import sniff

            kind = sniff(data)
        if not data:
            raise DocumentUnreadable("zero-byte file")
        if kind is None:
            raise DocumentUnreadable("not a PDF, companyfacts JSON, pdf2jsonl text or xlsx declaration form")
        reader = READERS.get(kind)
        if reader is None:
            raise ExtractionError(f"no extractor reads documents of type {kind!r} (the types read: "
                                  f"{', '.join(sorted(READERS))})")
        result = reader.read(Document(path, data, kind, name, sha256, company_id, settings))
        return _checked(result, kind, name, sha256, company_id)
    except Exception as exc:  # the stage goes on: any failure is this document's error row
        return ExtractResult(errors=[error_row(exc, document=name, company_id=company_id)])


def _checked(result: ExtractResult, kind: str, name: str, sha256: str, company_id: str | None) -> ExtractResult:
    """No silent empties, single sources marked, error rows naming the file."""
    if result.is_empty():  # a document that gave nothing says so
        result.errors.append(error_row(TableNotFound(f"no figure could be read from this {kind} document"),
                                       document=name, company_id=company_id))
    from extractors.corroborate import mark_single_sources

    mark_single_sources(result)
    for e in result.errors:  # error rows name the document by file name where the reader had bytes only
        if e.document in (None, sha256[:12]):
            e.document = name
    return result
