"""One cell, one row: read or refused with the file and cell named, the rest used (issue 16).

Forms: figures that NFKC or a lenient parser would turn into another number (footnote marks,
circled digits, digit groups split by a space, digits of two scripts), non-finite and
out-of-range numbers stored as numbers, oversized text, sheets that reach far, zips that
inflate through many small parts. Delivered CSV files: a BOM, a row in another encoding, a
field over the csv module's limit, a NUL, an unclosed quote, each an error row with its row
and byte offset while the other rows are used."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as C

from extractors import delivered
from extractors.forms import read_form

REV = f"C{C.row_of('revenue')}"
EMP = f"C{C.row_of('employees_total')}"


def _patch(path: Path, old: bytes, new: bytes, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of an xlsx: how a hostile exporter stores what openpyxl would not write."""
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for i in src.infolist():
            data = src.read(i.filename)
            if i.filename == part:
                assert old in data, (old, data[:400])
                data = data.replace(old, new, 1)
            dst.writestr(i.filename, data)
    src.close()
    path.write_bytes(buf.getvalue())
    return path


def _declared(res) -> dict:
    return {(d.field, d.fiscal_year): d.value for d in res.declared}


@pytest.mark.parametrize("text,words", [
    ("38,211²", "SUPERSCRIPT TWO"),
    ("⑿", "PARENTHESIZED NUMBER TWELVE"),
    ("⑦", "CIRCLED DIGIT SEVEN"),
    ("12 345", "separated by a space"),
    ("4 500 000", "separated by a space"),
    ("12３45", "half-width and full-width digits mixed"),
    ("١٢٣٤", "ARABIC-INDIC DIGIT"),
    ("1.2e5", "LATIN SMALL LETTER E"),
    ("inf", "LATIN SMALL LETTER I"),
])
def test_a_figure_that_would_be_guessed_is_refused_naming_the_cell(tmp_path, text, words):
    res = read_form(C.write_form(tmp_path / "f.xlsx", {"revenue": (text, 10000.5, "万元")}))
    errs = [e for e in res.errors if e.cell == REV]
    assert len(errs) == 1 and words in errs[0].reason and "revenue" in errs[0].reason, res.errors
    assert len(res.errors) == 1
    got = _declared(res)
    assert ("revenue", 2014) not in got and got[("revenue", 2013)] == 10000.5 * 1e4  # the rest is read
    assert got[("internet_revenue", 2014)] == 9000 * 1e4


@pytest.mark.parametrize("stored,words", [
    (b"1e999", "not a finite number"), (b"-1E400", "not a finite number"), (b"3.5e305", "out of range"),
])
def test_non_finite_and_huge_numbers_stored_as_numbers_are_refused(tmp_path, stored, words):
    p = C.write_form(tmp_path / "f.xlsx", {"revenue": (987654321, 10000.5, "万元")})
    res = read_form(_patch(p, b"<v>987654321</v>", b"<v>" + stored + b"</v>"))
    assert [e.cell for e in res.errors] == [REV] and words in res.errors[0].reason, res.errors
    assert _declared(res)[("net_profit", 2014)] == 900 * 1e4


def test_a_number_cell_that_holds_no_number_is_a_malformed_workbook_named_by_its_cell(tmp_path):
    p = C.write_form(tmp_path / "f.xlsx", {"revenue": (987654321, 10000.5, "万元")})
    res = read_form(_patch(p, b"<v>987654321</v>", b"<v>NaN</v>"))
    assert [e.cell for e in res.errors] == [REV] and "stores 'NaN' as a number" in res.errors[0].reason


def test_a_figure_that_overflows_under_its_unit_is_refused(tmp_path):
    p = C.write_form(tmp_path / "f.xlsx", {"revenue": (987654321, 10000.5, "亿元")})
    res = read_form(_patch(p, b"<v>987654321</v>", b"<v>1.7e308</v>"))
    assert [e.cell for e in res.errors] == [REV] and "out of range" in res.errors[0].reason, res.errors


def test_infinity_in_a_count_cell_is_refused(tmp_path):
    p = C.write_form(tmp_path / "f.xlsx", {"employees_total": (4321, 700, "人")})
    res = read_form(_patch(p, b"<v>4321</v>", b"<v>INF</v>"))
    assert [e.cell for e in res.errors] == [EMP], res.errors


def test_an_oversized_text_cell_is_refused(tmp_path):
    res = read_form(C.write_form(tmp_path / "f.xlsx", {"brands": "品牌、" * 5000}))
    assert [e.cell for e in res.errors] == [f"C{C.row_of('brands')}"] and "characters" in res.errors[0].reason


def test_a_cell_at_the_last_row_is_refused_from_the_sheet_xml(tmp_path):
    res = read_form(C.write_form(tmp_path / "f.xlsx", raw={"C1048576": 1}))
    assert len(res.errors) == 1 and "reaches row 1048576" in res.errors[0].reason, res.errors
    res = read_form(C.write_form(tmp_path / "g.xlsx", raw={"XFD9": "x"}))
    assert len(res.errors) == 1 and "reaches column XFD" in res.errors[0].reason, res.errors


def _many_parts(path: Path, parts: int, size: int) -> Path:
    good = zipfile.ZipFile(C.write_form(path.with_suffix(".good.xlsx")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in good.infolist():
            z.writestr(i.filename, good.read(i.filename))
        for n in range(parts):
            z.writestr(f"xl/media/pad{n}.bin", b"\0" * size)
    return path


def test_many_small_parts_that_inflate_together_are_refused(tmp_path):
    # 40 parts of 900 KB, each under any "large part" threshold: 36 MB from about 40 KB
    res = read_form(_many_parts(tmp_path / "parts.xlsx", 40, 900_000))
    assert len(res.errors) == 1 and "a zip bomb?" in res.errors[0].reason, res.errors
    # and parts far smaller, one by one, still past the ratio
    res = read_form(_many_parts(tmp_path / "small.xlsx", 300, 100_000))
    assert len(res.errors) == 1 and "a zip bomb?" in res.errors[0].reason, res.errors


# --- delivered files ---------------------------------------------------------------------------
INTEGRITY = "company_id,record_date,kind,disqualifying,description\n"


def test_a_bom_and_one_row_in_another_encoding_refuse_only_that_row(tmp_path):
    rows = [b"C0001,2014-03-02,tax,false,late filing\n",
            "C0002,2014-05-06,fraud,true,虚假宣传被处罚\n".encode("gbk"),
            b"C0003,2014-07-08,tax,true,evasion\n"]
    p = tmp_path / "integrity.csv"
    data = b"\xef\xbb\xbf" + INTEGRITY.encode() + b"".join(rows)
    p.write_bytes(data)
    res = delivered.read_integrity(p)
    assert [(r.company_id, r.source_row) for r in res.rows] == [("C0001", 2), ("C0003", 4)]
    assert len(res.errors) == 1
    e = res.errors[0]
    offset = data.index(rows[1])
    assert e.kind == "UnreadableRow" and e.company_id == "C0002" and e.document == "integrity.csv"
    assert e.cell == f"row 3, byte {offset}" and "not UTF-8" in e.reason
    bad = data.index("虚".encode("gbk"))
    assert f"byte offset {bad}" in e.reason


def test_a_field_over_the_csv_limit_and_a_nul_are_error_rows(tmp_path):
    p = tmp_path / "integrity.csv"
    p.write_text(INTEGRITY + "C0001,2014-03-02,tax,false,\"" + "长" * 140_000 + "\"\n"
                 + "C0002,2014-05-06,tax,false,ok\n" + "C0003,2014-05-06,tax,false,a\0b\n"
                 + "C0004,2014-05-06,tax,true,fine\n", encoding="utf-8")
    res = delivered.read_integrity(p)
    assert [r.company_id for r in res.rows] == ["C0002", "C0004"]
    by = {e.company_id: e for e in res.errors}
    assert set(by) == {"C0001", "C0003"}
    assert by["C0001"].cell.startswith("row 2, byte ") and "bytes (limit" in by["C0001"].reason
    assert by["C0003"].cell.startswith("row 4, byte ") and by["C0003"].kind == "UnreadableRow"


def test_an_unclosed_quote_names_its_row_and_keeps_the_rows_before(tmp_path):
    p = tmp_path / "traffic.csv"
    p.write_text("company_id,fiscal_year,desktop,mobile\nC0001,2014,1,2\nC0002,2014,\"3,4\nC0003,2014,5,6\n",
                 encoding="utf-8")
    res = delivered.read_traffic(p)
    assert [r.company_id for r in res.rows] == ["C0001"]
    assert len(res.errors) == 1 and res.errors[0].cell == "row 3, byte 53"
    assert "never closed" in res.errors[0].reason


@pytest.mark.parametrize("cell", ["1e999", "Infinity", "NaN", "-inf", "12 000", "8,888³", "⑨"])
def test_non_finite_or_guessed_numbers_in_a_delivered_cell_are_refused(tmp_path, cell):
    p = tmp_path / "traffic.csv"
    p.write_text(f"company_id,fiscal_year,desktop,mobile\nC0001,2014,\"{cell}\",2\nC0002,2014,3,4\n", encoding="utf-8")
    res = delivered.read_traffic(p)
    assert [r.company_id for r in res.rows] == ["C0002"]
    assert [e.cell for e in res.errors] == ["row 2, column desktop"] and "is not a number" in res.errors[0].reason


def test_a_header_in_another_encoding_refuses_the_file_with_one_error(tmp_path):
    p = tmp_path / "licence_registry.csv"
    p.write_bytes("许可证编号,类型\n".encode("gbk") + b"x,y\n")
    res = delivered.read_licences(p)
    assert res.rows == [] and len(res.errors) == 1 and res.errors[0].cell.startswith("row 1")
    assert re.search(r"header unreadable: not UTF-8", res.errors[0].reason)


def test_rows_without_their_references_are_counted_and_refused(tmp_path):
    """Rows written without r="…" (a writer may leave the references out) pass no reference
    check: they are counted as elements and refused from the XML, before openpyxl. (Varied text,
    so that the zip-ratio check does not stop the file first.)"""
    import os
    import time

    good = zipfile.ZipFile(C.write_form(tmp_path / "g.xlsx"))
    sheet = next(n for n in good.namelist() if n.startswith("xl/worksheets/sheet"))
    xml = good.read(sheet)
    flood = b"".join(b"<row><c t=\"inlineStr\"><is><t>" + os.urandom(12).hex().encode() + b"</t></is></c></row>"
                     for _ in range(5_000))
    patched = xml.replace(b"</sheetData>", flood + b"</sheetData>")
    out = tmp_path / "flood.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            z.writestr(info, patched if info.filename == sheet else good.read(info.filename))
    started = time.perf_counter()
    res = read_form(out)
    assert len(res.errors) == 1 and "more than 1000 rows" in res.errors[0].reason, res.errors
    assert time.perf_counter() - started < 30  # refused from the stream, not after building 300,000 rows
