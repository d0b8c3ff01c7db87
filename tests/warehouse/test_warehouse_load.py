"""Loading a year: counts, reruns, atomic failure, both engines identical."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from top100.errors import WarehouseError
from top100.records import MetricRow
from warehouse import bulk, load, runs, schema as S
from warehouse.engine import connect


def contents(engine: sa.Engine, table: sa.Table, *, with_run: bool = False) -> list[tuple]:
    """Every row of a table (without run_id unless asked), in a stable order."""
    cols = [c for c in table.columns if with_run or c.name != "run_id"]
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(*cols))]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def run_ids(engine: sa.Engine, table: sa.Table) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(table.c.run_id).distinct()).scalars())


def test_load_counts_every_file(open_warehouse, year_files):
    engine = open_warehouse()
    paths = year_files()
    run_id = runs.start_run(engine, "test", {"year": 2014}, "test")
    counts = load.load_year(engine, paths, run_id)
    assert counts == {
        "raw.document": 2, "staging.extracted_fact": 3, "staging.declared_fact": 4,
        "staging.market_quote": 1, "staging.fx_rate": 2, "staging.licence_registry": 1,
        "staging.traffic": 1, "staging.integrity_record": 1, "staging.stage_error": 2,
        "clean.company": 3, "clean.company_year_metric": 6, "clean.finding": 2,
    }
    for table in S.LOADED:
        assert len(contents(engine, table)) == counts[table.fullname], table.fullname
        if counts[table.fullname]:
            assert run_ids(engine, table) == {run_id}


def test_reload_replaces_the_year_with_a_new_run(open_warehouse, year_files):
    engine = open_warehouse()
    paths = year_files()
    first = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, paths, first)
    before = {t.fullname: contents(engine, t) for t in S.LOADED}
    second = runs.start_run(engine, "test", {}, "v1")
    assert second != first
    load.load_year(engine, paths, second)
    after = {t.fullname: contents(engine, t) for t in S.LOADED}
    assert after == before  # same rows, no duplicates
    for table in S.LOADED:
        assert run_ids(engine, table) == {second}
    from warehouse import reads
    assert reads.year_load(engine, 2014)["run_id"] == second


def test_years_are_separate_partitions(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(year=2014), run_id)
    load.load_year(engine, year_files(year=2015, version=2), run_id)
    load.load_year(engine, year_files(year=2015, version=3), run_id)  # backfill 2015 again
    with engine.connect() as conn:
        per_year = dict(conn.execute(
            sa.select(S.company_year_metric.c.year, sa.func.count()).group_by(S.company_year_metric.c.year)
        ).all())
    assert per_year == {2014: 6, 2015: 6}
    from warehouse import reads
    assert reads.years(engine) == [2014, 2015]


def test_failure_halfway_leaves_the_previous_version(open_warehouse, year_files, monkeypatch):
    engine = open_warehouse()
    old_run = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(version=1), old_run)
    before = {t.fullname: contents(engine, t, with_run=True) for t in (*S.LOADED, S.year_load)}

    new_paths = year_files(version=2)
    new_run = runs.start_run(engine, "test", {}, "v2")
    real_insert = bulk.insert
    written = []

    def insert_then_die(conn, table, data):
        if len(written) == 5:  # five tables already deleted and rewritten in this transaction
            raise RuntimeError("killed halfway")
        written.append(table.fullname)
        return real_insert(conn, table, data)

    monkeypatch.setattr(bulk, "insert", insert_then_die)
    with pytest.raises(RuntimeError, match="killed halfway"):
        load.load_year(engine, new_paths, new_run)
    assert len(written) == 5
    after = {t.fullname: contents(engine, t, with_run=True) for t in (*S.LOADED, S.year_load)}
    assert after == before

    monkeypatch.setattr(bulk, "insert", real_insert)
    load.load_year(engine, new_paths, new_run)  # and the same load goes through afterwards
    assert contents(engine, S.company_year_metric) != [r[:-1] for r in before["clean.company_year_metric"]]
    assert run_ids(engine, S.company_year_metric) == {new_run}


def test_a_bad_row_is_named_and_nothing_is_written(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(), run_id)
    before = contents(engine, S.company)
    bad = MetricRow("C0042", 2014, "revenue", "lots", "declared", None, None, None, None, "r", "agree")
    paths = year_files(version=2, metrics=[bad])
    with pytest.raises(WarehouseError) as err:
        load.load_year(engine, paths, run_id)
    message = str(err.value)
    assert "metrics.jsonl, row 1" in message and "C0042" in message and "'lots'" in message
    assert contents(engine, S.company) == before


def test_missing_field_and_broken_json_are_named(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    paths = year_files()
    with paths.companies.open("a", encoding="utf-8") as fh:
        fh.write('{"company_id": "C0099", "fiscal_year": 2014}\n')
    with pytest.raises(WarehouseError,
                       match=r"companies.jsonl, row 4 \(company C0099\): clean.company.legal_name is required but missing"):
        load.load_year(engine, paths, run_id)
    paths.companies.write_text('{"company_id": \n', encoding="utf-8")
    with pytest.raises(WarehouseError, match="companies.jsonl, line 1: not JSON"):
        load.load_year(engine, paths, run_id)


def test_arrow_and_row_paths_give_the_same_tables(year_files):
    paths = year_files()
    fast_used = 0
    for source in load.SOURCES:
        for locate in source.files:
            path = locate(paths)
            fast = load.frame_fast(source, 2014, "r1", path)
            rows = load.read_rows(path)
            slow, unknown = load.frame(source, 2014, "r1", rows, str)
            if fast is not None:
                fast_used += 1
                assert fast[0].equals(slow), path
                assert fast[1] == unknown == {}
    assert fast_used >= 8  # every shape without JSON-text fields


def test_missing_fields_take_the_record_default(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    paths = year_files()
    row = {k: v for k, v in sample_company().to_dict().items() if k not in ("eligible", "excluded_reason")}
    from top100.jsonl import write_jsonl
    write_jsonl(paths.companies, [row])
    load.load_year(engine, paths, run_id)
    with engine.connect() as conn:
        assert conn.execute(sa.select(S.company.c.eligible, S.company.c.excluded_reason)).all() == [(True, None)]


def sample_company():
    from top100.records import CompanyRow
    return CompanyRow("C0005", 2014, "名", "", "beijing", "other", None, None, None, None, None, False)


def test_duplicate_keys_are_refused(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    row = MetricRow("C0007", 2014, "revenue", 1.0, "declared", None, 1.0, None, None, "r", "agree")
    with pytest.raises(WarehouseError, match=r"metrics.jsonl: company C0007, 1 duplicate key\(s\) for clean.company_year_metric"):
        load.load_year(engine, year_files(metrics=[row, row]), run_id)


def test_unknown_fields_become_load_errors(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    paths = year_files()
    text = paths.traffic.read_text(encoding="utf-8").replace('{"company_id"', '{"panel": "x", "company_id"')
    paths.traffic.write_text(text, encoding="utf-8")
    load.load_year(engine, paths, run_id)
    from warehouse import reads
    errors = reads.stage_table(engine, 2014, "stage_error")
    load_errors = errors[errors["stage"] == "load"]
    assert len(load_errors) == 1
    assert "'panel' (1 rows)" in load_errors.iloc[0]["reason"]
    assert load_errors.iloc[0]["document"] == "traffic.jsonl"


def test_load_needs_a_running_run(open_warehouse, year_files):
    engine = open_warehouse()
    with pytest.raises(WarehouseError, match="run nope was never started"):
        load.load_year(engine, year_files(), "nope")
    run_id = runs.start_run(engine, "test", {}, "v1")
    runs.finish_run(engine, run_id, "succeeded")
    with pytest.raises(WarehouseError, match="already finished"):
        load.load_year(engine, year_files(), run_id)


@pytest.mark.postgres
def test_both_engines_hold_identical_contents(tmp_path, pg_db_url, year_files):
    from top100.records import RankingRow
    from warehouse import marts

    paths = year_files()
    tables = (*S.LOADED, *S.MARTS)
    seen = []
    for url in (f"duckdb:///{tmp_path / 'a.duckdb'}", pg_db_url):
        engine = connect(url)
        try:
            run_id = runs.start_run(engine, "demo", {"year": 2014}, "v1")
            load.load_year(engine, paths, run_id)
            marts.write_ranking(engine, 2014, [
                RankingRow(2014, 1, "C0001", "百度", "百度", 0.8123456789012345,
                           {"revenue_scale": 1.0, "growth": None}, {"company_scale": 0.5}),
            ], run_id)
            marts.write_report_figures(engine, 2014, [
                dict(name="total_revenue", value=1.23e12, unit="元", published=1.2e12,
                     published_text="1.2 万亿元", difference=0.025, within_tolerance=True),
            ], run_id)
            seen.append({t.fullname: contents(engine, t) for t in tables})
        finally:
            engine.dispose()
    duck, pg = seen
    for table in tables:
        assert duck[table.fullname] == pg[table.fullname], table.fullname
        assert duck[table.fullname], f"{table.fullname} is empty: the comparison would prove nothing"


KILL_SCRIPT = """
import os, sys
from pathlib import Path
from top100.paths import YearPaths
from warehouse import bulk, load, runs
from warehouse.engine import connect

url, out_dir = sys.argv[1], Path(sys.argv[2])
engine = connect(url)
run_id = runs.start_run(engine, "killed", {}, "v2")
real_insert, written = bulk.insert, []

def insert_then_exit(conn, table, data):
    if len(written) == 6:
        os._exit(9)  # no rollback, no cleanup: as if the process were killed
    written.append(table.fullname)
    return real_insert(conn, table, data)

bulk.insert = insert_then_exit
load.load_year(engine, YearPaths(out_dir, 2014), run_id)
"""


def test_a_killed_load_leaves_the_previous_version(engine_url, year_files, tmp_path):
    import subprocess
    import sys

    engine = connect(engine_url)
    old_run = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(version=1), old_run)
    before = {t.fullname: contents(engine, t, with_run=True) for t in (*S.LOADED, S.year_load)}
    engine.dispose()

    paths = year_files(version=2)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, engine_url, str(paths.out_dir)], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr[-2000:]

    engine = connect(engine_url)  # DuckDB replays its WAL here; PostgreSQL aborted the transaction
    try:
        after = {t.fullname: contents(engine, t, with_run=True) for t in (*S.LOADED, S.year_load)}
        assert after == before
    finally:
        engine.dispose()
