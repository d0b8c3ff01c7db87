"""Bad input gives one clear error row (document, page, reason) and never an exception."""

from __future__ import annotations

import pytest

from extract_badpdf import cid_pdf, image_only_pdf
from extract_synth import Text, make_pdf
import extractors
from extractors.isolated import extract_isolated, extract_isolated_many


def _report(path, **kw):
    return make_pdf(path, [[Text(200, 100, "2014年年度报告"), Text(60, 140, "公司代码：600999")]] * 3, **kw)


def _one_error(result, name):
    assert result.facts == []
    assert len(result.errors) == 1, result.errors
    e = result.errors[0]
    assert e.stage == "extract" and e.document == name and e.reason
    return e


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert "zero-byte" in _one_error(extractors.read("annual_report", p), "empty.pdf").reason


def test_not_a_pdf(tmp_path):
    p = tmp_path / "page.pdf"
    p.write_bytes(b"<html><body>blocked</body></html>")
    assert "not a PDF" in _one_error(extractors.read("annual_report", p), "page.pdf").reason


def test_unknown_file_when_sniffing(tmp_path):
    p = tmp_path / "thing.bin"
    p.write_bytes(b"\x00\x01\x02 not anything")
    e = _one_error(extractors.read(None, p), "thing.bin")
    assert "not a PDF, companyfacts JSON" in e.reason


def test_truncated_pdf(tmp_path):
    whole = _report(tmp_path / "whole.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(whole[: len(whole) // 2])
    e = _one_error(extractors.read("annual_report", p), "cut.pdf")
    assert e.kind == "DocumentUnreadable" and "truncated" in e.reason


def test_encrypted_pdf(tmp_path):
    p = _report(tmp_path / "locked.pdf", encrypt="secret")
    e = _one_error(extractors.read("annual_report", p), "locked.pdf")
    assert e.kind == "DocumentUnreadable" and "encrypted" in e.reason


def test_image_only_pdf(tmp_path):
    p = tmp_path / "scan.pdf"
    image_only_pdf(p)
    e = _one_error(extractors.read("annual_report", p), "scan.pdf")
    assert "image-only" in e.reason and e.page == 1


def test_glyph_id_text_pdf(tmp_path):
    p = tmp_path / "cid.pdf"
    p.write_bytes(cid_pdf())
    e = _one_error(extractors.read("annual_report", p), "cid.pdf")
    assert "(cid:" in e.reason


def test_glyph_id_text_pdf_with_pdfplumber_engine(tmp_path):
    from extractors.layout import words_of_pages
    from top100.errors import DocumentUnreadable

    with pytest.raises(DocumentUnreadable, match=r"\(cid:"):
        words_of_pages(cid_pdf(), [1], "cid.pdf")


def test_report_without_the_sections(tmp_path):
    p = _report(tmp_path / "thin.pdf")
    e = _one_error(extractors.read("annual_report", p), "thin.pdf")
    assert e.kind == "TableNotFound" and "主要会计数据和财务指标" in e.reason


@pytest.mark.parametrize("doc_type", ["hk_annual_report", "prospectus", "companyfacts", "declaration_form"])
def test_each_reader_survives_garbage(tmp_path, doc_type):
    p = tmp_path / "garbage.dat"
    p.write_bytes(b"%PDF-1.4\n garbage \n")
    result = extractors.read(doc_type, p)
    assert result.facts == [] and len(result.errors) == 1 and result.errors[0].document == "garbage.dat"


def test_unsupported_type_is_an_error_row(tmp_path):
    p = _report(tmp_path / "f1.pdf")
    e = _one_error(extractors.read("20-F", p), "f1.pdf")
    assert "no extractor" in e.reason


def test_missing_file(tmp_path):
    e = _one_error(extractors.read("annual_report", tmp_path / "gone.pdf"), "gone.pdf")
    assert "cannot read" in e.reason


def test_isolated_worker_reads_a_document(tmp_path):
    from extract_synth import filler

    p = make_pdf(tmp_path / "small.pdf", filler(2))
    result = extract_isolated(p, "annual_report", timeout_s=60)
    assert result.facts == [] and [e.kind for e in result.errors] == ["TableNotFound"]


def test_isolated_worker_timeout_is_an_error_row(tmp_path):
    from extract_synth import filler

    p = make_pdf(tmp_path / "slow.pdf", filler(30))
    result = extract_isolated(p, "annual_report", timeout_s=0.001)
    assert [e.kind for e in result.errors] == ["Timeout"] and result.errors[0].document == "slow.pdf"


def test_isolated_many_keeps_the_order(tmp_path):
    good = _report(tmp_path / "a.pdf")
    empty = tmp_path / "b.pdf"
    empty.write_bytes(b"")
    results = extract_isolated_many([{"path": good, "doc_type": "annual_report", "company_id": "C0001"},
                                     {"path": empty, "doc_type": "annual_report"}], timeout_s=60)
    assert [r.errors[0].document for r in results] == ["a.pdf", "b.pdf"]
    assert results[0].errors[0].company_id == "C0001" and "zero-byte" in results[1].errors[0].reason
