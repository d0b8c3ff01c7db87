"""The year's candidates and their listings, from the declaration forms and listings.csv.

The spiders need to know whom to look up before anything is extracted in earnest, so the collect
stage reads the forms' identity cells here (the extract stage reads every cell again, validated,
with provenance). Company ids come from the forms' content, never from file names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from top100.records import DocumentRow, ErrorRow
from top100.vocab import DocType


def build_candidates(raw_store: Path, inbox_docs: list[DocumentRow]) -> tuple[list[dict[str, Any]], list[ErrorRow]]:
    from extractors import delivered, forms
    from top100.paths import raw_path

    by_id: dict[str, dict[str, Any]] = {}
    errors: list[ErrorRow] = []
    listings: dict[str, dict[str, Any]] = {}
    for doc in inbox_docs:
        path = raw_path(raw_store, doc.sha256)
        if doc.doc_type == DocType.declaration_form:
            result = forms.read_form(path, doc.sha256)
            errors.extend(result.errors)
            cells = {d.field: d.value for d in result.declared if d.fiscal_year == _max_year(result)}
            cid = cells.get("company_id")
            if not cid:
                continue  # the form's own error rows say why
            if cid in by_id:
                continue  # a duplicate declaration: the verify stage reports it
            by_id[cid] = {
                "company_id": cid,
                "legal_name": cells.get("legal_name"),
                "exchange": cells.get("exchange") or None,
                "ticker": cells.get("ticker") or None,
                "ads_ratio": None,
                "cik": None,
            }
        elif doc.doc_type == DocType.listings:
            rows, errs = _read_listings(delivered, path)
            errors.extend(errs)
            for row in rows:
                listings[row["company_id"]] = row
    for cid, row in listings.items():
        if cid in by_id:
            by_id[cid]["exchange"] = row.get("exchange") or by_id[cid]["exchange"]
            by_id[cid]["ticker"] = row.get("ticker") or by_id[cid]["ticker"]
            by_id[cid]["ads_ratio"] = row.get("ads_ratio")
            by_id[cid]["cik"] = row.get("cik")  # the SEC filer as of the year (issue 17), when given
    return [by_id[k] for k in sorted(by_id)], errors


def _max_year(result) -> int:
    years = [d.fiscal_year for d in result.declared]
    return max(years) if years else 0


def _read_listings(delivered, path: Path):
    out = delivered.read_listings(path)
    if isinstance(out, tuple):
        return out
    return getattr(out, "rows", out), getattr(out, "errors", [])
