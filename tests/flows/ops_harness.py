"""Helpers of the operations tests: runs in a subprocess that can be killed at a chosen point,
and warehouse snapshots to compare runs table by table."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from demo_harness import ROOT, demo_env  # noqa: F401  (demo_env: re-exported for the ops tests)

# columns that differ between two correct runs: the run, and when a document was fetched
VOLATILE = {"run_id", "fetched_at"}
# the demo mirror listens on a new loopback port each run; URLs are compared without it
MIRROR = re.compile(r"http://127\.0\.0\.1:\d+")


def _normal(value):
    return MIRROR.sub("http://mirror", value) if isinstance(value, str) else value


def run_flows(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def events(stderr: str) -> list[dict]:
    """The JSON progress lines of a --json-logs run's stderr."""
    out = []
    for line in stderr.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if "stage" in event:
                out.append(event)
    return out


def kill_when(env: dict, args: list[str], should_kill: Callable[[dict], bool], *, timeout: float = 300) -> list[dict]:
    """Start `python -m flows <args> --json-logs`, kill -9 its whole process group at the first
    progress event for which should_kill is true; return the events seen. Fails if the run
    ends before that point."""
    proc = subprocess.Popen([sys.executable, "-m", "flows", *args, "--json-logs"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    seen: list[dict] = []
    other: list[str] = []
    try:
        for line in proc.stderr:
            if not line.startswith("{"):
                other.append(line)
                continue
            event = json.loads(line)
            seen.append(event)
            if should_kill(event):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
                return seen
        proc.wait(30)
        raise AssertionError(f"the run ended (exit {proc.returncode}) before the kill point; last events "
                             f"{seen[-3:]}; stderr {''.join(other)[-2000:]}")
    finally:
        timer.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every loaded and mart table of a warehouse, rows sorted, without the volatile columns."""
    import sqlalchemy as sa
    from warehouse import schema as S
    from warehouse.engine import connect

    engine = connect(url, read_only=True)
    try:
        out = {}
        with engine.connect() as conn:
            for table in (*S.LOADED, *S.MARTS):
                cols = [c for c in table.columns if c.name not in VOLATILE]
                rows = [tuple(_normal(v) for v in r) for r in conn.execute(sa.select(*cols))]
                out[table.fullname] = sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))
        return out
    finally:
        engine.dispose()


def assert_same_warehouse(url_a: str, url_b: str) -> int:
    a, b = snapshot(url_a), snapshot(url_b)
    assert a.keys() == b.keys()
    for name in a:
        assert len(a[name]) == len(b[name]), f"{name}: {len(a[name])} rows vs {len(b[name])}"
        assert a[name] == b[name], name
    total = sum(len(v) for v in a.values())
    assert total > 10_000  # a loaded year, not two empty warehouses
    return total
