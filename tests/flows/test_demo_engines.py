"""The demo year loads both engines to identical contents, and a rerun replaces the year whole
(issue: warehouse)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from demo_harness import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("demo")]


def _rows(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    cols = [c for c in table.columns if c.name != "run_id"]
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(*cols))]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def _stages(run, url: str, stages: str) -> subprocess.CompletedProcess:
    env = dict(run.env, TOP100_WAREHOUSE_URL=url)
    return subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2014", "--quiet", "--stages", stages],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_demo_year_is_identical_on_duckdb_and_postgresql(demo_run, pg_db_url):
    from warehouse import schema as S
    from warehouse.engine import connect

    proc = _stages(demo_run, pg_db_url, "load,score,report")
    assert proc.returncode in (0, 3), proc.stdout[-3000:] + proc.stderr[-3000:]
    duck = connect(demo_run.env["TOP100_WAREHOUSE_URL"], read_only=True)
    pg = connect(pg_db_url, read_only=True)
    try:
        compared = 0
        for table in (*S.LOADED, *S.MARTS):
            a, b = _rows(duck, table), _rows(pg, table)
            assert a == b, table.fullname
            compared += len(a)
        assert compared > 10_000  # the demo year, not an empty warehouse
    finally:
        duck.dispose()
        pg.dispose()


def test_rerunning_a_year_gives_the_same_rows_with_a_new_run_id(demo_run, pg_db_url):
    from warehouse import schema as S
    from warehouse.engine import connect

    for _ in range(2):
        proc = _stages(demo_run, pg_db_url, "load,score")
        assert proc.returncode in (0, 3), proc.stdout[-3000:] + proc.stderr[-3000:]
        engine = connect(pg_db_url, read_only=True)
        try:
            with engine.connect() as conn:
                runs = set(conn.execute(sa.select(S.company_year_metric.c.run_id).distinct()).scalars())
                n = conn.execute(sa.select(sa.func.count()).select_from(S.company_year_metric)).scalar()
            snapshot = {t.fullname: _rows(engine, t) for t in (*S.LOADED, *S.MARTS)}
        finally:
            engine.dispose()
        assert len(runs) == 1
        if _ == 0:
            first, first_run, first_n = snapshot, runs, n
    assert runs != first_run and n == first_n
    assert snapshot == first
