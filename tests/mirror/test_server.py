"""The mirror answers at the real paths, methods, parameters and envelopes (docs/CONTRACTS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spiders"))  # the small world of the spider tests
import smallworld  # noqa: E402

from mirror.server import make_app, running  # noqa: E402
from spiders.parse import cninfo, fx, hkex, load_json, quotes  # noqa: E402

KLINE = "/api/qt/stock/kline/get"
pytestmark = pytest.mark.xdist_group("mirror-server")  # one module fixture: keep its tests on one worker


def faults(method, path, params):
    if path == "/api/qt/stock/get" and params.get("secid") == "9.FAIL":
        return PlainTextResponse("busy", status_code=503)
    return None


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    smallworld.build(root)
    app = make_app(root, faults)
    with running(root, app=app) as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client, app


def form(code, org, **kw):
    return cninfo.query_form(code, org, se_date=kw.pop("se_date", "2015-01-01~2015-12-31"), **kw)


def test_robots_and_unknown_paths(mirror):
    c, _ = mirror
    r = c.get("/robots.txt")
    assert r.status_code == 200 and "Allow: /" in r.text
    assert c.get("/nothing/here").status_code == 404
    assert c.get("/finalpage/%2e%2e/%2e%2e/world.json").status_code == 404
    assert c.get("/Archives/edgar/data/..%2F..%2Fcompany_tickers.json").status_code == 404


def test_cninfo_query_needs_the_real_orgid_and_caps_pages(mirror):
    c, _ = mirror
    r = c.post("/new/hisAnnouncement/query", data=form("300002", "gssz0300002", category=cninfo.ANNUAL_CATEGORY))
    data = r.json()
    assert data["totalAnnouncement"] == 33 and len(data["announcements"]) == 30 and data["hasMore"] is True
    rows, total = cninfo.parse_announcements(data)
    assert total == 33
    page2 = c.post("/new/hisAnnouncement/query", data={**form("300002", "gssz0300002", category=cninfo.ANNUAL_CATEGORY),
                                                      "pageNum": "2", "pageSize": "100"}).json()
    assert len(page2["announcements"]) == 3 and page2["hasMore"] is False
    wrong = c.post("/new/hisAnnouncement/query", data=form("300002", "gssz0300002x")).json()
    assert wrong["announcements"] is None and wrong["totalAnnouncement"] == 0  # silently nothing, as the real one
    assert c.get("/new/hisAnnouncement/query").status_code == 405
    key = c.post("/new/hisAnnouncement/query", data=form("300002", "gssz0300002", searchkey="招股说明书",
                                                         se_date="2014-01-01~2015-12-31")).json()
    assert [a["announcementTitle"] for a in key["announcements"]] == ["<em>招股说明书</em>附录", "<em>招股说明书</em>"] or \
        sorted(a["announcementTitle"] for a in key["announcements"]) == ["<em>招股说明书</em>", "<em>招股说明书</em>附录"]
    stocks = cninfo.parse_stock_list(c.get("/new/data/szse_stock.json").json())
    assert stocks["600001"] == "9900001234"


def test_cninfo_pdfs(mirror):
    c, _ = mirror
    r = c.get("/finalpage/2015-04-10/1000005.PDF")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r.headers["content-type"] == "application/pdf"
    assert int(r.headers["content-length"]) == len(r.content)


def test_hkex_title_search(mirror):
    c, _ = mirror
    params = hkex.search_params(7609, *hkex.split_windows(hkex.date(2015, 1, 1), hkex.date(2015, 6, 28))[0], lang="en")
    r = c.get("/search/titleSearchServlet.do", params=params)
    env = r.json()
    assert isinstance(env["result"], str) and env["lang"] == "E"
    rows, more = hkex.parse_search(env)
    assert {t.news_id for t in rows} == {"900001", "900002", "900003"} and more is False
    zh = hkex.parse_search(c.get("/search/titleSearchServlet.do", params={**params, "lang": "ZH"}).json())[0]
    assert [t.file_link.endswith("_c.pdf") for t in zh] == [True]
    long = {**params, "fromDate": "20140101", "toDate": "20150331"}
    assert hkex.parse_search(c.get("/search/titleSearchServlet.do", params=long).json()) == ([], False)
    one = c.get("/search/titleSearchServlet.do", params={**params, "rowRange": "1"}).json()
    assert one["hasNextRow"] is True and len(json.loads(one["result"])) == 1
    assert c.post("/search/titleSearchServlet.do", params=params).status_code == 405
    assert hkex.parse_stock_list(c.get("/ncms/script/eds/activestock_sehk_e.json").json())["00700"] == 7609


def test_sec_paths(mirror):
    c, _ = mirror
    assert c.get("/files/company_tickers.json").json()["0"]["ticker"] == "BIDU"
    sub = c.get("/submissions/CIK0001595761.json").json()
    assert sub["filings"]["files"][0]["name"] == "CIK0001595761-submissions-001.json"
    assert c.get("/submissions/CIK0001595761-submissions-001.json").json()["form"] == ["F-1", "424B4"]
    assert c.get("/api/xbrl/companyfacts/CIK0001329099.json").json()["cik"] == 1329099
    assert c.get("/Archives/edgar/data/1595761/000110465915030982/wb-20f2014.htm").status_code == 200


def test_market_and_fx(mirror):
    c, _ = mirror
    params = quotes.kline_params("1.600001", smallworld.MV_DATE)
    closes = quotes.parse_klines(c.get(KLINE, params=params).json())
    assert quotes.close_on(closes, smallworld.MV_DATE).date == "2015-06-24"
    assert all(x.date <= "2015-06-25" for x in closes)
    assert c.get(KLINE, params={**params, "secid": "1.999999"}).json()["data"] is None
    jsonp = c.get(KLINE, params={**params, "cb": "jQuery123_456"}).text
    assert jsonp.startswith("jQuery123_456(") and load_json(jsonp.encode(), what="kline")["data"]["klines"]
    snap = c.get("/api/qt/stock/get", params=quotes.stock_params("116.00700")).json()
    assert quotes.parse_stock(snap) == (1.0e9, 150.0e9)
    year = c.post(fx.PATH, params=fx.params(hkex.date(2014, 1, 1), hkex.date(2015, 1, 1))).json()
    assert year["records"] == [] and "一年" in year["data"]["flagMessage"]
    half = c.post(fx.PATH, params=fx.params(hkex.date(2014, 1, 1), hkex.date(2014, 6, 29))).json()
    rates, pages = fx.parse(half)
    assert pages == 3 and len(rates) == 50 and set(next(iter(rates.values()))) == {"USD/CNY", "HKD/CNY"}
    assert "2014-01-01" not in fx.parse(c.post(fx.PATH, params=fx.params(hkex.date(2014, 1, 1),
                                                                        hkex.date(2014, 1, 3))).json())[0]


def test_request_log_and_fault_hook(mirror):
    c, app = mirror
    n = len(app.state.log)
    assert c.get("/api/qt/stock/get", params={"secid": "9.FAIL"}, headers={"User-Agent": "t/1 a@b.c"}).status_code == 503
    c.get("/robots.txt")
    hits = app.state.log[n:]
    assert [(h.method, h.path, h.status, h.source) for h in hits] == [
        ("GET", "/api/qt/stock/get", 503, "quotes"), ("GET", "/robots.txt", 200, "robots")]
    assert hits[0].user_agent == "t/1 a@b.c" and hits[0].time <= hits[1].time


def test_serve_in_its_own_process(tmp_path):
    smallworld.build(tmp_path)
    code = f"from mirror.server import serve; serve({str(tmp_path)!r}, port=0)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        base = line.strip().rsplit(" ", 1)[-1]
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base + "/robots.txt", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_fault_profile_wraps_the_app(tmp_path):
    from mirror.faults import FaultInjector

    smallworld.build(tmp_path)
    app = make_app(tmp_path, "transient")
    assert isinstance(app, FaultInjector) and app.state.log == []
    with running(tmp_path, app=app) as base:
        httpx.get(base + "/robots.txt", timeout=10)
    assert [h.path for h in app.state.log][:1] == ["/robots.txt"]
