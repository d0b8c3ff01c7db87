"""The real spiders (Scrapy, in a subprocess, as a run starts them) over ONLY recorded real
responses, one loopback server per real host (tests/spiders/replay.py), for real companies:
Kweichow Moutai on CNINFO; Tencent on HKEXnews; Tesla, Apple, Sohu and Qihoo on EDGAR; the CSI 300
line and Tencent on EastMoney. What was found (orgId, CIK, the filing of the year), what was fetched (which host,
path, parameters, headers) and what was read (the errors where nothing was recorded)."""

from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest

from mirror.server import running
from replay import Recording, Replay, stock
from spiders.runner import crawl
from top100.config import Settings
from top100.jsonl import read_jsonl
from top100.paths import YearPaths

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spider-replay")]
HOSTS = ("cninfo", "cninfo_static", "hkex", "sec_www", "sec_data", "quotes", "quotes_snapshot", "fx")
STOCK_FIELDS = {"f43", "f44", "f45", "f46", "f47", "f48", "f50", "f57", "f58", "f60", "f92", "f107", "f114",
                "f115", "f116", "f117", "f162", "f164", "f165", "f167", "f168", "f169", "f170", "f171"}

RECORDINGS = {
    "cninfo": [
        Recording("GET", "/new/data/szse_stock.json", "cninfo/szse_stock.json"),
        Recording("POST", "/new/hisAnnouncement/query", "cninfo/hisAnnouncement_query_600519_ndbg.json",
                  lambda p: stock("600519")(p) and p.get("category") == "category_ndbg_szsh"),
        Recording("POST", "/new/hisAnnouncement/query", "cninfo/hisAnnouncement_query_600519_prospectus.json",
                  lambda p: stock("600519")(p) and "招股说明书" in p.get("searchkey", "")),
    ],
    "sec_www": [Recording("GET", "/files/company_tickers.json", "sec/company_tickers.json")],
    # the real stock list (a trimmed subset, Tencent i=7609) and Tencent's annual-report search
    # (its request was not recorded: it answers every search naming stock 7609, in its language)
    "hkex": [
        Recording("GET", "/ncms/script/eds/activestock_sehk_e.json", "hkex/activestock_sehk_e_subset.json"),
        Recording("GET", "/search/titleSearchServlet.do", "hkex/titleSearchServlet_00700_annual_en.json",
                  lambda p: p.get("stockId") == "7609" and p.get("lang") == "EN"),
        Recording("GET", "/search/titleSearchServlet.do", "hkex/titleSearchServlet_00700_annual_zh.json",
                  lambda p: p.get("stockId") == "7609" and p.get("lang") == "ZH"),
    ],
    "sec_data": [
        Recording("GET", "/submissions/CIK0001318605.json", "sec/submissions_CIK0001318605_TSLA.json"),
        Recording("GET", "/submissions/CIK0000320193.json", "sec/submissions_CIK0000320193_AAPL.json"),
    ],
    # the kline recording answered daily klines (klt=101) of secid 1.000300
    "quotes": [Recording("GET", "/api/qt/stock/kline/get", "market/eastmoney_push2his_kline_1.000300_fields2_f51-f58.json",
                         lambda p: p.get("secid") == "1.000300" and p.get("klt") == "101")],
    # the snapshot recording holds only the fields it was asked for: it answers a request for those
    "quotes_snapshot": [Recording("GET", "/api/qt/stock/get", "market/eastmoney_push2_stock_get_116.00700.json",
                                  lambda p: p.get("secid") == "116.00700"
                                  and set(p.get("fields", "").split(",")) <= STOCK_FIELDS)],
}


def cand(cid, name, exchange, ticker, ads=None, cik=None):
    return {"company_id": cid, "legal_name": name, "exchange": exchange, "ticker": ticker, "ads_ratio": ads, "cik": cik}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    replay = Replay(RECORDINGS)
    out = tmp_path_factory.mktemp("out")
    inbox = tmp_path_factory.mktemp("inbox")
    runs = {}
    with ExitStack() as stack:
        bases = {h: stack.enter_context(running(Path("."), app=replay.app(h))) for h in HOSTS}

        def run(name, year, mv_date, companies):
            f = out / f"{name}-candidates.json"
            f.write_text(json.dumps(companies, ensure_ascii=False), encoding="utf-8")
            settings = Settings(out_dir=out, inbox_dir=inbox, sources=bases,
                                crawl={"retry_times": 0, "contact": "data-team@example.org", "hkex_enabled": True})
            paths = YearPaths(out, year)
            # the year's valuation date (top100.year), as the collect stage hands it to each crawl
            result = crawl(settings, paths, name, f, timeout=180, valuation_date=mv_date)
            part = paths.collect / "parts" / name
            runs[name] = {"result": result, "errors": list(read_jsonl(part / "errors.jsonl")),
                          "docs": list(read_jsonl(part / "documents.jsonl")), "settings": settings}
        run("cninfo", 2024, date(2025, 6, 25), [cand("MOUTAI", "贵州茅台酒股份有限公司", "SSE", "600519")])
        run("hkex", 2024, date(2025, 6, 25), [cand("TENCENT", "Tencent Holdings Limited", "HKEX", "700"),
                                               cand("NOSUCH", "Not listed in the subset", "HKEX", "9999")])
        run("edgar", 2014, date(2015, 6, 25), [
            cand("TSLA", "Tesla Motors, Inc.", "NASDAQ", "TSLA", 1.0),
            cand("AAPL", "Apple Inc.", "NASDAQ", "AAPL", 1.0, 320193),
            cand("SOHU", "Sohu.com Inc", "NASDAQ", "SOHU", 1.0),
            cand("QIHU", "Qihoo 360 Technology Co Ltd", "NYSE", "QIHU", 1.5)])
        run("quotes", 2025, date(2026, 9, 30), [cand("CSI300", "CSI 300 index line", "SSE", "000300"),
                                                cand("TENCENT", "Tencent Holdings Ltd", "HKEX", "00700")])
    return replay, runs


def test_every_crawl_finished(replayed):
    _, runs = replayed
    for name, r in runs.items():
        assert r["result"]["returncode"] == 0 and "failure" not in r["result"], (name, r["result"])


def test_cninfo_real_moutai(replayed):
    replay, runs = replayed
    queries = replay.hits("cninfo", "/new/hisAnnouncement/query")
    # the real orgId from the real stock list; the site's own form; the evaluation window; headers
    assert queries and all(h.params["stock"] == "600519,gssh0600519" and h.params["column"] == "szse" for h in queries)
    annual = [h for h in queries if h.params["category"] == "category_ndbg_szsh"]
    assert [h.params["seDate"] for h in annual] == ["2024-12-31~2025-06-25"]
    assert all(h.headers.get("x-requested-with") == "XMLHttpRequest" and "cninfo.com.cn" in h.headers.get("referer", "")
               for h in queries)
    # of the 18 real rows, exactly the FY2024 full report is asked for, at the real static path
    pdfs = replay.hits("cninfo_static")
    assert [h.path for h in pdfs if h.path != "/robots.txt"] == ["/finalpage/2025-04-03/1222993920.PDF"]
    # it was not recorded: an error naming the company and the URL, no document row
    errs = [e for e in runs["cninfo"]["errors"] if e["company_id"] == "MOUTAI"]
    assert any("1222993920.PDF" in (e["url"] or "") and "404" in e["reason"] for e in errs)
    assert runs["cninfo"]["docs"] == []  # the 2001 prospectus is before the fiscal year: not taken


def test_edgar_real_identity_and_annual_forms(replayed):
    replay, runs = replayed
    www, data = {h.path for h in replay.hits("sec_www")}, {h.path for h in replay.hits("sec_data")}
    # Tesla resolved through today's map and confirmed by its submissions (ticker TSLA); its
    # FY2014 annual report is a 10-K, asked for at its real Archives path on www.sec.gov
    assert "/submissions/CIK0001318605.json" in data
    assert "/Archives/edgar/data/1318605/000156459015001031/tsla-10k_20141231.htm" in www
    assert "/api/xbrl/companyfacts/CIK0001318605.json" in data  # on data.sec.gov, not www
    # Apple by its supplied CIK: the 10-K for the year ended 2014-09-27 (a September year end)
    assert "/Archives/edgar/data/320193/000119312514383437/d783162d10k.htm" in www
    # today's map sends SOHU to the 2018 Sohu.com Ltd (CIK 1734107): its submissions were asked
    # for (and were not recorded); QIHU is gone from the map: the error says to supply the CIK
    assert "/submissions/CIK0001734107.json" in data
    errs = {e["company_id"]: e for e in runs["edgar"]["errors"] if e["company_id"] in ("QIHU", "SOHU")}
    assert errs["QIHU"]["kind"] == "IdentityError" and "cik column of listings.csv" in errs["QIHU"]["reason"]
    assert "404" in errs["SOHU"]["reason"]
    # SEC's fair access: every request carries the contact e-mail
    assert all("@" in h.headers.get("user-agent", "") for h in replay.hits("sec_www") + replay.hits("sec_data"))
    # the ticker map was asked once, and not for Apple (supplied CIK)
    assert len(replay.hits("sec_www", "/files/company_tickers.json")) == 1


def test_quotes_real_hosts_and_shapes(replayed):
    replay, runs = replayed
    klines = replay.hits("quotes", "/api/qt/stock/kline/get")
    snaps = replay.hits("quotes_snapshot", "/api/qt/stock/get")
    # kline on the history host (push2his), stock/get on the snapshot host (push2), never crossed
    assert {h.params["secid"] for h in klines} == {"1.000300", "116.00700"}
    assert not replay.hits("quotes", "/api/qt/stock/get") and not replay.hits("quotes_snapshot", "/api/qt/stock/kline/get")
    assert all(h.params["klt"] == "101" and h.params["fqt"] == "0" and h.params["end"] == "20260930" for h in klines)
    # the real kline was read (close on 2026-09-30 found), so the share count was asked for next
    assert [h.params["secid"] for h in snaps] == ["1.000300"]
    # robots.txt was read first on both hosts (not recorded: no rule, so allowed)
    assert replay.hits("quotes", "/robots.txt") and replay.hits("quotes_snapshot", "/robots.txt")
    errs = runs["quotes"]["errors"]
    assert any(e["company_id"] == "TENCENT" and "116.00700" in (e["url"] or "") for e in errs)
    assert any(e["company_id"] == "CSI300" and "/api/qt/stock/get" in (e["url"] or "") for e in errs)
    assert all(h.headers.get("referer") == "https://quote.eastmoney.com/" for h in klines + snaps)


def test_hkex_real_tencent(replayed):
    replay, runs = replayed
    # the stock id from the real active-stock list (never built from the code), then the title
    # search in the site's own form: Financial Statements / Annual Report, main board, English first
    assert replay.hits("hkex", "/ncms/script/eds/activestock_sehk_e.json")
    searches = replay.hits("hkex", "/search/titleSearchServlet.do")
    assert searches and {h.params["stockId"] for h in searches} == {"7609"}
    assert all(h.params["t1code"] == "40000" and h.params["t2code"] == "40100" and h.params["market"] == "SEHK"
               for h in searches)
    assert searches[0].params["lang"] == "EN" and searches[0].params["fromDate"] == "20240701"
    assert all(h.headers.get("referer", "").startswith("https://www1.hkexnews.hk/") for h in searches)
    # of the five real annual reports (2020-2024), exactly FY2024's is asked for, at its real path
    pdfs = [h.path for h in replay.hits("hkex") if h.path.endswith(".pdf")]
    assert pdfs == ["/listedco/listconews/sehk/2025/0408/2025040800667.pdf"]
    errs = runs["hkex"]["errors"]
    # not recorded: an error naming the company and the URL, no document row
    assert any(e["company_id"] == "TENCENT" and "2025040800667.pdf" in (e["url"] or "") and "404" in e["reason"]
               for e in errs)
    assert runs["hkex"]["docs"] == []
    # a code the real list does not hold: one error naming it
    assert any("9999" in e["reason"] and "active-stock list" in e["reason"] for e in errs if e["company_id"] == "NOSUCH")
