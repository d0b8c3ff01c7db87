"""The reconciliation rules, one by one (pure functions: no Great Expectations here)."""

from __future__ import annotations

import pytest

from expectations import reconcile
from expectations.indicators import social_responsibility
from expectations.market_value import fx_on, market_value_cny
from expectations.audit import company_page, neutralise
from expectations.rules import SocialResponsibilityRule, VerifyRules
from top100.errors import ConfigError

RULES = VerifyRules()


class _Settings:
    def __init__(self, verify):
        self.verify = verify


def test_rules_validate_settings_and_name_the_bad_key():
    r = VerifyRules.from_settings(_Settings({"relative_tolerance": 0.05, "kinds": {"unit_error": {"severity": "INFO"}}}))
    assert r.relative_tolerance == 0.05 and r.kind("unit_error").severity == "INFO"
    assert r.kind("licence_expired").severity == "ERROR"  # the rest of the table kept
    with pytest.raises(ConfigError, match="relative_tolerance"):
        VerifyRules.from_settings(_Settings({"relative_tolerance": 2}))
    with pytest.raises(ConfigError, match="capture groups"):
        VerifyRules.from_settings(_Settings({"licence_patterns": {"ICP": r"^(A)\d$"}}))
    with pytest.raises(ConfigError, match="unknown_key"):
        VerifyRules.from_settings(_Settings({"unknown_key": 1}))


def test_fx_average_of_the_year_and_rate_on_a_date():
    rows = [{"pair": "USD/CNY", "date": "2014-01-02", "requested_date": "2014-01-02", "rate": 6.0},
            {"pair": "USD/CNY", "date": "2014-07-01", "requested_date": "2014-07-01", "rate": 6.2},
            {"pair": "USD/CNY", "date": "2013-07-01", "requested_date": "2013-07-01", "rate": 9.9},
            {"pair": "USD/CNY", "date": "2015-06-24", "requested_date": "2015-06-25", "rate": 6.11}]
    assert reconcile.fx_average(rows, "USD", 2014) == pytest.approx(6.1)
    assert reconcile.fx_average(rows, "HKD", 2014) is None
    assert reconcile.fx_average(rows, "CNY", 2014) == 1.0
    assert fx_on(rows, "USD", "2015-06-25") == 6.11  # the row requested for the date
    assert fx_on(rows, "USD", "2014-12-31") == 6.2  # else the last rate before it


def test_fx_average_follows_a_fiscal_year_that_does_not_end_in_december():
    rows = [{"pair": "USD/CNY", "date": d, "rate": r} for d, r in
            [("2013-12-31", 6.05), ("2014-04-01", 6.15), ("2014-12-31", 6.12), ("2015-03-31", 6.20),
             ("2015-04-01", 9.99)]]
    # year to 31 March 2015: 2014-04-01 .. 2015-03-31, not the calendar year 2015
    assert reconcile.fx_average(rows, "USD", 2015, "2015-03-31") == pytest.approx((6.15 + 6.12 + 6.20) / 3)
    # a December year end, or no period end: the calendar year
    assert reconcile.fx_average(rows, "USD", 2014, "2014-12-31") == pytest.approx((6.15 + 6.12) / 2)
    assert reconcile.fx_average(rows, "USD", 2014) == pytest.approx((6.15 + 6.12) / 2)
    assert reconcile.fiscal_period(2016, "2016-02-29") == (__import__("datetime").date(2015, 3, 1),
                                                    __import__("datetime").date(2016, 2, 29))


@pytest.mark.parametrize("declared,public,factor", [
    (5e12, 5e8, 1e4), (5e5, 5e8, 1e-3), (5e8 * 1.001, 5e8, None), (6.5e8, 5e8, None), (5e14, 5e8, 1e6)])
def test_unit_factor_is_exact(declared, public, factor):
    assert reconcile.unit_factor(declared, public, RULES.unit_factors, RULES.unit_factor_tolerance) == factor


def test_decide_agree_unit_error_and_audited_public():
    assert reconcile.decide(5.05e8, 5e8, "annual_report", RULES).status == "agree"
    d = reconcile.decide(5e12, 5e8, "annual_report", RULES)
    assert (d.status, d.value, d.unit_factor) == ("corrected", 5e8, 1e4)
    d = reconcile.decide(6.5e8, 5e8, "annual_report", RULES)
    assert (d.status, d.value, d.source) == ("public_used", 5e8, "annual_report")
    assert d.difference == pytest.approx(0.3)
    assert reconcile.decide(3e8, None, None, RULES).status == "declared_only"
    assert reconcile.decide(None, None, None, RULES).status == "missing"


def test_unit_errors_without_a_public_figure():
    # 元 written under a 万元 heading: revenue per employee 10^4 too high
    assert reconcile.employees_unit_correction(2.5e12, 2000, RULES, reconcile.suspect_factors(1e4, RULES)) == ("revenue", 1e4)
    # a head count in thousands: 2.5 "人"
    assert reconcile.employees_unit_correction(2.5e9, 2.5, RULES) == ("employees_total", 1e-3)
    assert reconcile.employees_unit_correction(2.5e9, 2500, RULES) is None
    assert reconcile.share_unit_correction(9e11, 1e8, RULES, [1e4]) == 1e4
    assert reconcile.share_unit_correction(1.2e8, 1e8, RULES) is None  # a cost above revenue is a loss, not a unit


def test_groups_and_the_2015_join_exception():
    assert reconcile.consolidated_into("G1", None, {"G1", "X"}, 2014) == "G1"
    assert reconcile.consolidated_into("G1", "2015-03-01", {"G1"}, 2014) is None  # independent in 2014
    assert reconcile.consolidated_into("G1", "2014-03-01", {"G1"}, 2014) == "G1"
    assert reconcile.consolidated_into("G9", None, {"G1"}, 2014) is None  # the group does not declare
    assert reconcile.duplicate_companies({"A2": "甲（北京）公司", "A1": "甲(北京)公司", "B": "乙"}) == {"A2": "A1"}


def test_ecommerce_peer_margin_names_the_peers():
    margin, peers = reconcile.peer_margin({"P1": (100.0, 80.0), "P2": (100.0, 70.0), "P3": (100.0, None)})
    assert margin == pytest.approx(0.25) and peers == ["P1", "P2"]
    assert reconcile.ecommerce_internet_revenue(1000.0, None, margin) == pytest.approx(250.0)
    assert reconcile.ecommerce_internet_revenue(1000.0, 600.0, margin) == 400.0


def test_pick_public_prefers_cny_current_and_audited():
    facts = [
        {"metric": "revenue", "fiscal_year": 2014, "doc_type": "20-F", "currency": "USD", "value": 1.0},
        {"metric": "revenue", "fiscal_year": 2014, "doc_type": "20-F", "currency": "CNY", "value": 6.1},
        {"metric": "revenue", "fiscal_year": 2014, "doc_type": "prospectus", "currency": "CNY", "value": 5.0},
        {"metric": "revenue", "fiscal_year": 2014, "doc_type": "annual_report", "currency": "CNY", "value": 9.0,
         "superseded": True},
    ]
    assert reconcile.pick_public(facts, "revenue", 2014, RULES.public_sources)["value"] == 6.1


def test_pick_public_reads_a_filing_only_where_companyfacts_lacks_the_figure():
    """Issue 17: a fact read from a 20-F / F-1 / 424B4 as filed is the public figure only where the
    company's companyfacts give none for the metric and year; never both, never added."""
    filing = {"metric": "revenue", "fiscal_year": 2014, "doc_type": "20-F", "currency": "CNY", "value": 6.1}
    f1 = filing | {"doc_type": "F-1", "value": 6.0}
    xbrl = {"metric": "revenue", "fiscal_year": 2014, "doc_type": "companyfacts", "currency": "CNY", "value": 6.2}
    assert reconcile.pick_public([filing, xbrl, f1], "revenue", 2014, RULES.public_sources)["doc_type"] == "companyfacts"
    assert reconcile.pick_public([filing, f1], "revenue", 2014, RULES.public_sources)["doc_type"] == "20-F"
    assert reconcile.pick_public([f1], "revenue", 2014, RULES.public_sources)["value"] == 6.0
    prior = xbrl | {"fiscal_year": 2013}  # companyfacts of another year do not hide the filing
    assert reconcile.pick_public([filing, prior], "revenue", 2014, RULES.public_sources)["doc_type"] == "20-F"
    annual = xbrl | {"doc_type": "annual_report", "value": 6.3}  # a preferred source still comes first
    assert reconcile.pick_public([filing, xbrl, annual], "revenue", 2014, RULES.public_sources)["value"] == 6.3


def test_market_value_with_ads_ratio_and_social_responsibility():
    q = {"close": 20.0, "total_shares": 4e8, "ads_ratio": 2.0}
    assert market_value_cny(q, 6.11) == pytest.approx(20 * 2e8 * 6.11)
    rule = SocialResponsibilityRule()
    assert social_responsibility([], True, 0, rule) == 100
    assert social_responsibility([{"disqualifying": False}], False, 2, rule) == 100 - 20 - 30 - 20
    assert social_responsibility([{"disqualifying": True}], True, 0, rule) == 0


def test_csv_cells_neutralised_and_page_names_validated():
    assert neutralise('=HYPERLINK("x")') == "'=HYPERLINK(\"x\")"
    assert [neutralise(v) for v in ("+1", "-a", "@b", "\tc", "\rd")] == ["'+1", "'-a", "'@b", "'\tc", "'\rd"]
    assert neutralise(-0.35) == -0.35 and neutralise("甲") == "甲"
    assert company_page("C01") == "company-C01.html"
    with pytest.raises(ValueError):
        company_page("../etc/passwd")


def test_a_message_shows_figures_for_people():
    """Issue 18: a finding's message groups its figures ('declared 22833252000.0' was printed);
    an explicit format is kept, years and small figures are as written, a missing value is '—'."""
    from expectations.findings import message

    text = message("declared {declared} vs {public} ({difference:+.1%}) in {year}; FX {rate}; {none}; {n}",
                   {"declared": 22833252000.0, "public": 9000000000.5, "difference": 0.0312, "year": 2014,
                    "rate": 6.112, "none": None, "n": 3.0})
    assert text == "declared 22,833,252,000 vs 9,000,000,000.5 (+3.1%) in 2014; FX 6.112; —; 3"
