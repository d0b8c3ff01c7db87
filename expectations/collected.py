"""What the collect stage could not fetch, as findings: a candidate whose public evidence is
missing is incomplete, never ranked on the figures that remain (issue 10).

A collect error row that names a candidate (a document that failed for good, a search that
found nothing, a source that stopped because its answers changed shape, a quote that could not
be read) becomes one ERROR finding with the URL and the cause; the company is then not eligible
and its excluded reason starts with "incomplete:". Errors that name no candidate (a crawl that
failed as a whole) stay stage errors: they concern no company in particular.
"""

from __future__ import annotations

from collections.abc import Iterable

from top100.records import CompanyRow, Finding
from top100.vocab import Check, Metric, Severity

KIND = "document_missing"
METRIC = "documents"  # the finding concerns the company's evidence, not one metric


def collect_findings(errors: Iterable[dict], companies: list[CompanyRow], year: int) -> list[Finding]:
    """One ERROR finding per distinct (company, URL, cause) of the collect errors."""
    known = {c.company_id for c in companies}
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for e in errors:
        cid = e.get("company_id")
        if not cid or cid not in known:
            continue
        url = e.get("url") or "(no URL)"
        cause = e.get("reason") or e.get("kind") or "error"
        key = (cid, url, cause)
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding(
            company_id=cid, fiscal_year=year, check=Check.accuracy.value, metric=METRIC, kind=KIND,
            severity=Severity.ERROR.value,
            message=f"public evidence not collected: {url}: {e.get('kind') or 'error'}: {cause}",
            public=url, rule="collect",
        ))
    return out


def mark_incomplete(companies: list[CompanyRow], findings: list[Finding]) -> set[str]:
    """Companies with a missing-evidence finding: not eligible, with an "incomplete: …" reason
    that comes first (other blocking findings follow it). Returns their ids."""
    missing: dict[str, list[str]] = {}
    for f in findings:
        if f.kind == KIND:
            missing.setdefault(f.company_id, []).append(f.message.removeprefix("public evidence not collected: "))
    for c in companies:
        causes = missing.get(c.company_id)
        if not causes:
            continue
        c.eligible = False
        reason = "incomplete: " + "; ".join(dict.fromkeys(causes))
        own = f"{Check.accuracy.value}/{KIND} ({METRIC})"  # apply_eligibility's line for these findings
        others = "; ".join(r for r in (c.excluded_reason or "").split("; ") if r and r != own)
        c.excluded_reason = reason if not others else f"{reason}; {others}"
    return set(missing)


CONFLICT_KIND = "reading_conflict"


def conflict_findings(facts: Iterable[dict], companies: list[CompanyRow], year: int) -> list[Finding]:
    """One ERROR finding per fact of the year (or the year before) whose document prints it
    differently in two places, or whose accounting identity fails (``Fact.conflict``, set by the
    extractors): such a figure is not confirmed, and an auditor must see it before it is used."""
    known = {c.company_id for c in companies}
    out: list[Finding] = []
    seen: set[tuple] = set()
    for f in facts:
        cid = f.get("company_id")
        if not f.get("conflict") or not cid or cid not in known or f.get("fiscal_year") not in (year, year - 1):
            continue
        key = (cid, f.get("metric"), f.get("fiscal_year"), f.get("document_sha256"))
        if key in seen:
            continue
        seen.add(key)
        others = [c for c in f.get("corroborations") or [] if not c.get("agrees")]
        told = "; ".join(f"page {c.get('page')} prints {c.get('raw')} {c.get('unit') or ''}".strip() for c in others)
        # a share count in conflict is never used (the market value takes the next source in its
        # order, expectations.market_value, and says so): the auditor sees it, the company stays
        count_only = f.get("metric") == Metric.total_shares.value
        out.append(Finding(
            company_id=cid, fiscal_year=year, check=Check.accuracy.value, metric=str(f.get("metric")),
            kind=CONFLICT_KIND, severity=(Severity.WARNING if count_only else Severity.ERROR).value,
            message=(f"FY{f.get('fiscal_year')} {f.get('metric')}: document {str(f.get('document_sha256'))[:12]} "
                     f"page {f.get('page')} prints {f.get('raw')} {f.get('unit') or ''}; "
                     + (told if told else "an accounting identity of the document fails")
                     + ("; not used: the market value takes its share count from the next source" if count_only
                        else "; not confirmed")),
            public=f.get("value"), rule="corroboration",
        ))
    return out


FILING_KIND = "filing_disagrees"


def filing_findings(facts: Iterable[dict], companies: list[CompanyRow], year: int) -> list[Finding]:
    """One ERROR finding per figure of the year (or the year before) that a company's SEC filing
    as filed (20-F, F-1, 424B4) prints differently from its companyfacts (issue 17): the
    companyfacts figure is the one compared (reconcile.pick_public), and an auditor must see that
    the filing says otherwise before it is used."""
    from expectations.reconcile import filing_disagreements

    known = {c.company_id for c in companies}
    out: list[Finding] = []
    seen: set[tuple] = set()
    for x, f in filing_disagreements(facts, (year, year - 1)):
        cid = f["company_id"]
        key = (cid, f.get("metric"), f.get("fiscal_year"), f.get("document_sha256"))
        if cid not in known or key in seen:
            continue
        seen.add(key)
        out.append(Finding(
            company_id=cid, fiscal_year=year, check=Check.accuracy.value, metric=str(f.get("metric")),
            kind=FILING_KIND, severity=Severity.ERROR.value,
            message=(f"FY{f.get('fiscal_year')} {f.get('metric')}: the {f.get('doc_type')} "
                     f"{str(f.get('document_sha256'))[:12]} (table {f.get('page')}, row {f.get('label')!r}) prints "
                     f"{f.get('raw')} {f.get('unit') or ''} = {float(f['value']):,.0f} {f.get('currency') or ''}; "
                     f"companyfacts {str(x.get('document_sha256'))[:12]} gives {float(x['value']):,.0f}: "
                     "the companyfacts figure is compared, not confirmed"),
            public=x.get("value"), rule="filing_vs_companyfacts",
        ))
    return out
