"""What a run knows about itself and its predecessors: dead runs, stale marts, held-back years.

- A run found `running` in meta.run when the next run on its out folder starts is dead: the new
  run holds the folder's lock (flows.runlock), which only a live run could hold, or the run's
  pid is gone from this host. It is marked ``killed`` with the reason.
- A run killed after its load but before its score left the marts older than the clean layer;
  the next run that would not load or score again scores and reports that year too, so that
  meta.year_load and the marts name the same clean data.
- A run whose companies are incomplete because a SOURCE failed (an outage, a block, a changed
  response shape: collect errors other than the company's own files or a document that is not
  there) does not replace the published ranking, marts and report: the score and report stages
  are held back, with one line saying why, unless ``--publish-incomplete``. A company's own bad
  files are findings about that company and hold nothing back.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from typing import Any

import sqlalchemy as sa

from top100.config import Settings
from top100.jsonl import read_jsonl
from top100.paths import YearPaths

# collect errors that are about the company, not the source: its own delivered files, a source
# that answered but has nothing for it (SourceError: "not in the stock list", "no annual report
# for fiscal year …"), a document the source says is not there (HTTP 404/410). Everything else
# (HTTP 5xx/403/429 after the retries, timeouts, refused or lost connections, block pages, the
# rate-limit page, a changed response shape, a crawl that failed as a whole) is the source failing.
_NOT_OUTAGE_KINDS = {"InboxFile", "SourceError", "ConfigError", "FileNotFoundError", "DeclarationError",
                     "IdentityError", "DeliveredFileError", "UnreadableRow", "DuplicateRow", "DuplicateFile"}
_NOT_OUTAGE_REASONS = ("HTTP 404", "HTTP 410")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def mark_dead_runs(engine: sa.Engine, settings: Settings) -> list[str]:
    """Mark killed every `running` run of this out folder (its lock is ours now, so it is not
    running) and every `running` run of this host whose pid is gone; return their ids."""
    from warehouse import schema
    from warehouse.runs import mark_killed

    here, host = str(settings.out_dir.resolve()), socket.gethostname()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.run.c.run_id, schema.run.c.params).where(schema.run.c.outcome == "running")).all()
    dead: dict[str, str] = {}
    for run_id, raw in rows:
        try:
            params: dict[str, Any] = json.loads(raw) if raw else {}
        except ValueError:
            continue
        pid = params.get("pid")
        if params.get("out_dir") == here:
            dead[run_id] = (f"killed: found running when the next run on {here} started (the out folder's lock "
                            f"was free: pid {pid if pid is not None else '?'} had ended)")
        elif params.get("host") == host and isinstance(pid, int) and not _alive(pid):
            dead[run_id] = f"killed: found running by a later run, its pid {pid} on {host} gone"
    for run_id, reason in dead.items():
        mark_killed(engine, run_id, reason)
    return sorted(dead)


def repair_stages(engine: sa.Engine, year: int, stages: tuple[str, ...], killed: list[str]) -> tuple[str, ...]:
    """The stages to run, with score and report added when a killed run loaded `year` but never
    rebuilt its marts and this run would neither load nor score it again."""
    from warehouse import schema

    if not killed or "load" in stages or "score" in stages:
        return stages
    with engine.connect() as conn:
        loaded_by = conn.execute(sa.select(schema.year_load.c.run_id).where(schema.year_load.c.year == year)).scalar()
        marts_by = conn.execute(sa.select(schema.ranking.c.run_id).where(schema.ranking.c.year == year).limit(1)).scalar()
    if loaded_by in killed and marts_by != loaded_by:
        return (*stages, "score", "report") if "report" not in stages else (*stages[:-1], "score", stages[-1])
    return stages


def source_outages(paths: YearPaths) -> tuple[set[str], Counter]:
    """Companies left incomplete by a failed source, and the failures by source/kind."""
    incomplete = {c["company_id"] for c in read_jsonl(paths.companies)
                  if str(c.get("excluded_reason") or "").startswith("incomplete:")}
    hit: set[str] = set()
    causes: Counter = Counter()
    for e in read_jsonl(paths.collect_errors):
        kind, reason = str(e.get("kind") or ""), str(e.get("reason") or "")
        if kind in _NOT_OUTAGE_KINDS or reason.startswith(_NOT_OUTAGE_REASONS):
            continue
        if e.get("document") and not e.get("url"):  # an inbox file (a form, a delivered file): the company's own
            continue
        cid = e.get("company_id")
        if cid and cid in incomplete:
            hit.add(cid)
            causes[kind or "error"] += 1
        elif not cid:  # a crawl failed as a whole: every company it serves may be incomplete
            causes[kind or "error"] += 1
            hit.add("")
    return hit, causes


def held_back(paths: YearPaths) -> str | None:
    """One line when the year must not be published (a source failed), else None."""
    hit, causes = source_outages(paths)
    if not hit:
        return None
    n = len(hit - {""})
    kinds = ", ".join(f"{k} ×{v}" for k, v in causes.most_common(3))
    return (f"not published: {n} compan{'y' if n == 1 else 'ies'} incomplete because a source failed ({kinds}; "
            f"see {paths.collect_errors}); the published ranking, marts and report are unchanged: run again "
            "when the source answers, or pass --publish-incomplete")
