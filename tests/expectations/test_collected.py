"""Collect errors as findings: a candidate without its public evidence is incomplete (issue 10)."""

from __future__ import annotations

from expectations.collected import KIND, collect_findings, mark_incomplete
from top100.records import CompanyRow


def _company(cid: str, *, eligible: bool = True, reason: str | None = None) -> CompanyRow:
    return CompanyRow(company_id=cid, fiscal_year=2014, legal_name=cid, brands="", province="beijing",
                      business_type="online_games", exchange=None, ticker=None, group_parent_id=None,
                      licence_type=None, licence_number=None, self_operated_ecommerce=False,
                      eligible=eligible, excluded_reason=reason)


def test_one_finding_per_company_url_and_cause_and_none_for_strangers():
    errors = [
        {"kind": "HttpError", "reason": "HTTP 404", "company_id": "C1", "url": "http://h/a.PDF"},
        {"kind": "HttpError", "reason": "HTTP 404", "company_id": "C1", "url": "http://h/a.PDF"},  # repeated
        {"kind": "SchemaDrift", "reason": "response shape changed: field 'x'", "company_id": "C1", "url": "http://h/q"},
        {"kind": "HttpError", "reason": "HTTP 404", "company_id": "C9", "url": "http://h/b.PDF"},  # not a candidate
        {"kind": "CrawlFailed", "reason": "crawl died"},
    ]
    companies = [_company("C1"), _company("C2")]
    found = collect_findings(errors, companies, 2014)
    assert [(f.company_id, f.kind, f.severity) for f in found] == [("C1", KIND, "ERROR")] * 2
    assert found[0].message == "public evidence not collected: http://h/a.PDF: HttpError: HTTP 404"
    assert found[0].public == "http://h/a.PDF" and found[0].rule == "collect"
    assert mark_incomplete(companies, found) == {"C1"}
    assert companies[0].eligible is False
    assert companies[0].excluded_reason == ("incomplete: http://h/a.PDF: HttpError: HTTP 404; "
                                            "http://h/q: SchemaDrift: response shape changed: field 'x'")
    assert companies[1].eligible is True and companies[1].excluded_reason is None


def test_other_blocking_reasons_follow_the_incomplete_one():
    c = _company("C1", eligible=False, reason="accuracy/document_missing (documents); licence/licence_expired (licence_number)")
    found = collect_findings([{"kind": "HttpError", "reason": "HTTP 404", "company_id": "C1", "url": "u"}], [c], 2014)
    mark_incomplete([c], found)
    assert c.excluded_reason == "incomplete: u: HttpError: HTTP 404; licence/licence_expired (licence_number)"
