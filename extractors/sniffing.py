"""The document type of a file from its content (for ``extractors.read(None, path)``: extractors.registry)."""

from __future__ import annotations

import json
import re

from top100.errors import ExtractionError
from top100.vocab import DocType


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
    from extractors.hk_pages import looks_hk

    if looks_hk(raw):  # before simplify() makes a traditional 年度報告 look like an A-share 年度报告
        return DocType.hk_annual_report
    if annual or re.search(r"股票代码|公司代码|证券代码|证券简称", text):  # A-share cover and company pages
        return DocType.annual_report
    if re.search(r"(?i)股份代号|stock code|annual report|联交所|联合交易所", text):
        return DocType.hk_annual_report
    return DocType.annual_report
