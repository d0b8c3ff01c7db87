"""The hostile and broken input corpus (issue 10): each file gives one clear error naming the
file (and the page or cell) and the cause; no exception, no hang, no runaway memory.

PDFs go through the path the extract stage uses: one worker process per document with a time
and a memory limit (extractors.isolated.extract_isolated)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/hostile has no package

import corpus as C

from extractors import delivered
from extractors.forms import read_form
from extractors.isolated import extract_isolated

# (maker, error kind, words the cause must carry, page named?)
PDFS = [
    (C.zero_byte_pdf, "DocumentUnreadable", "zero-byte", False),
    (C.truncated_pdf, "DocumentUnreadable", "truncated", False),
    (C.encrypted_pdf, "DocumentUnreadable", "encrypted", False),
    (C.image_only_pdf, "DocumentUnreadable", "no text layer", True),
    (C.deeply_nested_pdf, "DocumentUnreadable", "no text layer", True),
]
FORMS = [  # (maker, cell, words of the cause)
    (C.formula_form, f"C{C.row_of('revenue')}", "a formula ('=D"),
    (C.macro_form, None, "macro-enabled workbook (xl/vbaProject.bin): refused"),
    (C.zip_bomb_form, None, "would inflate to 80000"),
    (C.text_in_numeric_form, f"C{C.row_of('revenue')}", "text '一亿两千万' where a number belongs"),
    (C.wrong_date_form, f"C{C.row_of('licence_valid_until')}", "'05/01/2017' is not a date (YYYY-MM-DD)"),
    (C.path_company_form, f"C{C.row_of('company_id')}", "invalid company id '../../etc/passwd'"),
]
CSVS = [  # (maker, reader, cell, words of the cause)
    (C.traffic_text_in_number, delivered.read_traffic, "row 2, column desktop", "desktop: '很多' is not a number"),
    (C.integrity_wrong_date, delivered.read_integrity, "row 2, column record_date", "'25/06/2015' is not a date"),
    (C.traffic_duplicate_row, delivered.read_traffic, "row 4", "duplicate row: repeats row 2"),
]


@pytest.mark.parametrize("make,kind,cause,paged", PDFS, ids=[m[0].__name__ for m in PDFS])
def test_broken_pdfs_give_one_clear_error(tmp_path, make, kind, cause, paged):
    path = make(tmp_path)
    res = extract_isolated(path, "annual_report", timeout_s=60, memory_mb=1024, company_id="C0042", sha256="ab" * 32)
    assert res.facts == []
    assert len(res.errors) == 1, res.errors
    e = res.errors[0]
    assert (e.kind, e.document, e.company_id, e.stage) == (kind, path.name, "C0042", "extract")
    assert cause in e.reason and (e.page is not None) == paged, e


def test_a_pdf_with_200000_pages_is_stopped_by_the_time_limit(tmp_path):
    path = C.huge_page_count_pdf(tmp_path)
    assert path.stat().st_size < 3_000_000  # small on disk, endless to walk
    t0 = time.monotonic()
    res = extract_isolated(path, "annual_report", timeout_s=3, company_id="C0042")
    assert time.monotonic() - t0 < 15
    assert [(e.kind, e.document) for e in res.errors] == [("Timeout", "huge_pages.pdf")]
    assert "within 3 s" in res.errors[0].reason and res.facts == []


def test_a_decompression_bomb_is_stopped_by_the_memory_limit(tmp_path):
    path = C.inflating_pdf(tmp_path)  # 0.3 MB that inflate to 300 MB
    assert path.stat().st_size < 1_000_000
    t0 = time.monotonic()
    res = extract_isolated(path, "annual_report", timeout_s=60, memory_mb=200, company_id="C0042")
    assert time.monotonic() - t0 < 30
    assert res.facts == [] and len(res.errors) == 1
    e = res.errors[0]
    assert e.kind in ("MemoryError", "WorkerCrash") and e.document == "inflating.pdf"
    assert "200 MB" in e.reason and e.company_id == "C0042"


@pytest.mark.parametrize("make,cell,cause", FORMS, ids=[m[0].__name__ for m in FORMS])
def test_hostile_forms_give_one_clear_error(tmp_path, make, cell, cause):
    path = make(tmp_path)
    res = read_form(path)
    assert len(res.errors) == 1, res.errors
    e = res.errors[0]
    assert e.document == path.name and e.cell == cell and cause in e.reason, e
    if cell is None or "company id" in cause:  # refused whole: nothing is attributed to anyone
        assert res.declared == []
    else:  # one cell refused, the rest of the form read
        assert not any(d.cell == cell for d in res.declared) and len(res.declared) > 20


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","点我")', ' =HYPERLINK("http://x","y")'])
def test_a_name_that_is_a_formula_is_refused_even_stored_as_text(tmp_path, name):
    res = read_form(C.write_form(tmp_path / "name.xlsx", {"legal_name": name}))
    assert len(res.errors) == 1 and res.errors[0].cell == f"C{C.row_of('legal_name')}"
    assert "a formula" in res.errors[0].reason and "legal_name" in res.errors[0].reason
    assert not any(d.field == "legal_name" for d in res.declared)


def test_other_hostile_names_are_kept_as_text_for_the_writers_to_neutralise(tmp_path):
    names = {"legal_name": "@SUM(1+1)*cmd|' /C calc'!A0", "brands": "<script>alert(1)</script>",
             "group_parent_id": None}
    res = read_form(C.write_form(tmp_path / "name.xlsx", names))
    assert res.errors == []
    got = {d.field: d.value for d in res.declared}
    assert got["legal_name"] == names["legal_name"] and got["brands"] == names["brands"]


@pytest.mark.parametrize("make,reader,cell,cause", CSVS, ids=[m[0].__name__ for m in CSVS])
def test_broken_delivered_files_give_one_clear_error(tmp_path, make, reader, cell, cause):
    path = make(tmp_path)
    res = reader(path)
    assert len(res.errors) == 1, res.errors
    e = res.errors[0]
    assert e.document == path.name and e.cell == cell and cause in e.reason, e


def test_duplicate_rows_keep_the_first_and_conflicting_rows_keep_none(tmp_path):
    dup = delivered.read_traffic(C.traffic_duplicate_row(tmp_path))
    assert [(r.company_id, r.source_row) for r in dup.rows] == [("C0001", 2), ("C0002", 3)]
    conflict = delivered.read_traffic(C.traffic_conflicting_rows(tmp_path))
    assert [r.company_id for r in conflict.rows] == ["C0002"]  # which C0001 row is right is not guessed
    assert [e.cell for e in conflict.errors] == ["row 2", "row 3"]
    assert all("conflicting rows 2, 3 for company_id=C0001, fiscal_year=2014: none used" in e.reason
               and e.company_id == "C0001" for e in conflict.errors)
