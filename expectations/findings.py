"""Checkpoint failures as findings: one per failing row, for the right company and metric.

The kind named in the expectation's ``meta`` gives the check and the severity
(``VerifyRules.kinds``); the message template is filled from the failing row of the check table.
"""

from __future__ import annotations

import math
import string
from typing import Any

import pandas as pd

from expectations.checkpoint import Failure
from expectations.rules import VerifyRules
from top100.records import ErrorRow, Finding
from top100.vocab import Severity

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date().isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


class _Formatter(string.Formatter):
    """Fills a message from a row; a missing value prints as '—' whatever its format."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        if not format_spec:
            return plain(value)
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)

    def get_value(self, key, args, kwargs):
        return kwargs.get(key) if isinstance(key, str) else super().get_value(key, args, kwargs)


def plain(value: Any) -> str:
    """A figure as people read it in a message: thousands grouped, no trailing '.0'
    (22833252000.0 -> '22,833,252,000'; 6.112 stays '6.112'; years and other text unchanged)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if abs(value) >= 10_000:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def message(template: str, row: dict) -> str:
    try:
        return _Formatter().format(template, **row)
    except (IndexError, KeyError, ValueError, AttributeError):
        return f"{template} ({row})"


def _lookup(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, dict]]:
    return {name: {str(r["row_id"]): {k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")}
            for name, df in frames.items() if "row_id" in df}


def to_findings(failures: list[Failure], frames: dict[str, pd.DataFrame], rules: VerifyRules,
                year: int, check_suites: tuple[str, ...]) -> tuple[list[Finding], list[ErrorRow]]:
    """Findings from the check suites; schema-suite failures are error rows (the stage's input
    is malformed: not a fact about a company)."""
    rows_by = _lookup(frames)
    findings: dict[tuple, Finding] = {}
    errors: list[ErrorRow] = []
    unit_groups: dict[tuple, list[Finding]] = {}
    for fail in failures:
        for idx in fail.rows:
            row = rows_by.get(fail.suite, {}).get(str(idx.get("row_id")), {k: _clean(v) for k, v in idx.items()})
            text = message(fail.meta.get("message", fail.expectation), row)
            if fail.suite not in check_suites:
                errors.append(ErrorRow("verify", "SchemaViolation", f"{fail.suite}: {text} (row {row.get('row_id')})",
                                       company_id=row.get("company_id"), document=row.get("document_sha256"),
                                       cell=row.get("cell")))
                continue
            kind = fail.meta["kind"]
            kr = rules.kind(kind)
            metric = fail.meta.get("metric") or row.get("metric")
            column = fail.meta.get("column")
            declared = row.get("declared", row.get(column) if column else None)
            if fail.suite == "licence":
                declared, public = row.get("licence_number"), row.get("registry_company_id") or row.get("registry_holder")
            elif fail.suite == "main_business":
                declared, public = row.get(column), None
            else:
                public = row.get("public")
            f = Finding(
                company_id=row["company_id"], fiscal_year=year, check=kr.check.value, metric=str(metric),
                kind=kind, severity=kr.severity.value, message=text, declared=declared, public=public,
                difference=row.get("difference") if isinstance(row.get("difference"), (int, float)) else None,
                rule=row.get("rule") if isinstance(row.get("rule"), str) else None,
                status="excluded" if kr.severity == Severity.ERROR else kr.status,
                expectation=f"{fail.suite}.{fail.expectation}",
                correct_value=row.get("correct_value"),
            )
            findings.setdefault((f.company_id, f.check, f.metric, f.kind), f)
            if kind == "unit_error":
                unit_groups.setdefault((f.company_id, row.get("unit_factor")), []).append(f)
    _merge_unit_errors(findings, unit_groups, rules)
    ordered = sorted(findings.values(), key=lambda f: (f.company_id, _SEVERITY_ORDER[Severity(f.severity)],
                                                        f.check, f.metric, f.kind))
    return ordered, errors


def _merge_unit_errors(findings: dict[tuple, Finding], groups: dict[tuple, list[Finding]],
                       rules: VerifyRules) -> None:
    """A form written in the wrong unit throughout is one slip, not one per row: the rows of one
    company with the same factor become one finding on the first metric (revenue first); the
    message names every row corrected."""
    order = {m: i for i, m in enumerate(rules.compared_metrics)}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda f: order.get(f.metric, len(order)))
        head, rest = group[0], group[1:]
        head.message += "; the same unit error, corrected alike, in: " + ", ".join(
            f"{f.metric} ({plain(f.declared)} -> {plain(f.correct_value)})" for f in rest)
        for f in rest:
            findings.pop((f.company_id, f.check, f.metric, f.kind), None)
