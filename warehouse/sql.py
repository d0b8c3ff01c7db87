"""``top100 sql "select ..."``: an auditor's query, read-only by construction.

The statement is checked first (warehouse.readonly.check: one query over the warehouse's own
tables, nothing that reads files or writes); then it runs on a connection that could not write
anyway: DuckDB opened read-only with external access disabled and its configuration locked,
PostgreSQL in a READ ONLY transaction of a read-only session, as a role that may not write (a
superuser or a role with write privileges is refused before anything runs: see the README's
"PostgreSQL roles"). A refusal is a ``Refused`` error with one line saying why.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from top100.config import redact_url
from top100.errors import WarehouseError
from warehouse.engine import connect, dialect_of
from warehouse.readonly import Refused, check
from warehouse.schema import LAYERS

_READ_ONLY_MARKERS = ("read-only", "read only", "readonly", "external access", "permission denied",
                      "permission error", "disabled by configuration",
                      "lock_configuration", "configuration has been locked")

AUDITOR_ROLE = "top100_auditor"


def reader_role_sql(role: str = AUDITOR_ROLE) -> str:
    """The statements (one line) that make the read-only role the README describes."""
    layers = ", ".join(LAYERS)
    return (f"CREATE ROLE {role} LOGIN PASSWORD '…'; GRANT USAGE ON SCHEMA {layers} TO {role}; "
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {layers} TO {role};")


def warehouse_tables(conn: sa.Connection) -> set[tuple[str, str]]:
    """(schema, table) of every table and view in the warehouse's layers, lowercased."""
    rows = conn.execute(
        sa.text("SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN :layers").bindparams(sa.bindparam("layers", expanding=True)),
        {"layers": list(LAYERS)},
    ).all()
    return {(str(s).lower(), str(t).lower()) for s, t in rows}


def check_reader_role(conn: sa.Connection) -> None:
    """Refuse a PostgreSQL role that could write or read the server's files: `top100 sql` runs
    only as a role that can do nothing but SELECT (the read-only session is the second layer,
    not the only one)."""
    role, superuser, createrole, special = conn.execute(sa.text(
        "SELECT current_user, r.rolsuper, r.rolcreaterole, "
        "ARRAY(SELECT g FROM unnest(ARRAY['pg_read_server_files', 'pg_write_server_files', "
        "'pg_execute_server_program', 'pg_write_all_data']) AS g "
        "WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) AND pg_has_role(current_user, g, 'MEMBER')) "
        "FROM pg_roles r WHERE r.rolname = current_user"
    )).one()
    why = None
    if superuser:
        why = "is a superuser"
    elif createrole:  # may grant itself pg_execute_server_program and the like (before PostgreSQL 16)
        why = "has CREATEROLE"
    elif special:
        why = f"is a member of {', '.join(special)}"
    else:
        writable = conn.execute(sa.text(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN :layers AND c.relkind IN ('r', 'p', 'v', 'm') "
            "AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') ORDER BY 1 LIMIT 1"
        ).bindparams(sa.bindparam("layers", expanding=True)), {"layers": list(LAYERS)}).scalar()
        if writable:
            why = f"may write {writable}"
        else:
            creates = conn.execute(sa.text(
                "SELECT nspname FROM pg_namespace WHERE nspname IN :layers "
                "AND has_schema_privilege(oid, 'CREATE') ORDER BY 1 LIMIT 1"
            ).bindparams(sa.bindparam("layers", expanding=True)), {"layers": list(LAYERS)}).scalar()
            if creates:
                why = f"may create in schema {creates}"
    if why:
        raise Refused(f"role {role} {why}: run top100 sql with a read-only role ({reader_role_sql()})")


def query_readonly(url: str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one checked query read-only; return the column names and the rows. Raises Refused
    (the statement or the role is not allowed) or WarehouseError (the query failed)."""
    engine = connect(url, read_only=True, sandbox=True)
    try:
        with engine.connect() as conn:
            dialect = dialect_of(conn)
            if dialect == "postgresql":
                check_reader_role(conn)
                conn.commit()
            statement = check(sql, dialect, warehouse_tables(conn))
            if dialect == "postgresql":
                conn.commit()  # the checks' transaction ends; the query gets its own, READ ONLY
                conn.execute(sa.text("SET TRANSACTION READ ONLY"))
                if conn.execute(sa.text("SHOW transaction_read_only")).scalar() != "on":
                    raise Refused("the PostgreSQL transaction could not be made read-only; nothing was run")
            # the DB-API cursor without parameters: the text is sent as written (no ':name'
            # or '%' placeholder parsing, so LIKE '%x%' works on both engines)
            cursor = conn.connection.cursor()
            try:
                cursor.execute(statement)
                if cursor.description is None:
                    return [], []
                return [d[0] for d in cursor.description], [tuple(row) for row in cursor.fetchall()]
            except Exception as exc:
                if isinstance(exc, conn.dialect.loaded_dbapi.Error):
                    raise sa.exc.DBAPIError(statement, None, exc) from exc
                raise
            finally:
                cursor.close()
                conn.rollback()
    except sa.exc.DBAPIError as exc:
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if any(m in cause.lower() for m in _READ_ONLY_MARKERS):
            raise Refused(
                f"the warehouse {redact_url(url)} is opened read-only for queries: "
                f"writes are refused ({cause})"
            ) from exc
        raise WarehouseError(f"query failed on {redact_url(url)}: {cause}") from exc
    finally:
        engine.dispose()
