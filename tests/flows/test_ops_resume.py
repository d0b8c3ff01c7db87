"""A run killed with SIGKILL during collect, extract and load, and started again each time,
ends with the warehouse of an uninterrupted run, without fetching or extracting again what was
done (issue 9: resume)."""

from __future__ import annotations

import json

import pytest

from ops_harness import assert_same_warehouse, demo_env, events, kill_when, run_flows

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ops")]

RUN = ["run", "--year", "2014", "--demo"]


def _downloaded(out, name: str) -> int:
    return json.loads((out / "2014" / "collect" / "parts" / name / "summary.json").read_text("utf-8"))["downloaded"]


def test_killed_three_times_then_resumed_gives_the_uninterrupted_warehouse(demo_run, tmp_path):
    env = demo_env(tmp_path)
    out = tmp_path / "out"

    # 1. kill during collect: a crawl that fetched documents has finished, others are running
    seen = kill_when(env, RUN, lambda e: e["stage"] == "collect" and (e["counts"].get("downloaded") or 0) > 0)
    first_crawl = seen[-1]["counts"]["crawl"]
    assert seen[-1]["done"] < seen[-1]["total"]  # killed before every crawl had finished
    assert not (out / "2014" / "extract").exists()

    # 2. rerun; kill during extract, once 20 PDFs are extracted (the PDF phase counts cache hits)
    pdf_events = []

    def in_pdfs(e):
        if e["stage"] == "extract" and "cached" in (e.get("counts") or {}):
            pdf_events.append(e)
        return len(pdf_events) >= 20

    seen = kill_when(env, RUN, in_pdfs)
    collect_done = [e for e in seen if e["stage"] == "collect" and e.get("finished")]
    assert collect_done, "the second run did not finish collect"
    # what the killed crawl had fetched came from the HTTP cache and the raw store
    assert _downloaded(out, first_crawl) == 0
    assert pdf_events[-1]["counts"]["cached"] == 0  # nothing was extracted before the first kill

    # 3. rerun; kill as soon as the load starts (the load is one transaction)
    seen = kill_when(env, RUN, lambda e: e["stage"] == "load")
    stages_run = {e["stage"] for e in seen}
    assert "collect" not in stages_run, "a finished collect ran again"
    extract_done = [e for e in seen if e["stage"] == "extract" and e.get("finished")][-1]["counts"]
    assert extract_done["cache_hits"] >= 15, extract_done  # the PDFs done before the kill

    # 4. the last rerun finishes
    final = run_flows(env, *RUN, "--json-logs", timeout=600)
    assert final.returncode in (0, 3), final.stdout[-3000:] + final.stderr[-3000:]
    summary = json.loads(final.stdout.strip().splitlines()[-1])["summary"]
    assert summary["outcome"] == "done"
    assert set(summary["seconds"]) == {"load", "score", "report"}, summary["seconds"]  # the rest resumed
    assert {e["stage"] for e in events(final.stderr)} == {"load", "score", "report"}

    assert_same_warehouse(demo_run.env["TOP100_WAREHOUSE_URL"], env["TOP100_WAREHOUSE_URL"])
    assert (out / "2014" / "ranking.csv").read_bytes() == (demo_run.year_dir / "ranking.csv").read_bytes()
