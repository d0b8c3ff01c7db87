"""Check 1 of the method, 企业经营许可证情况核查: the value-added telecom licence a company declares is
real and valid through the fiscal year.

The check table has one row per declaring company, the licence as declared beside the licence
registry's row for that number; the suite "licence" checks those raw columns: declared at all, of
a known type, well formed for its type, in the registry, held by the company, valid through the
fiscal year, not revoked. The registry's numbers reach the suite as a parameter
(``REGISTRY_NUMBERS``), so the Data Docs list the failing numbers and companies.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from expectations.declarations import Form
from expectations.reconcile import normalise_name
from expectations.rules import VerifyRules
from expectations.spec import Expect, expect, text_literal, where

REGISTRY_NUMBERS = "registry_licence_numbers"  # the suite parameter: every licence number of the registry
COLUMNS = ["row_id", "company_id", "metric", "licence_type", "licence_number", "legal_name_key",
           "registry_company_id", "registry_holder", "registry_holder_key", "registry_status",
           "valid_from", "valid_until", "fy_start", "fy_end"]


def registry_by_number(licences: list[dict]) -> dict[str, dict]:
    """The registry's rows by licence number (the last row of a number counts)."""
    return {row["licence_number"].strip(): row for row in licences if row.get("licence_number")}


def table(forms: dict[str, Form], licences: list[dict], year: int) -> pd.DataFrame:
    """One row per company: its declared licence, and the registry's row for that number."""
    registry = registry_by_number(licences)
    rows = []
    for company_id, form in forms.items():
        number = form.get("licence_number")
        number = str(number).strip() if number not in (None, "") else None
        entry = registry.get(number) if number else None
        registry_company_id = (entry or {}).get("company_id")
        rows.append({
            "row_id": f"{company_id}|licence_number", "company_id": company_id, "metric": "licence_number",
            "licence_type": form.get("licence_type"), "licence_number": number,
            "legal_name_key": normalise_name(form.get("legal_name")),
            "registry_company_id": registry_company_id, "registry_holder": (entry or {}).get("holder_name"),
            # a registry row that names its holder only is compared by legal name
            "registry_holder_key": (normalise_name(entry.get("holder_name"))
                                    if entry is not None and not registry_company_id else None),
            "registry_status": (entry or {}).get("status"), "valid_from": (entry or {}).get("valid_from"),
            "valid_until": (entry or {}).get("valid_until") or form.get("licence_valid_until"),
            "fy_start": date(year, 1, 1).isoformat(), "fy_end": date(year, 12, 31).isoformat(),
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("valid_from", "valid_until", "fy_start", "fy_end"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce")
    return frame


def parameters(licences: list[dict]) -> dict[str, list[str]]:
    return {REGISTRY_NUMBERS: sorted(registry_by_number(licences))}


def expectations(rules: VerifyRules) -> list[Expect]:
    # a malformed number is that finding alone: only well-formed numbers are looked up
    well_formed = " or ".join(f'(licence_type=="{licence_type}" and '
                              f"licence_number.str.match({text_literal(pattern)}, na=False))"
                              for licence_type, pattern in sorted(rules.licence_patterns.items()))
    return [
        expect("ExpectColumnValuesToNotBeNull", "licence_missing", "no licence number declared",
               column="licence_number"),
        expect("ExpectColumnValuesToBeInSet", "licence_type_unknown",
               "licence type {licence_type} is not one of " + "/".join(rules.licence_types),
               column="licence_type", value_set=list(rules.licence_types)),
        *(expect("ExpectColumnValuesToMatchRegex", "licence_malformed",
                 f"licence number {{licence_number}} is not a well-formed {licence_type} number",
                 column="licence_number", regex=pattern, **where(f'licence_type=="{licence_type}"'))
          for licence_type, pattern in sorted(rules.licence_patterns.items())),
        expect("ExpectColumnValuesToBeInSet", "licence_not_in_registry",
               "licence number {licence_number} is not in the licence registry",
               column="licence_number", value_set={"$PARAMETER": REGISTRY_NUMBERS}, **where(well_formed)),
        expect("ExpectColumnPairValuesToBeEqual", "licence_mismatch",
               "licence number {licence_number} belongs to {registry_holder} ({registry_company_id}), "
               "not to this company",
               column_A="company_id", column_B="registry_company_id", ignore_row_if="either_value_is_missing"),
        expect("ExpectColumnPairValuesToBeEqual", "licence_mismatch",
               "licence number {licence_number} belongs to {registry_holder} ({registry_company_id}), "
               "not to this company",
               column_A="legal_name_key", column_B="registry_holder_key", ignore_row_if="either_value_is_missing"),
        expect("ExpectColumnPairValuesAToBeGreaterThanB", "licence_expired",
               "licence {licence_number} valid until {valid_until}: not valid through the fiscal year",
               column_A="valid_until", column_B="fy_end", or_equal=True, ignore_row_if="either_value_is_missing"),
        expect("ExpectColumnPairValuesAToBeGreaterThanB", "licence_expired",
               "licence {licence_number} valid only from {valid_from}: not valid through the fiscal year",
               column_A="fy_start", column_B="valid_from", or_equal=True, ignore_row_if="either_value_is_missing"),
        expect("ExpectColumnValuesToNotBeInSet", "licence_revoked",
               "licence {licence_number} has status {registry_status} in the registry",
               column="registry_status", value_set=list(rules.licence_bad_statuses)),
    ]


def shown(row: dict[str, Any], column: str | None) -> tuple[Any, Any]:
    """What a finding of this check shows as declared and as public: the number, and its holder
    in the registry."""
    return row.get("licence_number"), row.get("registry_company_id") or row.get("registry_holder")
