"""The collect stage on the demo world: every document exactly once, the table complete, and a
second crawl fetches nothing new (issue: spiders)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demo_harness import ROOT, demo_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def _docs(year_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (year_dir / "collect" / "documents.jsonl").read_text("utf-8").splitlines()]


def test_every_candidate_document_fetched_once(demo_run):
    docs = _docs(demo_run.year_dir)
    assert len({d["sha256"] for d in docs}) == len(docs) == len({d["url"] for d in docs})
    world = json.loads((demo_run.world / "world.json").read_text("utf-8"))
    listed = {c["company_id"]: c["exchange"] for c in world["companies"] if c.get("exchange")}
    by_company = Counter((d["company_id"], d["doc_type"]) for d in docs if d["source"] != "inbox")
    expected_type = {"SSE": "annual_report", "SZSE": "annual_report", "HKEX": "hk_annual_report",
                     "NYSE": "companyfacts", "NASDAQ": "companyfacts"}
    for cid, exchange in listed.items():
        assert by_company[(cid, expected_type[exchange])] == 1, (cid, exchange)
    inbox = sorted(p for p in (demo_run.world / "inbox").rglob("*") if p.is_file())
    assert sum(1 for d in docs if d["source"] == "inbox") == len(inbox)
    for d in docs:  # every row complete
        for key in ("source", "url", "doc_type", "sha256", "size", "fetched_at", "title"):
            assert d.get(key) not in (None, ""), (key, d)
        if d["source"] != "inbox":
            assert d["company_id"] in listed, d


def test_a_second_crawl_fetches_nothing_new(demo_run, tmp_path):
    # on a copy of the run's out folder: the other tests keep reading the original
    out = tmp_path / "out"
    shutil.copytree(demo_run.out, out, symlinks=True)
    env = demo_env(tmp_path)
    year_dir = out / "2014"
    before = _docs(year_dir)
    proc = subprocess.run([sys.executable, "-m", "flows", "crawl", "--year", "2014", "--demo", "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    crawls = 0
    for part in sorted((year_dir / "collect" / "parts").glob("*/summary.json")):
        summary = json.loads(part.read_text("utf-8"))
        if "downloaded" not in summary:
            continue  # the inbox: copied, not crawled
        crawls += 1
        assert summary["downloaded"] == 0 and summary["new_in_store"] == 0, (part.parent.name, summary)
        assert summary["errors"] == 0, (part.parent.name, summary)
    assert crawls == 5
    after = _docs(year_dir)

    def ident(rows):  # the mirror's port changes between runs: compare paths, not hosts
        return sorted((d["sha256"], urlsplit(d["url"]).path, d["doc_type"], d["company_id"]) for d in rows)

    assert ident(after) == ident(before)
