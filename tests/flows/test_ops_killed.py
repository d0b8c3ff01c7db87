"""Whole runs on a copy of the demo year (issue 16): a run killed with -9 between load and score
is marked killed by the next one, which rebuilds the marts from the clean layer; a year left
incomplete by a failed source does not replace the published ranking, marts and report unless
--publish-incomplete; the outputs are readable by group and others."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import stat

import pytest
import sqlalchemy as sa

from ops_harness import assert_same_warehouse, demo_env, events, kill_when, run_flows

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ops")]


def _copy_of(demo_run, tmp_path) -> dict:
    env = demo_env(tmp_path)
    out = tmp_path / "out"
    out.mkdir(parents=True)
    shutil.copytree(demo_run.year_dir, out / "2014")
    (out / "raw").symlink_to(demo_run.out / "raw")
    shutil.copy(demo_run.out / "top100.duckdb", out / "top100.duckdb")
    return env


def _runs(url: str) -> dict[str, dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select run_id, outcome, error from meta.run")).mappings().all()
            loaded = conn.execute(sa.text("select run_id from meta.year_load where year = 2014")).scalar()
            marts = {r[0] for r in conn.execute(sa.text("select distinct run_id from marts.ranking where year = 2014"))}
    finally:
        engine.dispose()
    return {"runs": {r["run_id"]: dict(r) for r in rows}, "loaded": loaded, "marts": marts}


def test_killed_between_load_and_score_is_marked_killed_and_repaired(demo_run, tmp_path):
    env = _copy_of(demo_run, tmp_path)
    url = env["TOP100_WAREHOUSE_URL"]
    before = set(_runs(url)["runs"])
    seen = kill_when(env, ["run", "--year", "2014", "--stages", "load,score,report"],
                     lambda e: e["stage"] == "score")
    assert any(e["stage"] == "load" and e.get("finished") for e in seen)
    state = _runs(url)
    (dead,) = set(state["runs"]) - before
    assert state["runs"][dead]["outcome"] == "running" and state["loaded"] == dead
    assert dead not in state["marts"]  # the marts are older than the clean layer
    # the next run asks for the report only: it marks the dead run and scores again first
    proc = run_flows(env, "run", "--year", "2014", "--stages", "report", "--json-logs")
    assert proc.returncode in (0, 3), proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])["summary"]
    assert summary["killed_runs"] == [dead]
    assert any(e["stage"] == "score" for e in events(proc.stderr))
    after = _runs(url)
    assert after["runs"][dead]["outcome"] == "killed" and "lock was free" in after["runs"][dead]["error"]
    assert after["marts"] == {summary["run_id"]} and after["runs"][summary["run_id"]]["outcome"] == "done"
    assert after["loaded"] == dead  # the clean layer is the killed run's complete load ...
    assert_same_warehouse(demo_run.env["TOP100_WAREHOUSE_URL"], url)  # ... and the marts match it again


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_source_outage_does_not_replace_the_published_year(demo_run, tmp_path):
    env = _copy_of(demo_run, tmp_path)
    year = tmp_path / "out" / "2014"
    companies = [json.loads(line) for line in (year / "verify" / "companies.jsonl").read_text("utf-8").splitlines()]
    ranked = [r["company_id"] for r in demo_run.ranking()]
    victim = ranked[0]
    url = f"http://mirror/finalpage/{victim}.PDF"
    # the source answered 503 for the leader's report until the retries ran out
    with (year / "collect" / "errors.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"stage": "collect", "kind": "HttpError", "reason": "HTTP 503",
                             "company_id": victim, "url": url}) + "\n")
    for c in companies:
        if c["company_id"] == victim:
            c["eligible"], c["excluded_reason"] = False, f"incomplete: {url}: HttpError: HTTP 503"
    (year / "verify" / "companies.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in companies), "utf-8")
    published = {p: _sha(year / p) for p in ("ranking.csv", "report/index.html")}
    held = run_flows(env, "run", "--year", "2014", "--stages", "load,score,report", "--quiet")
    assert held.returncode == 3, held.stdout[-3000:] + held.stderr[-3000:]
    lines = [line for line in held.stderr.splitlines() if line.startswith("not published:")]
    assert len(lines) == 1 and "1 company incomplete because a source failed (HttpError ×1" in lines[0]
    assert {p: _sha(year / p) for p in published} == published  # the published year is untouched
    engine = sa.create_engine(env["TOP100_WAREHOUSE_URL"])
    try:
        with engine.connect() as conn:
            top = conn.execute(sa.text("select company_id from marts.ranking where year = 2014 and rank = 1")).scalar()
    finally:
        engine.dispose()
    assert top == victim  # the marts too are those published before the outage
    forced = run_flows(env, "run", "--year", "2014", "--stages", "score,report", "--quiet", "--publish-incomplete")
    assert forced.returncode == 3 and "not published" not in forced.stderr
    with (year / "ranking.csv").open(encoding="utf-8", newline="") as fh:
        now = [r["company_id"] for r in csv.DictReader(fh)]
    assert victim not in now and len(now) == len(ranked)  # the next company moves into the list


def test_outputs_are_readable_by_group_and_others(demo_run):
    expected = 0o666 & ~_umask()
    files = [demo_run.year_dir / "ranking.csv", demo_run.year_dir / "audit" / "findings.csv",
             *demo_run.year_dir.rglob("*.jsonl")]
    assert len(files) > 10
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == expected, (p, oct(p.stat().st_mode))


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old
