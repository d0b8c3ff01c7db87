"""extractors package of top100 (see docs/CONTRACTS.md): every document's figures, with provenance.

``extract_document(path, doc_type, *, company_id, sha256) -> ExtractResult(facts, errors)`` picks
the extractor by document type (top100.vocab.DocType), or sniffs the file when the type is None.
Whatever the input, it returns: a document that cannot be read gives one error row (document,
page, reason), never an exception.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from extractors.result import ExtractResult, error_row
from top100.errors import DocumentUnreadable, ExtractionError
from top100.records import Fact
from top100.vocab import DocType, Metric

__all__ = ["ExtractResult", "extract_document", "sniff", "EXTRACTOR_VERSIONS", "VERSION"]


def _versions() -> dict[str, str]:
    from extractors import cn_annual, companyfacts, forms, hk_annual, prospectus, sec_filing

    return {m.NAME: m.VERSION for m in (cn_annual, hk_annual, prospectus, companyfacts, forms, sec_filing)}


def __getattr__(name: str):
    if name == "EXTRACTOR_VERSIONS":  # extractor name -> version
        return _versions()
    if name == "VERSION":  # one path-safe version of all extractors: the extract cache key
        joined = ";".join(f"{k}={v}" for k, v in sorted(_versions().items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:12]
    raise AttributeError(name)


def sniff(data: bytes) -> str | None:
    """The document type of a file from its content, or None when it cannot be told."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return _sniff_pdf(data)
    if head.startswith(b"PK\x03\x04"):
        return DocType.declaration_form
    if head.startswith(b"{"):
        from extractors.prospectus import is_pdf2jsonl

        if is_pdf2jsonl(data):
            return DocType.prospectus
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return DocType.companyfacts if isinstance(doc, dict) and "facts" in doc else None
    if head.startswith(b"<") and re.search(rb"securities\s+and\s+exchange\s+commission", data[:200_000], re.I):
        return DocType.form_20f  # an SEC filing as filed (HTML): extractors.sec_filing
    return None


def _sniff_pdf(data: bytes) -> str | None:
    from extractors.labels import simplify
    from extractors.layout import TextPass

    try:
        tp = TextPass(data, "sniff")
    except ExtractionError:
        return DocType.annual_report  # unreadable: the annual-report reader reports why
    try:
        raw = "\n".join(tp.text(n) for n in range(1, min(tp.n_pages, 4) + 1))
        text = simplify(raw)
    finally:
        tp.close()
    # the title comes first: a cover (or the running header of every page) says what the document
    # is, and a report that later cites its prospectus (详见招股说明书) is still an annual report
    prospectus = re.search(r"招股说明书|招股意向书", text)
    annual = re.search(r"年度报告", text)
    if prospectus and (annual is None or prospectus.start() < annual.start()):
        return DocType.prospectus
    from extractors.hk_annual import looks_hk

    if looks_hk(raw):  # before simplify() makes a traditional 年度報告 look like an A-share 年度报告
        return DocType.hk_annual_report
    if annual or re.search(r"股票代码|公司代码|证券代码|证券简称", text):  # A-share cover and company pages
        return DocType.annual_report
    if re.search(r"(?i)股份代号|stock code|annual report|联交所|联合交易所", text):
        return DocType.hk_annual_report
    return DocType.annual_report


def extract_document(path: Path | str, doc_type: str | None = None, *, company_id: str | None = None,
                     sha256: str | None = None, settings: object | None = None) -> ExtractResult:
    """The facts of one document and the errors met reading it; never raises for bad input.

    ``settings``: the settings dataclass of the document's extractor (e.g. CnAnnualSettings), used
    when it is the one chosen; defaults otherwise."""
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ExtractResult(errors=[error_row(DocumentUnreadable(f"cannot read the file: {exc.strerror}"),
                                               document=name, company_id=company_id)])
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    try:
        kind = doc_type or sniff(data)
        if not data:
            raise DocumentUnreadable("zero-byte file")
        if kind is None:
            raise DocumentUnreadable("not a PDF, companyfacts JSON, pdf2jsonl text or xlsx declaration form")
        return _dispatch(data, str(kind), company_id, sha256, name, settings)
    except Exception as exc:  # the stage goes on: any failure is this document's error row
        return ExtractResult(errors=[error_row(exc, document=name, company_id=company_id)])


def _dispatch(data: bytes, kind: str, company_id: str | None, sha256: str, name: str,
              settings: object | None = None) -> ExtractResult:
    from extractors import cn_annual, companyfacts, hk_annual, prospectus

    readers = {
        DocType.annual_report: (cn_annual.extract, cn_annual.CnAnnualSettings),
        DocType.hk_annual_report: (hk_annual.extract, hk_annual.HkAnnualSettings),
        DocType.prospectus: (prospectus.extract, prospectus.ProspectusSettings),
        DocType.companyfacts: (companyfacts.extract, companyfacts.CompanyFactsSettings),
    }
    if kind in (DocType.form_20f, DocType.form_f1, DocType.form_424b4):
        from extractors import sec_filing  # SEC filings as filed (HTML): 20-F/10-K/40-F, F-1, 424B4

        if data.lstrip()[:5] == b"%PDF-":
            raise ExtractionError(f"no extractor reads {kind} documents as PDF (extractors.sec_filing reads the "
                                  "filing as filed, in HTML)")
        result = sec_filing.extract(data, company_id=company_id, sha256=sha256, doc_type=str(kind))
    elif kind in readers:
        fn, settings_type = readers[DocType(kind)]
        own = settings if isinstance(settings, settings_type) else None
        result = fn(data, company_id=company_id, sha256=sha256, settings=own)
    elif kind == DocType.declaration_form:
        result = _form_facts(data, sha256)
    else:
        raise ExtractionError(f"no extractor reads documents of type {kind!r} (figures of US filers come from "
                              "companyfacts; delivered CSVs from extractors.delivered)")
    for e in result.errors:  # error rows name the document by file name where the reader had bytes only
        if e.document in (None, sha256[:12]):
            e.document = name
    return result


def _form_facts(data: bytes, sha256: str) -> ExtractResult:
    """A declaration form's money and count fields as facts (for `top100 extract form.xlsx`)."""
    from extractors import forms
    from top100.form_template import FIELD_BY_CODE

    fr = forms.read_form(data, sha256)
    metrics = {m.value for m in Metric}
    facts = [
        Fact(company_id=d.company_id, document_sha256=sha256, doc_type=str(DocType.declaration_form), metric=d.field,
             fiscal_year=d.fiscal_year, value=d.value, currency="CNY" if d.unit in (None, "元", "千元", "万元", "百万元", "亿元") and
             FIELD_BY_CODE[d.field].kind == "money" else "", page=None,
             label=f"{FIELD_BY_CODE[d.field].label} ({d.cell})", raw=d.raw, unit=d.unit or "", scale=d.scale or 1.0,
             bbox=None, extractor=forms.NAME, extractor_version=forms.VERSION)
        for d in fr.declared if d.field in metrics and isinstance(d.value, (int, float)) and not isinstance(d.value, bool)
    ]
    return ExtractResult(facts=facts, errors=fr.errors)
