"""The README's three scheduling commands against a real Prefect server on PostgreSQL (issue 9):
`prefect server start` (its database a fresh PostgreSQL database on 127.0.0.1:5432, as for
production), a `process` work pool, `prefect deploy --all`; then the server holds the
deployments as pinned in test_deployments and has scheduled the next evaluation for 1 July,
02:00 in Shanghai (after the valuation date), and the next weekly collect on a Monday."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from test_deployments import SNAPSHOT  # tests/flows is on sys.path (rootdir-less test dir)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("ops")]

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("TOP100_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def prefect_database():
    """A fresh PostgreSQL database for the Prefect server; dropped afterwards."""
    name = f"prefect_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG).set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def server(prefect_database, tmp_path):
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1", "PREFECT_SERVER_DATABASE_CONNECTION_URL": prefect_database,
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1", "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        # the scheduler looks 100 days ahead by default; 1 July is up to a year away (README, "Scheduling")
        "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME": "P400D",
        "TOP100_HOME": str(ROOT),
    })
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    api = env["PREFECT_API_URL"]
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prefect server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield api, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _cli(env: dict, *args: str) -> str:
    proc = subprocess.run([PREFECT, "--no-prompt", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, f"prefect {' '.join(args)}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    return proc.stdout


def _next_collect(now: datetime) -> datetime:
    """The next Monday 02:00 (Shanghai) in February to June."""
    from datetime import timedelta

    tz = ZoneInfo("Asia/Shanghai")
    day = now.astimezone(tz).replace(hour=2, minute=0, second=0, microsecond=0)
    while not (day > now and day.weekday() == 0 and 2 <= day.month <= 6):
        day = (day + timedelta(days=1)).replace(hour=2)
    return day


def _next_first_of_july(now: datetime) -> datetime:
    tz = ZoneInfo("Asia/Shanghai")
    local = now.astimezone(tz)
    for year in (local.year, local.year + 1):
        fire = datetime(year, 7, 1, 2, 0, tzinfo=tz)
        if fire > local:
            return fire
    raise AssertionError("unreachable")


def test_deploy_all_on_a_postgres_backed_server_schedules_the_next_yearly_run(server):
    api, env = server
    _cli(env, "work-pool", "create", "top100", "--type", "process")
    _cli(env, "deploy", "--all")

    deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    got = {d["name"]: {
        "entrypoint": d["entrypoint"], "parameters": d["parameters"], "work_pool": d["work_pool_name"],
        "schedules": [{k: s["schedule"][k] for k in ("cron", "timezone")} | {"active": s["active"]}
                      for s in d["schedules"]],
    } for d in deployments}
    assert got == {name: {**want, "schedules": [{k: s[k] for k in ("cron", "timezone", "active")}
                                                for s in want["schedules"]]}
                   for name, want in SNAPSHOT.items()}
    for d in deployments:  # the workers run the flows from the project folder (TOP100_HOME)
        assert d["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]

    now = datetime.now(timezone.utc)
    for name, want in (("annual", _next_first_of_july(now)), ("collect", _next_collect(now))):
        dep = next(d for d in deployments if d["name"] == name)
        runs: list[dict] = []
        deadline = time.monotonic() + 60
        while not runs and time.monotonic() < deadline:  # the scheduler service runs every second here
            runs = httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "deployments": {"id": {"any_": [dep["id"]]}}}).json()
            time.sleep(0.5)
        assert runs, f"no scheduled run of the {name} deployment"
        first = min(datetime.fromisoformat(r["expected_start_time"].replace("Z", "+00:00")) for r in runs)
        assert first == want, (name, first, want)
        assert all(r["parameters"] == {} for r in runs)  # the list year is resolved when the run starts
    # and the server's state is in PostgreSQL, not in a SQLite file under PREFECT_HOME
    url = sa.make_url(env["PREFECT_SERVER_DATABASE_CONNECTION_URL"]).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(conn.execute(sa.text("SELECT name FROM deployment")).scalars())
    finally:
        engine.dispose()
    assert names == set(SNAPSHOT)
    assert not list(Path(env["PREFECT_HOME"]).rglob("*.db"))
