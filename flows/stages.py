"""The six stages of the annual run, as Prefect subflows.

Each stage reads the files of the stages before it (top100.paths) and writes its own, so a stage
can be rerun alone (`top100 extract|verify|load|score|report`) and a failed run resumes from the
last stage that finished. Imports of the stage packages are local: the command line starts fast
and `top100 extract <file>` never loads Prefect.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.artifacts import error_lines, publish
from flows.extract_task import configured
from flows.progress import report, stage_done
from flows.retries import CRAWL_DELAYS, WAREHOUSE_DELAYS, CrawlFailed, retry_transient
from flows.runners import isolation_for
from extractors.registry import EXTRACTED_TYPES, INBOX_TYPES
from top100.config import Settings
from top100.errors import DeclarationError
from top100.jsonl import read_jsonl, write_json, write_jsonl
from top100.paths import YearPaths, raw_path
from top100.records import DocumentRow, ErrorRow
from top100.vocab import DocType
from top100.year import YearContext

# Every document is read by extractors.read, with the reader registered for its type
# (extractors.registry.READERS). Reports, prospectuses, SEC filings as filed and companyfacts
# (EXTRACTED_TYPES) are read here, one isolated, cached worker task each (flows.extract_task: key =
# extractors.VERSION, doc type, sha256); SEC filings' facts are used by the reconciliation only
# where companyfacts lacks the figure or agrees with it (expectations.reconcile). Forms and
# delivered files (INBOX_TYPES) were read once by the collect stage (flows.candidates.read_inbox).
# The staging file of each delivered file's rows (listings are the collect stage's: candidates):
STAGED_ROWS = {DocType.licence_registry: "licences", DocType.traffic: "traffic", DocType.integrity: "integrity"}


@task(name="crawl", task_run_name="crawl {name}", retries=len(CRAWL_DELAYS), retry_delay_seconds=CRAWL_DELAYS,
      retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def crawl_task(settings: Settings, paths: YearPaths, name: str, valuation_date: Any = None) -> dict[str, Any]:
    """One crawl subprocess; a failed one is retried (see flows.retries)."""
    from spiders.runner import crawl

    result = crawl(settings, paths, name, paths.candidates, valuation_date=valuation_date)
    if "failure" in result:
        raise CrawlFailed(result["failure"])
    return result


@flow(name="collect", validate_parameters=False)
def collect(settings: Settings, ctx: YearContext) -> dict[str, Any]:
    """Inbox files into the raw store, the candidates from the forms, then one crawl per source."""
    paths = ctx.paths
    from flows.candidates import build_candidates, read_inbox
    from spiders.inbox import ingest_inbox
    from spiders.output import merge
    from spiders.runner import enabled

    inbox_docs = [_doc(d) for d in ingest_inbox(settings, paths)]
    report("collect", 0, None, inbox=len(inbox_docs))
    # every form and delivered file read once, each in a bounded worker; extract reuses the reads
    reads = read_inbox(paths, inbox_docs, workers=settings.workers, isolated=isolation_for(settings) != "in-process")
    candidates, cand_errors = build_candidates(paths.raw_store, inbox_docs, reads)
    write_json(paths.candidates, candidates)
    if not candidates:  # nothing to evaluate: stop before asking any source for anything
        write_jsonl(paths.collect_errors, [e.to_dict() | {"stage": "collect"} for e in cand_errors])
        raise DeclarationError(
            f"no candidates: the inbox {settings.inbox_dir} holds no valid declaration form "
            f"(declarations/*.xlsx); see {paths.collect_errors}")
    names = enabled(settings)
    report("collect", 0, len(names), inbox=len(inbox_docs), candidates=len(candidates))
    crawls: dict[str, dict[str, Any]] = {}
    failures: list[ErrorRow] = []
    from prefect.futures import as_completed

    # the crawls of different sources run side by side (each its own hosts and caps;
    # settings.crawl.parallel_crawls at once, see flows.runners.crawl_runner_for)
    futures = {crawl_task.submit(settings, paths, name, ctx.valuation_date): name for name in names}
    for i, fut in enumerate(as_completed(list(futures)), 1):
        name = futures[fut]
        fut.wait()
        if fut.state.is_completed():
            crawls[name] = fut.result()
        else:  # retries spent: the run goes on without this source, and says so
            reason = str(fut.state.result(raise_on_failure=False))
            crawls[name] = {"spider": name, "failure": reason}
            failures.append(ErrorRow(stage="collect", kind="CrawlFailed", reason=reason))
        report("collect", i, len(names), crawl=name, downloaded=crawls[name].get("downloaded", 0))
    crawls = {name: crawls[name] for name in names}
    merge(paths, names, failures)
    # the crawls wrote collect/documents.jsonl; the inbox rows join them there
    crawled = [r for r in read_jsonl(paths.documents) if r.get("source") != "inbox"]
    docs = crawled + [d.to_dict() for d in inbox_docs]
    write_jsonl(paths.documents, docs)
    errors = list(read_jsonl(paths.collect_errors)) + [e.to_dict() | {"stage": "collect"} for e in cand_errors]
    write_jsonl(paths.collect_errors, errors)
    counts = {"candidates": len(candidates), "documents": len(docs), "errors": len(errors),
              "downloaded": sum(c.get("downloaded", 0) for c in crawls.values()),
              "already_stored": sum(c.get("already_stored", 0) for c in crawls.values())}
    stage_done("collect", **counts)
    crawl_rows = [{"company_id": "", "document": n, "kind": "crawl",
                   "reason": c.get("failure") or f"downloaded {c.get('downloaded', 0)}, "
                                                 f"already stored {c.get('already_stored', 0)}, "
                                                 f"requests {c.get('requests', 0)}"} for n, c in crawls.items()]
    publish("collect", ctx.fiscal_year, counts, crawl_rows + errors, failures=error_lines(errors))
    get_run_logger().info("collect: %s", counts)
    return counts


def _doc(d: Any) -> DocumentRow:
    return d if isinstance(d, DocumentRow) else DocumentRow.from_dict(d)


@flow(name="extract", validate_parameters=False)
def extract(settings: Settings, ctx: YearContext) -> dict[str, Any]:
    """Every document of the year into facts with provenance; forms into declared facts.

    The PDFs and companyfacts files are mapped over the flow's task runner (flows.runners; the
    annual flow sets it from settings.runner), one cached task per document (flows.extract_task)."""
    from flows.candidates import read_inbox

    paths = ctx.paths
    docs = [DocumentRow.from_dict(r) for r in read_jsonl(paths.documents)]
    facts: list[dict] = []
    declared: list[dict] = []
    errors: list[dict] = []
    staging: dict[str, list[dict]] = {"licences": [], "traffic": [], "integrity": []}
    pdfs = [d for d in docs if d.doc_type in EXTRACTED_TYPES]
    total = len(docs)
    done = 0

    # forms and delivered files: as the collect stage read them (once per run, in bounded workers)
    inbox = [d for d in docs if d.doc_type in INBOX_TYPES]
    reads = read_inbox(paths, inbox, workers=settings.workers, isolated=isolation_for(settings) != "in-process")
    first_of: dict[str, str] = {}  # sha256 -> the first file with these bytes: one file sent twice is read once
    for d in docs:
        if d.doc_type in EXTRACTED_TYPES:
            continue
        got = reads.get(d.sha256)
        if got is not None and d.sha256 in first_of:
            errors.append(_err(ErrorRow(stage="extract", kind="DuplicateFile", document=d.title,
                                        reason=f"the same bytes as {first_of[d.sha256]} (sha256 {d.sha256[:12]}): "
                                               "read once"), d))
            got = None
        elif got is not None:
            first_of[d.sha256] = d.title
        if got is not None:
            declared += got["declared"]
            target = STAGED_ROWS.get(d.doc_type)
            if target:
                staging[target] += got["rows"]
            errors += [_err(e, d) for e in got["errors"]]
        done += 1
        report("extract", done, total, current=f"{d.company_id or ''} {d.sha256[:10]}".strip(), facts=len(facts),
               forms=len(declared), errors=len(errors))

    from flows.mapping import finished

    one = configured(settings)
    isolation = isolation_for(settings)
    futures = {}
    for d in pdfs:
        fut = one.submit(str(raw_path(paths.raw_store, d.sha256).resolve()), d.doc_type, d.sha256, d.company_id,
                         settings.extract_timeout_s, isolation)
        futures[fut] = d
    cache_hits = 0
    for d, fut, got in finished(futures, lambda d: f"extract: company {d.company_id}, document {d.sha256} ({d.url})"):
        cache_hits += fut.state.name == "Cached"
        facts += [f | {"company_id": d.company_id, "document_sha256": d.sha256} for f in got["facts"]]
        errors += [_err(e, d) for e in got["errors"]]
        done += 1
        report("extract", done, total, current=f"{d.company_id or ''} {d.sha256[:10]}".strip(), facts=len(facts),
               forms=len(declared), errors=len(errors), cached=cache_hits)

    facts.sort(key=lambda f: (f.get("company_id") or "", f["metric"], f["fiscal_year"], f["document_sha256"], f.get("page") or 0))
    errors.sort(key=lambda e: (e.get("company_id") or "", e.get("document") or "", e.get("kind") or "", e.get("reason") or ""))
    write_jsonl(paths.facts, facts)
    write_jsonl(paths.declared, declared)
    write_jsonl(paths.licences, staging["licences"])
    write_jsonl(paths.traffic, staging["traffic"])
    write_jsonl(paths.integrity, staging["integrity"])
    write_jsonl(paths.extract_errors, errors)
    from flows.accounting import account

    counts = {"documents": total, "facts": len(facts), "declared": len(declared), "errors": len(errors),
              "extracted": len(pdfs) - cache_hits, "cache_hits": cache_hits}
    counts["accounting"] = account(paths)
    stage_done("extract", **{k: v for k, v in counts.items() if k != "accounting"})
    publish("extract", ctx.fiscal_year, counts, errors, failures=error_lines(errors))
    return counts


def _err(e: Any, d: DocumentRow) -> dict:
    row = e.to_dict() if hasattr(e, "to_dict") else dict(e)
    row["stage"] = "extract"
    row["company_id"] = row.get("company_id") or d.company_id
    row["document"] = row.get("document") or d.sha256
    row["url"] = row.get("url") or d.url
    return row


@flow(name="verify", validate_parameters=False)
def verify(settings: Settings, ctx: YearContext) -> dict[str, Any]:
    """Reconcile and check the year in one pass, then the companies' audit pages mapped over
    shards of companies on the flow's task runner (flows.verify_task)."""
    from expectations.verify import run_verify
    from flows.verify_task import page_mapper, shard_count

    paths = ctx.paths
    report("verify", 0, None)
    summary = run_verify(settings, paths, map_pages=page_mapper(settings, paths), shards=shard_count(settings),
                         market_value_date=ctx.valuation_date)
    counts = _as_dict(summary)
    # "eligible" means scored (the report's count); here it is the companies that passed the checks
    label = {"eligible": "passed_checks"}
    stage_done("verify", **{label.get(k, k): v for k, v in counts.items() if isinstance(v, (int, float, str))})
    findings = list(read_jsonl(paths.findings))
    errors = list(read_jsonl(paths.verify_errors))
    shown = {label.get(k, k): v for k, v in counts.items() if k in ("companies", "eligible", "metrics", "errors", "findings")}
    publish("verify", ctx.fiscal_year, shown, findings,
            columns=("company_id", "check", "kind", "metric", "severity", "message"),
            failures=error_lines(errors))
    return counts


@task(name="load-year", retries=len(WAREHOUSE_DELAYS), retry_delay_seconds=WAREHOUSE_DELAYS,
      retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def load_task(url: str, paths: YearPaths, run_id: str) -> dict[str, int]:
    """Connect and load in one go: a lock held by another writer is retried (flows.retries)."""
    from warehouse.engine import opened
    from warehouse.load import load_year

    with opened(url) as engine:
        return load_year(engine, paths, run_id)


@flow(name="load", validate_parameters=False)
def load(settings: Settings, ctx: YearContext, run_id: str) -> dict[str, Any]:
    report("load", 0, None)
    rows = load_task(settings.warehouse, ctx.paths, run_id)
    stage_done("load", rows=sum(rows.values()))
    publish("load", ctx.fiscal_year, {"rows": sum(rows.values())},
            [{"table": t, "rows": n} for t, n in rows.items()], columns=("table", "rows"))
    return rows


@flow(name="score", validate_parameters=False)
def score(settings: Settings, ctx: YearContext, run_id: str) -> dict[str, Any]:
    from scoring.run import score_year
    from warehouse.engine import opened

    report("score", 0, None)
    with opened(settings.warehouse) as engine:
        ranking = score_year(settings, engine, ctx, run_id)
    stage_done("score", ranked=len(ranking))
    publish("score", ctx.fiscal_year, {"ranked": len(ranking)}, [r.to_dict() for r in ranking],
            columns=("rank", "company_id", "name", "total_score"))
    return {"ranked": len(ranking)}


@flow(name="report", validate_parameters=False)
def report_stage(settings: Settings, ctx: YearContext, run_id: str) -> dict[str, Any]:
    from scoring.report import build_report
    from warehouse.engine import opened

    report("report", 0, None)
    with opened(settings.warehouse) as engine:
        index = build_report(settings, engine, ctx, run_id)
        from warehouse import reads

        figures = reads.report_figures(engine, ctx.fiscal_year).to_dict("records")
    stage_done("report", page=str(index))
    off = [f for f in figures if f.get("within_tolerance") is not None and not f.get("within_tolerance")]
    publish("report", ctx.fiscal_year, {"report": str(index), "figures": len(figures), "off_published": len(off)},
            figures, columns=("name", "value", "unit", "published", "difference", "within_tolerance"),
            failures=[f"{f['name']}: computed {f['value']}, published {f.get('published_text') or f.get('published')}"
                      for f in off])
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
