"""Findings as people read them: a checkpoint failure becomes one finding per failing row, its
message template filled from the row of the check table, its check and severity those of the kind
named in the expectation's ``meta`` (``VerifyRules.kinds``). What is a finding is decided by the
check modules (expectations.licence, main_business, accuracy, integrity); this module only writes
it down.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
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


def _rows_by_id(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, dict]]:
    return {name: {str(row["row_id"]): {column: _clean(value) for column, value in row.items()}
                   for row in table.to_dict("records")}
            for name, table in tables.items() if "row_id" in table}


Shown = Callable[[dict, "str | None"], tuple[Any, Any]]


def to_findings(failures: list[Failure], tables: dict[str, pd.DataFrame], rules: VerifyRules,
                year: int, shown: dict[str, Shown]) -> tuple[list[Finding], list[ErrorRow]]:
    """One finding per failing row of a check suite (``shown`` has one per check: what its
    findings show as declared and public), once per company, check, metric and kind; the
    schema suites' failures are error rows (the stage's input is malformed: not a fact about a
    company)."""
    rows_by = _rows_by_id(tables)
    findings: dict[tuple, Finding] = {}
    errors: list[ErrorRow] = []
    for failure in failures:
        for index in failure.rows:
            row = rows_by.get(failure.suite, {}).get(str(index.get("row_id")),
                                                     {column: _clean(value) for column, value in index.items()})
            text = message(failure.meta.get("message", failure.expectation), row)
            if failure.suite not in shown:
                errors.append(ErrorRow("verify", "SchemaViolation",
                                       f"{failure.suite}: {text} (row {row.get('row_id')})",
                                       company_id=row.get("company_id"), document=row.get("document_sha256"),
                                       cell=row.get("cell")))
                continue
            kind = failure.meta["kind"]
            kind_rule = rules.kind(kind)
            declared, public = shown[failure.suite](row, failure.meta.get("column"))
            finding = Finding(
                company_id=row["company_id"], fiscal_year=year, check=kind_rule.check.value,
                metric=str(failure.meta.get("metric") or row.get("metric")), kind=kind,
                severity=kind_rule.severity.value, message=text, declared=declared, public=public,
                difference=row.get("difference") if isinstance(row.get("difference"), (int, float)) else None,
                rule=row.get("rule") if isinstance(row.get("rule"), str) else None,
                status="excluded" if kind_rule.severity == Severity.ERROR else kind_rule.status,
                expectation=f"{failure.suite}.{failure.expectation}",
                correct_value=row.get("correct_value"),
            )
            findings.setdefault((finding.company_id, finding.check, finding.metric, finding.kind), finding)
    return list(findings.values()), errors


def in_order(findings: list[Finding]) -> list[Finding]:
    """By company, then the blocking first, then check, metric and kind."""
    return sorted(findings, key=lambda f: (f.company_id, _SEVERITY_ORDER[Severity(f.severity)], f.check,
                                           f.metric, f.kind))
