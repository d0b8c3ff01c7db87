"""Which share count a market value uses (expectations.market_value, issue 17 item 4): a delivered
row or a filing dated on or before the valuation date > the A-share / HK annual report's year-end
count (published on or before the date) > today's snapshot, labelled a fallback."""

from __future__ import annotations

import pytest

from expectations.market_value import market_values, report_counts_used

ON = "2025-06-30"
FX = [{"pair": "HKD/CNY", "requested_date": ON, "date": ON, "rate": 0.9, "url": "u"}]
SHA = "a" * 64


def quote(exchange="SSE", currency="CNY", shares=1000.0):
    return {"company_id": "c1", "exchange": exchange, "ticker": "600000", "requested_date": ON, "date": ON,
            "close": 10.0, "currency": currency, "total_shares": shares, "market_value": None, "ads_ratio": None,
            "url": "https://quote/kline"}


def collected(fallback=True, shares=1000.0, source="EastMoney snapshot f84 (today's count, not the valuation "
                                                      "date's: fallback)", as_of=None):
    return {"company_id": "c1", "requested_date": ON, "shares": shares, "as_of": as_of, "filed": None,
            "source": source, "url": "https://quote/stock", "fallback": fallback}


def fact(value=800.0, period_end="2024-12-31", sha=SHA, conflict=False):
    return {"company_id": "c1", "document_sha256": sha, "doc_type": "annual_report", "metric": "total_shares",
            "fiscal_year": int(period_end[:4]), "value": value, "currency": "", "page": 55, "label": "三、股份总数",
            "raw": f"{value:,.0f}", "unit": "股", "scale": 1.0, "bbox": [1, 2, 3, 4], "period_end": period_end,
            "conflict": conflict, "superseded": False}


def doc(published="2025-03-28", sha=SHA):
    return {"sha256": sha, "published_at": f"{published}T18:00:00+08:00", "doc_type": "annual_report"}


def test_the_annual_reports_count_replaces_todays_snapshot() -> None:
    mv = market_values([quote()], FX, ON, [collected()], [fact()], [doc()])["c1"]
    assert mv.quote["total_shares"] == 800.0 and mv.value == 8000.0
    assert mv.shares["as_of"] == "2024-12-31" and not mv.shares["fallback"]
    assert "annual report aaaaaaaaaaaa page 55" in mv.rule and "as of 2024-12-31" in mv.rule
    assert "fallback" not in mv.rule
    assert report_counts_used({"c1": mv})[("c1", "market_value")]["page"] == 55


def test_a_count_dated_by_a_filing_or_delivered_wins_over_the_report() -> None:
    dated = collected(fallback=False, shares=900.0, as_of="2025-05-01",
                      source="companyfacts dei:EntityCommonStockSharesOutstanding 20-F x")
    mv = market_values([quote(shares=900.0)], FX, ON, [dated], [fact()], [doc()])["c1"]
    assert mv.value == 9000.0 and "companyfacts dei" in mv.rule and "as of 2025-05-01" in mv.rule
    assert report_counts_used({"c1": mv}) == {}


@pytest.mark.parametrize("why,facts,docs", [
    ("published after the valuation date", [fact()], [doc(published="2025-07-15")]),
    ("stated for a date after it", [fact(period_end="2025-12-31")], [doc(published="2025-03-28")]),
    ("its readings conflict", [fact(conflict=True)], [doc()]),
])
def test_a_report_count_not_usable_on_the_date_leaves_the_labelled_fallback(why, facts, docs) -> None:
    mv = market_values([quote()], FX, ON, [collected()], facts, docs)["c1"]
    assert mv.value == 10000.0, why
    assert mv.shares["fallback"] and "fallback" in mv.rule and mv.rule.count("fallback") == 1


def test_the_latest_report_before_the_date_counts() -> None:
    older, newer = fact(700.0, "2023-12-31", "b" * 64), fact(800.0, "2024-12-31")
    mv = market_values([quote()], FX, ON, [collected()], [newer, older],
                       [doc(sha="b" * 64, published="2024-03-30"), doc()])["c1"]
    assert mv.quote["total_shares"] == 800.0


def test_hk_listing_uses_its_report_and_a_us_listing_does_not() -> None:
    hk = market_values([quote("HKEX", "HKD")], FX, ON, [collected()], [fact()], [doc()])["c1"]
    assert hk.value == pytest.approx(10.0 * 800 * 0.9)
    us = market_values([{**quote("NASDAQ", "CNY")}], FX, ON, [collected()], [fact()], [doc()])["c1"]
    assert us.quote["total_shares"] == 1000.0  # an ADS price is never multiplied by a report's count here


def test_without_records_the_quote_is_used_as_collected() -> None:
    mv = market_values([quote()], FX, ON)["c1"]
    assert mv.value == 10000.0 and mv.shares is None


def test_verify_uses_the_report_count_and_the_audit_page_shows_it(tmp_path) -> None:
    """The verify world's C01 (SSE) with today's snapshot as its collected count and its annual
    report's year-end count (published before the valuation date): the metric row's rule and the
    audit page name the report's count, page and date, and its value follows that count."""
    import json

    import verify_world as world  # tests/expectations is on sys.path (rootdir-less test dir)
    from expectations.verify import run_verify
    from top100.config import Settings
    from top100.jsonl import read_jsonl, write_jsonl

    out = tmp_path / "out"
    paths = world.build(out)
    facts = list(read_jsonl(paths.facts))
    ar01 = next(f["document_sha256"] for f in facts if f["company_id"] == "C01" and f["metric"] == "revenue")
    count = {**world.fact("C01", ar01, "total_shares", 8e8, currency=""), "label": "三、股份总数",
             "raw": "800,000,000", "unit": "股", "period_end": "2014-12-31", "bbox": [72.0, 88.0, 200.0, 103.0]}
    write_jsonl(paths.facts, [*facts, count])
    docs = list(read_jsonl(paths.documents))
    docs.append({"source": "cninfo", "url": "https://static.cninfo.com.cn/x.PDF", "company_id": "C01",
                 "doc_type": "annual_report", "fiscal_year": 2014, "title": "2014年年度报告",
                 "published_at": "2015-03-20T00:00:00+08:00", "sha256": ar01, "size": 1, "fetched_at": "2015-07-01"})
    write_jsonl(paths.documents, docs)
    write_jsonl(paths.shares, [{"company_id": "C01", "requested_date": "2015-06-25", "shares": 1e9, "as_of": None,
                                "filed": None, "source": "EastMoney snapshot f84 (today's count, not the valuation "
                                "date's: fallback)", "url": "mirror", "fallback": True}])
    run_verify(Settings(out_dir=out, year=world.YEAR), paths)
    m = {(r["company_id"], r["metric"]): r for r in read_jsonl(paths.metrics)}
    row = m["C01", "market_value"]
    assert row["value"] == pytest.approx(10.0 * 8e8)
    assert "shares 800,000,000 (annual report" in row["rule"] and "as of 2014-12-31" in row["rule"]
    assert "fallback" not in row["rule"]
    assert m["C16", "market_value"]["value"] == pytest.approx(20 * 4e8 / 2 * 6.11)  # no record: as collected
    page = (paths.audit / "company-C01.html").read_text(encoding="utf-8")
    assert "annual report, page 1: 三、股份总数" in page and "as of 2014-12-31" in page
    assert (paths.audit / "img" / "C01-market_value.png").exists()
    assert json.dumps(row)  # a plain row


def test_a_share_count_in_conflict_is_a_warning_a_revenue_in_conflict_an_error() -> None:
    """The count in conflict is never used (the market value takes the next source), so its
    finding does not exclude the company; a figure the accuracy check compares does."""
    from expectations.collected import conflict_findings
    from types import SimpleNamespace

    companies = [SimpleNamespace(company_id="c1")]  # only the company's id is read
    revenue = {**fact(conflict=True), "metric": "revenue", "corroborations": [
        {"page": 60, "raw": "900", "unit": "元", "agrees": False}]}
    found = conflict_findings([fact(conflict=True), revenue], companies, 2024)
    severity = {f.metric: f.severity for f in found}
    assert severity == {"total_shares": "WARNING", "revenue": "ERROR"}
    assert "not used" in next(f.message for f in found if f.metric == "total_shares")
