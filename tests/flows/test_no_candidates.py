"""A run without declaration forms stops at once with a clear message, before any source is asked."""

from __future__ import annotations

import subprocess
import sys

from demo_harness import ROOT, demo_env


def test_an_empty_inbox_fails_the_run_before_any_crawl(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "declarations").mkdir(parents=True)
    env = demo_env(tmp_path, TOP100_INBOX_DIR=str(inbox),
                   # any crawl would go here and fail: the run must not get that far
                   TOP100_SOURCES__CNINFO="http://127.0.0.1:9", TOP100_SOURCES__FX="http://127.0.0.1:9",
                   TOP100_SOURCES__SEC_WWW="http://127.0.0.1:9", TOP100_SOURCES__QUOTES="http://127.0.0.1:9")
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2014", "--stages", "collect"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 4, out
    assert "stage collect failed" in out and "no candidates" in out and str(inbox) in out
    parts = tmp_path / "out" / "2014" / "collect" / "parts"
    assert sorted(p.name for p in parts.iterdir()) == ["inbox"]  # no crawl started
