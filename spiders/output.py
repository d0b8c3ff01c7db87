"""Where a crawl writes, how an interrupted crawl resumes, and the merge into the contract files.

    <year>/collect/
      documents.jsonl quotes.jsonl fx.jsonl errors.jsonl   the contract files (merged)
      parts/<spider>/                                       one crawl's output
        journal.jsonl     every item as it is scraped (flushed): what an interrupted crawl has
                          (not Scrapy's JOBDIR: see spiders.pipelines)
        documents.jsonl quotes.jsonl fx.jsonl errors.jsonl  written whole when the crawl ends
        summary.json      counts and the finish reason
        crawl.log         the crawl's log
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from top100.jsonl import read_jsonl, write_jsonl
from top100.paths import YearPaths
from top100.records import DocumentRow, ErrorRow, FxRate, Quote, ShareCount

KINDS = {"documents": DocumentRow, "quotes": Quote, "fx": FxRate, "errors": ErrorRow, "shares": ShareCount}
KIND_OF = {cls: kind for kind, cls in KINDS.items()}


def part_dir(paths: YearPaths, name: str) -> Path:
    if not name.isidentifier():
        raise ValueError(f"invalid crawl name {name!r}")
    return paths.collect / "parts" / name


def journal_path(paths: YearPaths, name: str) -> Path:
    return part_dir(paths, name) / "journal.jsonl"


def doc_key(company_id: str | None, url: str) -> tuple[str | None, str]:
    """A document's identity across runs: the company and the URL without scheme and host, so
    that the demo mirror's new port each run (or http/https) does not make it new."""
    parts = urlsplit(url)
    return company_id, parts.path + ("?" + parts.query if parts.query else "")


def known_documents(paths: YearPaths, name: str, store: Any) -> dict[tuple[str | None, str], DocumentRow]:
    """Documents fetched before, by doc_key, whose bytes are in the raw store: from the merged
    table, this crawl's last complete output, and the journal of an interrupted run.

    Not FilesPipeline's own check (``media_to_download``: the file at ``file_path(request)``, younger
    than FILES_EXPIRES): it looks for the path before the download, and a path named by the
    content's sha256 is known only after it; the earlier document row is what is known before."""
    rows: list[dict[str, Any]] = list(read_jsonl(paths.documents))
    rows += read_jsonl(part_dir(paths, name) / "documents.jsonl")
    rows += (entry["row"] for entry in read_jsonl(journal_path(paths, name)) if entry.get("kind") == "documents")
    known: dict[tuple[str | None, str], DocumentRow] = {}
    for row in rows:
        doc = DocumentRow.from_dict(row)
        if doc.source == "inbox":
            continue
        try:
            stored = store.has(doc.sha256, doc.size)
        except ValueError:  # not a sha256: not ours to trust
            stored = False
        if stored:
            known[doc_key(doc.company_id, doc.url)] = doc
    return known


def write_part(paths: YearPaths, name: str, items: dict[str, list[Any]], summary: dict[str, Any]) -> None:
    """The crawl's part files, each written whole and atomically (top100.jsonl), when it ends.

    Not Scrapy's FEEDS: its file storage writes in place (``FileFeedStorage.open``; with
    ``overwrite`` it truncates the last complete output as the crawl starts), so a killed crawl
    leaves a torn part file; atomic feeds would need a storage and an exporter of our own, more than
    these lines."""
    folder = part_dir(paths, name)
    for kind in KINDS:
        write_jsonl(folder / f"{kind}.jsonl", items.get(kind, []))
    (folder / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True), encoding="utf-8")


def read_summary(paths: YearPaths, name: str) -> dict[str, Any]:
    summary = part_dir(paths, name) / "summary.json"
    return json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}


def merge(paths: YearPaths, names: list[str], extra_errors: list[ErrorRow] | None = None) -> dict[str, int]:
    """Merge the parts of ``names`` (and the inbox part) into the contract files; return counts.

    Documents are unique by (company, url, sha256); rows are sorted so that the files do not
    change when nothing changed."""
    parts = [part_dir(paths, part) for part in [*names, "inbox"]]
    counts = {}
    for kind, cls in KINDS.items():
        rows: list[dict[str, Any]] = []
        for folder in parts:
            rows.extend(read_jsonl(folder / f"{kind}.jsonl"))
        if kind == "errors" and extra_errors:
            rows.extend(error.to_dict() for error in extra_errors)
        if kind == "documents":
            unique = {(row.get("company_id"), row["url"], row["sha256"]): row for row in rows}
            rows = list(unique.values())
        rows.sort(key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
        target = {"documents": paths.documents, "quotes": paths.quotes, "fx": paths.fx,
                  "errors": paths.collect_errors, "shares": paths.shares}[kind]
        counts[kind] = write_jsonl(target, [cls.from_dict(row) for row in rows])
    return counts
