"""The verify stage: reconcile a year's declarations with public sources and check them.

``run_verify(settings, paths)`` reads the collect and extract files of the year, decides the
value used for every company and metric (expectations.tables / reconcile), runs the year's
Great Expectations checkpoint once (expectations.checkpoint) and writes
``verify/companies.jsonl``, ``metrics.jsonl``, ``findings.jsonl``, ``errors.jsonl``, the Data
Docs and the audit site. An ERROR finding makes the company ineligible for scoring.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from expectations import tables as tb
from expectations.checkpoint import run_checkpoint
from expectations.collected import collect_findings, mark_incomplete
from expectations.findings import to_findings
from expectations.rules import VerifyRules
from expectations.suites import CHECK_SUITES, build_suites
from top100.errors import VerificationError
from top100.jsonl import read_jsonl, write_jsonl
from top100.paths import YearPaths
from top100.records import CompanyRow, Finding, MetricRow
from top100.vocab import Severity


@dataclass
class VerifySummary:
    year: int
    companies: int
    eligible: int
    excluded: dict[str, str]  # company_id -> reason
    findings: dict[str, int]  # severity -> count
    metrics: int
    errors: int
    data_docs: Path | None
    audit: Path | None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (paths as text), for the flow's run summary."""
        d = asdict(self)
        d["data_docs"] = str(self.data_docs) if self.data_docs else None
        d["audit"] = str(self.audit) if self.audit else None
        return d


def load_inputs(paths: YearPaths, market_value_date: str) -> tb.Inputs:
    cands: list[dict] = []
    if paths.candidates.exists():
        try:
            cands = json.loads(paths.candidates.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise VerificationError(f"candidates file {paths.candidates} is not JSON: {exc}") from exc
    return tb.Inputs(
        year=paths.year, market_value_date=market_value_date, candidates=cands,
        documents=list(read_jsonl(paths.documents)), quotes=list(read_jsonl(paths.quotes)),
        fx=list(read_jsonl(paths.fx)), facts=list(read_jsonl(paths.facts)),
        declared=list(read_jsonl(paths.declared)), licences=list(read_jsonl(paths.licences)),
        traffic=list(read_jsonl(paths.traffic)), integrity=list(read_jsonl(paths.integrity)),
    )


def schema_frames(inp: tb.Inputs, metrics: list[MetricRow]) -> dict[str, pd.DataFrame]:
    """The boundary tables: declared cells and extracted facts as read, metrics as written."""
    decl = pd.DataFrame([{
        "row_id": f"declared|{i}", "company_id": r.get("company_id"), "metric": r.get("field"),
        "form_sha256": r.get("form_sha256"), "year_offset": (r.get("fiscal_year") or 0) - inp.year,
        "cell": r.get("cell"), "raw": None if r.get("raw") is None else str(r.get("raw")),
    } for i, r in enumerate(inp.declared)], columns=["row_id", "company_id", "metric", "form_sha256",
                                                      "year_offset", "cell", "raw"])
    facts = pd.DataFrame([{
        "row_id": f"fact|{i}", "company_id": r.get("company_id"), "metric": r.get("metric"),
        "currency": r.get("currency"), "value": r.get("value"), "doc_type": r.get("doc_type"),
        "document_sha256": r.get("document_sha256"), "page": r.get("page"),
    } for i, r in enumerate(inp.facts)], columns=["row_id", "company_id", "metric", "currency", "value",
                                                   "doc_type", "document_sha256", "page"])
    facts["value"] = pd.to_numeric(facts["value"], errors="coerce").astype("float64")
    mets = pd.DataFrame([{"row_id": f"metric|{i}", **m.to_dict()} for i, m in enumerate(metrics)],
                        columns=["row_id", *MetricRow.__dataclass_fields__])
    mets["value"] = pd.to_numeric(mets["value"], errors="coerce").astype("float64")
    for df in (mets,):
        for col in ("declared", "public", "difference"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return {"declared_schema": decl, "facts_schema": facts, "metrics_schema": mets}


def apply_eligibility(companies: list[CompanyRow], findings: list[Finding]) -> None:
    """An ERROR finding blocks the company from scoring; the reason lists the checks."""
    blocking: dict[str, list[str]] = {}
    for f in findings:
        if f.severity == Severity.ERROR.value:
            blocking.setdefault(f.company_id, []).append(f"{f.check}/{f.kind} ({f.metric})")
    for c in companies:
        reasons = blocking.get(c.company_id)
        c.eligible = not reasons
        c.excluded_reason = "; ".join(dict.fromkeys(reasons)) if reasons else None


def run_verify(settings: Any, paths: YearPaths) -> VerifySummary:
    """The verify stage of one fiscal year (see the module docstring)."""
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    rules = VerifyRules.from_settings(settings)
    mv_date = settings.evaluation.market_value_date.isoformat()
    inp = load_inputs(paths, mv_date)
    tables = tb.build(inp, rules)
    frames = {**tables.frames, **schema_frames(inp, tables.metrics)}
    seconds["reconcile"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    suites = build_suites(rules)
    run_name = f"verify-{paths.year}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
    result = run_checkpoint(frames, suites, paths.root / "gx", paths.data_docs, run_name=run_name)
    seconds["checkpoint"] = time.perf_counter() - t1
    findings, schema_errors = to_findings(result.failures, frames, rules, paths.year, CHECK_SUITES)
    # evidence the collect stage could not fetch: the company is incomplete, not ranked on the rest
    findings += collect_findings(read_jsonl(paths.collect_errors), tables.companies, paths.year)
    apply_eligibility(tables.companies, findings)
    mark_incomplete(tables.companies, findings)
    errors = tables.errors + schema_errors
    write_jsonl(paths.companies, tables.companies)
    write_jsonl(paths.metrics, tables.metrics)
    write_jsonl(paths.findings, findings)
    write_jsonl(paths.verify_errors, errors)
    t2 = time.perf_counter()
    from expectations.audit import build_audit  # jinja2 and pdfplumber only when writing the site

    audit_index = build_audit(paths, tables.companies, tables.metrics, findings, tables.facts_used,
                              data_docs_index=result.data_docs_index)
    seconds["audit"] = time.perf_counter() - t2
    seconds["total"] = time.perf_counter() - t0
    return VerifySummary(
        year=paths.year, companies=len(tables.companies),
        eligible=sum(c.eligible for c in tables.companies),
        excluded={c.company_id: c.excluded_reason or "" for c in tables.companies if not c.eligible},
        findings=dict(Counter(f.severity for f in findings)), metrics=len(tables.metrics), errors=len(errors),
        data_docs=result.data_docs_index, audit=audit_index, seconds=seconds,
    )
