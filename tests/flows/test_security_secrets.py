"""Secrets and access (issue 10): the warehouse password never reaches an output, a log or the
console; `top100 sql` refuses writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from demo_harness import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

PASSWORD = "s3cr3t-XYZ"
CONTACT = "secret-contact-7Q@example.org"


def _cli(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=ROOT, env=env, capture_output=True, check=False,
                          text=True, timeout=timeout)


def _files_containing(root: Path, needle: bytes) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file() and needle in p.read_bytes():
            hits.append(str(p.relative_to(root)))
    return hits


@pytest.mark.postgres
def test_the_warehouse_password_is_never_written_or_printed(demo_run, pg_db_url, tmp_path):
    # the year's stage files, copied: the load runs in its own out dir and Prefect home
    out = tmp_path / "out"
    shutil.copytree(demo_run.year_dir, out / "2014", ignore=shutil.ignore_patterns("audit", "data_docs", "report", "gx"))
    url = sa.make_url(pg_db_url).set(password=PASSWORD).render_as_string(hide_password=False)
    assert PASSWORD in url
    env = dict(demo_run.env, TOP100_OUT_DIR=str(out), TOP100_WAREHOUSE_URL=url, TOP100_CRAWL__CONTACT=CONTACT,
               PREFECT_HOME=str(tmp_path / "prefect-home"),
               PREFECT_RESULTS_LOCAL_STORAGE_PATH=str(tmp_path / "prefect-results"))
    # JSON logs: the progress lines and the summary a scheduler keeps
    proc = _cli(env, "run", "--year", "2014", "--json-logs", "--stages", "load")
    assert proc.returncode in (0, 3), proc.stdout[-2000:] + proc.stderr[-2000:]
    assert ":***@" in proc.stdout  # the summary names the warehouse, redacted
    for stream in (proc.stdout, proc.stderr):
        assert PASSWORD not in stream and CONTACT not in stream
    # the load did reach the warehouse with that password (trust auth accepts any)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(sa.text("select count(*) from clean.company")).scalar()
            params = conn.execute(sa.text("select * from meta.run")).fetchall()
    finally:
        engine.dispose()
    assert n > 100
    assert all(PASSWORD not in str(r) for r in params)  # the run record keeps no secret either
    assert _files_containing(out, PASSWORD.encode()) == []
    assert _files_containing(out, CONTACT.encode()) == []
    prefect = [tmp_path / "prefect-home", tmp_path / "prefect-results"]
    for root in prefect:
        assert _files_containing(root, PASSWORD.encode()) == [], root  # SecretStr is masked there
    leaked = [f for root in prefect for f in _files_containing(root, CONTACT.encode())]
    assert leaked == [], "the SEC contact is stored in clear by Prefect (crawl.contact must stay a SecretStr)"


def test_sql_refuses_writes_and_changes_nothing(demo_run):
    env = dict(demo_run.env)
    count = "select count(*) as n from clean.company"
    first = _cli(env, "sql", "--json", count, timeout=120)
    assert first.returncode == 0, first.stderr
    for statement in ("delete from clean.company", "drop table clean.company",
                      "create table clean.x as select 1 as a", "update clean.company set eligible = false"):
        proc = _cli(env, "sql", statement, timeout=120)
        assert proc.returncode == 2, (statement, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("top100: error: query refused: only a query") and proc.stderr.count("\n") == 1, proc.stderr
    again = _cli(env, "sql", "--json", count, timeout=120)
    assert again.stdout == first.stdout and '"n": ' in first.stdout
