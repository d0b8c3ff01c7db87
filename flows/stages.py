"""The six stages of the annual run, as Prefect subflows.

Each stage reads the files of the stages before it (top100.paths) and writes its own, so a stage
can be rerun alone (`top100 extract|verify|load|score|report`) and a failed run resumes from the
last stage that finished. Imports of the stage packages are local: the command line starts fast
and `top100 extract <file>` never loads Prefect.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows.progress import report, stage_done
from top100.config import Settings
from top100.jsonl import read_jsonl, write_json, write_jsonl
from top100.paths import YearPaths, raw_path
from top100.records import DocumentRow, ErrorRow
from top100.vocab import DocType

PDF_TYPES = {DocType.annual_report, DocType.prospectus, DocType.hk_annual_report, DocType.companyfacts}
DELIVERED = {DocType.licence_registry, DocType.traffic, DocType.integrity, DocType.listings}


@flow(name="collect", validate_parameters=False)
def collect(settings: Settings, paths: YearPaths) -> dict[str, Any]:
    """Inbox files into the raw store, the candidates from the forms, then one crawl per source."""
    from flows.candidates import build_candidates
    from spiders.inbox import ingest_inbox
    from spiders.runner import collect_all

    inbox_docs = [_doc(d) for d in ingest_inbox(settings, paths)]
    report("collect", 0, None, inbox=len(inbox_docs))
    candidates, cand_errors = build_candidates(paths.raw_store, inbox_docs)
    write_json(paths.candidates, candidates)
    report("collect", 0, None, inbox=len(inbox_docs), candidates=len(candidates))
    crawl = collect_all(settings, paths, paths.candidates)
    # the crawls wrote collect/documents.jsonl; the inbox rows join them there
    crawled = [r for r in read_jsonl(paths.documents) if r.get("source") != "inbox"]
    docs = crawled + [d.to_dict() for d in inbox_docs]
    write_jsonl(paths.documents, docs)
    errors = list(read_jsonl(paths.collect_errors)) + [e.to_dict() | {"stage": "collect"} for e in cand_errors]
    write_jsonl(paths.collect_errors, errors)
    counts = {"candidates": len(candidates), "documents": len(docs), "errors": len(errors)}
    stage_done("collect", **counts)
    get_run_logger().info("collect: %s (crawl: %s)", counts, crawl)
    return counts


def _doc(d: Any) -> DocumentRow:
    return d if isinstance(d, DocumentRow) else DocumentRow.from_dict(d)


@flow(name="extract", validate_parameters=False)
def extract(settings: Settings, paths: YearPaths) -> dict[str, Any]:
    """Every document of the year into facts with provenance; forms into declared facts."""
    from extractors import delivered, forms

    docs = [DocumentRow.from_dict(r) for r in read_jsonl(paths.documents)]
    facts: list[dict] = []
    declared: list[dict] = []
    errors: list[dict] = []
    staging: dict[str, list[dict]] = {"licences": [], "traffic": [], "integrity": []}
    pdfs = [d for d in docs if d.doc_type in PDF_TYPES]
    total = len(docs)
    done = 0

    for d in docs:
        if d.doc_type in PDF_TYPES:
            continue
        path = raw_path(paths.raw_store, d.sha256)
        if d.doc_type == DocType.declaration_form:
            res = forms.read_form(path, d.sha256)
            declared += [x.to_dict() for x in res.declared]
            errors += [_err(e, d) for e in res.errors]
        elif d.doc_type in DELIVERED:
            reader = {
                DocType.licence_registry: ("licences", delivered.read_licences),
                DocType.traffic: ("traffic", delivered.read_traffic),
                DocType.integrity: ("integrity", delivered.read_integrity),
                DocType.listings: (None, delivered.read_listings),
            }[DocType(d.doc_type)]
            rows, errs = _rows_errors(reader[1](path))
            if reader[0]:
                staging[reader[0]] += [r.to_dict() if hasattr(r, "to_dict") else r for r in rows]
            errors += [_err(e, d) for e in errs]
        done += 1
        report("extract", done, total, facts=len(facts), forms=len(declared), errors=len(errors))

    cache = _ExtractCache(settings.out_dir / "cache" / "extract")
    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        futures = {pool.submit(_extract_one, cache, paths, d, settings.extract_timeout_s): d for d in pdfs}
        for fut in as_completed(futures):
            d = futures[fut]
            got_facts, got_errors = fut.result()
            facts += got_facts
            errors += [_err(e, d) for e in got_errors]
            done += 1
            report("extract", done, total, facts=len(facts), forms=len(declared), errors=len(errors))

    facts.sort(key=lambda f: (f.get("company_id") or "", f["metric"], f["fiscal_year"], f["document_sha256"], f.get("page") or 0))
    write_jsonl(paths.facts, facts)
    write_jsonl(paths.declared, declared)
    write_jsonl(paths.licences, staging["licences"])
    write_jsonl(paths.traffic, staging["traffic"])
    write_jsonl(paths.integrity, staging["integrity"])
    write_jsonl(paths.extract_errors, errors)
    from flows.accounting import account

    counts = {"documents": total, "facts": len(facts), "declared": len(declared), "errors": len(errors)}
    counts["accounting"] = account(paths)
    stage_done("extract", **{k: v for k, v in counts.items() if k != "accounting"})
    return counts


def _rows_errors(out: Any) -> tuple[list, list]:
    if isinstance(out, tuple):
        return out[0], out[1]
    return list(getattr(out, "rows", [])), list(getattr(out, "errors", []))


def _err(e: Any, d: DocumentRow) -> dict:
    row = e.to_dict() if hasattr(e, "to_dict") else dict(e)
    row["stage"] = "extract"
    row["company_id"] = row.get("company_id") or d.company_id
    row["document"] = row.get("document") or d.sha256
    row["url"] = row.get("url") or d.url
    return row


class _ExtractCache:
    """Facts of a document already extracted by this extractor version are not extracted again
    (keyed on sha256 and version; the raw store is immutable, so the key is exact)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha: str, doc_type: str) -> Path:
        import extractors

        version = getattr(extractors, "VERSION", "0")
        return self.root / f"v{version}" / doc_type.replace("/", "_") / f"{sha}.json"

    def get(self, sha: str, doc_type: str) -> dict | None:
        p = self._path(sha, doc_type)
        return json.loads(p.read_text("utf-8")) if p.exists() else None

    def put(self, sha: str, doc_type: str, value: dict) -> None:
        write_json(self._path(sha, doc_type), value)


def _extract_one(cache: _ExtractCache, paths: YearPaths, d: DocumentRow, timeout_s: float) -> tuple[list[dict], list[dict]]:
    from extractors.isolated import extract_isolated

    hit = cache.get(d.sha256, d.doc_type)
    if hit is None:
        res = extract_isolated(raw_path(paths.raw_store, d.sha256), d.doc_type, timeout_s=timeout_s,
                               company_id=d.company_id, sha256=d.sha256)
        hit = {"facts": [f.to_dict() for f in res.facts], "errors": [e.to_dict() for e in res.errors]}
        cache.put(d.sha256, d.doc_type, hit)
    facts = [f | {"company_id": d.company_id, "document_sha256": d.sha256} for f in hit["facts"]]
    return facts, hit["errors"]


@flow(name="verify", validate_parameters=False)
def verify(settings: Settings, paths: YearPaths) -> dict[str, Any]:
    from expectations.verify import run_verify

    report("verify", 0, None)
    summary = run_verify(settings, paths)
    counts = _as_dict(summary)
    stage_done("verify", **{k: v for k, v in counts.items() if isinstance(v, (int, float, str))})
    return counts


@flow(name="load", validate_parameters=False)
def load(settings: Settings, paths: YearPaths, run_id: str) -> dict[str, Any]:
    from warehouse.engine import connect
    from warehouse.load import load_year

    report("load", 0, None)
    engine = connect(settings.warehouse)
    try:
        rows = load_year(engine, paths, run_id)
    finally:
        engine.dispose()
    stage_done("load", rows=sum(rows.values()))
    return rows


@flow(name="score", validate_parameters=False)
def score(settings: Settings, paths: YearPaths, run_id: str) -> dict[str, Any]:
    from scoring.run import score_year
    from warehouse.engine import connect

    report("score", 0, None)
    engine = connect(settings.warehouse)
    try:
        ranking = score_year(settings, engine, paths.year, run_id)
    finally:
        engine.dispose()
    stage_done("score", ranked=len(ranking))
    return {"ranked": len(ranking)}


@flow(name="report", validate_parameters=False)
def report_stage(settings: Settings, paths: YearPaths, run_id: str) -> dict[str, Any]:
    from scoring.report import build_report
    from warehouse.engine import connect

    report("report", 0, None)
    engine = connect(settings.warehouse)
    try:
        index = build_report(settings, engine, paths.year, run_id)
    finally:
        engine.dispose()
    stage_done("report", page=str(index))
    return {"report": str(index)}


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(obj)
    return {"summary": str(obj)}


def errors_of(paths: YearPaths) -> list[ErrorRow]:
    rows = []
    for p in (paths.collect_errors, paths.extract_errors, paths.verify_errors):
        rows += [ErrorRow.from_dict(r) for r in read_jsonl(p)]
    return rows
