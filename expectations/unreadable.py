"""Checks that could not run, as findings: a delivered row that could not be read is a fact about
the file, not about the company (issue 16).

The licence check needs the company's row of licence_registry.csv, the integrity check its rows
of integrity.csv. Where such a row was refused (undecodable, not CSV, oversized, an invalid
cell, conflicting with another) or the whole file was, the check cannot run for the companies
it may concern: each gets one ERROR finding ``<check>_check_not_run`` naming the file, the row
and the cause, and is not ranked; its excluded reason starts with "check not run:" (the
report counts the companies by that reason). Which companies a refused row concerns:
- the row's company id where it survives (an id cell is ASCII, so a row in another encoding
  still names its company);
- a licence registry row that names nobody: every company whose licence number is not found
  among the registry's readable rows (its row may be the unreadable one; its licence is not
  blamed for that);
- an integrity row that names nobody, or a file refused whole: every company;
- a row whose unclosed quote hides the rest of the file: for integrity.csv every company, for the
  registry its own company and every company whose licence number is not found.
A company with a refused registry row gets no registry-based licence finding
(not in registry, mismatch): the registry could not say.
"""

from __future__ import annotations

from collections.abc import Iterable

from expectations.rules import VerifyRules
from top100.records import CompanyRow, Finding
from top100.vocab import Check, DocType, Severity, check_company_id

REFUSED_KINDS = ("UnreadableRow", "DeliveredFileError")
CHECKS = {DocType.licence_registry.value: (Check.licence, "licence_check_not_run", "licence_number"),
          DocType.integrity.value: (Check.integrity, "integrity_check_not_run", "integrity")}
REGISTRY_KINDS = ("licence_not_in_registry", "licence_mismatch")
PREFIX = "check not run: "
# extractors.delivered.records: a quote never closed hides every row after it, whoever they concern
SWALLOWS_THE_REST = "the rest of the file"


def _company(e: dict) -> str | None:
    try:
        return check_company_id(str(e.get("company_id") or ""))
    except ValueError:
        return None


def not_run_findings(errors: Iterable[dict], documents: list[dict], companies: list[CompanyRow],
                     not_in_registry: set[str], rules: VerifyRules, year: int) -> list[Finding]:
    """One ERROR finding per company and check that could not run (see the module docstring).
    ``not_in_registry``: the companies whose well-formed licence number the registry's readable
    rows lack (their finding licence_not_in_registry)."""
    types = {d.get("url"): d.get("doc_type") for d in documents if d.get("url")}
    types.update({d.get("sha256"): d.get("doc_type") for d in documents if d.get("sha256")})
    known = [c.company_id for c in companies]
    not_found = set(not_in_registry)
    causes: dict[tuple[str, str], list[str]] = {}
    for e in errors:
        if e.get("kind") not in REFUSED_KINDS:
            continue
        doc_type = types.get(e.get("url")) or types.get(e.get("document"))
        if doc_type not in CHECKS:
            continue
        where = ", ".join(x for x in (e.get("url", "").removeprefix("file://") or e.get("document"), e.get("cell")) if x)
        cause = f"{where}: {e.get('reason')}"
        cid = _company(e)
        rest = SWALLOWS_THE_REST in str(e.get("reason") or "")
        if e.get("cell") is None or str(e.get("cell")).split(",")[0] == "row 1":
            targets = known  # the file was refused whole (unreadable, too large, its header)
        elif rest and doc_type == DocType.licence_registry.value:
            # the rows after it were never read: any licence not found may be in them
            targets = sorted({c for c in known if c in not_found} | ({cid} & set(known) if cid else set()))
        elif rest:
            targets = known  # any company's record may be in the rows never read
        elif cid is not None:
            targets = [cid] if cid in known else []
        elif doc_type == DocType.licence_registry.value:
            targets = [c for c in known if c in not_found]
        else:
            targets = known
        for t in targets:
            causes.setdefault((t, doc_type), []).append(cause)
    out = []
    for (cid, doc_type), why in sorted(causes.items()):
        check, kind, metric = CHECKS[doc_type]
        shown = "; ".join(dict.fromkeys(why[:3])) + (f"; and {len(why) - 3} more rows" if len(why) > 3 else "")
        kind_rule = rules.kind(kind)
        out.append(Finding(
            company_id=cid, fiscal_year=year, check=check.value, metric=metric, kind=kind,
            severity=kind_rule.severity.value,
            status="excluded" if kind_rule.severity == Severity.ERROR else kind_rule.status,
            message=f"the {check.value} check could not run: {shown} (a fault of the delivered file, "
                    f"not a finding about this company's {'licence' if check == Check.licence else 'record'})",
            rule="delivered file", expectation=None,
        ))
    return out


def drop_blamed(findings: list[Finding], not_run: list[Finding]) -> list[Finding]:
    """Registry-based licence findings of companies whose registry rows could not be read."""
    blocked = {f.company_id for f in not_run if f.kind == "licence_check_not_run"}
    return [f for f in findings if not (f.company_id in blocked and f.kind in REGISTRY_KINDS)]


def mark_not_run(companies: list[CompanyRow], findings: list[Finding]) -> set[str]:
    """Companies with a check that could not run: not eligible, the reason first."""
    why: dict[str, list[str]] = {}
    for f in findings:
        if f.kind.endswith("_check_not_run"):
            why.setdefault(f.company_id, []).append(f.check)
    for c in companies:
        checks = why.get(c.company_id)
        if not checks:
            continue
        c.eligible = False
        reason = PREFIX + ", ".join(dict.fromkeys(checks)) + " (delivered file unreadable)"
        others = "; ".join(r for r in (c.excluded_reason or "").split("; ")
                           if r and not r.split(" (")[0].endswith("_check_not_run"))
        c.excluded_reason = f"{reason}; {others}" if others else reason
    return set(why)
