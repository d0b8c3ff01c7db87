"""Operations parts on small inputs (issue 9): which failures are retried, the task runner
choice, the resume state, and the extract stage's cache and Prefect artifacts."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from flows.resume import RunState, fingerprint
from flows.retries import CrawlFailed, is_transient
from flows.runners import IN_PROCESS, ISOLATED, isolation_for, parse_runner
from top100.config import Settings
from top100.jsonl import write_jsonl
from top100.paths import YearPaths, raw_path
from top100.year import year_for


def test_transient_failures_are_retried_and_parse_errors_are_not():
    import sqlalchemy.exc

    from concurrent.futures.process import BrokenProcessPool

    assert is_transient(CrawlFailed("crawl cninfo exited with 1"))
    assert is_transient(BrokenProcessPool("a child process terminated abruptly"))  # the OOM killer
    assert is_transient(ConnectionRefusedError("connection refused"))
    assert is_transient(OSError(5, "Input/output error"))
    duck_lock = RuntimeError('IO Error: Could not set lock on file "top100.duckdb": Conflicting lock is held')
    assert is_transient(duck_lock)
    wrapped = sqlalchemy.exc.OperationalError("connect", {}, sqlite3.OperationalError("database is locked"))
    assert is_transient(wrapped)
    assert not is_transient(json.JSONDecodeError("Expecting value", "x", 0))
    assert not is_transient(ValueError("no income statement on any page"))
    assert not is_transient(FileNotFoundError("raw document missing"))
    assert not is_transient(KeyError("metric"))


def test_runner_setting_is_parsed_with_a_clear_error():
    assert parse_runner("process") == ("process", None)
    assert parse_runner("thread") == ("thread", None)
    assert parse_runner("dask://10.0.0.5:8786") == ("dask", "tcp://10.0.0.5:8786")
    for bad in ("dask://", "ray://x:1", "processes"):
        with pytest.raises(ValueError, match="runner"):
            parse_runner(bad)
    assert isolation_for(Settings(runner="process")) == ISOLATED
    assert isolation_for(Settings(runner="dask://h:1")) == IN_PROCESS


def test_resume_skips_only_finished_stages_whose_outputs_are_unchanged(tmp_path):
    paths = YearPaths(tmp_path, 2014)
    fp = fingerprint(Settings(out_dir=tmp_path), "1.0")
    assert fp == fingerprint(Settings(out_dir=tmp_path, runner="thread", workers=7), "1.0")
    stages = ("collect", "extract", "verify", "load")

    state = RunState(paths, fp)
    assert state.begin(stages) == []
    write_jsonl(paths.documents, [{"sha256": "a"}])
    state.finished("collect")
    write_jsonl(paths.facts, [{"metric": "revenue"}])
    state.finished("extract")  # then the run is killed during verify

    assert RunState(paths, fp).begin(stages) == ["collect", "extract"]
    # killed again at once: the same two are still finished
    assert RunState(paths, fp).begin(stages) == ["collect", "extract"]
    # another command (only some stages) does not resume the killed run
    assert RunState(paths, fp).begin(("extract",)) == []
    state = RunState(paths, fp)
    state.begin(stages)
    state.finished("collect")
    state.finished("extract")
    # an output changed since: that stage and every later one run again
    write_jsonl(paths.facts, [{"metric": "employees_total"}])
    assert RunState(paths, fp).begin(stages) == ["collect"]
    # other settings or code: nothing is skipped
    assert RunState(paths, fingerprint(Settings(out_dir=tmp_path), "1.1")).begin(stages) == []
    # a completed run is not resumed
    done = RunState(paths, fp)
    done.begin(stages)
    done.finished("collect")
    done.complete()
    assert RunState(paths, fp).begin(stages) == []


def _doc(sha: str, company: str, doc_type: str = "annual_report") -> dict:
    return {"source": "cninfo", "url": f"http://127.0.0.1/finalpage/{sha[:8]}.PDF", "company_id": company,
            "doc_type": doc_type, "fiscal_year": 2014, "title": "2014年年度报告", "published_at": None,
            "sha256": sha, "size": 10, "fetched_at": "2015-04-01T00:00:00+00:00"}


def test_extract_stage_caches_by_document_and_publishes_its_artifacts(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows import stages

    settings = Settings(out_dir=tmp_path / "out", runner="thread", workers=2)
    ctx = year_for(settings, 2014)
    paths = ctx.paths
    docs = []
    for i, company in enumerate(("C0001", "C0002")):
        body = f"%PDF-1.4 not really a pdf <script>{i}</script>".encode()
        sha = hashlib.sha256(body).hexdigest()
        raw_path(paths.raw_store, sha).parent.mkdir(parents=True, exist_ok=True)
        raw_path(paths.raw_store, sha).write_bytes(body)
        docs.append(_doc(sha, company))
    write_jsonl(paths.documents, docs)

    first = stages.extract(settings, ctx)
    assert first["extracted"] == 2 and first["cache_hits"] == 0 and first["errors"] >= 2
    errors = [json.loads(x) for x in paths.extract_errors.read_text("utf-8").splitlines()]
    assert {e["company_id"] for e in errors} == {"C0001", "C0002"}
    assert (tmp_path / "out" / "cache" / "extract").is_dir()

    second = stages.extract(settings, ctx)  # the same documents: nothing is extracted again
    assert second["extracted"] == 0 and second["cache_hits"] == 2
    assert paths.extract_errors.read_text("utf-8").splitlines() == [json.dumps(e, ensure_ascii=False, sort_keys=True)
                                                                  for e in errors]

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["extract-2014", "extract-2014-table"])))
    by_key = {}
    for a in sorted(found, key=lambda a: a.created):
        by_key[a.key] = a  # the latest of each key
    md = by_key["extract-2014"]
    assert md.type == "markdown" and "cache\\_hits | 2" in md.data and "C0001" in md.data
    table = by_key["extract-2014-table"]
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert table.type == "table" and {r["company_id"] for r in rows} == {"C0001", "C0002"}
    assert all(r["document"] in {d["sha256"] for d in docs} and r["reason"] for r in rows)


def test_a_failed_mapped_task_fails_the_stage_naming_what_it_held(prefect_harness):
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.mapping import finished

    @task(cache_policy=NO_CACHE)
    def half(n: int) -> int:
        if n == 3:
            raise ValueError("odd page count")
        return n // 2

    @flow
    def mapped(ns: list[int]) -> list[tuple[str, int]]:
        futures = {half.submit(n): f"doc-{n}" for n in ns}
        return sorted((key, got) for key, _, got in finished(futures, lambda k: f"extract: company C1, document {k}"))

    assert mapped([2, 4]) == [("doc-2", 1), ("doc-4", 2)]
    with pytest.raises(RuntimeError, match=r"extract: company C1, document doc-3: ValueError: odd page count"):
        mapped([2, 3, 4])
