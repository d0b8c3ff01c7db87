"""`top100 sql` is read-only by construction (issue 16): the guard refuses every probe with one
line, the engine beneath refuses them too, and the warehouse (file or database) and the files
around it are unchanged afterwards. Every test runs on DuckDB and on PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from top100.errors import WarehouseError
from warehouse import load, runs, schema as S
from warehouse.engine import connect
from warehouse.readonly import Refused, check
from warehouse.sql import query_readonly

TABLES = {("clean", "company"), ("marts", "ranking"), ("meta", "run")}


def probes(wh_file: Path, audit: Path) -> list[str]:
    """The issue's probes, aimed at this test's own warehouse file and audit site."""
    return [
        f"copy (select 1) to '{wh_file}' (format csv)",
        f"copy (select 1 as a) to '{audit}' (format csv)",
        f"COPY clean.company TO '{audit}'",
        "select * from read_text('/etc/hostname')",
        "select * from read_csv('/etc/passwd')",
        "select count(*) from read_csv_auto('/etc/passwd')",
        "select * from '/etc/passwd'",
        f"export database '{audit.parent / 'exported'}'",
        "select 1; select 2",
        "select count(*) from clean.company; delete from clean.company",
        "set transaction read write; create table clean.x (a int); commit",
        "set transaction read write",
        "create table clean.x as select 1 as a",
        "delete from clean.company",
        "update clean.company set eligible = false",
        "insert into meta.run (run_id) values ('x')",
        "drop table clean.company",
        "copy (select 1) to program 'touch /tmp/top100-pwned'",
        "select pg_read_file('/etc/passwd')",
        "select pg_ls_dir('.')",
        "select lo_import('/etc/passwd')",
        "select * into clean.stolen from clean.company",
        "select * from clean.company for update",
        "attach '/tmp/other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "pragma database_list",
        "call pragma_version()",
        "checkpoint",
        "begin",
        "commit",
        "vacuum",
        "select * from query('select 1')",
        "select * from glob('/etc/*')",
        "select getenv('HOME')",
        "select * from information_schema.tables",
        "select * from pg_catalog.pg_authid",
        "select * from company",
        "explain analyze select 1",
        "select set_config('default_transaction_read_only', 'off', false)",
        # functions that run SQL given as text: a second statement the guard never parsed
        "select query_to_xml('delete from meta.run', true, true, '')",
        "select Query_To_Xml_And_XmlSchema('select 1', true, true, '')",
        "select database_to_xml(true, true, '')",
        "select table_to_xml('meta.run', true, true, '')",
        "select cursor_to_xml('c', 1, true, true, '')",
        "select ts_stat('select to_tsvector(legal_name) from clean.company')",
        "select ts_rewrite('a'::tsquery, 'select 1')",
        "select pg_try_advisory_lock(1)",
        "select pg_advisory_lock_shared(1)",
        "select json_execute_serialized_sql(json_serialize_sql('select 1'))",
        "select * from clean.company, lateral json_execute_serialized_sql(json_serialize_sql('select 1'))",
    ]


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_the_guard_refuses_every_probe_with_one_line(dialect, tmp_path):
    for probe in probes(tmp_path / "top100.duckdb", tmp_path / "audit" / "index.html"):
        with pytest.raises(Refused) as info:
            check(probe, dialect, TABLES)
        message = str(info.value)
        assert message and "\n" not in message, (probe, message)


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_the_guard_lets_queries_over_the_warehouse_through(dialect):
    for query in ("select company_id, legal_name from clean.company order by 1",
                  "SELECT count(*) FROM clean.company WHERE legal_name LIKE '%公司%'",
                  "with e as (select * from clean.company where eligible) select count(*) from e",
                  "select c.company_id, r.rank from clean.company c join marts.ranking r using (company_id)",
                  "select 1 union all select 2", "values (1), (2)", "explain select * from meta.run",
                  'select * from "clean"."company"', "select * from generate_series(1, 3)",
                  "select (select count(*) from meta.run) as runs"):
        assert check(query, dialect, TABLES) == query
    assert "name warehouse tables with their schema" in _refusal("select * from company", dialect)
    assert "not a table of the warehouse" in _refusal("select * from clean.nope", dialect)
    assert "exactly one statement" in _refusal("select 1; select 2", dialect)
    assert "read_text" in _refusal("select * from read_text('/etc/hostname')", dialect)


def _refusal(sql: str, dialect: str) -> str:
    with pytest.raises(Refused) as info:
        check(sql, dialect, TABLES)
    return str(info.value)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _db_state(url: str) -> tuple:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(tuple(r) for r in conn.execute(sa.text(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('raw', 'staging', 'clean', 'marts', 'meta', 'public')")))
            companies = conn.execute(sa.text("select company_id, eligible from clean.company order by 1")).all()
            n_runs = conn.execute(sa.text("select count(*) from meta.run")).scalar()
    finally:
        engine.dispose()
    return tables, [tuple(r) for r in companies], n_runs


@pytest.fixture
def loaded(engine_url, year_files, tmp_path):
    """A warehouse with one loaded year, and an audit site beside it (the probes aim at both)."""
    engine = connect(engine_url)
    try:
        run_id = runs.start_run(engine, "test", {}, "v1")
        load.load_year(engine, year_files(), run_id)
    finally:
        engine.dispose()  # DuckDB: one process cannot hold a file open for writing and reading
    audit = tmp_path / "out" / "2014" / "audit" / "index.html"
    audit.parent.mkdir(parents=True, exist_ok=True)
    audit.write_text("<html>the published audit site</html>", encoding="utf-8")
    return engine_url


def _reader_role(admin_url: str) -> tuple[str, str]:
    """The README's read-only role on this database; returns (role, its URL)."""
    role = f"t_auditor_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
            for layer in S.LAYERS:
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {layer} TO {role}"))
                conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {layer} TO {role}"))
    finally:
        admin.dispose()
    return role, sa.make_url(admin_url).set(username=role).render_as_string(hide_password=False)


def _drop_role(admin_url: str, role: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}"))
    finally:
        admin.dispose()


def test_every_probe_is_refused_and_nothing_changes(loaded, tmp_path):
    url = loaded
    role = None
    if url.startswith("postgresql"):
        role, reader = _reader_role(url)
    else:
        reader = url
    try:
        before_files, before_db = _snapshot(tmp_path), _db_state(url)
        columns, rows = query_readonly(reader, "SELECT company_id, legal_name FROM clean.company ORDER BY 1")
        assert columns == ["company_id", "legal_name"] and [r[0] for r in rows] == ["C0001", "C0002", "C0003"]
        _, like = query_readonly(reader, "SELECT count(*) FROM clean.company WHERE legal_name LIKE '%公司%'")
        assert like == [(2,)]
        for probe in probes(tmp_path / "wh" / "top100.duckdb", tmp_path / "out" / "2014" / "audit" / "index.html"):
            with pytest.raises(Refused) as info:
                query_readonly(reader, probe)
            assert "\n" not in str(info.value)
        with pytest.raises(WarehouseError, match="query failed on .*no_such_column"):
            query_readonly(reader, "SELECT no_such_column FROM clean.company")
        assert _snapshot(tmp_path) == before_files  # the warehouse file and the audit site unchanged
        assert _db_state(url) == before_db
        assert not Path("/tmp/top100-pwned").exists()
    finally:
        if role:
            _drop_role(url, role)


def test_the_engine_refuses_what_the_guard_would_have(loaded, tmp_path):
    """The second layer alone (the guard bypassed): the sandboxed connection cannot write a
    file, read one, or switch itself back."""
    url = loaded
    role = None
    if url.startswith("postgresql"):
        role, reader = _reader_role(url)
        attempts = ["set transaction read write; create table meta.x (a int)",
                    "create table meta.x (a int)", "delete from meta.run",
                    "select pg_read_file('/etc/hostname')", "copy (select 1) to program 'true'"]
    else:
        reader = url
        wh = tmp_path / "wh" / "top100.duckdb"
        attempts = [f"copy (select 1) to '{wh}' (format csv)", "select * from read_text('/etc/hostname')",
                    "select * from read_csv('/etc/passwd')", f"export database '{tmp_path / 'x'}'",
                    "set enable_external_access = true", "delete from meta.run",
                    f"attach '{tmp_path / 'other.duckdb'}' as other"]
    before_files, before_db = _snapshot(tmp_path), _db_state(url)
    engine = connect(reader, read_only=True, sandbox=True)
    try:
        for statement in attempts:
            with engine.connect() as conn:
                if role:
                    conn.execute(sa.text("SET TRANSACTION READ ONLY"))
                with pytest.raises(sa.exc.DBAPIError):
                    conn.exec_driver_sql(statement)
                conn.rollback()
    finally:
        engine.dispose()
        if role:
            _drop_role(url, role)
    assert _snapshot(tmp_path) == before_files and _db_state(url) == before_db


@pytest.mark.postgres
def test_a_role_that_can_write_is_refused_and_says_which_role_to_create(pg_db_url, year_files):
    engine = connect(pg_db_url)
    try:
        runs.start_run(engine, "test", {}, "v1")
    finally:
        engine.dispose()
    marker = Path(f"/tmp/top100-program-{uuid.uuid4().hex[:8]}")
    # the test server's URL is a superuser's: refused before anything runs, even a plain query
    for statement in ("select count(*) from meta.run", f"copy (select 1) to program 'touch {marker}'",
                      "select pg_read_file('/etc/hostname')"):
        with pytest.raises(Refused, match=r"is a superuser: run top100 sql with a read-only role "
                                          r"\(CREATE ROLE top100_auditor LOGIN"):
            query_readonly(pg_db_url, statement)
    assert not marker.exists()
    # an owner-like role (may write the tables) is refused too
    writer = f"t_writer_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_db_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE ROLE {writer} LOGIN"))
            for layer in S.LAYERS:
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {layer} TO {writer}"))
                conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {layer} TO {writer}"))
            conn.execute(sa.text(f"GRANT INSERT ON meta.run TO {writer}"))
        writer_url = sa.make_url(pg_db_url).set(username=writer).render_as_string(hide_password=False)
        with pytest.raises(Refused, match=f"role {writer} may write meta.run"):
            query_readonly(writer_url, "select count(*) from meta.run")
        with admin.connect() as conn:
            conn.execute(sa.text(f"REVOKE INSERT ON meta.run FROM {writer}; ALTER ROLE {writer} CREATEROLE"))
        with pytest.raises(Refused, match=f"role {writer} has CREATEROLE"):
            query_readonly(writer_url, "select count(*) from meta.run")
        with admin.connect() as conn:
            conn.execute(sa.text(f"ALTER ROLE {writer} NOCREATEROLE; GRANT pg_read_server_files TO {writer}"))
        with pytest.raises(Refused, match=f"role {writer} is a member of pg_read_server_files"):
            query_readonly(writer_url, "select count(*) from meta.run")
        # the README's role works
        role, reader = _reader_role(pg_db_url)
        try:
            assert query_readonly(reader, "select flow from meta.run") == (["flow"], [("test",)])
        finally:
            _drop_role(pg_db_url, role)
    finally:
        _drop_role(pg_db_url, writer)
        admin.dispose()


def test_the_readme_role_is_the_one_the_refusal_names():
    from warehouse.sql import reader_role_sql

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for statement in reader_role_sql().split("; "):
        head = statement.split(" PASSWORD")[0].rstrip(";")
        assert head in readme, head
