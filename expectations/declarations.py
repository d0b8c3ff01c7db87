"""The declaration forms (申报表) of a year: the declared cells grouped into forms per company, the
company as it declares itself, and why two forms claiming one company cannot be used."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from expectations.inputs import Inputs
from top100.records import CompanyRow, ErrorRow
from top100.vocab import check_company_id

# the prior-year cells the checks use (growth; e-commerce cost of goods); other prior cells are shown only
PRIOR_USED = ("revenue", "internet_revenue", "operating_cost")


@dataclass
class Form:
    """One declaration form: its cells of the fiscal year and of the year before, by field code."""

    company_id: str
    sha256: str
    order: tuple  # (published or fetched time, first cell's position): the latest submission sorts last
    current: dict[str, dict] = field(default_factory=dict)
    prior: dict[str, dict] = field(default_factory=dict)

    def get(self, code: str, prior: bool = False) -> Any:
        cell = (self.prior if prior else self.current).get(code)
        return None if cell is None else cell.get("value")


def collect_forms(inputs: Inputs, errors: list[ErrorRow]) -> dict[str, list[Form]]:
    """Declared cells grouped into forms per company, latest submission last."""
    when = {d["sha256"]: (d.get("published_at") or d.get("fetched_at") or "")
            for d in inputs.documents if d.get("sha256")}
    forms: dict[tuple[str, str], Form] = {}
    for position, cell in enumerate(inputs.declared):
        company_id = cell.get("company_id")
        try:
            check_company_id(company_id)
        except ValueError as exc:
            errors.append(ErrorRow("verify", "DeclarationError", str(exc),
                                   document=cell.get("form_sha256"), cell=cell.get("cell")))
            continue
        key = (company_id, cell.get("form_sha256") or "")
        form = forms.setdefault(key, Form(company_id, key[1], (when.get(key[1], ""), position)))
        if cell.get("fiscal_year") == inputs.year:
            form.current[cell["field"]] = cell
        elif cell.get("fiscal_year") == inputs.year - 1:
            form.prior[cell["field"]] = cell
        else:
            errors.append(ErrorRow("verify", "DeclarationError",
                                   f"cell declares fiscal year {cell.get('fiscal_year')}, not {inputs.year}",
                                   company_id=company_id, document=key[1], cell=cell.get("cell")))
    by_company: dict[str, list[Form]] = defaultdict(list)
    for form in forms.values():
        by_company[form.company_id].append(form)
    return {company_id: sorted(company_forms, key=lambda f: f.order)
            for company_id, company_forms in sorted(by_company.items())}


def undeclared_candidates(candidates: dict[str, dict], forms: dict[str, list[Form]]) -> list[ErrorRow]:
    return [ErrorRow("verify", "DeclarationError", "candidate without a declaration form", company_id=company_id)
            for company_id in sorted(set(candidates) - set(forms))]


def company_row(year: int, form: Form, candidate: dict) -> CompanyRow:
    """The company as its (latest) form declares it; listing venue and ticker from the candidates."""
    declared = form.get
    return CompanyRow(
        company_id=form.company_id, fiscal_year=year,
        legal_name=str(declared("legal_name") or candidate.get("legal_name") or ""),
        brands=str(declared("brands") or ""), province=str(declared("province") or ""),
        business_type=str(declared("business_type") or ""),
        exchange=candidate.get("exchange") or declared("exchange"),
        ticker=candidate.get("ticker") or declared("ticker"), group_parent_id=declared("group_parent_id"),
        licence_type=declared("licence_type"), licence_number=declared("licence_number"),
        self_operated_ecommerce=bool(declared("self_operated_ecommerce")))


def file_names(documents: list[dict]) -> dict[str, str]:
    """sha256 -> the name of the first file with these bytes (a copy is read once and named in the errors)."""
    names: dict[str, str] = {}
    for doc in documents:
        if doc.get("sha256"):
            url = str(doc.get("url") or "")
            names.setdefault(doc["sha256"], url.removeprefix("file://").rsplit("/", 1)[-1] or str(doc.get("title") or ""))
    return names


def form_name(form: Form, files: dict[str, str]) -> str:
    name = files.get(form.sha256)
    return f"{name} ({form.sha256[:12]})" if name else form.sha256[:12]


def _named_id(file_name: str) -> str | None:
    """The company id a form's file name starts with (``C0042.xlsx``, ``C0042_v2.xlsx``), if any."""
    match = re.match(r"^([A-Za-z0-9]+)(?:[_\-. ]|$)", file_name)
    return match.group(1) if match else None


def declaration_conflict(company_id: str, forms: list[Form], files: dict[str, str], known: set[str]) -> str | None:
    """Why the forms claiming ``company_id`` cannot be used, or None: a form whose file is named for
    another known company, or forms that disagree on any cell the checks use (every current-year
    cell, the prior-year cells of PRIOR_USED). Both files are named; none is preferred."""
    problems = []
    for form in forms:
        name = files.get(form.sha256, "")
        named = _named_id(name) if name else None
        if named and named != company_id and named in known:
            problems.append(f"form {form_name(form, files)} is named for {named} but declares company id {company_id}")
    if len(forms) > 1:
        first = forms[0]
        for other in forms[1:]:
            differ = sorted({code for code in set(first.current) | set(other.current)
                             if first.get(code) != other.get(code)}
                            | {f"{code} (prior year)" for code in PRIOR_USED
                               if first.get(code, prior=True) != other.get(code, prior=True)})
            if differ:
                shown = ", ".join(differ[:5]) + (f" and {len(differ) - 5} more" if len(differ) > 5 else "")
                problems.append(f"forms {form_name(first, files)} and {form_name(other, files)} both declare "
                                f"{company_id} and disagree on {shown}: neither is used")
    return "; ".join(problems) or None
