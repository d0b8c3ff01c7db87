"""Shared test fixtures: the real samples beside the project, PostgreSQL, Prefect, Chromium."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

# Telemetry off and a private Prefect home for the whole test session, before prefect is imported.
_PREFECT_TMP = Path(tempfile.mkdtemp(prefix="top100-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PREFECT_HOME"] = str(_PREFECT_TMP / "home")
os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(_PREFECT_TMP / "results")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "fixtures" / "real"
PG_BASE = os.environ.get("TOP100_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def real() -> Path:
    """../shared/fixtures/real: present on our machines and in CI, not in a user's clone."""
    if not REAL.is_dir():
        pytest.skip("../shared/fixtures/real is not beside the project (a user's clone)")
    return REAL


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (it costs 6-13 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema on the test server; dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_BASE)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is part of the test machine: failing is right
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({exc}); run scripts/system-deps.sh")
    sep = "&" if "?" in PG_BASE else "?"
    yield f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def pg_db_url():
    """A fresh PostgreSQL DATABASE on the test server, dropped afterwards (the warehouse uses
    named schemas, so a search_path schema cannot isolate it)."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is part of the test machine: failing is right
        admin.dispose()
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({exc}); run scripts/system-deps.sh")
    yield sa.make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed; run scripts/system-deps.sh")
    return path


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-file-access-from-files",
]


@pytest.fixture
def browser_dom(chromium, tmp_path):
    """Load a page from disk in headless Chromium (scripts run) and return the DOM it built."""
    import subprocess

    def load(page: Path, *, budget_ms: int = 5000) -> str:
        profile = tmp_path / f"chromium-{uuid.uuid4().hex[:6]}"
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", "--dump-dom", page.resolve().as_uri()]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    return load


@pytest.fixture
def browser_screenshot(chromium, tmp_path):
    """Render a page from disk to a PNG in headless Chromium; returns the PNG path."""
    import subprocess

    def shoot(page: Path, png: Path, *, size: str = "1280,2000") -> Path:
        profile = tmp_path / f"chromium-{uuid.uuid4().hex[:6]}"
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
               f"--screenshot={png}", page.resolve().as_uri()]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        assert out.returncode == 0 and png.exists(), out.stderr[-2000:]
        return png

    return shoot
