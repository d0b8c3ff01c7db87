"""The verify stage's per-company work as Prefect tasks: the audit pages, shard by shard.

`expectations.verify.check_year` reconciles and checks the whole year in one pass (the rules
that compare companies need all of them; one GX checkpoint validates the batch). What is then
done company by company — each company's audit page with the PDF page images of its public
figures, drawn by pdfplumber: the CPU-heavy part of the stage, about 10 ms a company and 60 ms
an image — is mapped here over shards of companies on the flow's task runner:

- ``process`` (default): each shard task (a thread) renders its shard in a child process, so the
  shards use every core (threads alone would share one core through the GIL);
- ``thread``: in-process, for debugging;
- ``dask://``: on the Dask workers, in-process (their processes cannot start children); the out
  folder must be on a file system every worker sees at the same path, as for extract.

A shard that fails fails the stage with the companies it held and the cause.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.mapping import finished
from flows.progress import report
from flows.retries import DOCUMENT_DELAYS, retry_transient
from flows.runners import ISOLATED, isolation_for, parse_runner
from top100.config import Settings
from top100.paths import YearPaths

SHARDS_PER_WORKER = 2  # few enough that a child process's start (~0.3 s) stays small beside its work


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


@task(name="audit-pages", task_run_name="audit pages {label}", cache_policy=NO_CACHE,
      retries=len(DOCUMENT_DELAYS), retry_delay_seconds=DOCUMENT_DELAYS, retry_condition_fn=retry_transient)
def audit_pages_task(paths: YearPaths, items: list[Any], data_docs_href: str, isolation: str,
                     label: str) -> list[dict]:
    """The audit pages of one shard of companies: one {company_id, images, notes} each."""
    from expectations.audit import write_company_pages

    if isolation == ISOLATED:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
            return pool.submit(write_company_pages, paths, items, data_docs_href).result()
    return write_company_pages(paths, items, data_docs_href)


def shard_count(settings: Settings) -> int:
    kind, _ = parse_runner(settings.runner)
    return max(1, settings.workers) * SHARDS_PER_WORKER * (2 if kind == "dask" else 1)


def page_mapper(settings: Settings, paths: YearPaths) -> Callable[[list[list[Any]], str], list[dict]]:
    """``map_pages`` for expectations.verify.run_verify: one task per shard, on the task runner
    of the verify subflow; progress in companies done of total."""
    isolation = isolation_for(settings)

    def map_pages(shards: list[list[Any]], data_docs_href: str) -> list[dict]:
        total = sum(len(s) for s in shards)
        futures = {}
        for s in shards:
            ids = [it.company.company_id for it in s]
            label = f"{ids[0]}..{ids[-1]} ({len(ids)})"
            futures[audit_pages_task.submit(paths, s, data_docs_href, isolation, label)] = ids
        done, pages = 0, []
        report("verify", 0, total, step="audit pages")
        for ids, _, got in finished(futures, lambda ids: f"verify: the audit pages of companies "
                                                         f"{ids[0]}..{ids[-1]} ({len(ids)}) failed"):
            pages += got
            done += len(ids)
            report("verify", done, total, current=f"{ids[0]}..{ids[-1]}", step="audit pages",
                   images=sum(p["images"] for p in pages))
        return sorted(pages, key=lambda p: p["company_id"])

    return map_pages
