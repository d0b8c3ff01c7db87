"""Nothing lost (issue 10): every delivered file and every fetched document of the demo year has
exactly one accounting row saying what became of it, and the raw store holds every one of them."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from top100.jsonl import read_jsonl
from top100.paths import raw_path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

STATUSES = {"used", "rejected", "kept", "no_facts"}


def _key(row: dict) -> tuple:
    return (row["sha256"], row.get("company_id"), row["url"])


@pytest.fixture(scope="module")
def year(demo_run):
    y = demo_run.year_dir
    return {
        "documents": list(read_jsonl(y / "collect" / "documents.jsonl")),
        "accounting": list(read_jsonl(y / "accounting.jsonl")),
        "facts": list(read_jsonl(y / "extract" / "facts.jsonl")),
        "declared": list(read_jsonl(y / "extract" / "declared.jsonl")),
        "errors": [*read_jsonl(y / "collect" / "errors.jsonl"), *read_jsonl(y / "extract" / "errors.jsonl")],
    }


def test_every_document_has_exactly_one_accounting_row(year):
    docs, acc = year["documents"], year["accounting"]
    assert len(docs) > 300  # the demo year, not an empty run
    assert Counter(map(_key, acc)) == Counter(map(_key, docs))
    assert max(Counter(map(_key, acc)).values()) == 1


def test_statuses_sum_to_the_documents_and_rejections_say_why(year):
    acc = year["accounting"]
    by_status = Counter(r["status"] for r in acc)
    assert set(by_status) <= STATUSES
    assert sum(by_status[s] for s in STATUSES) == len(year["documents"])
    for r in acc:
        if r["status"] == "rejected":
            assert r["reasons"] and all(isinstance(x, str) and x for x in r["reasons"]), r
        if r["status"] == "used":
            assert r["facts"] or r["form_cells"] or r["doc_type"] in ("licence_registry", "traffic", "integrity", "listings"), r
    # the counts in accounting agree with what the extract stage wrote
    assert sum(r["facts"] for r in acc if r["status"] == "used") == sum(
        1 for f in year["facts"] if f["document_sha256"] in {r["sha256"] for r in acc})
    declared_by_form = Counter(d["form_sha256"] for d in year["declared"])
    for r in acc:
        if r["doc_type"] == "declaration_form":
            assert r["form_cells"] == declared_by_form.get(r["sha256"], 0), r


def test_every_inbox_file_has_a_document_row(demo_run, year):
    inbox = demo_run.world / "inbox"
    files = [p for p in inbox.rglob("*") if p.is_file()]
    assert len(files) > 300
    inbox_shas = Counter(r["sha256"] for r in year["documents"] if r["source"] == "inbox")
    missing = [str(p.relative_to(inbox)) for p in files
               if hashlib.sha256(p.read_bytes()).hexdigest() not in inbox_shas]
    assert missing == []


def test_every_document_is_in_the_raw_store_under_its_hash(demo_run, year):
    raw = demo_run.out / "raw"
    for sha in {r["sha256"] for r in year["documents"]}:
        path = raw_path(raw, sha)
        assert path.is_file(), sha
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_every_fact_and_error_points_at_a_known_document(year):
    shas = {r["sha256"] for r in year["documents"]}
    assert {f["document_sha256"] for f in year["facts"]} <= shas
    assert {d["form_sha256"] for d in year["declared"]} <= shas
    named = {e["document"] for e in year["errors"] if e.get("document")}
    # an error names a document by its hash or its file name; a hash must be a known one
    assert {d for d in named if len(d) == 64} <= shas


def test_what_never_arrived_and_partly_bad_files_are_accounted_for(tmp_path):
    from flows.accounting import account
    from top100.jsonl import write_jsonl
    from top100.paths import YearPaths

    paths = YearPaths(tmp_path, 2014)
    write_jsonl(paths.documents, [
        {"sha256": "a" * 64, "source": "inbox", "doc_type": "traffic", "company_id": None, "url": "file://traffic.csv"},
        {"sha256": "b" * 64, "source": "inbox", "doc_type": "integrity", "company_id": None, "url": "file://integrity.csv"},
    ])
    write_jsonl(paths.collect_errors, [
        {"stage": "collect", "kind": "FetchError", "company_id": "C0001", "document": None,
         "url": "http://127.0.0.1:1/finalpage/2015-03-20/1.PDF", "reason": "HTTP 404 after 5 tries"},
    ])
    write_jsonl(paths.extract_errors, [
        {"stage": "extract", "kind": "DeclarationError", "document": "a" * 64, "reason": "row 7, column desktop: not a number"},
        {"stage": "extract", "kind": "DocumentUnreadable", "document": "b" * 64, "reason": "not UTF-8 text"},
    ])
    counts = account(paths)
    rows = {r["url"]: r for r in read_jsonl(paths.root / "accounting.jsonl")}
    assert rows["file://traffic.csv"]["status"] == "used"  # one bad row is refused, the rest used
    assert rows["file://integrity.csv"]["status"] == "rejected"
    lost = rows["http://127.0.0.1:1/finalpage/2015-03-20/1.PDF"]
    assert lost["status"] == "not_collected" and lost["reasons"] == ["HTTP 404 after 5 tries"]
    assert counts == {"used": 1, "rejected": 1, "not_collected": 1}
