"""One document's extraction as a Prefect task, cached by content and extractor version.

The cache key is the document's sha256, its type and `extractors.VERSION` (a hash of every
extractor's version): the raw store is content-addressed and immutable, so a document already
extracted by this version is never extracted again, across runs and years, and a new extractor
version extracts everything afresh. Results are stored by Prefect in `cache_dir(settings)`
(`<out_dir>/cache/extract`); a cache file that cannot be read (a run killed while writing it)
counts as a miss, so the document is simply extracted again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from flows.retries import DOCUMENT_DELAYS, retry_transient
from flows.runners import ISOLATED
from top100.config import Settings


def cache_dir(settings: Settings) -> Path:
    return (settings.out_dir / "cache" / "extract").resolve()


def document_key(context: Any, parameters: dict[str, Any]) -> str:
    """extract-<version>-<doc type>-<sha256>: the company is not part of the key (one document
    may be filed for several companies; the stage stamps the company on the facts)."""
    import extractors

    doc_type = str(parameters["doc_type"]).replace("/", "_")
    return f"extract-{extractors.VERSION}-{doc_type}-{parameters['sha256']}"


@task(name="extract-document", task_run_name="extract {doc_type} {sha256}", persist_result=True,
      cache_key_fn=document_key, retries=len(DOCUMENT_DELAYS), retry_delay_seconds=DOCUMENT_DELAYS,
      retry_condition_fn=retry_transient)
def extract_document_task(path: str, doc_type: str, sha256: str, company_id: str | None, timeout_s: float,
                          isolation: str = ISOLATED) -> dict[str, list[dict]]:
    """{"facts": [...], "errors": [...]} of one document. A document that does not parse gives
    error rows, never an exception; an exception here is a fault of the machine (retried when
    transient) or of the program."""
    if not Path(path).is_file():
        # the raw store is written before documents.jsonl names a file: a missing one is a fault
        raise FileNotFoundError(f"raw document {path} is not in the raw store")
    if isolation == ISOLATED:
        from extractors.isolated import extract_isolated

        res = extract_isolated(path, doc_type, timeout_s=timeout_s, company_id=company_id, sha256=sha256)
    else:
        from extractors import read

        res = read(doc_type, path, company_id=company_id, sha256=sha256)
    return {"facts": [f.to_dict() for f in res.facts], "errors": [e.to_dict() for e in res.errors]}


def configured(settings: Settings):
    """The task with its result storage in the configured cache folder."""
    return extract_document_task.with_options(result_storage=cache_dir(settings))
