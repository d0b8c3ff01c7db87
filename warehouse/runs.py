"""meta.run: one row per flow run, so every number in the warehouse names the run that wrote it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from top100.errors import WarehouseError
from warehouse import schema
from warehouse.engine import current_revision



def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, in UTC (column comment)


def new_run_id(at: datetime) -> str:
    """Sortable and unique: 20150625T080000Z-1a2b3c4d."""
    return f"{at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def start_run(engine: sa.Engine, flow: str, params: dict[str, Any], code_version: str) -> str:
    """Record a run as ``running``; return its id. ``params`` must hold no secrets (redact first)."""
    started = _now()
    run_id = new_run_id(started)
    with engine.begin() as conn:
        conn.execute(schema.run.insert().values(
            run_id=run_id, flow=flow, code_version=code_version,
            params=json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
            schema_version=current_revision(conn), started_at=started, outcome="running",
        ))
    return run_id


def finish_run(engine: sa.Engine, run_id: str, outcome: str, error: str | None = None) -> None:
    """Close a run with its outcome (the flow's word: "done", "failed", ...) and the error, if any."""
    if not outcome or not outcome.strip():
        raise WarehouseError(f"run {run_id}: an outcome is required to finish it")
    with engine.begin() as conn:
        done = conn.execute(
            schema.run.update().where(schema.run.c.run_id == run_id)
            .values(outcome=outcome, error=error, ended_at=_now())
        )
        if done.rowcount == 0:
            raise WarehouseError(f"run {run_id} was never started in this warehouse")


def mark_killed(engine: sa.Engine, run_id: str, reason: str) -> bool:
    """Close a run left ``running`` by a process that died (kill -9, power loss) as ``killed``;
    a run that finished meanwhile is left alone. Returns whether the row changed."""
    with engine.begin() as conn:
        done = conn.execute(
            schema.run.update().where((schema.run.c.run_id == run_id) & (schema.run.c.outcome == "running"))
            .values(outcome="killed", error=reason, ended_at=_now())
        )
    return done.rowcount > 0


def require_run(engine: sa.Engine, run_id: str) -> None:
    """A load or mart writes only under a run that exists and is still running."""
    with engine.connect() as conn:
        outcome = conn.execute(sa.select(schema.run.c.outcome).where(schema.run.c.run_id == run_id)).scalar()
    if outcome is None:
        raise WarehouseError(f"run {run_id} was never started in this warehouse (warehouse.runs.start_run)")
    if outcome != "running":
        raise WarehouseError(f"run {run_id} is already finished ({outcome}); start a new run")


def get_run(engine: sa.Engine, run_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.run).where(schema.run.c.run_id == run_id)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["params"] = json.loads(out["params"])
    return out
