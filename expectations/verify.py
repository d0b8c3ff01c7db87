"""The verify stage: reconcile a year's declarations with public sources and check them.

``run_verify(settings, paths)`` reads the collect and extract files of the year
(expectations.inputs), decides the value used for every company and metric (the accuracy check,
expectations.accuracy; the other metrics, expectations.metrics), builds the table of each of the
method's four checks (expectations.licence, main_business, accuracy, integrity), runs the year's
Great Expectations checkpoint once over them (expectations.checkpoint) and writes
``verify/companies.jsonl``, ``metrics.jsonl``, ``findings.jsonl``, ``errors.jsonl`` and the Data
Docs (``check_year``); then the audit site, whose company pages are mapped over shards of
companies (``audit_shards``, ``expectations.audit.write_company_pages``). An ERROR finding
makes the company ineligible for scoring.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from expectations import accuracy, integrity, licence, main_business, schemas
from expectations.checkpoint import run_checkpoint
from expectations.collected import collect_findings, conflict_findings, filing_findings, mark_incomplete
from expectations.declarations import collect_forms, company_row, undeclared_candidates
from expectations.findings import in_order, to_findings
from expectations.inputs import Inputs, load_inputs
from expectations.market_value import market_values, report_counts_used
from expectations.metrics import year_metrics
from expectations.rules import VerifyRules
from expectations.suites import CHECKS, build_suites
from expectations.unreadable import drop_blamed, mark_not_run, not_run_findings
from top100.jsonl import read_jsonl, write_jsonl
from top100.paths import YearPaths
from top100.records import CompanyRow, ErrorRow, Finding, MetricRow
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


@dataclass
class Checked:
    """A year reconciled and checked, its rows written; what the audit site is built from."""

    companies: list[CompanyRow]
    metrics: list[MetricRow]
    findings: list[Finding]
    errors: int
    facts_used: dict[tuple[str, str], dict]
    data_docs_index: Path | None
    seconds: dict[str, float]


@dataclass
class Reconciled:
    """A year's rows before the checkpoint: the companies and metric rows to write, the check
    tables the suites validate, the stage's error rows so far."""

    companies: list[CompanyRow]
    metrics: list[MetricRow]
    tables: dict[str, pd.DataFrame]  # suite name -> the table it checks
    errors: list[ErrorRow]
    facts_used: dict[tuple[str, str], dict]  # (company, metric) -> the public fact compared


def reconcile_year(inputs: Inputs, rules: VerifyRules) -> Reconciled:
    """The value used for every company and metric, and the table of each check."""
    errors: list[ErrorRow] = []
    forms = collect_forms(inputs, errors)
    candidates = inputs.candidates_by_id()
    errors += undeclared_candidates(candidates, forms)
    facts = inputs.facts_by_company(errors)
    values = market_values(inputs.quotes, inputs.fx, inputs.market_value_date, inputs.shares, inputs.facts,
                           inputs.documents)
    facts_used: dict[tuple[str, str], dict] = report_counts_used(values)
    figures = accuracy.check_figures(inputs, forms, facts, values, rules, facts_used)
    companies = [company_row(inputs.year, company.form, candidates.get(company_id, {}))
                 for company_id, company in figures.items()]
    metrics = year_metrics(inputs, figures, values, rules, errors)
    latest_forms = {company_id: company.form for company_id, company in figures.items()}
    tables = {
        "licence": licence.table(latest_forms, inputs.licences, inputs.year),
        "main_business": main_business.table(figures),
        "accuracy": accuracy.table(figures),
        "integrity": integrity.table(inputs.integrity, inputs.year, set(figures)),
        **schemas.tables(inputs, metrics),
    }
    return Reconciled(companies, metrics, tables, errors, facts_used)


def check_year(settings: Any, paths: YearPaths, market_value_date: Any = None) -> Checked:
    """Reconcile the year and run its checkpoint; write companies, metrics, findings and errors.

    One pass over the year, not one per company, and measured so (300 companies: reconcile
    0.24 s, checkpoint 4.6 s of which most is GX's fixed cost): the e-commerce peer margins,
    groups and duplicate names need every company, and a GX checkpoint validates a batch, so
    running it per company would multiply its fixed cost and split the Data Docs. The per-company
    work that costs (the audit pages) is mapped by the caller."""
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    rules = VerifyRules.from_settings(settings)
    if market_value_date is None:  # the year's valuation date (top100.year), never a global setting
        from top100.year import load_year

        market_value_date = load_year(paths.year, settings.evaluation.dir).valuation_date
    inputs = load_inputs(paths, market_value_date.isoformat())
    year = reconcile_year(inputs, rules)
    seconds["reconcile"] = time.perf_counter() - started
    started = time.perf_counter()
    run_name = f"verify-{paths.year}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
    result = run_checkpoint(year.tables, build_suites(rules), paths.root / "gx", paths.data_docs,
                            run_name=run_name, parameters=licence.parameters(inputs.licences))
    seconds["checkpoint"] = time.perf_counter() - started
    findings, schema_errors = to_findings(result.failures, year.tables, rules, paths.year,
                                          {name: check.shown for name, check in CHECKS.items()})
    findings = in_order(accuracy.merge_unit_errors(findings, year.tables["accuracy"], rules))
    companies = year.companies
    # evidence the collect stage could not fetch: the company is incomplete, not ranked on the rest
    findings += collect_findings(read_jsonl(paths.collect_errors), companies, paths.year)
    # a figure its own document prints two ways (or whose identity fails) is never used silently
    findings += conflict_findings(inputs.facts, companies, paths.year)
    # an SEC filing as filed that prints a figure otherwise than companyfacts (issue 17)
    findings += filing_findings(inputs.facts, companies, paths.year)
    # delivered rows that could not be read: the checks they feed could not run (fail closed)
    not_in_registry = {f.company_id for f in findings if f.kind == "licence_not_in_registry"}
    not_run = not_run_findings(read_jsonl(paths.extract_errors), inputs.documents, companies, not_in_registry,
                               rules, paths.year)
    findings = drop_blamed(findings, not_run) + not_run
    apply_eligibility(companies, findings)
    mark_not_run(companies, findings)
    mark_incomplete(companies, findings)
    errors = year.errors + schema_errors
    write_jsonl(paths.companies, companies)
    write_jsonl(paths.metrics, year.metrics)
    write_jsonl(paths.findings, findings)
    write_jsonl(paths.verify_errors, errors)
    return Checked(companies, year.metrics, findings, len(errors), year.facts_used, result.data_docs_index, seconds)


def audit_shards(checked: Checked, shards: int) -> list[list[Any]]:
    """The companies' audit pages in ``shards`` groups of about equal size, in company order."""
    from expectations.audit import company_items

    items = company_items(checked.companies, checked.metrics, checked.findings, checked.facts_used)
    n = max(1, min(shards, len(items)))
    size = -(-len(items) // n) if items else 0
    return [items[i:i + size] for i in range(0, len(items), size)] if items else []


def summarise(paths: YearPaths, checked: Checked, audit_index: Path | None) -> VerifySummary:
    companies = checked.companies
    return VerifySummary(
        year=paths.year, companies=len(companies), eligible=sum(c.eligible for c in companies),
        excluded={c.company_id: c.excluded_reason or "" for c in companies if not c.eligible},
        findings=dict(Counter(f.severity for f in checked.findings)), metrics=len(checked.metrics),
        errors=checked.errors, data_docs=checked.data_docs_index, audit=audit_index, seconds=checked.seconds,
    )


def run_verify(settings: Any, paths: YearPaths, *,
               map_pages: Callable[[list[list[Any]], str], Any] | None = None, shards: int = 1,
               market_value_date: Any = None) -> VerifySummary:
    """The verify stage of one fiscal year (see the module docstring).

    ``map_pages(shards, data_docs_href)`` renders the companies' audit pages, shard by shard
    (the verify flow passes one that maps Prefect tasks over the task runner); by default they
    are rendered here, one after the other."""
    from expectations import audit  # jinja2 and pdfplumber only when writing the site

    t0 = time.perf_counter()
    checked = check_year(settings, paths, market_value_date)
    t2 = time.perf_counter()
    audit.start_site(paths)
    href = audit.docs_href(paths, checked.data_docs_index)
    groups = audit_shards(checked, shards)
    if map_pages is None:
        for g in groups:
            audit.write_company_pages(paths, g, href)
    else:
        map_pages(groups, href)
    index = audit.write_index(paths, checked.companies, checked.findings, href,
                              inbox_dir=getattr(settings, "inbox_dir", None))
    checked.seconds["audit"] = time.perf_counter() - t2
    checked.seconds["total"] = time.perf_counter() - t0
    return summarise(paths, checked, index)
