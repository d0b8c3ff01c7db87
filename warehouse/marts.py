"""The marts the scoring stage writes: the ranking and the report's figures, a year at a time.

Each call replaces the year's rows of its table in one transaction (same bulk path and key
check as the load), so a re-score with other weights swaps the list whole or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from top100.errors import WarehouseError
from top100.records import RankingRow
from warehouse import bulk, runs, schema as S
from warehouse.load import check_key, to_json

FIGURE_FIELDS = ("name", "value", "unit", "published", "published_text", "difference", "within_tolerance")


def _replace(engine: sa.Engine, table: sa.Table, year: int, columns: dict[str, list[Any]], what) -> int:
    data = bulk.to_arrow(table, columns, what)
    check_key(table, data, f"{table.fullname} for {year}")
    with engine.begin() as conn:
        return bulk.replace_year(conn, table, year, data)


def write_ranking(engine: sa.Engine, year: int, rows: Sequence[RankingRow], run_id: str) -> int:
    """Replace marts.ranking for ``year``; indicators and dimensions are stored as JSON."""
    runs.require_run(engine, run_id)
    for row in rows:
        if row.fiscal_year != year:
            raise WarehouseError(
                f"ranking row of company {row.company_id} is for {row.fiscal_year}, not {year}",
                company=row.company_id,
            )
    n = len(rows)
    columns: dict[str, list[Any]] = {"year": [year] * n, "run_id": [run_id] * n}
    for name in ("fiscal_year", "rank", "company_id", "name", "brands", "total_score"):
        columns[name] = [getattr(r, name) for r in rows]
    for name in ("indicators", "dimensions"):
        columns[name] = [to_json(_finite(getattr(r, name))) for r in rows]
    return _replace(engine, S.ranking, year, columns, lambda i: f"ranking row {i + 1} (company {rows[i].company_id})")


def _finite(values: dict[str, Any]) -> dict[str, Any]:
    # JSON has no NaN: a missing indicator is null, never the non-standard NaN token
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in values.items()}


def write_report_figures(engine: sa.Engine, year: int, figures: Sequence[dict[str, Any]], run_id: str) -> int:
    """Replace marts.report_figure for ``year`` (dicts with the keys of FIGURE_FIELDS)."""
    runs.require_run(engine, run_id)
    for i, fig in enumerate(figures):
        missing = [k for k in FIGURE_FIELDS if k not in fig]
        extra = [k for k in fig if k not in FIGURE_FIELDS]
        if missing or extra:
            raise WarehouseError(
                f"report figure {fig.get('name', i + 1)!r}: "
                + (f"missing {', '.join(missing)}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unknown {', '.join(extra)}" if extra else "")
            )
    n = len(figures)
    columns: dict[str, list[Any]] = {"year": [year] * n, "run_id": [run_id] * n}
    for name in FIGURE_FIELDS:
        columns[name] = [fig[name] for fig in figures]
    return _replace(engine, S.report_figure, year, columns, lambda i: f"report figure {figures[i].get('name')!r}")
