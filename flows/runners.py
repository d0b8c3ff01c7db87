"""Which task runner maps the extract stage over documents: `settings.runner`.

- ``process`` (default): a thread pool of `settings.workers` threads, each driving one isolated
  worker *process* per document (extractors.isolated). PDF parsing is CPU-bound, so the parsing
  happens in processes, one core each; the threads only wait on pipes. The worker process also
  gives every document a time and memory limit, which Prefect's ProcessPoolTaskRunner would not.
- ``thread``: the same thread pool, parsing in-process (no isolation; for debugging, or where
  processes cannot be started).
- ``dask://host:port``: prefect-dask's DaskTaskRunner on an existing cluster; each Dask worker
  parses in-process (Dask worker processes are daemonic and cannot start children; the Dask
  nanny restarts a worker that dies). The raw store and the cache folder must be on a file
  system that every worker sees at the same path.
"""

from __future__ import annotations

from typing import Any

from top100.config import Settings

ISOLATED, IN_PROCESS = "isolated", "in-process"


def parse_runner(runner: str) -> tuple[str, str | None]:
    """('process'|'thread'|'dask', address or None); a clear error for anything else."""
    value = (runner or "process").strip()
    if value in ("process", "thread"):
        return value, None
    if value.startswith("dask://"):
        address = value[len("dask://"):]
        if not address or ":" not in address:
            raise ValueError(f"runner {runner!r}: a Dask runner is dask://host:port")
        return "dask", f"tcp://{address}"
    raise ValueError(f"runner {runner!r} is not one of process, thread, dask://host:port")


def task_runner_for(settings: Settings) -> Any:
    kind, address = parse_runner(settings.runner)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=max(1, settings.workers))


def isolation_for(settings: Settings) -> str:
    return ISOLATED if parse_runner(settings.runner)[0] == "process" else IN_PROCESS


def crawl_runner_for(settings: Settings) -> Any:
    """The crawls run on this machine whatever settings.runner says (they write the raw store
    and the HTTP cache here); each is a subprocess, so threads only wait for them."""
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=max(1, int(getattr(settings.crawl, "parallel_crawls", 1))))
