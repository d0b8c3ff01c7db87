"""The demo year under the mirror's fault profiles (issue 10).

- transient faults only: the final warehouse is identical to the fault-free run;
- permanent faults (one annual report never delivered): the run finishes, the missing document is
  a finding with the URL and the cause, the company is incomplete and not ranked, and every other
  company's data is unchanged;
- schema drift (CNINFO renames ``announcements``): the cninfo source stops with "response shape
  changed" naming the field, the run exits 3, and nothing from that source is loaded.

The three runs go at once (they wait on retries and rate caps more than they compute) and reuse
the fault-free run's world and extraction cache (content-addressed by sha256 and extractor
version: a document whose bytes differ is extracted again), so that they cost the crawl, verify,
load and scoring, not the PDFs again.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from demo_harness import ROOT, DemoRun
from faults_compare import table_rows

from top100.jsonl import read_jsonl

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


PROFILES = ("transient", "permanent", "drift")


def _start(demo_run: DemoRun, tmp: Path, profile: str) -> tuple[subprocess.Popen, Path, dict, float]:
    """Start the demo year under a fault profile, as demo_harness.run_demo does (own out dir and
    Prefect home), but without waiting: the three runs spend most of their time in retries and
    rate caps, so they share the machine well."""
    out = tmp / "out"
    cache = demo_run.out / "cache" / "extract"
    if cache.is_dir():
        shutil.copytree(cache, out / "cache" / "extract")
    env = dict(os.environ)
    env.update({
        "TOP100_OUT_DIR": str(out),
        "TOP100_WAREHOUSE_URL": f"duckdb:///{out}/top100.duckdb",
        "TOP100_DEMO__WORLD_DIR": str(demo_run.out / "demo-world"),  # the same world, generated once
        "TOP100_CRAWL__RATE_LIMIT_PAUSE_S": "2",  # SEC's 403 pause: seconds in a test, minutes for real
        "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(tmp / "prefect-results"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    with (tmp / "stdout").open("w") as so, (tmp / "stderr").open("w") as se:
        proc = subprocess.Popen([sys.executable, "-m", "flows", "run", "--year", "2014", "--demo", "--quiet",
                                 "--faults", profile], cwd=ROOT, env=env, stdout=so, stderr=se, text=True)
    return proc, tmp, env, time.monotonic()


def _wait(proc: subprocess.Popen, tmp: Path, env: dict, t0: float) -> DemoRun:
    try:
        proc.wait(timeout=1500)
    finally:
        if proc.poll() is None:
            proc.kill()
    return DemoRun(tmp / "out", env, proc.returncode, (tmp / "stdout").read_text(), (tmp / "stderr").read_text(),
                   time.monotonic() - t0)


def test_the_demo_year_under_each_fault_profile(demo_run, tmp_path_factory, subtests):
    # one test, three subtests: with pytest 9 the xdist_group marker no longer keeps a module's
    # tests on one worker, and the three runs must happen once, together
    started = {name: _start(demo_run, tmp_path_factory.mktemp(name), name) for name in PROFILES}
    runs = {name: _wait(*args) for name, args in started.items()}
    for name, check, codes in (("transient", check_transient, (0, 3)), ("permanent", check_permanent, (3,)),
                               ("drift", check_drift, (3,))):
        with subtests.test(profile=name):
            check(demo_run, _ok(runs[name], codes))


def _ok(run: DemoRun, codes=(0, 3)) -> DemoRun:
    assert run.returncode in codes, f"{run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _engine(run: DemoRun) -> sa.Engine:
    from warehouse.engine import connect

    return connect(run.env["TOP100_WAREHOUSE_URL"], read_only=True)


def _tables():
    from warehouse import schema as S

    return (*S.LOADED, *S.MARTS)


def _rows(path) -> list[dict]:
    return list(read_jsonl(path))


def _retries(run: DemoRun) -> int:
    logs = (run.year_dir / "collect" / "parts").glob("*/crawl.log")
    return sum(len(re.findall(r"retrying \S+ in", p.read_text("utf-8", "replace"))) for p in logs)


def check_transient(demo_run: DemoRun, transient: DemoRun) -> None:
    """Transient faults only: the warehouse is identical to the fault-free run's."""
    assert transient.returncode == demo_run.returncode
    assert _retries(transient) >= 10  # the mirror did fail requests, and the spiders retried them
    assert _rows(transient.year_dir / "collect" / "errors.jsonl") == []
    clean, faulty = _engine(demo_run), _engine(transient)
    try:
        compared = 0
        for table in _tables():
            a, b = table_rows(clean, table), table_rows(faulty, table)
            assert a == b, table.fullname
            compared += len(a)
        assert compared > 10_000
    finally:
        clean.dispose()
        faulty.dispose()


def check_permanent(demo_run: DemoRun, permanent: DemoRun) -> None:
    """One annual report never delivered: a finding, the company incomplete, the rest unchanged."""
    from mirror.faults_profile import load_profile, resolve_permanent

    gone = resolve_permanent(load_profile("permanent"), demo_run.world / "sources")
    assert len(gone) == 1
    path = next(iter(gone))
    errors = _rows(permanent.year_dir / "collect" / "errors.jsonl")
    assert len(errors) == 1 and urlsplit(errors[0]["url"]).path == path and "404" in errors[0]["reason"]
    cid = errors[0]["company_id"]
    assert cid
    findings = [f for f in _rows(permanent.year_dir / "verify" / "findings.jsonl") if f["company_id"] == cid
                and f["kind"] == "document_missing"]
    assert len(findings) == 1
    f = findings[0]
    assert f["severity"] == "ERROR" and path in f["message"] and "HTTP 404" in f["message"]
    company = next(c for c in _rows(permanent.year_dir / "verify" / "companies.jsonl") if c["company_id"] == cid)
    assert company["eligible"] is False and company["excluded_reason"].startswith("incomplete: ")
    assert path in company["excluded_reason"]
    with (permanent.year_dir / "ranking.csv").open(encoding="utf-8", newline="") as fh:
        ranked = {r["company_id"] for r in csv.DictReader(fh)}
    assert cid not in ranked and len(ranked) == 100
    # every other company's data is exactly the fault-free run's; only the ranking marts move,
    # because indicators are normalised over the eligible pool (docs/CONTRACTS.md, scoring)
    from warehouse import schema as S

    clean, faulty = _engine(demo_run), _engine(permanent)
    try:
        for table in S.LOADED:
            keep = (lambda r: r.get("company_id") != cid) if "company_id" in table.c else (lambda r: True)
            assert table_rows(clean, table, keep) == table_rows(faulty, table, keep), table.fullname
        mine = table_rows(faulty, S.document, lambda r: r.get("company_id") == cid)
        theirs = table_rows(clean, S.document, lambda r: r.get("company_id") == cid)
        assert len(theirs) - len(mine) == 1  # exactly the one document, nothing else of the company
        with faulty.connect() as conn:
            stored = conn.execute(sa.select(S.stage_error.c.url, S.stage_error.c.reason)).fetchall()
        assert [(urlsplit(u).path, r) for u, r in stored] == [(path, errors[0]["reason"])]
    finally:
        clean.dispose()
        faulty.dispose()


def check_drift(demo_run: DemoRun, drift: DemoRun) -> None:
    """CNINFO renames a field: the source stops, naming it, and nothing of it is loaded."""
    errors = _rows(drift.year_dir / "collect" / "errors.jsonl")
    cands = json.loads((drift.year_dir / "candidates.json").read_text("utf-8"))
    a_share = {c["company_id"] for c in cands if c.get("exchange") in ("SSE", "SZSE") and c.get("ticker")}
    assert a_share and {e["company_id"] for e in errors} == a_share
    for e in errors:
        assert e["kind"] == "SchemaDrift"
        assert "response shape changed" in e["reason"] and "'announcements'" in e["reason"], e
        assert "source cninfo stopped" in e["reason"]
    docs = _rows(drift.year_dir / "collect" / "documents.jsonl")
    assert not [d for d in docs if d["source"] == "cninfo"]
    # the other sources are untouched
    clean_docs = _rows(demo_run.year_dir / "collect" / "documents.jsonl")
    strip = lambda ds: sorted((d["source"], d["company_id"], d["sha256"]) for d in ds if d["source"] != "cninfo")
    assert strip(docs) == strip(clean_docs)
    companies = {c["company_id"]: c for c in _rows(drift.year_dir / "verify" / "companies.jsonl")}
    for cid in a_share & set(companies):
        assert companies[cid]["eligible"] is False
        assert companies[cid]["excluded_reason"].startswith("incomplete: ")
        assert "response shape changed" in companies[cid]["excluded_reason"]
    # a source failed: the weakened list is not published (no --publish-incomplete), in one line
    held = [line for line in drift.stderr.splitlines() if line.startswith("not published:")]
    assert len(held) == 1 and "incomplete because a source failed (SchemaDrift" in held[0], drift.stderr[-2000:]
    assert not (drift.year_dir / "ranking.csv").exists() and not (drift.year_dir / "report").exists()
    engine = _engine(drift)
    try:
        from warehouse import schema as S

        with engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(S.document)
                             .where(S.document.c.source == "cninfo")).scalar()
        assert n == 0
    finally:
        engine.dispose()
