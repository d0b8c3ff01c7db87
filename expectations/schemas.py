"""The stage-boundary suites: the declared cells and the extracted facts as the verify stage reads
them, the metric rows as it writes them. A failing row is an error row of the stage (its input is
malformed), not a finding about a company."""

from __future__ import annotations

import pandas as pd

from expectations.inputs import Inputs
from expectations.spec import Expect, expect, where
from top100.form_template import FIELDS
from top100.records import MetricRow
from top100.vocab import COMPANY_ID_RE, DocType, Metric

METRIC_STATUSES = ["agree", "corrected", "public_used", "declared_only", "derived", "missing"]
METRIC_SOURCES = ["declared", "annual_report", "companyfacts", "hk_annual_report", "prospectus",
                  "20-F", "F-1", "424B4", "derived", "quotes", "traffic", "public"]


def tables(inputs: Inputs, metrics: list[MetricRow]) -> dict[str, pd.DataFrame]:
    declared = pd.DataFrame([{
        "row_id": f"declared|{position}", "company_id": cell.get("company_id"), "metric": cell.get("field"),
        "form_sha256": cell.get("form_sha256"), "year_offset": (cell.get("fiscal_year") or 0) - inputs.year,
        "cell": cell.get("cell"), "raw": None if cell.get("raw") is None else str(cell.get("raw")),
    } for position, cell in enumerate(inputs.declared)],
        columns=["row_id", "company_id", "metric", "form_sha256", "year_offset", "cell", "raw"])
    facts = pd.DataFrame([{
        "row_id": f"fact|{position}", "company_id": fact.get("company_id"), "metric": fact.get("metric"),
        "currency": fact.get("currency"), "value": fact.get("value"), "doc_type": fact.get("doc_type"),
        "document_sha256": fact.get("document_sha256"), "page": fact.get("page"),
    } for position, fact in enumerate(inputs.facts)],
        columns=["row_id", "company_id", "metric", "currency", "value", "doc_type", "document_sha256", "page"])
    facts["value"] = pd.to_numeric(facts["value"], errors="coerce").astype("float64")
    written = pd.DataFrame([{"row_id": f"metric|{position}", **row.to_dict()} for position, row in enumerate(metrics)],
                           columns=["row_id", *MetricRow.__dataclass_fields__])
    for column in ("value", "declared", "public", "difference"):
        written[column] = pd.to_numeric(written[column], errors="coerce").astype("float64")
    return {"declared_schema": declared, "facts_schema": facts, "metrics_schema": written}


def expectations() -> dict[str, list[Expect]]:
    field_codes = [f.code for f in FIELDS]
    metrics = [m.value for m in Metric]
    return {
        "declared_schema": [
            expect("ExpectColumnValuesToMatchRegex", None, "invalid company id", column="company_id",
                   regex=COMPANY_ID_RE.pattern),
            expect("ExpectColumnValuesToBeInSet", None, "unknown form field {metric}", column="metric",
                   value_set=field_codes),
            expect("ExpectColumnValuesToBeInSet", None, "cell of another fiscal year", column="year_offset",
                   value_set=[0, -1]),
            expect("ExpectColumnValuesToMatchRegex", None, "cell reference {cell} is not a cell", column="cell",
                   regex=r"^[A-Z]{1,3}[0-9]+$"),
            expect("ExpectCompoundColumnsToBeUnique", None, "cell declared twice in one form",
                   column_list=["company_id", "form_sha256", "metric", "year_offset"]),
        ],
        "facts_schema": [
            expect("ExpectColumnValuesToNotBeNull", None, "fact without a company", column="company_id"),
            expect("ExpectColumnValuesToBeInSet", None, "unknown metric {metric}", column="metric", value_set=metrics),
            expect("ExpectColumnValuesToBeInSet", None, "unknown currency {currency}", column="currency",
                   value_set=["CNY", "HKD", "USD"], **where('metric!="employees_total" and metric!="total_shares"')),  # counts have none
            expect("ExpectColumnValuesToNotBeNull", None, "fact without a value", column="value"),
            expect("ExpectColumnValuesToBeInSet", None, "unknown document type {doc_type}", column="doc_type",
                   value_set=[d.value for d in DocType]),
            expect("ExpectColumnValuesToMatchRegex", None, "not a sha256: {document_sha256}",
                   column="document_sha256", regex=r"^[0-9a-f]{64}$"),
        ],
        "metrics_schema": [
            expect("ExpectColumnValuesToMatchRegex", None, "invalid company id", column="company_id",
                   regex=COMPANY_ID_RE.pattern),
            expect("ExpectColumnValuesToBeInSet", None, "unknown metric {metric}", column="metric", value_set=metrics),
            expect("ExpectColumnValuesToBeInSet", None, "unknown status {status}", column="status",
                   value_set=METRIC_STATUSES),
            expect("ExpectColumnValuesToBeInSet", None, "unknown source {source}", column="source",
                   value_set=METRIC_SOURCES),
            expect("ExpectColumnValuesToNotBeNull", None, "no value although status {status}", column="value",
                   **where('status!="missing"')),
            expect("ExpectCompoundColumnsToBeUnique", None, "two rows for one company and metric",
                   column_list=["company_id", "metric"]),
        ],
    }
