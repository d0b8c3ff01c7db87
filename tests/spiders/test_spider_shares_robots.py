"""Shares as of the valuation date (real companyfacts cover counts) and the quotes source's
robots.txt policy: a host that disallows the API paths stops the source with one line naming
the rule, and the delivered market_values.csv is used instead (a real quotes crawl against the
mirror)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from starlette.responses import PlainTextResponse

import smallworld
from mirror.server import make_app, running
from spiders.parse import shares as sh
from spiders.runner import crawl
from top100.config import Settings
from top100.jsonl import read_jsonl
from top100.paths import YearPaths

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sec"
EP = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real" / "endpoints"
SOURCES = ("cninfo", "cninfo_static", "hkex", "sec_www", "sec_data", "quotes", "quotes_snapshot", "fx")
pytestmark = pytest.mark.xdist_group("spider-robots")


def test_cover_count_stated_and_filed_before_the_date_real_snowflake():
    data = json.loads((CORPUS / "companyfacts_CIK0001640147_SNOW_dei_EXCERPT.json").read_text())
    # on 2021-06-01 the 10-Q stating 296,100,000 (as of 2021-05-14) was not yet filed (2021-06-04)
    c = sh.from_companyfacts(data, date(2021, 6, 1))
    assert (c.shares, c.as_of, c.filed) == (288_700_000, "2021-03-01", "2021-03-31")
    assert "0001640147-21-000073" in c.source and "10-K" in c.source
    c = sh.from_companyfacts(data, date(2021, 6, 4))
    assert (c.shares, c.as_of) == (296_100_000, "2021-05-14")
    assert sh.from_companyfacts(data, date(2021, 3, 30)) is None  # nothing public yet


def test_cover_count_of_a_real_ifrs_20f_filer():
    data = json.loads((EP / "sec/companyfacts_CIK0001997711_LPA_ifrs_20F.json").read_text())
    c = sh.from_companyfacts(data, date(2024, 6, 30))
    assert (c.shares, c.as_of, c.filed) == (31_709_747, "2024-03-28", "2024-04-26") and "20-F" in c.source


def test_robots_rule_is_named():
    txt = "User-agent: *\nDisallow: /api/\nAllow: /api/public\n"
    assert sh.robots_rule(txt, "/api/qt/stock/kline/get", "top100/0.1") == "Disallow: /api/"
    assert sh.robots_rule(txt, "/api/public/x", "top100/0.1") is None
    assert sh.robots_rule("", "/api/qt/stock/get", "top100/0.1") is None  # 404: no rule


def test_market_values_csv_rows_and_problems(tmp_path):
    p = tmp_path / "market_values.csv"
    p.write_text("company_id,date,close,shares,source\nC001,2015-06-24,10.5,\"1,000,000\",SSE close; 2014 annual report\n"
                 "C002,2015-06-24,-1,100,x\n../x,2015-06-24,1,1,x\nC003,2015-06-24,1,1,\n", encoding="utf-8")
    rows, problems = sh.read_market_values(p)
    assert [(r.company_id, r.close, r.shares, r.row) for r in rows] == [("C001", 10.5, 1_000_000.0, 2)]
    assert len(problems) == 3 and all("market_values.csv row" in x for x in problems)
    assert "row 3" in problems[0] and "positive" in problems[0] and "row 5" in problems[2] and "source" in problems[2]


class RefusingRobots:
    """EastMoney's hosts disallow their API paths (a real Scrapy log: 'Forbidden by robots.txt:
    <GET http://74.push2.eastmoney.com/api/qt/clist/get...>'); this robots.txt says so."""

    def __call__(self, method, path, params):
        if path == "/robots.txt":
            return PlainTextResponse("User-agent: *\nDisallow: /api/qt/\n")
        return None


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    info = smallworld.build(root)
    (info["inbox"] / "market_values.csv").write_text(
        "company_id,date,close,shares,source\n"
        "C001,2015-06-24,10.25,1500000000,SSE close 2015-06-24; share capital of the 2014 annual report\n"
        "H001,2015-06-26,150,100,after the date\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    app = make_app(root, RefusingRobots())
    paths = YearPaths(out, 2014)
    with running(root, app=app) as base:
        settings = Settings(out_dir=out, inbox_dir=info["inbox"], sources={s: base for s in SOURCES},
                            crawl={"retry_times": 1, "contact": "data-team@example.org"})
        result = crawl(settings, paths, "quotes", info["candidates"], timeout=120)
    part = out / "2014" / "collect" / "parts" / "quotes"
    return {"result": result, "hits": list(app.state.log), "errors": list(read_jsonl(part / "errors.jsonl")),
            "quotes": list(read_jsonl(part / "quotes.jsonl")), "shares": list(read_jsonl(part / "shares.jsonl"))}


def test_refused_source_stops_with_one_line_naming_the_rule(refused):
    assert refused["result"]["returncode"] == 0
    stop = [e for e in refused["errors"] if e["kind"] == "RobotsDisallowed" and e["company_id"] is None]
    assert len(stop) == 2  # the kline host and the snapshot host: one line each
    assert "Disallow: /api/qt/" in stop[0]["reason"] and "/api/qt/stock/kline/get" in stop[0]["reason"]
    assert "market_values.csv" in stop[0]["reason"]
    # nothing was asked of the refused paths
    assert not any(h.path.startswith("/api/qt/") for h in refused["hits"])


def test_delivered_market_values_are_used(refused):
    q = {r["company_id"]: r for r in refused["quotes"]}
    assert set(q) == {"C001"}
    assert q["C001"]["close"] == 10.25 and q["C001"]["total_shares"] == 1.5e9 and q["C001"]["date"] == "2015-06-24"
    assert q["C001"]["market_value"] == pytest.approx(10.25 * 1.5e9) and q["C001"]["url"] == "file://market_values.csv#row=2"
    s = {r["company_id"]: r for r in refused["shares"]}
    assert s["C001"]["as_of"] == "2015-06-24" and s["C001"]["source"].startswith("market_values.csv: SSE close")
    # a row dated after the valuation date is refused, named
    assert any(e["company_id"] == "H001" and "after the valuation date" in e["reason"] for e in refused["errors"])
    # every other listed candidate: an error saying why it has no quote
    left = {e["company_id"] for e in refused["errors"] if e["kind"] == "RobotsDisallowed" and e["company_id"]}
    assert {"C002", "H001", "U001", "U004"} <= left and "C001" not in left


class RefusingApis:
    """A host whose robots.txt disallows what CNINFO's and EDGAR's spiders need."""

    def __call__(self, method, path, params):
        if path == "/robots.txt":
            return PlainTextResponse("User-agent: *\nDisallow: /new/hisAnnouncement/\nDisallow: /submissions/\n"
                                     "Disallow: /files/\n")
        return None


@pytest.mark.parametrize("name, refused", [("cninfo", "/new/hisAnnouncement/"), ("edgar", "/submissions/")])
def test_any_source_refused_by_robots_names_the_rule_once_and_every_company(tmp_path, name, refused):
    """Issue 17 item 6, for every source (not only quotes): requests robots.txt refuses are never
    sent; the source says once which rule of which host refuses them, and every company left
    without data (the 预披露 candidate included) has an error row naming the rule."""
    info = smallworld.build(tmp_path / "world")
    app = make_app(tmp_path / "world", RefusingApis())
    out = tmp_path / "out"
    with running(tmp_path / "world", app=app) as base:
        settings = Settings(out_dir=out, inbox_dir=info["inbox"], sources={s: base for s in SOURCES},
                            crawl={"retry_times": 1, "contact": "data-team@example.org"})
        result = crawl(settings, YearPaths(out, 2014), name, info["candidates"], timeout=120)
    assert result["returncode"] == 0, result
    errors = list(read_jsonl(out / "2014" / "collect" / "parts" / name / "errors.jsonl"))
    stop = [e for e in errors if e["company_id"] is None]
    assert len(stop) == 1 and stop[0]["kind"] == "RobotsDisallowed", errors
    assert f"source {name}: robots.txt of 127.0.0.1 refuses {refused} (Disallow: {refused})" in stop[0]["reason"]
    refusals = [e for e in errors if e["company_id"] and e["kind"] == "RobotsDisallowed"]
    assert all(f"(Disallow: {refused})" in e["reason"] for e in refusals)
    candidates = json.loads(Path(info["candidates"]).read_text(encoding="utf-8"))
    want = {c["company_id"] for c in candidates
            if (c["exchange"] in (("SSE", "SZSE") if name == "cninfo" else ("NYSE", "NASDAQ")) and c["ticker"])
            or (name == "cninfo" and c.get("ipo_in_progress"))}
    # every company the source covers is left without data and says why (C004, whose code is not
    # in the stock list, was never asked for: its own error says so)
    said = {e["company_id"] for e in errors if e["company_id"]}
    assert want and want == said, (said, want)
    assert len({e["company_id"] for e in refusals}) >= len(want) - 1
    assert not any(h.path.startswith(refused) for h in app.state.log)
    assert [h.path for h in app.state.log].count("/robots.txt") <= 3  # Scrapy's read, and ours once
