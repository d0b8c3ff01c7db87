"""Whole runs for operations (issue 9): the demo year on a Dask cluster (extract mapped over
documents, verify over companies), a failing stage that fails the run with exit code 4 and
publishes nothing, and --json-logs output."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import sqlalchemy as sa

from ops_harness import assert_same_warehouse, demo_env, events, run_flows, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ops")]


def _copy_of(demo_run, tmp_path, *, warehouse: bool) -> dict:
    """The demo run's stage files (not its extraction cache) in a fresh out dir."""
    env = demo_env(tmp_path)
    out = tmp_path / "out"
    out.mkdir(parents=True)
    shutil.copytree(demo_run.year_dir, out / "2014")
    (out / "raw").symlink_to(demo_run.out / "raw")  # immutable, content-addressed
    if warehouse:
        shutil.copy(demo_run.out / "top100.duckdb", out / "top100.duckdb")
    return env


def test_the_demo_year_on_a_two_worker_dask_cluster_loads_the_same_warehouse(demo_run, tmp_path):
    import distributed
    env = _copy_of(demo_run, tmp_path, warehouse=False)
    for stale in ("extract", "verify"):  # computed again, on the cluster
        shutil.rmtree(tmp_path / "out" / "2014" / stale)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        env["TOP100_RUNNER"] = f"dask://{address}"
        proc = run_flows(env, "run", "--year", "2014", "--json-logs", "--stages", "extract,verify,load,score,report")
        transitions = cluster.scheduler.transition_counter
        workers = len(cluster.scheduler.workers)
    assert proc.returncode in (0, 3), proc.stdout[-3000:] + proc.stderr[-3000:]
    extract = [e for e in events(proc.stderr) if e["stage"] == "extract" and e.get("finished")][-1]["counts"]
    assert extract["extracted"] > 50 and extract["cache_hits"] == 0, extract  # every PDF parsed, on Dask
    assert workers == 2 and transitions >= 3 * extract["extracted"]  # the tasks went through the scheduler
    # verify mapped over companies: the audit pages, shard by shard, on the cluster
    verify = [e for e in events(proc.stderr) if e["stage"] == "verify" and e.get("total")]
    companies = len(json.loads((demo_run.year_dir / "candidates.json").read_text("utf-8")))
    assert verify[-1]["done"] == verify[-1]["total"] == companies and len(verify) >= 3, verify[-3:]
    assert_same_warehouse(demo_run.env["TOP100_WAREHOUSE_URL"], env["TOP100_WAREHOUSE_URL"])

    def site(root):
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in root.rglob("*") if p.is_file()}

    assert site(tmp_path / "out" / "2014" / "audit") == site(demo_run.year_dir / "audit")


def test_a_failing_stage_exits_4_names_the_stage_and_publishes_nothing(demo_run, tmp_path):
    env = _copy_of(demo_run, tmp_path, warehouse=True)
    url = env["TOP100_WAREHOUSE_URL"]
    before = snapshot(url)["marts.ranking"]
    facts = tmp_path / "out" / "2014" / "extract" / "facts.jsonl"
    lines = facts.read_text("utf-8").splitlines()
    facts.write_text("\n".join(lines[:5] + ['{"company_id": "C0001", "metric": '] + lines[5:]) + "\n", "utf-8")

    proc = run_flows(env, "run", "--year", "2014", "--json-logs", "--stages", "verify,load,score,report")

    assert proc.returncode == 4, proc.stdout[-2000:] + proc.stderr[-2000:]
    # --json-logs: stdout is JSON lines only; the progress on stderr is JSON lines
    out_lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    summary = out_lines[-1]["summary"]
    assert summary["outcome"] == "failed"
    assert "stage verify failed" in summary["error"] and "JSONDecodeError" in summary["error"], summary["error"]
    progress = events(proc.stderr)
    assert progress and {e["stage"] for e in progress} == {"verify"}
    assert all({"ts", "level", "stage", "done", "total", "counts"} <= e.keys() for e in progress)
    # nothing of the failed year reached the marts, and the run table says why
    assert snapshot(url)["marts.ranking"] == before and len(before) == 100
    from warehouse import schema as S
    from warehouse.engine import connect

    engine = connect(url, read_only=True)
    try:
        with engine.connect() as conn:
            run = conn.execute(sa.select(S.run).order_by(S.run.c.started_at.desc()).limit(1)).mappings().one()
    finally:
        engine.dispose()
    assert run["outcome"] == "failed" and "verify" in run["error"]
