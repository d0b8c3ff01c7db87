"""What became of every input: nothing disappears between stages unaccounted for.

For each document of the year (fetched or delivered) one row says how it was used: the number of
facts, form cells or staging rows it gave, or why it was rejected (the error rows that name it).
`out/<year>/accounting.jsonl`; the sums are checked by a test and shown in the run summary.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from top100.jsonl import read_jsonl, write_jsonl
from top100.paths import YearPaths

DELIVERED_TYPES = ("licence_registry", "traffic", "integrity", "listings")

# documents that are kept for the record (auditors read them) but carry no facts we extract
KEPT_ONLY = {"20-F", "F-1", "424B4"}


def account(paths: YearPaths) -> dict[str, int]:
    facts = Counter(r["document_sha256"] for r in read_jsonl(paths.facts))
    cells = Counter(r["form_sha256"] for r in read_jsonl(paths.declared))
    reasons: dict[str, list[str]] = defaultdict(list)
    for p in (paths.collect_errors, paths.extract_errors):
        for e in read_jsonl(p):
            if e.get("document"):
                reasons[e["document"]].append(e.get("reason") or e.get("kind") or "error")
    documents = list(read_jsonl(paths.documents))
    rows = []
    for d in documents:
        sha = d["sha256"]
        n_facts, n_cells, why = facts.get(sha, 0), cells.get(sha, 0), reasons.get(sha, [])
        if n_facts or n_cells:
            status = "used"
        elif d["doc_type"] in DELIVERED_TYPES and not _all_rows_refused(why):
            status = "used"  # a delivered file whose bad rows are refused one by one is still used
        elif why:
            status = "rejected"
        elif d["doc_type"] in KEPT_ONLY:
            status = "kept"
        else:
            status = "no_facts"
        rows.append({
            "sha256": sha, "source": d["source"], "doc_type": d["doc_type"], "company_id": d.get("company_id"),
            "url": d["url"], "status": status, "facts": n_facts, "form_cells": n_cells,
            "reasons": sorted(set(why)),
        })
    # what was asked for and never arrived has no document row: it is accounted for here
    fetched_urls = {d["url"] for d in documents}
    for e in read_jsonl(paths.collect_errors):
        if e.get("url") and e["url"] not in fetched_urls and not e.get("document"):
            rows.append({
                "sha256": None, "source": e.get("stage", "collect"), "doc_type": None,
                "company_id": e.get("company_id"), "url": e["url"], "status": "not_collected",
                "facts": 0, "form_cells": 0, "reasons": [e.get("reason") or e.get("kind") or "error"],
            })
    write_jsonl(paths.root / "accounting.jsonl", rows)
    return dict(Counter(r["status"] for r in rows))


def _all_rows_refused(reasons: list[str]) -> bool:
    """A delivered file is rejected as a whole only when it could not be read at all (its error
    names no row); errors about single rows leave the rest of it in use."""
    return any("row" not in r for r in reasons)
