"""The load stage: one fiscal year's stage files into the raw, staging and clean layers.

A year is a partition. Every file is read, validated and typed first (nothing is written if
one row is bad); then, in ONE transaction, each table's rows of the year are deleted and the new
rows appended through the bulk path, and meta.year_load records the run. A rerun or a backfill
replaces the year whole; a failure anywhere (or a killed process) leaves the previous version.

A field the warehouse has no column for is not dropped silently: it becomes a ``load`` row in
staging.stage_error naming the file, the field and how many rows carried it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
import sqlalchemy as sa

from top100 import records
from top100.errors import WarehouseError
from top100.paths import YearPaths
from warehouse import bulk, runs, schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Which stage files feed a table, with which row shape; ``json`` fields are stored as text."""

    table: Any  # sa.Table
    record: type[records.Record]
    files: tuple[Callable[[YearPaths], Path], ...]
    json: tuple[str, ...] = ()


SOURCES: tuple[Source, ...] = (
    Source(schema.document, records.DocumentRow, (lambda paths: paths.documents,)),
    Source(schema.extracted_fact, records.Fact, (lambda paths: paths.facts,), json=("bbox", "corroborations")),
    Source(schema.declared_fact, records.DeclaredFact, (lambda paths: paths.declared,), json=("value",)),
    Source(schema.market_quote, records.Quote, (lambda paths: paths.quotes,)),
    Source(schema.fx_rate, records.FxRate, (lambda paths: paths.fx,)),
    Source(schema.licence_registry, records.LicenceRecord, (lambda paths: paths.licences,)),
    Source(schema.traffic, records.TrafficRecord, (lambda paths: paths.traffic,)),
    Source(schema.integrity_record, records.IntegrityRecord, (lambda paths: paths.integrity,)),
    Source(schema.stage_error, records.ErrorRow,
           (lambda paths: paths.collect_errors, lambda paths: paths.extract_errors, lambda paths: paths.verify_errors)),
    Source(schema.company, records.CompanyRow, (lambda paths: paths.companies,)),
    Source(schema.company_year_metric, records.MetricRow, (lambda paths: paths.metrics,)),
    Source(schema.finding, records.Finding, (lambda paths: paths.findings,), json=("declared", "public", "correct_value")),
)


def to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars from the scoring stage's frames
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines stage file (a missing file has none); a bad line names itself."""
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise WarehouseError(f"{path}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise WarehouseError(f"{path}, line {number}: a row must be a JSON object")
            rows.append(row)
    return rows


def frame(
    source: Source, year: int, run_id: str, rows: list[dict[str, Any]], where: Callable[[int], str]
) -> tuple[pa.Table, dict[str, int]]:
    """The typed Arrow table of ``rows``; and the fields nobody has a column for (name: rows).

    A field missing from a row takes the record's default, else null; a NOT NULL column left
    null is an error naming the row (bulk.to_arrow).
    """
    shape = {f.name: f for f in fields(source.record)}  # type: ignore[arg-type]
    known = shape.keys()
    unknown: dict[str, int] = {}
    for row in rows:
        if not row.keys() <= known:
            for name in row.keys() - known:
                unknown[name] = unknown.get(name, 0) + 1
    columns: dict[str, list[Any]] = {"year": [year] * len(rows), "run_id": [run_id] * len(rows)}
    for name, f in shape.items():
        default = _default(f)
        values = [row.get(name, default) for row in rows]
        columns[name] = [to_json(v) for v in values] if name in source.json else values
    return bulk.to_arrow(source.table, columns, where), unknown


def _default(f) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def frame_fast(source: Source, year: int, run_id: str, path: Path) -> tuple[pa.Table, dict[str, int]] | None:
    """The same table as ``frame``, parsed by Arrow's JSON reader (the million-row path).

    Only for row shapes without JSON-text fields, and only when the result is clean: anything
    unusual (a type mismatch, NaN, a NOT NULL gap that a default might fill) returns None and
    the caller takes the row-by-row path, which applies defaults and names the bad row.
    """
    if source.json or not path.exists() or path.stat().st_size == 0:
        return None
    names = [f.name for f in fields(source.record)]  # type: ignore[arg-type]
    arrow_schema = pa.schema([(n, bulk.arrow_type(source.table.c[n])) for n in names])
    try:
        data = pajson.read_json(path, parse_options=pajson.ParseOptions(
            explicit_schema=arrow_schema, unexpected_field_behavior="infer"))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    unknown = {n: len(data) - data[n].null_count for n in data.column_names if n not in arrow_schema.names}
    n = data.num_rows
    columns = {"year": pa.repeat(pa.scalar(year, pa.int32()), n),
               "run_id": pa.repeat(pa.scalar(run_id, pa.string()), n)}
    columns |= {name: data[name].combine_chunks() for name in names}
    for column in source.table.columns:
        if not column.nullable and columns[column.name].null_count:
            return None
    table = pa.Table.from_arrays([columns[c.name] for c in source.table.columns],
                                 names=[c.name for c in source.table.columns])
    return table, {k: v for k, v in unknown.items() if v}


def check_key(table: sa.Table, data: pa.Table, where: str) -> None:
    """No two rows of one year share the table's natural key (PostgreSQL enforces it too)."""
    key = schema.KEYS.get(table.fullname)
    if not key or data.num_rows == 0:
        return
    counts = data.group_by(list(key)).aggregate([([], "count_all")])
    dupes = counts.filter(pc.greater(counts["count_all"], 1))
    if dupes.num_rows:
        first = {k: dupes[k][0].as_py() for k in key if k != "year"}
        who = f"company {first['company_id']}, " if "company_id" in first else ""
        raise WarehouseError(
            f"{where}: {who}{dupes.num_rows} duplicate key(s) for {table.fullname}, "
            f"first {first} appears {dupes['count_all'][0].as_py()} times"
        )


def read_year(paths: YearPaths, run_id: str) -> dict[str, pa.Table]:
    """Every loaded table of the year as a typed Arrow table, validated; nothing written."""
    tables: dict[str, pa.Table] = {}
    load_errors: list[dict[str, Any]] = []
    for source in SOURCES:
        parts = []
        for locate in source.files:
            path = locate(paths)
            fast = frame_fast(source, paths.year, run_id, path)
            if fast is not None:
                data, unknown = fast
            else:
                rows = read_rows(path)

                def where(i: int, path: Path = path, rows: list = rows) -> str:
                    company = rows[i].get("company_id") if i < len(rows) else None
                    return f"{path}, row {i + 1}" + (f" (company {company})" if company else "")

                data, unknown = frame(source, paths.year, run_id, rows, where)
            for name, count in sorted(unknown.items()):
                load_errors.append(records.ErrorRow(
                    stage="load", kind="UnknownField", document=path.name,
                    reason=f"{path}: field {name!r} ({count} rows) has no column in "
                           f"{source.table.fullname}; not loaded (needs a migration)",
                ).to_dict())
            parts.append(data)
        tables[source.table.fullname] = pa.concat_tables(parts)
    if load_errors:
        errors_source = next(s for s in SOURCES if s.table is schema.stage_error)
        extra, _ = frame(errors_source, paths.year, run_id, load_errors, lambda i: "load errors")
        tables[schema.stage_error.fullname] = pa.concat_tables([tables[schema.stage_error.fullname], extra])
    for source in SOURCES:
        files = ", ".join(str(locate(paths)) for locate in source.files)
        check_key(source.table, tables[source.table.fullname], files)
    return tables


def load_year(engine: sa.Engine, paths: YearPaths, run_id: str) -> dict[str, int]:
    """Replace the year's raw, staging and clean rows in one transaction; rows per table."""
    runs.require_run(engine, run_id)
    tables = read_year(paths, run_id)
    if tables[schema.company.fullname].num_rows == 0:  # an empty year is refused, never recorded as loaded
        from top100.year import YearNotAvailable

        raise YearNotAvailable(f"fiscal year {paths.year}: nothing to load: {paths.companies} has no companies "
                               "(collect, extract and verify the year first); the warehouse is unchanged")
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for source in SOURCES:
            name = source.table.fullname
            counts[name] = bulk.replace_year(conn, source.table, paths.year, tables[name])
        record_year_load(conn, paths.year, run_id, counts)
    log.info("loaded year %s as run %s: %s", paths.year, run_id, counts)
    return counts


def record_year_load(conn: sa.Connection, year: int, run_id: str, counts: dict[str, int]) -> None:
    conn.execute(schema.year_load.delete().where(schema.year_load.c.year == year))
    conn.execute(schema.year_load.insert().values(
        year=year, run_id=run_id, loaded_at=datetime.now(UTC).replace(tzinfo=None),
        row_counts=json.dumps(counts, sort_keys=True),
    ))
