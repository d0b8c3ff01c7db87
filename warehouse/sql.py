"""``top100 sql "select ..."``: an auditor's query on a read-only connection.

DuckDB opens the file read-only; PostgreSQL sessions run with default_transaction_read_only.
A statement that would write fails with a WarehouseError saying so, and nothing is changed.
(For a shared PostgreSQL, also give auditors a role with SELECT only: see the README.)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from top100.config import redact_url
from top100.errors import WarehouseError
from warehouse.engine import connect

_READ_ONLY_MARKERS = ("read-only", "read only", "readonly")


def query_readonly(url: str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement read-only; return the column names and the rows."""
    engine = connect(url, read_only=True)
    try:
        with engine.connect() as conn:
            # the DB-API cursor without parameters: the text is sent as written (no ':name'
            # or '%' placeholder parsing, so LIKE '%x%' works on both engines)
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql)
                if cursor.description is None:
                    return [], []
                return [d[0] for d in cursor.description], [tuple(row) for row in cursor.fetchall()]
            except Exception as exc:
                if isinstance(exc, conn.dialect.loaded_dbapi.Error):
                    raise sa.exc.DBAPIError(sql, None, exc) from exc
                raise
            finally:
                cursor.close()
                conn.rollback()
    except sa.exc.DBAPIError as exc:
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if any(m in cause.lower() for m in _READ_ONLY_MARKERS):
            raise WarehouseError(
                f"the warehouse {redact_url(url)} is opened read-only for queries: "
                f"writes are refused ({cause})"
            ) from exc
        raise WarehouseError(f"query failed on {redact_url(url)}: {cause}") from exc
    finally:
        engine.dispose()
