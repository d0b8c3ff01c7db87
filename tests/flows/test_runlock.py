"""One run at a time per out folder, and out_dir moves every output (issue 16).

Two real processes: a holder takes the out folder's lock exactly as a run does (flows.runlock)
and names its run id; `top100 run` on the same folder refuses in one line naming that run id and
pid; once the holder is killed with -9 the kernel releases the lock and the folder is free."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.runlock import HOLDER_NAME, OutFolderBusy, holder, out_folder_lock
from top100.config import Settings, load_settings
from top100.csvsafe import write_csv
from top100.jsonl import current_umask, write_json, write_jsonl

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from flows.runlock import out_folder_lock, name_run
with out_folder_lock(Path(sys.argv[1])):
    name_run(Path(sys.argv[1]), sys.argv[2])
    print("holding", flush=True)
    time.sleep(600)
"""


def _hold(out: Path, run_id: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), run_id], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_second_run_refuses_naming_the_holder_then_the_folder_is_free_after_kill_9(tmp_path):
    out = tmp_path / "out"
    holder_proc = _hold(out, "20261201T220000Z-feedbeef")
    try:
        assert holder(out)["pid"] == holder_proc.pid
        env = {**os.environ, "TOP100_OUT_DIR": str(out), "PREFECT_HOME": str(tmp_path / "prefect")}
        t0 = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2014", "--stages", "load"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 4, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert "in use by run 20261201T220000Z-feedbeef" in lines[0] and f"pid {holder_proc.pid}" in lines[0]
        assert str(out.resolve()) in lines[0]
        assert time.monotonic() - t0 < 60  # refused at once, not after a run's worth of work
        assert not (out / "2014").exists() and not (out / "top100.duckdb").exists()  # nothing was touched
        # in this process too, the same refusal
        with pytest.raises(OutFolderBusy, match="in use by run 20261201T220000Z-feedbeef"):
            with out_folder_lock(out):
                pass
    finally:
        holder_proc.send_signal(signal.SIGKILL)
        holder_proc.wait(10)
    # the holder died: the kernel released its lock (its holder file is stale, and is replaced)
    with out_folder_lock(out):
        assert holder(out)["pid"] == os.getpid()
        with out_folder_lock(out):  # re-entrant within one process
            pass
        assert holder(out)["pid"] == os.getpid()
    assert not (out / HOLDER_NAME).exists()


def test_a_waiting_run_gets_the_folder_when_the_holder_ends(tmp_path):
    out = tmp_path / "out"
    holder_proc = _hold(out, "r1")
    try:
        with pytest.raises(OutFolderBusy, match=r"waited 0\.3 s"):
            with out_folder_lock(out, wait_s=0.3):
                pass
    finally:
        holder_proc.terminate()
        holder_proc.wait(10)
    with out_folder_lock(out, wait_s=5):
        pass


def test_out_dir_moves_the_warehouse_and_the_demo_world(tmp_path, monkeypatch):
    s = Settings(out_dir=tmp_path / "elsewhere")
    assert s.warehouse == f"duckdb:///{tmp_path}/elsewhere/top100.duckdb"
    assert s.world_dir == tmp_path / "elsewhere" / "demo-world" / "2014"  # one folder per fiscal year
    # the project's own top100.toml, moved by TOP100_OUT_DIR alone
    monkeypatch.setenv("TOP100_OUT_DIR", str(tmp_path / "moved"))
    monkeypatch.delenv("TOP100_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("TOP100_DEMO__WORLD_DIR", raising=False)
    moved = load_settings(ROOT / "top100.toml")
    assert moved.warehouse == f"duckdb:///{tmp_path}/moved/top100.duckdb"
    assert moved.world_dir == tmp_path / "moved" / "demo-world" / "2014"
    # an explicit URL is left as it is
    assert Settings(out_dir=tmp_path, warehouse_url="duckdb:///w.duckdb").warehouse == "duckdb:///w.duckdb"


def test_outputs_are_readable_by_group_and_others(tmp_path):
    old = os.umask(0o022)
    try:
        assert current_umask() == 0o022
        write_jsonl(tmp_path / "a.jsonl", [{"a": 1}])
        write_json(tmp_path / "b.json", {"b": 2})
        write_csv(tmp_path / "ranking.csv", ["rank"], [[1]])
        for name in ("a.jsonl", "b.json", "ranking.csv"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
        os.umask(0o027)  # the user's umask is respected
        write_jsonl(tmp_path / "c.jsonl", [])
        assert stat.S_IMODE((tmp_path / "c.jsonl").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_passwords_are_masked_in_every_form_of_url():
    from top100.config import redact_url

    assert redact_url("postgresql+psycopg://u:s3cr3t@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert redact_url("postgresql://u:a/b@c@h/db") == "postgresql://u:***@h/db"
    masked = redact_url("postgresql://u@h/db?sslmode=require&password=s3cr3t&options=-csearch_path%3Dx")
    assert "s3cr3t" not in masked and "password=***" in masked and "sslmode=require" in masked
    assert redact_url("host=h user=u password=s3cr3t dbname=d") == "host=h user=u password=*** dbname=d"
    assert redact_url("duckdb:///out/top100.duckdb") == "duckdb:///out/top100.duckdb"


def test_a_query_string_password_is_masked_in_the_warehouse_error():
    from top100.errors import WarehouseError
    from warehouse.engine import connect

    with pytest.raises(WarehouseError) as info:
        connect("postgresql+psycopg://auditor@127.0.0.1:1/top100?password=s3cr3t-qs&connect_timeout=2")
    assert "s3cr3t-qs" not in str(info.value) and "password=***" in str(info.value)
