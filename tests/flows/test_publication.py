"""A run knows what it is (issue 16): dead runs are marked killed, a killed run's stale marts
are rebuilt, and a year left incomplete by a failed SOURCE is held back (a company's own bad
files are not)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from flows import publication
from flows.annual import run_params
from flows.runlock import out_folder_lock
from top100.config import Settings
from top100.jsonl import write_jsonl
from top100.paths import YearPaths
from warehouse import runs, schema as S
from warehouse.engine import connect

ROOT = Path(__file__).resolve().parents[2]


def _company(cid: str, reason: str | None = None) -> dict:
    return {"company_id": cid, "eligible": reason is None, "excluded_reason": reason}


def test_a_source_outage_holds_the_year_back_a_company_s_own_files_do_not(tmp_path):
    paths = YearPaths(tmp_path, 2014)
    write_jsonl(paths.companies, [_company("C1", "incomplete: http://x/a.pdf: HttpError: HTTP 503"),
                                  _company("C2", "incomplete: http://x/b.pdf: HttpError: HTTP 404"), _company("C3")])
    # the company's own files and a document that is not there: findings, nothing held back
    write_jsonl(paths.collect_errors, [
        {"stage": "collect", "kind": "InboxFile", "reason": "not UTF-8", "document": "traffic.csv"},
        # a declaration form refused whole (no company named) and one refused cell
        {"stage": "collect", "kind": "DeclarationError", "reason": "sheet reaches row 1048000 (limit 1000): refused",
         "company_id": None, "document": "far.xlsx", "url": None},
        {"stage": "collect", "kind": "DeclarationError", "reason": "not a finite number: -inf", "cell": "C21",
         "company_id": "C1", "document": "C1.xlsx", "url": None},
        {"stage": "collect", "kind": "HttpError", "reason": "HTTP 404", "company_id": "C2", "url": "http://x/b.pdf"},
        {"stage": "collect", "kind": "SourceError", "reason": "no annual report for fiscal year 2014 among 3",
         "company_id": "C3", "url": "http://x/q"},
    ])
    assert publication.held_back(paths) is None
    # the source failing for C1 (503 after the retries): held back, in one line
    write_jsonl(paths.collect_errors, [
        {"stage": "collect", "kind": "HttpError", "reason": "HTTP 503", "company_id": "C1", "url": "http://x/a.pdf"},
    ])
    line = publication.held_back(paths)
    assert line and "\n" not in line
    assert line.startswith("not published: 1 company incomplete because a source failed (HttpError ×1")
    assert "--publish-incomplete" in line
    # a crawl that failed as a whole holds the year back too
    write_jsonl(paths.collect_errors, [{"stage": "collect", "kind": "CrawlFailed", "reason": "crawl edgar exited 1"}])
    assert "CrawlFailed" in (publication.held_back(paths) or "")


DIES = """
import os, sys
from pathlib import Path
from flows.annual import run_params
from flows.runlock import out_folder_lock, name_run
from top100.config import Settings
from warehouse.engine import connect
from warehouse import runs
settings = Settings(out_dir=Path(sys.argv[1]), warehouse_url=sys.argv[2])
with out_folder_lock(settings.out_dir):
    engine = connect(settings.warehouse)
    run_id = runs.start_run(engine, "annual", run_params(settings, 2014, ("load", "score")), "v1")
    engine.dispose()
    name_run(settings.out_dir, run_id)
    print(run_id, flush=True)
    sys.stdin.read()
"""


def test_a_run_killed_with_9_is_marked_killed_by_the_next_start(tmp_path):
    out = tmp_path / "out"
    url = f"duckdb:///{out}/top100.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", DIES, str(out), url], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    dead = proc.stdout.readline().strip()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    settings = Settings(out_dir=out, warehouse_url=url)
    engine = connect(url)
    try:
        other = runs.start_run(engine, "annual", {"year": 2014, "out_dir": "/elsewhere", "host": "far", "pid": 1}, "v1")
        assert runs.get_run(engine, dead)["outcome"] == "running"  # nobody knows yet
        with out_folder_lock(out):
            killed = publication.mark_dead_runs(engine, settings)
        assert killed == [dead]
        row = runs.get_run(engine, dead)
        assert row["outcome"] == "killed" and row["ended_at"] is not None
        assert f"pid {proc.pid}" in row["error"] and "lock was free" in row["error"].replace("'s lock", " lock")
        assert runs.get_run(engine, other)["outcome"] == "running"  # another folder's, another host's run
        assert run_params(settings, 2014, ("load",))["out_dir"] == str(out.resolve())
    finally:
        engine.dispose()


def test_stale_marts_of_a_killed_run_are_rebuilt(tmp_path):
    url = f"duckdb:///{tmp_path}/w.duckdb"
    engine = connect(url)
    try:
        killed = runs.start_run(engine, "annual", {}, "v1")
        with engine.begin() as conn:
            conn.execute(S.year_load.insert().values(year=2014, run_id=killed, loaded_at=sa.func.now(),
                                                     row_counts=json.dumps({})))
        # the killed run loaded 2014 and died before its score: a report-only run scores again
        assert publication.repair_stages(engine, 2014, ("report",), [killed]) == ("score", "report")
        assert publication.repair_stages(engine, 2014, ("verify",), [killed]) == ("verify", "score", "report")
        assert publication.repair_stages(engine, 2014, ("load", "score"), [killed]) == ("load", "score")
        assert publication.repair_stages(engine, 2014, ("report",), []) == ("report",)
        assert publication.repair_stages(engine, 2015, ("report",), [killed]) == ("report",)
    finally:
        engine.dispose()
