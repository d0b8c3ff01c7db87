"""The Great Expectations suites, defined in code and saved as JSON under expectations/suites/.

One suite per check of the method (licence, main_business, accuracy, integrity; METHOD.md
section 2) over the check tables of ``expectations.tables``, and schema suites at the stage
boundaries (declared facts, extracted facts, metrics). Each expectation's ``meta`` names the
finding ``kind`` it raises (its check and severity come from ``VerifyRules.kinds``), the
``metric`` when it is not the row's, and a ``message`` template filled from the failing row.

    python -m expectations.suites    # rewrite expectations/suites/*.json from this code
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from expectations.rules import VerifyRules
from top100.form_template import FIELDS
from top100.vocab import DocType, Metric, Severity

SUITES_DIR = Path(__file__).parent / "suites"
CHECK_SUITES = ("licence", "main_business", "accuracy", "integrity")
SCHEMA_SUITES = ("declared_schema", "facts_schema", "metrics_schema")
GX_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}
METRIC_STATUSES = ["agree", "corrected", "public_used", "declared_only", "derived", "missing"]
METRIC_SOURCES = ["declared", "annual_report", "companyfacts", "hk_annual_report", "prospectus",
                  "20-F", "F-1", "424B4", "derived", "quotes", "traffic", "public"]
COMPANY_ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"  # top100.vocab.COMPANY_ID_RE


def _spec(rules: VerifyRules, etype: str, kind: str | None, message: str,
          metric: str | None = None, **kwargs: Any) -> tuple[str, dict, dict, str]:
    meta = {"kind": kind, "message": message}
    if metric:
        meta["metric"] = metric
    severity = GX_SEVERITY[rules.kind(kind).severity] if kind else "critical"
    return etype, kwargs, meta, severity


def _cond(expr: str) -> dict:
    return {"row_condition": expr, "condition_parser": "pandas"}


def specs(rules: VerifyRules) -> dict[str, list[tuple[str, dict, dict, str]]]:
    """(expectation type, kwargs, meta, severity) per suite: the single definition of the suites."""
    s = lambda *a, **k: _spec(rules, *a, **k)  # noqa: E731
    lic = [
        s("ExpectColumnValuesToNotBeNull", "licence_missing", "no licence number declared",
          column="licence_number"),
        s("ExpectColumnValuesToBeInSet", "licence_type_unknown", "licence type {licence_type} is not one of "
          + "/".join(rules.licence_types), column="licence_type", value_set=list(rules.licence_types)),
    ]
    for ltype, pattern in sorted(rules.licence_patterns.items()):
        lic.append(s("ExpectColumnValuesToMatchRegex", "licence_malformed",
                     f"licence number {{licence_number}} is not a well-formed {ltype} number",
                     column="licence_number", regex=pattern, **_cond(f'licence_type=="{ltype}"')))
    lic += [
        s("ExpectColumnValuesToBeInSet", "licence_not_in_registry",
          "licence number {licence_number} is not in the licence registry", column="in_registry",
          value_set=[True]),
        s("ExpectColumnValuesToBeInSet", "licence_mismatch",
          "licence number {licence_number} belongs to {registry_holder} ({registry_company_id}), not to this company",
          column="holder_ok", value_set=[True]),
        s("ExpectColumnPairValuesAToBeGreaterThanB", "licence_expired",
          "licence {licence_number} valid until {valid_until}: not valid through the fiscal year",
          column_A="valid_until", column_B="fy_end", or_equal=True, ignore_row_if="either_value_is_missing"),
        s("ExpectColumnPairValuesAToBeGreaterThanB", "licence_expired",
          "licence {licence_number} valid only from {valid_from}: not valid through the fiscal year",
          column_A="fy_start", column_B="valid_from", or_equal=True, ignore_row_if="either_value_is_missing"),
        s("ExpectColumnValuesToNotBeInSet", "licence_revoked",
          "licence {licence_number} has status {registry_status} in the registry",
          column="registry_status", value_set=list(rules.licence_bad_statuses)),
    ]
    main = [
        s("ExpectColumnValuesToBeBetween", "internet_share_low",
          "internet revenue {internet_revenue} is {internet_share:.1%} of revenue {revenue}, under "
          f"{rules.internet_share_min:.0%}", column="internet_share", min_value=rules.internet_share_min),
        s("ExpectColumnValuesToBeInSet", "business_type_unknown", "business type {business_type} is not known",
          metric="business_type", column="business_type", value_set=list(rules.business_types)),
        s("ExpectColumnValuesToBeInSet", "network_outside_mainland",
          "network access point declared outside mainland China", metric="network_in_mainland",
          column="network_in_mainland", value_set=[True]),
        s("ExpectColumnValuesToBeInSet", "business_outside_mainland",
          "main business declared outside mainland China", metric="business_in_mainland",
          column="business_in_mainland", value_set=[True]),
    ]
    current = "prior==False"
    factors = ", ".join(f"{f:,.0f}" for f in rules.unit_factors)
    acc = [
        s("ExpectColumnValuesToBeNull", "unit_error",
          "declared {declared} is {unit_factor:,.0f} times the right figure (unit error; factors " + factors
          + "): {correct_value} used ({rule})", column="unit_factor", **_cond(current)),
        s("ExpectColumnValuesToBeBetween", "public_mismatch",
          "declared {declared} differs from the audited public {public} by {difference:+.1%} (tolerance "
          f"{rules.relative_tolerance:.0%}): the public value is used, the declared one kept",
          column="residual", max_value=rules.relative_tolerance, **_cond(current)),
        s("ExpectColumnValuesToBeNull", "fx_rate_missing",
          "no CFETS rate {fx_missing} in fx.jsonl to convert the public value: declared value kept",
          column="fx_missing"),
        s("ExpectColumnPairValuesAToBeGreaterThanB", "profit_exceeds_revenue",
          "operating profit {value} exceeds revenue {revenue_used}", column_A="revenue_used", column_B="value",
          or_equal=True, ignore_row_if="either_value_is_missing", **_cond('metric=="operating_profit"')),
        s("ExpectColumnPairValuesAToBeGreaterThanB", "rd_exceeds_revenue",
          "R&D expense {value} exceeds revenue {revenue_used}", column_A="revenue_used", column_B="value",
          or_equal=True, ignore_row_if="either_value_is_missing", **_cond('metric=="rd_expense"')),
        s("ExpectColumnValuesToBeBetween", "growth_implausible",
          "growth {growth:+.0%} over the prior year is outside "
          f"[{rules.growth_min:+.0%}, {rules.growth_max:+.0%}]",
          column="growth", min_value=rules.growth_min, max_value=rules.growth_max),
        s("ExpectColumnValuesToNotBeNull", "required_missing", "required figure not declared nor public",
          column="value", **_cond("required==True")),
        s("ExpectColumnValuesToBeBetween", "not_positive", "required figure {value} is not positive",
          column="value", min_value=0, strict_min=True, **_cond("required==True")),
        s("ExpectColumnValuesToBeBetween", "duplicate_declaration",
          "{form_count:g} identical declaration forms ({forms}): one declaration sent twice", column="form_count",
          max_value=1),
        s("ExpectColumnValuesToBeNull", "declaration_conflict", "{conflict}", column="conflict"),
        s("ExpectColumnValuesToBeNull", "implausible_figure", "implausible figure: {implausible}",
          column="implausible"),
        s("ExpectColumnValuesToBeNull", "duplicate_company",
          "the same legal name is already declared as {duplicate_of}", column="duplicate_of"),
        s("ExpectColumnValuesToBeNull", "subsidiary_declared_separately",
          "subsidiary of {consolidated_into}, which declares: consolidated into its group", metric="group_parent_id",
          column="consolidated_into"),
        s("ExpectColumnValuesToBeInSet", "ecommerce_cost_estimated",
          "self-operated e-commerce without published cost of goods: {rule}; {correct_value} used",
          column="ecommerce_estimated", value_set=[False]),
    ]
    integ = [
        s("ExpectColumnValuesToBeInSet", "integrity_disqualifying",
          "disqualifying integrity record of {record_date} ({kind}): {description}",
          column="disqualifying", value_set=[False]),
    ]
    field_codes = [f.code for f in FIELDS]
    metrics = [m.value for m in Metric]
    declared_schema = [
        s("ExpectColumnValuesToMatchRegex", None, "invalid company id", column="company_id", regex=COMPANY_ID_REGEX),
        s("ExpectColumnValuesToBeInSet", None, "unknown form field {metric}", column="metric", value_set=field_codes),
        s("ExpectColumnValuesToBeInSet", None, "cell of another fiscal year", column="year_offset", value_set=[0, -1]),
        s("ExpectColumnValuesToMatchRegex", None, "cell reference {cell} is not a cell", column="cell",
          regex=r"^[A-Z]{1,3}[0-9]+$"),
        s("ExpectCompoundColumnsToBeUnique", None, "cell declared twice in one form",
          column_list=["company_id", "form_sha256", "metric", "year_offset"]),
    ]
    facts_schema = [
        s("ExpectColumnValuesToNotBeNull", None, "fact without a company", column="company_id"),
        s("ExpectColumnValuesToBeInSet", None, "unknown metric {metric}", column="metric", value_set=metrics),
        s("ExpectColumnValuesToBeInSet", None, "unknown currency {currency}", column="currency",
          value_set=["CNY", "HKD", "USD"], **_cond('metric!="employees_total"')),  # counts have none
        s("ExpectColumnValuesToNotBeNull", None, "fact without a value", column="value"),
        s("ExpectColumnValuesToBeInSet", None, "unknown document type {doc_type}", column="doc_type",
          value_set=[d.value for d in DocType]),
        s("ExpectColumnValuesToMatchRegex", None, "not a sha256: {document_sha256}", column="document_sha256",
          regex=r"^[0-9a-f]{64}$"),
    ]
    metrics_schema = [
        s("ExpectColumnValuesToMatchRegex", None, "invalid company id", column="company_id", regex=COMPANY_ID_REGEX),
        s("ExpectColumnValuesToBeInSet", None, "unknown metric {metric}", column="metric", value_set=metrics),
        s("ExpectColumnValuesToBeInSet", None, "unknown status {status}", column="status", value_set=METRIC_STATUSES),
        s("ExpectColumnValuesToBeInSet", None, "unknown source {source}", column="source", value_set=METRIC_SOURCES),
        s("ExpectColumnValuesToNotBeNull", None, "no value although status {status}", column="value",
          **_cond('status!="missing"')),
        s("ExpectCompoundColumnsToBeUnique", None, "two rows for one company and metric",
          column_list=["company_id", "metric"]),
    ]
    return {"licence": lic, "main_business": main, "accuracy": acc, "integrity": integ,
            "declared_schema": declared_schema, "facts_schema": facts_schema, "metrics_schema": metrics_schema}


def build_suites(rules: VerifyRules):
    """ExpectationSuite objects, by name (imports GX: a few seconds)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suites = {}
    for name, items in specs(rules).items():
        # given whole to the constructor: add_expectation would need a live data context
        suites[name] = gx.ExpectationSuite(name=name, expectations=[
            getattr(gxe, etype)(**kwargs, meta=meta, severity=severity)
            for etype, kwargs, meta, severity in items])
    return suites


def suite_json(suite) -> dict:
    """A suite as stable JSON: without the ids GX generates and the GX version stamp."""
    d = suite.to_json_dict()
    d.pop("id", None)
    d.get("meta", {}).pop("great_expectations_version", None)
    for e in d.get("expectations", []):
        e.pop("id", None)
    return json.loads(json.dumps(d, sort_keys=True, ensure_ascii=False))


def save_suites(rules: VerifyRules | None = None, folder: Path = SUITES_DIR) -> list[Path]:
    """Write every suite built from ``rules`` (the defaults) as ``<folder>/<name>.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, suite in build_suites(rules or VerifyRules()).items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(suite_json(suite), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for p in save_suites():
        print(p)
