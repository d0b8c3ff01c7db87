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


def test_a_conflicting_fact_is_an_error_finding_naming_both_readings(real, monkeypatch):
    """Issue 14: a figure its document prints two ways is never used silently. The real readings
    of 四方 2019 with the income statement's revenue misread: verify raises an ERROR finding with
    both pages and values; the agreeing facts raise none; the company is blocked from scoring."""
    from extractors import cn_annual
    from expectations.collected import CONFLICT_KIND, conflict_findings
    from expectations.verify import apply_eligibility

    real_decide = cn_annual.decide

    def misread(readings, *a, **k):
        r = readings.first("revenue", 2019, "income")
        r.number, r.raw = r.number * 10, "11,753,010,343.20"
        return real_decide(readings, *a, **k)

    monkeypatch.setattr(cn_annual, "decide", misread)
    pdf = real / "pdf" / "cn_annual" / "sh603339_sifang_2019_annual_report.pdf"
    facts = [f.to_dict() for f in cn_annual.extract(pdf, company_id="C1").facts]
    companies = [_company("C1"), _company("C2")]
    found = conflict_findings(facts, companies, 2019)
    assert [(f.company_id, f.metric, f.kind, f.severity, f.check) for f in found] == \
        [("C1", "revenue", CONFLICT_KIND, "ERROR", "accuracy")]
    assert "page 5 prints 1,175,301,034.32" in found[0].message and "page 63 prints 11,753,010,343.20" in found[0].message
    apply_eligibility(companies, found)
    assert companies[0].eligible is False and companies[1].eligible is True
    assert conflict_findings(facts, companies, 2025) == []  # another year's facts: none


def test_a_filing_that_disagrees_with_companyfacts_is_an_error_finding():
    """Issue 17: a figure read from an SEC filing as filed (the real Loncor 20-F of tests/corpus/
    sec) where companyfacts also gives one: agreeing (the hand-read value) raises nothing and the
    companyfacts fact is the one compared; a companyfacts value that differs is an ERROR finding
    naming the filing's row and printed text, and the figure compared stays the companyfacts one."""
    from pathlib import Path

    from expectations import reconcile
    from expectations.collected import FILING_KIND, filing_findings
    from extractors import sec_filing

    doc = Path(__file__).resolve().parents[1] / "corpus" / "sec" / "20-F_0001062993-16-008650.html"
    facts = [f.to_dict() | {"company_id": "C1"} for f in sec_filing.extract(doc, company_id="C1").facts]
    read = [f for f in facts if f["metric"] == "profit_before_tax" and f["fiscal_year"] == 2015 and not f.get("superseded")]
    assert read and read[0]["value"] == -2417247  # hand-read off the statement (truth/)
    xbrl = {"company_id": "C1", "metric": "profit_before_tax", "fiscal_year": 2015, "currency": "USD",
            "doc_type": "companyfacts", "document_sha256": "cf" * 32, "value": -2417247.0}
    companies = [_company("C1")]
    assert filing_findings(facts + [xbrl], companies, 2015) == []
    assert reconcile.pick_public(facts + [xbrl], "profit_before_tax", 2015, ["20-F", "companyfacts"])["doc_type"] == "companyfacts"
    found = filing_findings(facts + [xbrl | {"value": -2517247.0}], companies, 2015)
    assert [(f.company_id, f.metric, f.kind, f.severity) for f in found] == \
        [("C1", "profit_before_tax", FILING_KIND, "ERROR")]
    assert "(2,417,247)" in found[0].message and "-2,517,247" in found[0].message
    assert filing_findings(facts + [xbrl | {"value": -2517247.0, "currency": "CNY"}], companies, 2015) == []
