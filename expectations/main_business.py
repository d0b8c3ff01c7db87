"""Check 2 of the method, 企业主营业务类型和收入比重核查: the main business is an internet business of
a known type, run from mainland China, and the operating revenue comes mainly from the internet.

The check table has one row per declaring company: internet revenue and revenue as the accuracy
check decided them (for self-operated e-commerce, the internet revenue before the e-commerce
rule derived it), their share, and the declared business type and places; the suite
"main_business" checks those columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from expectations.accuracy import CompanyFigures
from expectations.rules import VerifyRules
from expectations.spec import Expect, expect

COLUMNS = ["row_id", "company_id", "metric", "internet_share", "internet_revenue", "revenue", "business_type",
           "network_in_mainland", "business_in_mainland", "province"]


def table(figures: dict[str, CompanyFigures]) -> pd.DataFrame:
    rows = []
    for company_id, company in figures.items():
        internet = company.rows["internet_revenue"]
        internet_revenue = internet.before_ecommerce if internet.ecommerce_basis else internet.value
        revenue = company.rows["revenue"].value
        share = internet_revenue / revenue if (internet_revenue is not None and revenue) else None
        declared = company.form.get
        rows.append({"row_id": f"{company_id}|internet_revenue", "company_id": company_id,
                     "metric": "internet_revenue", "internet_share": share, "internet_revenue": internet_revenue,
                     "revenue": revenue, "business_type": declared("business_type"),
                     "network_in_mainland": declared("network_in_mainland"),
                     "business_in_mainland": declared("business_in_mainland"), "province": declared("province")})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["internet_share"] = pd.to_numeric(frame["internet_share"], errors="coerce").astype("float64")
    return frame


def expectations(rules: VerifyRules) -> list[Expect]:
    return [
        expect("ExpectColumnValuesToBeBetween", "internet_share_low",
               "internet revenue {internet_revenue} is {internet_share:.1%} of revenue {revenue}, under "
               f"{rules.internet_share_min:.0%}", column="internet_share", min_value=rules.internet_share_min),
        expect("ExpectColumnValuesToBeInSet", "business_type_unknown", "business type {business_type} is not known",
               metric="business_type", column="business_type", value_set=list(rules.business_types)),
        expect("ExpectColumnValuesToBeInSet", "network_outside_mainland",
               "network access point declared outside mainland China", metric="network_in_mainland",
               column="network_in_mainland", value_set=[True]),
        expect("ExpectColumnValuesToBeInSet", "business_outside_mainland",
               "main business declared outside mainland China", metric="business_in_mainland",
               column="business_in_mainland", value_set=[True]),
    ]


def shown(row: dict[str, Any], column: str | None) -> tuple[Any, Any]:
    """What a finding of this check shows as declared: the value checked (no public one)."""
    return row.get(column), None
