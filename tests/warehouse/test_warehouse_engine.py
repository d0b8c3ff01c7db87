"""Opening the warehouse: migrations and their version, read-only access for auditors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from top100.errors import WarehouseError
from warehouse import load, runs, schema as S
from warehouse.engine import connect, head_revision, schema_version
from warehouse.readonly import Refused
from warehouse.sql import query_readonly


def test_migration_creates_every_table_and_records_its_version(open_warehouse):
    engine = open_warehouse()
    assert head_revision() == "0001"
    assert schema_version(engine) == "0001"
    inspector = sa.inspect(engine)
    for table in S.metadata.tables.values():
        assert inspector.has_table(table.name, schema=table.schema), table.fullname
        names = [c["name"] for c in inspector.get_columns(table.name, schema=table.schema)]
        assert names == [c.name for c in table.columns], table.fullname
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM meta.alembic_version")).all() == [("0001",)]
    engine.dispose()
    again = open_warehouse()  # a second open finds the head and changes nothing
    assert schema_version(again) == "0001"


def test_natural_keys_are_unique_indexes_on_postgresql(open_warehouse, engine_url):
    engine = open_warehouse()
    indexes = {ix["name"]: ix for ix in sa.inspect(engine).get_indexes("company_year_metric", schema="clean")}
    if engine_url.startswith("postgresql"):
        assert indexes["ux_company_year_metric_key"]["unique"]
        assert indexes["ux_company_year_metric_key"]["column_names"] == ["year", "company_id", "metric"]
    else:  # DuckDB: checked by the loader instead (see warehouse/schema.py)
        assert "ux_company_year_metric_key" not in indexes


def test_read_only_refuses_writes(open_warehouse, engine_url, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(), run_id)
    engine.dispose()  # DuckDB: one process cannot hold a file open for writing and reading

    if engine_url.startswith("postgresql"):  # the test server's URL is a superuser's
        with pytest.raises(Refused, match="is a superuser"):
            query_readonly(engine_url, "SELECT company_id FROM clean.company")
    else:  # the queries themselves: tests/warehouse/test_sql_readonly.py (with a reader role on PG)
        columns, rows = query_readonly(engine_url, "SELECT company_id, legal_name FROM clean.company ORDER BY 1")
        assert columns == ["company_id", "legal_name"]
        assert [r[0] for r in rows] == ["C0001", "C0002", "C0003"]
        for statement in ("DELETE FROM clean.company", "INSERT INTO meta.run (run_id) VALUES ('x')",
                          "DROP TABLE clean.finding"):
            with pytest.raises(Refused, match="only a query .* may run"):
                query_readonly(engine_url, statement)
        with pytest.raises(Refused, match="not a table of the warehouse"):
            query_readonly(engine_url, "SELECT * FROM clean.no_such_table")

    reader = open_warehouse(read_only=True)
    with reader.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(S.company)).scalar() == 3
        with pytest.raises(sa.exc.DBAPIError):
            conn.execute(S.company.delete())


@pytest.mark.postgres
def test_read_only_open_refuses_what_is_not_a_warehouse(tmp_path, pg_db_url):
    with pytest.raises(WarehouseError, match="no warehouse at .*missing.duckdb"):
        connect(f"duckdb:///{tmp_path / 'missing.duckdb'}", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()
    with pytest.raises(WarehouseError, match="not a top100 warehouse yet"):
        connect(pg_db_url, read_only=True)


def test_urls_are_checked_and_folders_created(tmp_path, monkeypatch):
    with pytest.raises(WarehouseError, match="unsupported database 'sqlite'"):
        connect("sqlite:///x.db")
    with pytest.raises(WarehouseError, match="not a database URL"):
        connect("not a url")
    monkeypatch.chdir(tmp_path)
    engine = connect("duckdb:///out/top100.duckdb")  # relative to the working directory
    engine.dispose()
    assert (tmp_path / "out" / "top100.duckdb").is_file()


def test_a_newer_schema_is_refused(open_warehouse, engine_url):
    engine = open_warehouse()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta.alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(WarehouseError, match="schema version 9999, which this code does not know"):
        connect(engine_url)
    with pytest.raises(WarehouseError, match="at schema version 9999, this code expects 0001"):
        connect(engine_url, read_only=True)


@pytest.mark.postgres
def test_migrations_build_exactly_what_schema_py_declares(pg_db_url):
    """Alembic's own comparison: the head revision's tables, columns, types, nullability,
    comments and indexes equal warehouse/schema.py (a schema change without a migration fails)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = connect(pg_db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "include_schemas": True, "version_table_schema": S.META, "compare_type": True,
                "include_name": lambda name, kind, parent: kind != "schema" or name in S.LAYERS,
            })
            assert compare_metadata(context, S.metadata) == []
    finally:
        engine.dispose()


def test_duckdb_reader_beside_a_writer_in_one_process_is_explained(tmp_path):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    writer = connect(url)
    try:
        with pytest.raises(WarehouseError, match="open for writing: .*dispose the writer's engine first"):
            connect(url, read_only=True)
    finally:
        writer.dispose()
    connect(url, read_only=True).dispose()


@pytest.mark.postgres
def test_an_own_postgresql_with_schemas_made_by_a_dba(pg_db_url):
    """The README's set-up for a user's own server: a DBA makes the schemas for an owner role
    without CREATE on the database; an auditor role gets SELECT only."""
    import uuid

    owner, auditor = f"t_owner_{uuid.uuid4().hex[:8]}", f"t_audit_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_db_url, isolation_level="AUTOCOMMIT")
    base = sa.make_url(pg_db_url)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE ROLE {owner} LOGIN; CREATE ROLE {auditor} LOGIN"))
            for layer in S.LAYERS:
                conn.execute(sa.text(f"CREATE SCHEMA {layer} AUTHORIZATION {owner}"))
        engine = connect(base.set(username=owner).render_as_string(hide_password=False))
        try:
            run_id = runs.start_run(engine, "test", {}, "v1")
            assert schema_version(engine) == "0001" and run_id
        finally:
            engine.dispose()
        with admin.connect() as conn:
            for layer in S.LAYERS:  # what the README tells the owner to grant
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {layer} TO {auditor}"))
                conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {layer} TO {auditor}"))
        auditor_url = base.set(username=auditor).render_as_string(hide_password=False)
        assert query_readonly(auditor_url, "SELECT flow FROM meta.run")[1] == [("test",)]
        with pytest.raises(Refused, match="only a query .* may run, not DELETE"):
            query_readonly(auditor_url, "DELETE FROM meta.run")
    finally:
        with admin.connect() as conn:
            for layer in S.LAYERS:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {layer} CASCADE"))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {owner}; DROP ROLE IF EXISTS {auditor}"))
        admin.dispose()
