"""The indicators' inputs that are not a declared figure checked against a public one: users
(用户数, declared by unlisted companies), third-party traffic (流量: desktop + mobile, from
traffic.csv) and the social-responsibility score (社会责任, from the integrity records and the form).
Market value is expectations.market_value; the declared-and-public figures are expectations.accuracy.
"""

from __future__ import annotations

from collections.abc import Iterable

from expectations.declarations import Form
from expectations.inputs import as_number
from expectations.rules import SocialResponsibilityRule
from top100.records import MetricRow


def social_responsibility(records: Iterable[dict], tax_compliant: bool | None,
                          incidents: int | None, rule: SocialResponsibilityRule) -> float:
    """The 社会责任 score (see SocialResponsibilityRule)."""
    records = list(records)
    if any(r.get("disqualifying") for r in records):
        return 0.0
    score = rule.base - rule.per_record * len(records)
    if tax_compliant is False:
        score -= rule.not_tax_compliant
    score -= rule.per_incident * min(max(int(incidents or 0), 0), rule.max_incidents)
    return max(score, 0.0)


def users_row(form: Form, year: int) -> MetricRow:
    users = as_number(form.get("users"))
    return MetricRow(form.company_id, year, "users", users, "declared", None, users, None, None,
                     "declared_only", "declared_only" if users is not None else "missing")


def traffic_by_company(traffic: list[dict], year: int) -> dict[str, dict]:
    """Each company's traffic row of the fiscal year (of several, the last in the file)."""
    rows: dict[str, dict] = {}
    for row in sorted(traffic, key=lambda t: t.get("source_row") or 0):
        if row.get("fiscal_year") == year:
            rows[row.get("company_id")] = row
    return rows


def traffic_rows(company_id: str, year: int, traffic: dict | None) -> list[MetricRow]:
    """traffic_desktop, traffic_mobile and their sum, traffic (missing unless both are given)."""
    ref = f"row {traffic.get('source_row')}" if traffic else None
    desktop, mobile = as_number((traffic or {}).get("desktop")), as_number((traffic or {}).get("mobile"))
    rows = [MetricRow(company_id, year, metric, value, "traffic", ref, None, value, None, "third-party traffic",
                      "derived" if value is not None else "missing")
            for metric, value in (("traffic_desktop", desktop), ("traffic_mobile", mobile))]
    total = desktop + mobile if desktop is not None and mobile is not None else None
    rows.append(MetricRow(company_id, year, "traffic", total, "traffic", ref, None, total, None, "desktop + mobile",
                          "derived" if total is not None else "missing"))
    return rows


def social_responsibility_row(form: Form, year: int, records: list[dict],
                              rule: SocialResponsibilityRule) -> MetricRow:
    """The score from the year's integrity records and the form's 依法纳税 and 违法违规事件 cells."""
    tax = form.get("tax_compliant")
    incidents = form.get("compliance_incidents")
    score = social_responsibility(records, tax if isinstance(tax, bool) else None, int(as_number(incidents) or 0), rule)
    return MetricRow(form.company_id, year, "social_responsibility", score, "derived",
                     f"{len(records)} integrity records; tax_compliant={tax}; incidents={incidents}",
                     None, None, None, "social_responsibility rule (expectations.rules)", "derived")
