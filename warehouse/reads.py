"""Named reads: what scoring, reporting and the audit need, as pandas DataFrames.

No other package writes SQL against the warehouse; they call these. Every read takes the
evaluated year (the partition); JSON text columns come back decoded (lists, dicts, values).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from top100.vocab import Metric
from warehouse import schema


def _series(values: list[Any], type_: sa.types.TypeEngine) -> pd.Series:
    """A column typed from the schema, the same on both engines and in any pandas version:
    text stays object with None (not pandas 3's NaN-filled str), numbers are float64 / int64
    (nullable Int64 when a value is missing), booleans bool (object when one is missing)."""
    missing = any(v is None for v in values)
    if isinstance(type_, (sa.Double, sa.Float)):
        return pd.Series(values, dtype="float64")
    if isinstance(type_, sa.Integer):
        return pd.Series(values, dtype="Int64" if missing else "int64")
    if isinstance(type_, sa.Boolean):
        return pd.Series(values, dtype=object if missing else bool)
    if isinstance(type_, sa.DateTime):
        return pd.Series(pd.to_datetime(values))
    return pd.Series(values, dtype=object)


def _frame(engine: sa.Engine, stmt: sa.Select, json_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        columns = list(result.keys())
        rows = result.all()
    types = [c.type for c in stmt.selected_columns]
    data = {}
    for i, (name, type_) in enumerate(zip(columns, types, strict=True)):
        values = [row[i] for row in rows]
        if name in json_columns:
            data[name] = pd.Series([None if v is None else json.loads(v) for v in values], dtype=object)
        else:
            data[name] = _series(values, type_)
    return pd.DataFrame(data, columns=columns)


def _year(table: sa.Table, year: int, *order: str) -> sa.Select:
    return sa.select(table).where(table.c.year == year).order_by(*(table.c[o] for o in order))


def companies(engine: sa.Engine, year: int) -> pd.DataFrame:
    """clean.company: one row per candidate, with eligibility."""
    return _frame(engine, _year(schema.company, year, "company_id"))


def metrics_long(engine: sa.Engine, year: int) -> pd.DataFrame:
    """clean.company_year_metric: one row per company and metric, with how the value was chosen."""
    return _frame(engine, _year(schema.company_year_metric, year, "company_id", "metric"))


def metrics_wide(engine: sa.Engine, year: int) -> pd.DataFrame:
    """One row per company: the company columns, then one column per metric (the value used).

    Every metric of top100.vocab.Metric has a column (NaN where absent), including
    ``internet_revenue_prior`` and ``revenue_prior``; metrics outside the vocabulary follow.
    """
    base = companies(engine, year)
    long = metrics_long(engine, year)
    names = [m.value for m in Metric]
    names += sorted(set(long["metric"]) - set(names)) if len(long) else []
    if len(long):
        wide = long.pivot(index="company_id", columns="metric", values="value")
    else:
        wide = pd.DataFrame(index=pd.Index([], name="company_id"))
    wide = wide.reindex(columns=names).astype("float64").reset_index()
    wide.columns.name = None
    out = base.merge(wide, on="company_id", how="left")
    return out.reset_index(drop=True)


def findings(engine: sa.Engine, year: int) -> pd.DataFrame:
    """clean.finding: every data-quality result, with severity."""
    stmt = _year(schema.finding, year, "company_id", "check", "metric", "kind")
    return _frame(engine, stmt, ("declared", "public", "correct_value"))


def documents(engine: sa.Engine, year: int) -> pd.DataFrame:
    """raw.document rows collected for the year."""
    return _frame(engine, _year(schema.document, year, "company_id", "doc_type", "sha256"))


def facts(engine: sa.Engine, year: int, company_id: str | None = None, metric: str | None = None) -> pd.DataFrame:
    """staging.extracted_fact, optionally for one company and/or metric; ``bbox`` decoded."""
    table = schema.extracted_fact
    stmt = _year(table, year, "company_id", "metric", "fiscal_year", "document_sha256", "page")
    if company_id is not None:
        stmt = stmt.where(table.c.company_id == company_id)
    if metric is not None:
        stmt = stmt.where(table.c.metric == metric)
    return _frame(engine, stmt, ("bbox", "corroborations"))


def declared(engine: sa.Engine, year: int, company_id: str | None = None) -> pd.DataFrame:
    """staging.declared_fact (the form cells); ``value`` decoded."""
    table = schema.declared_fact
    stmt = _year(table, year, "company_id", "field", "fiscal_year")
    if company_id is not None:
        stmt = stmt.where(table.c.company_id == company_id)
    return _frame(engine, stmt, ("value",))


def stage_table(engine: sa.Engine, year: int, name: str) -> pd.DataFrame:
    """A staging table by name: market_quote, fx_rate, licence_registry, traffic,
    integrity_record or stage_error (the errors of every stage)."""
    tables = {t.name: t for t in (schema.market_quote, schema.fx_rate, schema.licence_registry, schema.traffic,
                                  schema.integrity_record, schema.stage_error)}
    if name not in tables:
        raise KeyError(f"no staging read {name!r}; one of {', '.join(sorted(tables))}")
    table = tables[name]
    return _frame(engine, sa.select(table).where(table.c.year == year).order_by(*table.c))


def ranking(engine: sa.Engine, year: int) -> pd.DataFrame:
    """marts.ranking by rank; ``indicators`` and ``dimensions`` decoded to dicts."""
    return _frame(engine, _year(schema.ranking, year, "rank", "company_id"), ("indicators", "dimensions"))


def report_figures(engine: sa.Engine, year: int) -> pd.DataFrame:
    """marts.report_figure: each figure of the report next to the published one."""
    return _frame(engine, _year(schema.report_figure, year, "name"))


def years(engine: sa.Engine) -> list[int]:
    """The years loaded, oldest first."""
    with engine.connect() as conn:
        return [int(y) for y in conn.execute(sa.select(schema.year_load.c.year).order_by(schema.year_load.c.year)).scalars()]


def year_load(engine: sa.Engine, year: int) -> dict[str, Any] | None:
    """Which run wrote the current version of the year, when, and how many rows per table."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.year_load).where(schema.year_load.c.year == year)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["row_counts"] = json.loads(out["row_counts"])
    return out


def runs(engine: sa.Engine) -> pd.DataFrame:
    """meta.run, newest first."""
    return _frame(engine, sa.select(schema.run).order_by(schema.run.c.started_at.desc()), ("params",))
