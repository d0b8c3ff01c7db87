"""Check 4 of the method, 企业诚信和合法合规性核查: the company's integrity, legality and compliance.

The check table has one row per integrity record of a declaring company dated in the fiscal year
(integrity.csv as delivered); the suite "integrity" checks its ``disqualifying`` column. The same
records lower the social-responsibility score (expectations.indicators).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from expectations.rules import VerifyRules
from expectations.spec import Expect, expect

COLUMNS = ["row_id", "company_id", "metric", "disqualifying", "kind", "record_date", "description"]


def records_in_year(integrity: list[dict], year: int) -> dict[str, list[dict]]:
    """Each company's integrity records dated in the fiscal year, in the file's order."""
    by_company: dict[str, list[dict]] = defaultdict(list)
    for record in integrity:
        if str(record.get("record_date", ""))[:4] == str(year):
            by_company[record.get("company_id")].append(record)
    return by_company


def table(integrity: list[dict], year: int, declarants: set[str]) -> pd.DataFrame:
    rows = [{"row_id": f"{record.get('company_id')}|integrity|{record.get('source_row')}",
             "company_id": record.get("company_id"), "metric": "integrity",
             "disqualifying": bool(record.get("disqualifying")), "kind": record.get("kind"),
             "record_date": record.get("record_date"), "description": record.get("description")}
            for record in integrity
            if record.get("company_id") in declarants and str(record.get("record_date", ""))[:4] == str(year)]
    return pd.DataFrame(rows, columns=COLUMNS)


def expectations(rules: VerifyRules) -> list[Expect]:
    return [
        expect("ExpectColumnValuesToBeInSet", "integrity_disqualifying",
               "disqualifying integrity record of {record_date} ({kind}): {description}",
               column="disqualifying", value_set=[False]),
    ]


def shown(row: dict[str, Any], column: str | None) -> tuple[Any, Any]:
    return row.get(column) if column else None, None
