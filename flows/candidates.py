"""The year's candidates and their listings, from the declaration forms and listings.csv.

The spiders need to know whom to look up before anything is extracted in earnest, so the collect
stage reads the inbox's forms and delivered files here (``read_inbox``: extractors.read, the
reader of each document type, in bounded workers) and takes the forms' identity cells; the
extract stage reuses the same reads for every cell. Company ids come from the forms' content,
never from file names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from top100.records import DocumentRow, ErrorRow
from top100.vocab import DocType


# the name of each inbox document type in the keys of collect/inbox_read.json (as they were
# before the readers were keyed by document type, so that an existing cache stays valid)
_CACHE_NAME = {DocType.declaration_form: "form", DocType.licence_registry: "licences", DocType.traffic: "traffic",
               DocType.integrity: "integrity", DocType.listings: "listings"}


def _reader_version(doc_type: str) -> str:
    from extractors.registry import READERS

    return f"{_CACHE_NAME[doc_type]}:{READERS[doc_type].extractor().VERSION}"


def read_inbox(paths: Any, docs: list[DocumentRow], *, workers: int = 2, isolated: bool = True,
               timeout_s: float | None = None) -> dict[str, dict]:
    """Every form and delivered file of ``docs`` read once per run, each in a worker process
    with a time and memory limit (extractors.isolated); results kept in
    ``collect/inbox_read.json`` by sha256 and reader version, so the collect stage (which needs
    the forms' identity cells) and the extract stage (every cell) share one read."""
    import json

    from extractors.isolated import INBOX_TIMEOUT_S, read_inbox_many
    from extractors.registry import INBOX_TYPES
    from top100.paths import raw_path

    cache_path = paths.collect / "inbox_read.json"
    cache: dict[str, dict] = {}
    if cache_path.exists():
        try:
            cache = json.loads(cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}  # unreadable: read the files again
    jobs, keys = [], []
    out: dict[str, dict] = {}
    for d in docs:
        if d.doc_type not in INBOX_TYPES:
            continue
        key = f"{d.sha256}|{_reader_version(d.doc_type)}|{d.title}"
        if key in cache:
            out[d.sha256] = cache[key]
        elif key not in keys:
            keys.append(key)
            jobs.append({"doc_type": str(d.doc_type), "path": str(raw_path(paths.raw_store, d.sha256)), "name": d.title,
                         "sha256": d.sha256})
    if jobs:
        got = read_inbox_many(jobs, workers=workers, isolated=isolated, timeout_s=timeout_s or INBOX_TIMEOUT_S)
        for key, job, res in zip(keys, jobs, got):
            cache[key] = out[job["sha256"]] = res
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache_path)
    return out


def build_candidates(raw_store: Path, inbox_docs: list[DocumentRow], reads: dict[str, dict] | None = None
                     ) -> tuple[list[dict[str, Any]], list[ErrorRow]]:
    """The candidates from the forms' identity cells and listings.csv; ``reads`` are the files
    as read_inbox read them (read here, in-process, where not given)."""
    from extractors.isolated import read_inbox_file
    from extractors.result import ExtractResult
    from top100.paths import raw_path
    from top100.records import DeclaredFact

    by_id: dict[str, dict[str, Any]] = {}
    errors: list[ErrorRow] = []
    listings: dict[str, dict[str, Any]] = {}

    def read(doc: DocumentRow) -> dict:
        if reads is not None and doc.sha256 in reads:
            return reads[doc.sha256]
        return read_inbox_file(str(doc.doc_type), raw_path(raw_store, doc.sha256), doc.title, doc.sha256)
    for doc in inbox_docs:
        if doc.doc_type == DocType.declaration_form:
            got = read(doc)
            result = ExtractResult(declared=[DeclaredFact.from_dict(x) for x in got["declared"]],
                                   errors=[ErrorRow.from_dict(e) for e in got["errors"]])
            errors.extend(result.errors)
            cells = {d.field: d.value for d in result.declared if d.fiscal_year == _max_year(result)}
            cid = cells.get("company_id")
            if not cid:
                continue  # the form's own error rows say why
            if cid in by_id:
                continue  # a duplicate declaration: the verify stage reports it
            by_id[cid] = {
                "company_id": cid,
                "legal_name": cells.get("legal_name"),
                "exchange": cells.get("exchange") or None,
                "ticker": cells.get("ticker") or None,
                "ads_ratio": None,
                "cik": None,
            }
        elif doc.doc_type == DocType.listings:
            got = read(doc)
            rows, errs = got["rows"], [ErrorRow.from_dict(e) for e in got["errors"]]
            errors.extend(errs)
            for row in rows:
                listings[row["company_id"]] = row
    for cid, row in listings.items():
        if cid in by_id:
            by_id[cid]["exchange"] = row.get("exchange") or by_id[cid]["exchange"]
            by_id[cid]["ticker"] = row.get("ticker") or by_id[cid]["ticker"]
            by_id[cid]["ads_ratio"] = row.get("ads_ratio")
            by_id[cid]["cik"] = row.get("cik")  # the SEC filer as of the year (issue 17), when given
            if row.get("ipo_in_progress"):  # its pre-disclosed prospectus (预披露) is searched on CNINFO
                by_id[cid]["ipo_in_progress"] = True
    return [by_id[k] for k in sorted(by_id)], errors


def _max_year(result) -> int:
    years = [d.fiscal_year for d in result.declared]
    return max(years) if years else 0
