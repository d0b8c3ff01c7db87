"""Compare two demo warehouses table by table, without what differs from run to run by design:
the run id, fetch times and the mirror's port in URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import sqlalchemy as sa

VOLATILE = {"run_id", "fetched_at"}
_PORT = re.compile(r"http://127\.0\.0\.1:\d+")


def _norm(v):
    return _PORT.sub("http://mirror", v) if isinstance(v, str) else v


def table_rows(engine: sa.Engine, table: sa.Table, keep: Callable[[dict], bool] = lambda r: True) -> list[tuple]:
    cols = [c for c in table.columns if c.name not in VOLATILE]
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(*cols))]
    out = [tuple(_norm(r[c.name]) for c in cols) for r in rows if keep(r)]
    return sorted(out, key=lambda r: json.dumps(r, default=str, ensure_ascii=False))
