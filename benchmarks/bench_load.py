"""Load one million clean.company_year_metric rows into DuckDB and PostgreSQL; print rows/s.

    .venv/bin/python benchmarks/bench_load.py [--rows 1000000] [--pg postgresql+psycopg://...]

Two figures per engine:
- ``load_year``: the whole load stage, from metrics.jsonl on disk (read, validate, type, key
  check, delete + bulk insert of the year in one transaction);
- ``replace``: the same year replaced again from the typed Arrow table (the bulk path alone).
PostgreSQL gets a throw-away database on the given server (dropped at the end).
Target (issue 7): the DuckDB load under 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from top100.jsonl import write_jsonl  # noqa: E402
from top100.paths import YearPaths  # noqa: E402
from warehouse import bulk, load, runs, schema as S  # noqa: E402
from warehouse.engine import connect  # noqa: E402

METRICS = [f"metric_{i:02d}" for i in range(50)]


def metric_rows(n: int):
    for i in range(n):
        company, metric = divmod(i, len(METRICS))
        yield {
            "company_id": f"C{company:06d}", "fiscal_year": 2014, "metric": METRICS[metric],
            "value": 1.0e9 + i * 0.37, "source": "annual_report", "source_ref": f"{i:064x} p.7",
            "declared": 1.0e9 + i * 0.36, "public": 1.0e9 + i * 0.37, "difference": -0.001,
            "rule": "within_tolerance", "status": "agree",
        }


def bench(url: str, paths: YearPaths, rows: int) -> None:
    engine = connect(url)
    try:
        run_id = runs.start_run(engine, "bench", {"rows": rows}, "bench")
        t0 = time.perf_counter()
        counts = load.load_year(engine, paths, run_id)
        t_load = time.perf_counter() - t0
        assert counts[S.company_year_metric.fullname] == rows, counts

        data = load.read_year(paths, run_id)[S.company_year_metric.fullname]
        t0 = time.perf_counter()
        with engine.begin() as conn:
            bulk.replace_year(conn, S.company_year_metric, paths.year, data)
        t_replace = time.perf_counter() - t0
        with engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(S.company_year_metric)).scalar()
        assert stored == rows, stored
    finally:
        engine.dispose()
    name = engine.dialect.name
    print(f"{name:<10} load_year {t_load:6.2f} s  {rows / t_load:>12,.0f} rows/s")
    print(f"{name:<10} replace   {t_replace:6.2f} s  {rows / t_replace:>12,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server URL (a throw-away database is created on it)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="top100-bench-") as tmp:
        paths = YearPaths(Path(tmp) / "out", 2014)
        t0 = time.perf_counter()
        write_jsonl(paths.metrics, metric_rows(args.rows))
        print(f"wrote {args.rows:,} metric rows to metrics.jsonl in {time.perf_counter() - t0:.2f} s")

        bench(f"duckdb:///{Path(tmp) / 'bench.duckdb'}", paths, args.rows)

        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        database = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        try:
            bench(sa.make_url(args.pg).set(database=database).render_as_string(hide_password=False),
                  paths, args.rows)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
