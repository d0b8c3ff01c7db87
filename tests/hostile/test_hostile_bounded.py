"""Forms and delivered files are read in worker processes with time and memory limits, once per
run (issue 16)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as C

from extractors.isolated import read_inbox_file, read_inbox_isolated
from top100.paths import YearPaths, raw_path
from top100.records import DocumentRow


def test_a_form_read_in_a_worker_equals_the_in_process_read(tmp_path):
    p = C.write_form(tmp_path / "C0042.xlsx", {"revenue": ("12 345", 10000.5, "万元")})
    here = read_inbox_file("declaration_form", p, "C0042.xlsx", "ab" * 32)
    there = read_inbox_isolated("declaration_form", p, name="C0042.xlsx", sha256="ab" * 32, timeout_s=60)
    assert there == here and len(here["declared"]) > 20
    assert [(e["document"], e["cell"]) for e in here["errors"]] == [("C0042.xlsx", f"C{C.row_of('revenue')}")]


def test_the_time_limit_stops_a_read_and_names_the_file(tmp_path):
    p = tmp_path / "traffic.csv"
    p.write_text("company_id,fiscal_year,desktop,mobile\n" + "C0001,2014,1,2\n" * 200_000, encoding="utf-8")
    got = read_inbox_isolated("traffic", p, name="traffic.csv", timeout_s=0.05)
    assert got["rows"] == [] and [(e["kind"], e["document"]) for e in got["errors"]] == [("Timeout", "traffic.csv")]


def test_the_memory_limit_stops_a_read_and_names_the_file(tmp_path):
    p = tmp_path / "integrity.csv"
    row = "C0001,2014-01-02,tax,false," + "x" * 60_000 + "\n"
    p.write_text("company_id,record_date,kind,disqualifying,description\n" + row * 800, encoding="utf-8")  # 48 MB
    got = read_inbox_isolated("integrity", p, name="integrity.csv", timeout_s=120, memory_mb=100)
    assert got["rows"] == [] and len(got["errors"]) == 1
    assert got["errors"][0]["kind"] in ("MemoryError", "WorkerCrash") and got["errors"][0]["document"] == "integrity.csv"
    small = tmp_path / "small.csv"  # under the same limit a file of ordinary size is read
    small.write_text("company_id,record_date,kind,disqualifying,description\nC0001,2014-01-02,tax,false,x\n")
    assert len(read_inbox_isolated("integrity", small, memory_mb=100)["rows"]) == 1


def test_each_inbox_file_is_read_once_per_run(tmp_path, monkeypatch):
    import hashlib

    import extractors.isolated as iso
    from flows.candidates import read_inbox

    paths = YearPaths(tmp_path, 2014)
    form = C.write_form(tmp_path / "C0042.xlsx").read_bytes()
    sha = hashlib.sha256(form).hexdigest()
    dest = raw_path(paths.raw_store, sha)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(form)
    doc = DocumentRow(source="inbox", url="file://declarations/C0042.xlsx", company_id=None,
                      doc_type="declaration_form", fiscal_year=2014, title="C0042.xlsx", published_at=None,
                      sha256=sha, size=len(form), fetched_at="2015-03-01T00:00:00+00:00")
    calls = []
    real = iso.read_inbox_many
    monkeypatch.setattr(iso, "read_inbox_many", lambda jobs, **kw: calls.append(len(jobs)) or real(jobs, **kw))
    first = read_inbox(paths, [doc, doc])
    second = read_inbox(paths, [doc])  # the extract stage, after collect
    assert calls == [1] and first == second and len(first[sha]["declared"]) > 20


def test_in_a_batch_the_file_over_the_time_limit_is_named_and_the_others_are_read(tmp_path):
    from extractors.isolated import read_inbox_many

    head = "company_id,fiscal_year,desktop,mobile\n"
    small = tmp_path / "small.csv"
    small.write_text(head + "C0001,2014,1,2\n", encoding="utf-8")
    big = tmp_path / "big.csv"
    big.write_text(head + "".join(f"C{i:07d},2014,1,2\n" for i in range(600_000)), encoding="utf-8")
    jobs = [{"doc_type": "traffic", "path": str(p), "name": n} for p, n in ((small, "a.csv"), (big, "b.csv"),
                                                                         (small, "c.csv"))]
    got = read_inbox_many(jobs, workers=1, timeout_s=1.0)
    assert [len(g["rows"]) for g in got] == [1, 0, 1]
    assert [(e["kind"], e["document"]) for e in got[1]["errors"]] == [("Timeout", "b.csv")]
