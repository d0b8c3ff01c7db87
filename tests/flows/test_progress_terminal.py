"""The progress display of a real stage (verify, under Prefect) through the console script:
live in a pseudo-terminal, plain lines when piped, JSON lines with --json-logs."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("top100")
sys.path.insert(0, str(ROOT / "tests" / "expectations"))
import verify_world as world  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("progress-tty")]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOP100_")}
    env.update({"TOP100_OUT_DIR": str(tmp / "out"), "TOP100_WAREHOUSE_URL": f"duckdb:///{tmp / 'out' / 'top100.duckdb'}",
                "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1", "COLUMNS": "150", "LINES": "40", "TERM": "xterm-256color"})
    return env


def _in_pty(args: list[str], env: dict[str, str], timeout: float = 600) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; return the exit code and all output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("progress")
    world.build(tmp / "out")
    return tmp


def test_live_display_in_a_terminal_under_prefect(year):
    code, out = _in_pty([str(SCRIPT), "verify", "--year", str(world.YEAR)], _env(year))
    assert code == 0, out[-3000:]
    text = ANSI.sub("", out)
    # redrawn in place (carriage returns / cursor movement), not one line per event
    assert "\r" in out or "\x1b[" in out
    frames = [f for f in re.split(r"[\r\n]", text) if "verify" in f and "/" in f]
    assert frames, text[-2000:]
    companies = len(world.COMPANIES) if hasattr(world, "COMPANIES") else None
    done_of_total = [m for f in frames for m in re.findall(r"(\d+)/(\d+)", f)]
    assert any(a == b and int(b) > 1 for a, b in done_of_total), frames[-5:]  # e.g. 17/17: the audit pages
    if companies:
        assert any(int(b) == companies for _, b in done_of_total)
    assert any(re.search(r"\d+\.\d/s", f) for f in frames), frames[-5:]  # rate
    assert any(re.search(r"\d:\d\d:\d\d", f) for f in frames)  # elapsed / time left
    assert any(re.search(r"C\d+\.\.C\d+", f) for f in frames), frames[-5:]  # the companies being drawn
    assert "top100 2014: done" in text


def test_plain_lines_when_piped_and_json_lines(year):
    env = _env(year)
    piped = subprocess.run([str(SCRIPT), "verify", "--year", str(world.YEAR)], capture_output=True, text=True,
                           env=env, cwd=ROOT, timeout=600)
    assert piped.returncode == 0, piped.stderr[-3000:]
    lines = [ln for ln in piped.stderr.splitlines() if ln.startswith("[verify]")]
    assert lines and "\x1b[" not in piped.stderr
    assert all(re.search(r"(-|\d+\.\d)/s left (-:--:--|\d:\d\d:\d\d)", ln) for ln in lines[:-1]), lines
    assert "done in 0:0" in lines[-1], lines
    js = subprocess.run([str(SCRIPT), "verify", "--year", str(world.YEAR), "--json-logs"], capture_output=True,
                        text=True, env=env, cwd=ROOT, timeout=600)
    assert js.returncode == 0, js.stderr[-3000:]
    events = [json.loads(ln) for ln in js.stderr.splitlines() if ln.startswith("{")]
    assert events and all(e["stage"] == "verify" for e in events)
    paced = [e for e in events if e["rate_per_s"] is not None]
    assert paced and all(e["eta_s"] is not None and e["eta_s"] >= 0 for e in paced)
    assert events[-1]["finished"] is True
    assert json.loads(js.stdout.strip().splitlines()[-1])["summary"]["outcome"] == "done"
