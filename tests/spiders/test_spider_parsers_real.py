"""Contract tests: every parser on the REAL recorded responses in ../shared/fixtures/real/endpoints."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from smallworld import pdf
from spiders.middlewares import check_body
from spiders.parse import cninfo, edgar, fx, hkex, load_json, quotes
from top100.errors import BlockedPage, SchemaDrift, SourceError


@pytest.fixture(scope="module")
def ep(real: Path) -> Path:
    return real / "endpoints"


def load(path: Path):
    return load_json(path.read_bytes(), what=path.name)


# --- CNINFO ---------------------------------------------------------------------------------
def test_cninfo_stock_list_gives_real_orgids_that_follow_no_pattern(ep):
    orgs = cninfo.parse_stock_list(load(ep / "cninfo/szse_stock.json"))
    assert len(orgs) > 4000
    assert orgs["300059"] == "9900010488"  # 东方财富: not gssz0300059
    assert orgs["601360"] == "9900021962"
    assert orgs["000063"] == "gssz0000063"
    assert cninfo.parse_stock_list(load(ep / "cninfo/szse_stock_subset_with_GD_orgid.json"))["300750"] == "GD165627"


def test_cninfo_annual_reports_keep_full_text_only(ep):
    rows, total = cninfo.parse_announcements(load(ep / "cninfo/hisAnnouncement_query_600519_ndbg.json"))
    assert total == 18 and len(rows) == 18
    first = rows[0]
    assert first.published_at == "2025-04-03T00:00:00+08:00"  # midnight Asia/Shanghai, not 2025-04-02 UTC
    assert first.adjunct_url.endswith("1222993920.PDF")
    kept, dropped = cninfo.select(rows, 2023)
    assert [(s.doc_type, s.fiscal_year, s.announcement.announcement_id) for s in kept] == \
        [("annual_report", 2023, "1219506510")]
    reasons = {a.announcement_id: r for a, r in dropped}
    assert "摘要" in reasons["1219506504"] and "英文" in reasons["1219506497"]
    # titles without the company name still carry the fiscal year
    kept2018, _ = cninfo.select(rows, 2018)
    assert [s.announcement.title for s in kept2018] == ["2018年年度报告"]


def test_cninfo_prospectus_without_appendix(ep):
    rows, _ = cninfo.parse_announcements(load(ep / "cninfo/hisAnnouncement_query_600519_prospectus.json"))
    kept, dropped = cninfo.select(rows, 2001, listed_from="2001-01-01")
    assert [(s.doc_type, s.announcement.title) for s in kept] == [("prospectus", "招股说明书")]
    assert any("附录" in r for _, r in dropped)
    assert cninfo.select(rows, 2014, listed_from="2014-01-01")[0] == []  # listed long before


def test_cninfo_empty_result_is_null_not_a_list(ep):
    data = load(ep / "cninfo/hisAnnouncement_query_EMPTY_SHAPE.json")
    assert data["announcements"] is None
    assert cninfo.parse_announcements(data) == ([], 0)


def test_cninfo_legacy_rows_with_html_adjuncts_are_not_documents(ep):
    rows, _ = cninfo.parse_announcements(load(ep / "cninfo/legacy_announcement_query_000001_page4.json"))
    html_rows = [a for a in rows if not cninfo.is_pdf(a)]
    assert html_rows and all(a.adjunct_url.endswith(".html") for a in html_rows)


def test_cninfo_revised_report_supersedes_the_original():
    def a(aid, title, day):
        return cninfo.Announcement(aid, title, f"{day}T00:00:00+08:00", f"finalpage/{day}/{aid}.PDF", "PDF", "002214", "x")
    rows = [a("1", "大立科技2015年年度报告", "2016-03-30"), a("2", "大立科技2015年年度报告（更新后）", "2016-04-20"),
            a("3", "大立科技2015年年度报告（已取消）", "2016-04-20")]
    kept, dropped = cninfo.select(rows, 2015)
    assert [(s.announcement.announcement_id, s.supersedes) for s in kept] == [("2", "1")]
    assert {r[0].announcement_id for r in dropped} == {"1", "3"}


def test_cninfo_form_is_the_sites_own():
    form = cninfo.query_form("300059", "9900010488", se_date="2015-01-01~2015-12-31", category=cninfo.ANNUAL_CATEGORY)
    assert form["stock"] == "300059,9900010488" and form["pageSize"] == "30" and form["column"] == "szse"


# --- HKEX -----------------------------------------------------------------------------------
def test_cninfo_windows_and_pre_disclosure_form():
    assert cninfo.annual_window(2014, "2015-06-25") == "2014-12-31~2015-06-25"
    form = cninfo.query_form("", "", se_date="2014-01-01~2015-06-25", searchkey="己网络科技股份有限公司",
                             column=cninfo.PRE_DISCLOSURE)
    assert form["column"] == "pre_disclosure" and form["stock"] == "" and form["searchkey"] == "己网络科技股份有限公司"
    assert cninfo.query_form("600519", "gssh0600519", se_date="x")["stock"] == "600519,gssh0600519"


def test_hkex_stock_id_is_i_not_s(ep):
    ids = hkex.parse_stock_list(load(ep / "hkex/activestock_sehk_e_subset.json"))
    assert ids["00700"] == 7609


@pytest.mark.parametrize("name,lang", [("titleSearchServlet_00700_annual_en.json", "en"),
                                       ("titleSearchServlet_00700_annual_zh.json", "zh")])
def test_hkex_title_search_real_rows(ep, name, lang):
    rows, more = hkex.parse_search(load(ep / "hkex" / name))
    assert len(rows) == 5 and more is False
    assert rows[0].stock_code == "00700"  # "00700<br/>80700"
    assert rows[0].published_at == "2025-04-08T17:02:00+08:00"
    best, _ = hkex.select(rows, 2023)
    assert best is not None and hkex.title_year(best.title) == 2023
    assert best.file_link.endswith("_c.pdf") == (lang == "zh")


def test_hkex_live_row_is_not_an_annual_report(ep):
    rows, _ = hkex.parse_search(load(ep / "hkex/titleSearchServlet_stockId7609_live_row_QUOTED_EXCERPT.json"))
    best, dropped = hkex.select(rows, 2025)
    assert best is None and dropped[0][1] == "not an annual report"


@pytest.mark.parametrize("result", [None, "null", "", "[]"])
def test_hkex_empty_result_variants(result):
    assert hkex.parse_search({"result": result, "hasNextRow": False}) == ([], False)


def test_hkex_windows_stay_under_twelve_months():
    ws = hkex.split_windows(date(2014, 7, 1), date(2015, 12, 31))
    assert ws[0][0] == date(2014, 7, 1) and ws[-1][1] == date(2015, 12, 31)
    assert all((b - a).days < 365 for a, b in ws)
    assert all(ws[i][1].toordinal() + 1 == ws[i + 1][0].toordinal() for i in range(len(ws) - 1))


def test_hkex_prefix_jsonp_unwraps(ep):
    data = load(ep / "hkex/prefix_do_jsonp_01522_QUOTED.txt")
    assert data["stockInfo"][0]["stockId"] == 97773


# --- SEC ------------------------------------------------------------------------------------
def test_edgar_tickers_give_real_ciks(ep):
    ciks = edgar.parse_tickers(load(ep / "sec/company_tickers.json"))
    assert ciks["BIDU"] == 1329099 and ciks["WB"] == 1595761 and ciks["BABA"] == 1577552


def test_edgar_submissions_are_column_wise_with_overflow(ep):
    recent, files = edgar.parse_submissions(load(ep / "sec/submissions_CIK0000320193_AAPL.json"))
    assert len(recent) == 1000 and files[0]["name"] == "CIK0000320193-submissions-001.json"
    assert edgar.overflow_needed(files, "2014-01-01") == []  # ends 2013-02-07
    assert edgar.overflow_needed(files, "2010-01-01") == ["CIK0000320193-submissions-001.json"]
    older = edgar.parse_columns(load(ep / "sec/submissions_CIK0000320193-submissions-001_AAPL_overflow.json"), "overflow")
    assert len(older) == 988 and older[-1].filing_date < recent[-1].filing_date
    f = recent[0]
    assert edgar.archive_path(320193, f).startswith(f"/Archives/edgar/data/320193/{f.accession.replace('-', '')}/")


def test_edgar_select_on_real_filings(ep):
    recent, _ = edgar.parse_submissions(load(ep / "sec/submissions_CIK0001318605_TSLA.json"))
    keep, _ = edgar.select(recent, 2014, listed_from="2014-01-01")
    # a 10-K filer: its FY2014 10-K is the annual report (no F-1, no 424B4)
    assert [(f.accession, f.form, f.report_date, s) for f, s in keep] == [
        ("0001564590-15-001031", "10-K", "2014-12-31", None)]
    assert edgar.doc_type("10-K") == "20-F" and edgar.doc_type("40-F/A") == "20-F"
    fake = [edgar.Filing("a-1", "2015-03-27", "2014-12-31", "20-F", "x.htm"),
            edgar.Filing("a-2", "2015-06-01", "2014-12-31", "20-F/A", "y.htm"),
            edgar.Filing("a-3", "2014-04-17", "", "424B4", "z.htm")]
    keep, _ = edgar.select(fake, 2014, listed_from="2014-01-01")
    assert [(f.accession, s) for f, s in keep] == [("a-2", "a-1"), ("a-3", None)]


@pytest.mark.parametrize("name,cik", [("companyfacts_CIK0001329099_BAIDU_excerpt_CNY_USD.json", 1329099),
                                      ("companyfacts_CIK0001997711_LPA_ifrs_20F.json", 1997711)])
def test_edgar_companyfacts_real(ep, name, cik):
    edgar.check_companyfacts(load(ep / "sec" / name), cik)
    with pytest.raises(SchemaDrift):
        edgar.check_companyfacts(load(ep / "sec" / name), cik + 1)


def test_edgar_rate_limit_page():
    body = b"<html>Your request has been identified as part of a network of automated tools ... Request Rate Threshold Exceeded</html>"
    assert edgar.is_rate_limit_page(403, body) and not edgar.is_rate_limit_page(404, body)


# --- quotes ---------------------------------------------------------------------------------
def test_kline_close_is_the_third_column(ep):
    closes = quotes.parse_klines(load(ep / "market/eastmoney_push2his_kline_1.000300_fields2_f51-f58.json"))
    assert closes[0].date == "2026-09-28" and closes[0].close == 4340.76
    assert quotes.close_on(closes, date(2026, 10, 4)).date == "2026-09-30"  # holiday: last close before
    with pytest.raises(SourceError):
        quotes.close_on(closes, date(2026, 9, 1))


def test_kline_jsonp_us_line(ep):
    closes = quotes.parse_klines(load(ep / "market/eastmoney_push2his_kline_105.APP_weekly_jsonp.txt"))
    assert closes[-1].close == 68.35


def test_stock_snapshot_total_shares_and_value(ep):
    shares, value = quotes.parse_stock(load(ep / "market/eastmoney_push2_stock_get_116.00700.json"))
    assert shares is None and value == 4348807144693.2  # the real HK capture has no f84


@pytest.mark.parametrize("data", [{"rc": 0, "data": None}, {"rc": 0, "data": {"klines": []}}])
def test_empty_kline_series_is_an_error(data):
    with pytest.raises(SourceError):
        quotes.parse_klines(data)


def test_secids():
    assert [quotes.secid(e, t) for e, t in [("SSE", "600519"), ("SZSE", "300059"), ("HKEX", "700"),
                                            ("NASDAQ", "bidu"), ("NYSE", "BABA")]] == \
        ["1.600519", "0.300059", "116.00700", "105.BIDU", "106.BABA"]


# --- FX -------------------------------------------------------------------------------------
def test_cfets_values_align_with_searchlist(ep):
    rates, pages = fx.parse(load(ep / "fx/cfets_CcprHisNew_all_2026-09-01_2026-09-04.json"))
    assert pages == 1 and rates["2026-09-04"]["USD/CNY"] == 6.7787 and rates["2026-09-04"]["HKD/CNY"] == 0.86458
    one, _ = fx.parse(load(ep / "fx/cfets_CcprHisNew_USD-CNY_2026-09-25_2026-10-03.json"))
    assert one["2026-09-30"] == {"USD/CNY": 6.7351}  # head lists two pairs, searchlist one
    assert fx.last_published(one, "USD/CNY", date(2026, 10, 3)) == ("2026-09-30", 6.7351)  # National Day


def test_cfets_refuses_windows_of_a_year(ep):
    with pytest.raises(SourceError, match="一年"):
        fx.parse(load(ep / "fx/cfets_CcprHisNew_refused_over_1yr_SHAPE.json"))
    ws = fx.windows(date(2014, 1, 1), date(2014, 12, 31))
    assert all((b - a).days < 365 for a, b in ws) and ws[-1][1] == date(2014, 12, 31)


# --- block pages ------------------------------------------------------------------------------
def test_block_page_is_never_data():
    page = "<html><head><title>访问被拦截！</title></head><body>您的请求疑似攻击行为！</body></html>".encode()
    with pytest.raises(BlockedPage, match="访问被拦截"):
        load_json(page, what="hisAnnouncement/query")
    with pytest.raises(BlockedPage):
        check_body("pdf", page)
    with pytest.raises(BlockedPage):
        check_body("any", page)


def test_pdf_checks():
    good = pdf("x")
    check_body("pdf", good)
    with pytest.raises(SourceError, match="truncated"):
        check_body("pdf", good[: len(good) - 40])
    with pytest.raises(SourceError, match="not a PDF"):
        check_body("pdf", b"PK\x03\x04")
    check_body("json", json.dumps({"a": 1}).encode())


def test_edgar_entity_identity_from_real_submissions(ep):
    data = load(ep / "sec/submissions_CIK0001318605_TSLA.json")
    entity = edgar.parse_entity(data)
    recent, _ = edgar.parse_submissions(data)
    assert entity.cik == 1318605 and entity.tickers == ("TSLA",) and entity.former_names == ("TESLA MOTORS INC",)
    # proposed by a ticker map: the ticker, or the declared name among the former names, confirms it
    assert edgar.confirm(entity, recent, 2014, ticker="TSLA", legal_name="", supplied=False, company="T1") is None
    assert edgar.confirm(entity, recent, 2014, ticker="TSLMF", legal_name="Tesla Motors, Inc.", supplied=False,
                         company="T1") is None
    # a ticker map pointing at another filer: neither the ticker nor the name
    why = edgar.confirm(entity, recent, 2014, ticker="SOHU", legal_name="Sohu.com Inc", supplied=False, company="U3")
    assert why is not None and "company U3" in why and "CIK 1318605 (Tesla, Inc.)" in why and "cik column" in why
    # the right filer, but no annual report for the year in the filings read: named, with what to supply
    why = edgar.confirm(entity, recent, 2009, ticker="TSLA", legal_name="", supplied=False, company="T1")
    assert why is not None and "no 20-F/10-K/40-F for fiscal 2009" in why and "cik column of listings.csv" in why
    aapl = load(ep / "sec/submissions_CIK0000320193_AAPL.json")
    a_recent, _ = edgar.parse_submissions(aapl)
    # Apple's fiscal year ends in September: the 10-K for the period ended in September 2014 is fiscal 2014
    fy14 = edgar.annual_for_year(a_recent, 2014)
    assert fy14 and all(f.report_date.startswith("2014-09") for f in fy14)
    assert edgar.parse_entity(aapl).fiscal_year_end == "0930"


def test_fx_fiscal_periods_of_any_month(ep):
    from datetime import date
    assert fx.fiscal_period(date(2015, 3, 31)) == (date(2014, 4, 1), date(2015, 3, 31))
    assert fx.fiscal_period(date(2014, 12, 31)) == (date(2014, 1, 1), date(2014, 12, 31))
    assert fx.fiscal_period(date(2016, 2, 29)) == (date(2015, 3, 1), date(2016, 2, 29))
    start, end = fx.coverage(2014)
    # the earliest day fiscal 2014 can need: the prior year of a January year end, from 2012-02-01
    assert fx.fiscal_period(date(2013, 1, 31))[0] == date(2012, 2, 1) and start <= date(2012, 2, 1)
    assert end == date(2014, 12, 31)
    # the real CFETS answer: 2026-09-01..04; a period of two of those days averages those two
    found, _ = fx.parse(load(ep / "fx/cfets_CcprHisNew_all_2026-09-01_2026-09-04.json"))
    rows = [{"pair": pair, "date": d, "rate": r} for d, v in found.items() for pair, r in v.items()]
    days = sorted(found)
    avg, n = fx.period_average(rows, "USD", date.fromisoformat(days[0]), date.fromisoformat(days[1]))
    assert n == 2 and avg == pytest.approx((found[days[0]]["USD/CNY"] + found[days[1]]["USD/CNY"]) / 2)
    assert fx.period_average(rows, "USD", date(2025, 1, 1), date(2025, 12, 31)) is None
    assert fx.period_average(rows, "CNY", date(2025, 1, 1), date(2025, 12, 31)) == (1.0, 0)


def test_edgar_a_recent_listing_is_confirmed_by_its_prospectus(ep):
    entity = edgar.parse_entity(load(ep / "sec/submissions_CIK0001318605_TSLA.json"))
    # filings rows of a company that listed after its fiscal year: an F-1 and a 424B4 only
    rows = [edgar.Filing("0000000000-15-000001", "2015-03-10", "", "F-1", "f1.htm"),
            edgar.Filing("0000000000-15-000002", "2015-04-01", "", "424B4", "p.htm")]
    assert edgar.confirm(entity, rows, 2014, ticker="TSLA", legal_name="", supplied=True, company="X") is None
    keep, _ = edgar.select(rows, 2014, listed_from="2014-01-01")
    assert [f.form for f, _ in keep] == ["F-1", "424B4"]
    assert edgar.confirm(entity, rows[:1], 2016, ticker="TSLA", legal_name="", supplied=True, company="X") is not None
