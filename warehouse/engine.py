"""Opening the warehouse: DuckDB by default, PostgreSQL (psycopg 3) for real deployments.

    duckdb:///out/top100.duckdb                       a file; relative to the working directory
    postgresql+psycopg://user:pw@host:5432/dbname     a database; layers are its schemas

Writers are migrated to the head revision on every open (cheap when already there: one
version read). Readers (``read_only=True``) never change anything: DuckDB opens the file
read-only, PostgreSQL sessions start with ``default_transaction_read_only=on``; a reader
refuses a warehouse whose schema is not the one this code expects.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from top100.config import redact_url
from top100.errors import WarehouseError
from warehouse.schema import LAYERS, META

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 7_100_100  # advisory lock id: two writers opening at once migrate one after the other


def dialect_of(engine_or_conn) -> str:
    return engine_or_conn.dialect.name  # "duckdb" | "postgresql"


def _normalise(url: str) -> sa.URL:
    try:
        parsed = sa.make_url(url)
    except Exception as exc:
        raise WarehouseError(f"warehouse URL {redact_url(url)!r} is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # psycopg 3 is the driver we install and the one COPY is written for
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "duckdb":
        return parsed
    raise WarehouseError(
        f"warehouse URL {redact_url(url)!r}: unsupported database {backend!r} "
        "(use duckdb:///path/file.duckdb or postgresql+psycopg://...)"
    )


# DuckDB for an auditor's statement (top100 sql): no file, extension or network beyond the
# warehouse file itself, and no SET that could turn it back on (documented in "Securing DuckDB")
DUCKDB_SANDBOX = {"enable_external_access": False, "autoload_known_extensions": False,
                  "autoinstall_known_extensions": False, "lock_configuration": True}


def connect(url: str, *, read_only: bool = False, sandbox: bool = False) -> sa.Engine:
    """Open the warehouse at url; writers are migrated to head, readers checked against it.

    ``sandbox=True`` (a reader for statements typed by someone: top100 sql): DuckDB gets
    DUCKDB_SANDBOX; PostgreSQL the read-only session of every reader (the caller runs the
    statement in a READ ONLY transaction and checks the role: warehouse.sql)."""
    if sandbox and not read_only:
        raise ValueError("a sandboxed warehouse connection is read-only")
    parsed = _normalise(url)
    connect_args: dict = {}
    if parsed.get_backend_name() == "duckdb":
        database = parsed.database or ":memory:"
        if database != ":memory:" and not database.startswith(":memory:"):
            path = Path(database)
            if read_only and not path.exists():
                raise WarehouseError(f"no warehouse at {path}: run a load first (top100 run / load)")
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
        if read_only:
            connect_args["read_only"] = True
        if sandbox:
            connect_args["config"] = dict(DUCKDB_SANDBOX)
    elif read_only:
        options = parsed.query.get("options") or ""
        if isinstance(options, tuple):
            options = " ".join(options)
        parsed = parsed.update_query_dict(
            {"options": f"{options} -c default_transaction_read_only=on".strip()}
        )
    engine = sa.create_engine(parsed, connect_args=connect_args)
    try:
        if read_only:
            check_version(engine)
        else:
            migrate(engine)
    except WarehouseError:
        engine.dispose()
        raise
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise WarehouseError(f"cannot open the warehouse {redact_url(url)}: {_cause(exc)}") from exc
    return engine


def _cause(exc: sa.exc.DBAPIError) -> str:
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if "duckdb" in type(exc.orig).__module__:
        if "lock" in text.lower():
            text += " (another process, e.g. a running load, holds the DuckDB file)"
        elif "different configuration" in text:
            text += (" (this process has the DuckDB file open for writing: a DuckDB file is opened"
                     " read-only or read-write per process; dispose the writer's engine first)")
    return text


def _alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "warehouse/migrations/versions has no revision"
    return head


def current_revision(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn, opts={"version_table_schema": META}).get_current_revision()


def schema_version(engine: sa.Engine) -> str | None:
    """The revision the warehouse is at (recorded in meta.alembic_version)."""
    with engine.connect() as conn:
        return current_revision(conn)


def migrate(engine: sa.Engine) -> str:
    """Bring the warehouse to the head revision in one transaction; return the revision."""
    head = head_revision()
    with engine.begin() as conn:
        if dialect_of(conn) == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        # on PostgreSQL only the missing ones: a role without CREATE on the database can use
        # schemas a DBA made for it (IF NOT EXISTS still checks that privilege first)
        existing = set(sa.inspect(conn).get_schema_names()) if dialect_of(conn) == "postgresql" else set()
        for layer in LAYERS:
            if layer not in existing:
                conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {layer}"))
        current = current_revision(conn)
        if current == head:
            return head
        if current is not None and not _known(current):
            raise WarehouseError(
                f"the warehouse is at schema version {current}, which this code does not know "
                f"(head {head}): it was written by a newer top100"
            )
        command.upgrade(_alembic_config(conn), "head")
    return head


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises CommandError / ResolutionError for an unknown id
        return False


def check_version(engine: sa.Engine) -> None:
    head = head_revision()
    url = redact_url(engine.url.render_as_string(hide_password=True))
    with engine.connect() as conn:
        current = current_revision(conn)
    if current is None:
        raise WarehouseError(f"{url} is not a top100 warehouse yet (no schema version): run a load first")
    if current != head:
        raise WarehouseError(
            f"{url} is at schema version {current}, this code expects {head}: "
            "open it once for writing (a load) to migrate it"
        )


@contextlib.contextmanager
def opened(url: str, *, read_only: bool = False) -> Iterator[sa.Engine]:
    """connect(), disposed on leaving: a DuckDB file stays open until its engine is disposed."""
    engine = connect(url, read_only=read_only)
    try:
        yield engine
    finally:
        engine.dispose()
