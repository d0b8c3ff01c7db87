"""Bulk paths into a table, inside the caller's transaction: never row-by-row inserts.

Rows become an Arrow table typed from the SQLAlchemy columns (which is also where a value of the
wrong type is caught, named by the caller's row description). Then:
- DuckDB registers the Arrow table on the same native connection and runs
  ``INSERT ... SELECT`` from it (zero-copy scan);
- PostgreSQL streams it as CSV through ``COPY ... FROM STDIN`` on psycopg 3's cursor of the same
  connection. Arrow's CSV writer quotes every string and leaves NULL unquoted and empty, which is
  exactly how PostgreSQL's CSV format tells NULL from '' (and it writes floats round-trip exact).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from top100.errors import WarehouseError

_COPY_CHUNK = 1 << 20


def arrow_type(column: sa.Column) -> pa.DataType:
    t = column.type
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.BigInteger):
        return pa.int64()
    if isinstance(t, sa.Integer):
        return pa.int32()
    if isinstance(t, (sa.Double, sa.Float)):
        return pa.float64()
    if isinstance(t, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(t, (sa.Text, sa.String)):
        return pa.string()
    raise TypeError(f"no Arrow type for column {column} of type {t}")


def to_arrow(
    table: sa.Table,
    columns: dict[str, Sequence[Any]],
    describe: Callable[[int], str] = lambda i: f"row {i + 1}",
) -> pa.Table:
    """Typed Arrow table for ``table`` from column lists (every column of the table required).

    A value that does not fit its column, or a missing required value, raises WarehouseError
    naming the row (through ``describe``), the column and the value.
    """
    arrays = []
    for column in table.columns:
        values = columns[column.name]
        typ = arrow_type(column)
        try:
            array = pa.array(values, type=typ, from_pandas=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
            index, value = _first_bad(values, typ)
            raise WarehouseError(
                f"{describe(index)}: {table.fullname}.{column.name} expects {typ}, got {value!r}"
            ) from None
        if not column.nullable and array.null_count:
            index = next(i for i, v in enumerate(values) if v is None)
            raise WarehouseError(f"{describe(index)}: {table.fullname}.{column.name} is required but missing")
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])


def _first_bad(values: Sequence[Any], typ: pa.DataType) -> tuple[int, Any]:
    for i, v in enumerate(values):
        try:
            pa.array([v], type=typ)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
            return i, v
    return 0, None  # pragma: no cover - the whole array failed, so one value does


def insert(conn: sa.Connection, table: sa.Table, data: pa.Table) -> int:
    """Append ``data`` (columns named as the table's) to ``table`` in conn's transaction."""
    if data.num_rows == 0:
        return 0
    prep = conn.dialect.identifier_preparer
    target = prep.format_table(table)
    cols = ", ".join(prep.quote(name) for name in data.column_names)
    native = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        view = f"_top100_bulk_{table.name}"
        native.register(view, data)
        try:
            native.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {view}")
        finally:
            native.unregister(view)
    elif conn.dialect.name == "postgresql":
        buffer = io.BytesIO()
        pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
        payload = buffer.getbuffer()
        with native.cursor() as cur, cur.copy(f"COPY {target} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(payload), _COPY_CHUNK):
                copy.write(payload[start : start + _COPY_CHUNK])
    else:  # pragma: no cover - engine.connect admits only these two
        raise WarehouseError(f"no bulk path for {conn.dialect.name}")
    return data.num_rows


def replace_year(conn: sa.Connection, table: sa.Table, year: int, data: pa.Table) -> int:
    """Delete the year's rows of ``table`` and append ``data``, in conn's transaction."""
    conn.execute(table.delete().where(table.c.year == year))
    return insert(conn, table, data)
