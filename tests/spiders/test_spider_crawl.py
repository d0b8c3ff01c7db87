"""Every spider against the mirror serving a small world (tests/spiders/smallworld.py), with
faults on first requests (a block page, a 429 with Retry-After, SEC's 403 rate-limit page).

One collect run of the five crawls and a second run, shared by all tests of the module."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from starlette.responses import HTMLResponse, PlainTextResponse

import smallworld
from mirror.server import make_app, running
from spiders import config
from spiders.runner import collect_all
from top100.config import Settings
from top100.jsonl import read_jsonl
from top100.paths import YearPaths, raw_path

SOURCES = ("cninfo", "cninfo_static", "hkex", "sec_www", "sec_data", "quotes", "quotes_snapshot", "fx")
CAPS = {"cninfo": 4.0, "cninfo_static": 5.0, "hkex": 5.0, "sec_www": 6.0, "sec_data": 6.0, "quotes": 5.0,
        "quotes_snapshot": 5.0, "fx": 4.0}
KLINE = "/api/qt/stock/kline/get"
pytestmark = pytest.mark.xdist_group("spider-crawl")  # one module fixture: keep its tests on one worker
BLOCK = "<html><head><title>访问被拦截！</title></head><body>您的请求疑似攻击行为！</body></html>"
SEC_403 = "<html>Your request has been identified as part of a network of automated tools. Request Rate Threshold Exceeded</html>"


class FirstTimeFaults:
    """The first request of a few endpoints fails the way the real hosts fail."""

    def __init__(self) -> None:
        self.seen: Counter = Counter()

    def __call__(self, method, path, params):
        if path == "/robots.txt":  # every time: one filing folder is off limits
            return PlainTextResponse("User-agent: *\nDisallow: /Archives/edgar/data/1329099/\n")
        key = (path, params.get("secid"))
        self.seen[key] += 1
        if self.seen[key] > 1:
            return None
        if path == "/new/data/szse_stock.json":
            return HTMLResponse(BLOCK)  # 200 with HTML where JSON is expected
        if path == KLINE and params.get("secid") == "105.BIDU":
            return PlainTextResponse("Too Many Requests", status_code=429, headers={"Retry-After": "1"})
        if path == "/files/company_tickers.json":
            return HTMLResponse(SEC_403, status_code=403)
        return None


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    info = smallworld.build(root)
    out = tmp_path_factory.mktemp("out")
    app = make_app(root, FirstTimeFaults())
    claims = out / "budget-claims.jsonl"  # the send times as the crawls claimed them (spiders.budget)
    overrides = {"TOP100_BACKOFF_BASE": 0.2, "TOP100_RATE_LIMIT_PAUSE": 1.5, "TOP100_BUDGET_LOG": str(claims)}
    paths = YearPaths(out, 2014)

    def settings_for(base: str) -> Settings:
        return Settings(out_dir=out, inbox_dir=info["inbox"], sources={s: base for s in SOURCES},
                        crawl={"hkex_enabled": True, "retry_times": 2, "rate_limits": CAPS,
                               "contact": "data-team@example.org"})

    with running(root, app=app) as base:
        first = collect_all(settings_for(base), paths, info["candidates"], scrapy_overrides=overrides)
    n_first = len(app.state.log)
    docs_first = paths.documents.read_text(encoding="utf-8")
    with running(root, app=app) as base2:  # a new port, as every demo run gets
        settings = settings_for(base2)
        second = collect_all(settings, paths, info["candidates"], scrapy_overrides=overrides)
        yield SimpleNamespace(
            root=root, info=info, out=out, base=base2, settings=settings, paths=paths, app=app,
            first=first, second=second, hits1=app.state.log[:n_first], hits2=app.state.log[n_first:],
            docs_first=docs_first, docs=list(read_jsonl(paths.documents)), errors=list(read_jsonl(paths.collect_errors)),
            claims=list(read_jsonl(claims)),
            quotes={q["company_id"]: q for q in read_jsonl(paths.quotes)}, fx=list(read_jsonl(paths.fx)),
        )


def paths_of(hits, prefix=""):
    return [h.path for h in hits if h.path.startswith(prefix)]


def test_every_crawl_ran(run):
    for name, r in run.first["crawls"].items():
        assert r["returncode"] == 0 and "failure" not in r, (name, r)
    assert set(run.first["crawls"]) == {"cninfo", "hkex", "edgar", "quotes", "fx"}


def test_cninfo_documents(run):
    got = {(d["company_id"], d["doc_type"], d["source_id"]): d for d in run.docs if d["source"] == "cninfo"}
    assert set(got) == {("C001", "annual_report", "1000005"), ("C002", "annual_report", "2000003"),
                        ("C002", "prospectus", "2000001"), ("N002", "prospectus", "7000001")}
    revised = got[("C001", "annual_report", "1000005")]
    assert revised["supersedes"] == "1000001" and "修订版" in revised["title"]
    assert revised["published_at"] == "2015-04-10T00:00:00+08:00" and revised["fiscal_year"] == 2014
    fetched = paths_of(run.hits1, "/finalpage/")
    for skipped in ("1000001", "1000002", "1000003", "1000004", "1000006", "2000002"):  # 摘要, 英文版, 已取消, 附录...
        assert not any(skipped in p for p in fetched), skipped
    # 33 rows for C002's annual query: its report is on page 2; one pre-disclosure search
    assert sum(1 for h in run.hits1 if h.path == "/new/hisAnnouncement/query") == 10


def test_cninfo_windows_and_pre_disclosure(run):
    # searched up to the evaluation date: the 2015-07-10 更新后 revision (newer than the 修订版, so
    # it would win in a window to the year's end) is after the date and never seen
    assert not any("1000007" in p for p in paths_of(run.hits1 + run.hits2, "/finalpage/"))
    got = [d for d in run.docs if d["company_id"] == "C001"]
    assert [d["source_id"] for d in got] == ["1000005"]
    # the unlisted candidate with an IPO in progress: its pre-disclosed prospectus (申报稿), not that
    # of the other company whose name contains its name
    assert not any("7000002" in p for p in paths_of(run.hits1, "/finalpage/"))
    n002 = [d for d in run.docs if d["company_id"] == "N002"]
    assert [d["doc_type"] for d in n002] == ["prospectus"] and "申报稿" in n002[0]["title"]
    assert not any(e["company_id"] in ("N001", "N002") for e in run.errors if e["kind"] != "SourceError" or
                   "pre-disclosure" not in e["reason"])


def test_block_page_is_retried_not_parsed(run):
    stock_list = [h for h in run.hits1 if h.path == "/new/data/szse_stock.json"]
    assert len(stock_list) == 2  # the block page, then the real list
    assert not any("szse_stock" in (e.get("url") or "") and e["company_id"] is None for e in run.errors)


def test_failure_rows_name_company_url_and_reason(run):
    by_company = defaultdict(list)
    for e in run.errors:
        assert e["stage"] == "collect" and e["reason"] and e["url"], e
        by_company[e["company_id"]].append(e["reason"])
    assert any("no annual report for fiscal year 2014" in r for r in by_company["C003"])  # empty result
    assert any("empty kline series" in r for r in by_company["C003"])
    assert any("not in the CNINFO stock list" in r for r in by_company["C004"])
    assert any("truncated" in r for r in by_company["C005"])  # the world's PDF is cut
    assert not any(d["company_id"] == "C005" for d in run.docs)
    assert len(paths_of(run.hits1, "/finalpage/2015-04-01/5000001.PDF")) == 3  # tried, then retried twice


def test_hkex_documents_language_and_windows(run):
    got = {d["company_id"]: d for d in run.docs if d["source"] == "hkex"}
    assert got["H001"]["url"].endswith("/ar2014.pdf")  # English preferred; cancelled and .htm rows dropped
    assert got["H002"]["url"].endswith("/h2_c.pdf")  # only Chinese: the other language
    assert got["H001"]["published_at"] == "2015-03-31T17:00:00+08:00"
    listed = paths_of(run.hits1, "/listedco/")
    assert not any(p.endswith(("old.pdf", "multi.htm", "ir.pdf", "ar2014_c.pdf")) for p in listed)
    searches = [h for h in run.hits1 if h.path == "/search/titleSearchServlet.do"]
    assert searches and all(h.method == "GET" for h in searches)
    from datetime import datetime
    for h in searches:
        q = {k: v[0] for k, v in parse_qs(h.query).items()}
        span = datetime.strptime(q["toDate"], "%Y%m%d") - datetime.strptime(q["fromDate"], "%Y%m%d")
        assert span.days < 365 and q["stockId"] in ("7609", "8888")  # the `i` id, not `s`


def test_edgar_documents_overflow_and_rate_limit(run):
    got = {(d["company_id"], d["doc_type"]): d for d in run.docs if d["source"] == "edgar"}
    assert set(got) == {("U001", "companyfacts"), ("U002", "companyfacts"), ("U002", "20-F"),
                        ("U002", "F-1"), ("U002", "424B4"), ("U004", "companyfacts"), ("U004", "20-F"),
                        ("U005", "companyfacts"), ("U005", "20-F"), ("U006", "companyfacts"), ("U006", "20-F")}
    assert got[("U002", "20-F")]["source_id"] == "0001104659-15-030982"


def test_edgar_identity_as_of_the_year(run):
    got = {(d["company_id"], d["doc_type"]): d for d in run.docs if d["source"] == "edgar"}
    # QIHU is not in today's ticker map: the supplied CIK finds its FY2014 20-F
    assert got[("U004", "20-F")]["source_id"] == "0001047469-15-003000"
    assert "/Archives/edgar/data/1508913/" in got[("U004", "20-F")]["url"]
    # a 10-K filer: the amendment filed later wins, the original is named as superseded
    assert got[("U005", "20-F")]["source_id"] == "0001104188-15-000020"
    assert got[("U005", "20-F")]["supersedes"] == "0001104188-15-000010"
    assert got[("U005", "20-F")]["title"].startswith("10-K/A ")
    # a June year end: the report for the period ended 2014-06-30 is fiscal 2014
    assert got[("U006", "20-F")]["source_id"] == "0001000006-14-000001"
    # today's SOHU is another filer (filed from 2019): an error naming the company and the fix, no documents
    sohu = [e for e in run.errors if e["company_id"] == "U003" and e["kind"] == "IdentityError"]
    assert len(sohu) == 1 and "CIK 1734107 (Sohu.com Ltd)" in sohu[0]["reason"]
    assert "cik column of listings.csv" in sohu[0]["reason"] and "fiscal 2014" in sohu[0]["reason"]
    assert not any(d["company_id"] == "U003" for d in run.docs if d["source"] == "edgar")
    # a supplied CIK never asks today's ticker map for that company; the map was asked once for the rest
    assert [h.status for h in run.hits1 if h.path == "/files/company_tickers.json"] == [403, 200]


def test_robots_txt_is_obeyed(run):
    assert not any(h.path.startswith("/Archives/edgar/data/1329099/") for h in run.hits1 + run.hits2)
    refused = [e for e in run.errors if e["company_id"] == "U001" and "robots" in e["reason"]]
    # the FY2014 20-F (not FY2013's) was the one asked for, and refused by robots.txt
    assert [e["url"].rsplit("/", 1)[-1] for e in refused] == ["bidu-20f2014.htm"]
    assert "/submissions/CIK0001595761-submissions-001.json" in paths_of(run.hits1)
    tickers = [h for h in run.hits1 if h.path == "/files/company_tickers.json"]
    assert [h.status for h in tickers] == [403, 200] and tickers[1].time - tickers[0].time >= 1.4
    sec = [h for h in run.hits1 if h.source in ("sec_www", "sec_data")]
    assert all(h.user_agent == run.settings.user_agent and "@" in h.user_agent for h in sec)


def test_quotes(run):
    q = run.quotes
    assert q["C001"]["date"] == "2015-06-24" and q["C001"]["requested_date"] == "2015-06-25"  # no trading on the 25th
    assert q["C001"]["close"] == 10.0 and q["C001"]["total_shares"] == 1.0e9 and q["C001"]["currency"] == "CNY"
    assert q["C001"]["market_value"] == 10.0 * 1.0e9
    assert q["H001"]["currency"] == "HKD" and q["U001"]["ads_ratio"] == 0.1 and q["U001"]["currency"] == "USD"
    # the price is per ADS, the shares are ordinary shares: 0.1 ordinary share per ADS
    assert q["U001"]["total_shares"] == 1.0e9 and q["U001"]["market_value"] == pytest.approx(200.0 * 1.0e9 / 0.1)
    assert "C003" not in q and "N001" not in q  # an empty series is an error, not a zero; unlisted: none
    bidu = [h for h in run.hits1 if h.path == KLINE and "105.BIDU" in h.query]
    assert [h.status for h in bidu] == [429, 200] and bidu[1].time - bidu[0].time >= 0.95  # Retry-After: 1


def test_shares_as_of_the_valuation_date(run):
    shares = {r["company_id"]: r for r in read_jsonl(run.paths.shares)}
    # a US filer with a CIK: the cover count filed before the date (both classes added), not
    # the later 6-K's; the price is per ADS (1.5 ordinary shares each)
    assert shares["U004"]["shares"] == 120_000_000 and shares["U004"]["as_of"] == "2015-03-31"
    assert shares["U004"]["filed"] == "2015-04-20" and not shares["U004"]["fallback"]
    assert "EntityCommonStockSharesOutstanding" in shares["U004"]["source"] and "/api/xbrl/companyfacts/" in shares["U004"]["url"]
    q = run.quotes["U004"]
    assert q["total_shares"] == 120_000_000 and q["market_value"] == pytest.approx(60.0 * 120_000_000 / 1.5)
    # without a CIK or a disclosed count: today's snapshot, labelled as the fallback
    assert shares["C001"]["fallback"] and "fallback" in shares["C001"]["source"] and shares["C001"]["as_of"] is None
    assert shares["U001"]["fallback"]
    # stock/get went to the snapshot host's path, kline to the history host's
    assert any(h.path == "/api/qt/stock/get" for h in run.hits1) and any(h.path == KLINE for h in run.hits1)


def test_fx(run):
    year = [r for r in run.fx if r["requested_date"].startswith("2014")]
    assert len(year) == 2 * run.info["fx_days_2014"]
    assert all(r["date"] == r["requested_date"] for r in year)
    mv = {r["pair"]: r for r in run.fx if r["requested_date"] == "2015-06-25"}
    assert set(mv) == {"USD/CNY", "HKD/CNY"} and mv["USD/CNY"]["date"] == "2015-06-24"  # none published on the 25th
    calls = [h for h in run.hits1 if h.source == "fx"]
    from datetime import date
    for h in calls:
        q = {k: v[0] for k, v in parse_qs(h.query).items()}
        assert h.method == "POST"
        assert (date.fromisoformat(q["endDate"]) - date.fromisoformat(q["startDate"])).days < 365


def _busiest(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_politeness_measured_at_the_mirror(run):
    """Every source's cap holds in any one-second window: exactly as the crawls sent (the budget's
    claims, every crawl process together: edgar and quotes both ask SEC), and as the mirror saw the
    requests arrive, where the machine's scheduling may bunch two arrivals (one request of jitter
    allowed there, never a burst)."""
    per_slot = defaultdict(list)
    for h in run.hits1 + run.hits2:
        source = "quotes_snapshot" if h.path == "/api/qt/stock/get" else h.source  # its own host (push2)
        if source in SOURCES:
            per_slot[config.slot_of(source)].append(h.time)
    assert set(per_slot) == {"cninfo", "cninfo_static", "hkex", "sec", "quotes", "quotes_snapshot", "fx"}
    sent = defaultdict(list)
    for c in run.claims:
        sent[c["slot"]].append(c["at"])
    assert set(sent) == set(per_slot)
    for slot, times in per_slot.items():
        cap = config.slot_rate(run.settings, slot)
        assert _busiest(sent[slot]) <= cap, f"{slot}: {_busiest(sent[slot])} requests sent in one second, cap {cap}"
        assert len(sent[slot]) >= len(times), slot  # every request that reached the mirror was claimed
        busiest = _busiest(times)
        assert busiest <= cap + 1, f"{slot}: {busiest} requests arrived in one second, cap {cap}"
        gaps = sorted(b - a for a, b in zip(sorted(times), sorted(times)[1:]))
        # no bursts: half the arrivals are spaced at least as the cap asks
        assert gaps[len(gaps) // 2] >= 0.9 / cap, f"{slot}: median gap {gaps[len(gaps) // 2]:.3f} s, cap {cap}/s"
    assert any(h.path == "/robots.txt" for h in run.hits1)


def test_raw_store_is_content_addressed_and_read_only(run):
    for d in run.docs:
        p = raw_path(run.paths.raw_store, d["sha256"])
        data = p.read_bytes()
        assert hashlib.sha256(data).hexdigest() == d["sha256"] and len(data) == d["size"]
        assert not p.stat().st_mode & stat.S_IWUSR
        if d["doc_type"] in ("annual_report", "prospectus", "hk_annual_report"):
            assert data.startswith(b"%PDF-")


def test_each_document_fetched_once_and_second_run_fetches_nothing_new(run):
    docs1 = [p for p in paths_of(run.hits1) if p.startswith(("/finalpage/", "/listedco/", "/Archives/", "/api/xbrl/"))
             and "5000001" not in p]
    # the quotes crawl also reads the companyfacts of the US candidates with a CIK for their share
    # count (through the shared HTTP cache, so at most one extra call each, none when the edgar
    # crawl's answer is already cached); every other document exactly once
    facts = Counter(p for p in docs1 if p.startswith("/api/xbrl/"))
    others = [p for p in docs1 if not p.startswith("/api/xbrl/")]
    assert len(others) == len(set(others)) == len([d for d in run.docs if d["doc_type"] != "companyfacts"])
    assert len(facts) == len([d for d in run.docs if d["doc_type"] == "companyfacts"])
    assert all(n == 1 for p, n in facts.items() if p not in ("/api/xbrl/companyfacts/CIK0001508913.json",
                                                             "/api/xbrl/companyfacts/CIK0001104188.json"))
    assert all(n <= 2 for n in facts.values())
    docs2 = [p for p in paths_of(run.hits2) if p.startswith(("/finalpage/", "/listedco/", "/Archives/", "/api/xbrl/"))]
    # only what failed (the truncated PDF) is tried again
    assert docs2 and set(docs2) == {"/finalpage/2015-04-01/5000001.PDF"}
    assert run.second["downloaded"] == 0 and run.second["already_stored"] == len(run.docs)
    assert run.paths.documents.read_text(encoding="utf-8") == run.docs_first  # the table is unchanged
    listings = [h for h in run.hits2 if h.path in ("/new/data/szse_stock.json", "/files/company_tickers.json",
                                                     "/new/hisAnnouncement/query")]
    assert listings == []  # still fresh in the HTTP cache


def test_standalone_scrapy_crawl_with_default_settings(run, tmp_path):
    """`scrapy crawl cninfo -a year=2014 -a companies=...` from the project root, configured by
    top100.config.load_settings() (here through TOP100_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOP100_")}
    env.update({f"TOP100_SOURCES__{s.upper()}": run.base for s in SOURCES})
    env.update({"TOP100_OUT_DIR": str(tmp_path), "TOP100_CRAWL__RATE_LIMITS__CNINFO": "8",
                "TOP100_CRAWL__RATE_LIMITS__CNINFO_STATIC": "8",
                "TOP100_CONFIG": str(tmp_path / "absent.toml")})
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "cninfo", "-a", "year=2014",
                           "-a", "companies=600001,300002"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    docs = list(read_jsonl(tmp_path / "2014" / "collect" / "parts" / "cninfo" / "documents.jsonl"))
    assert {d["company_id"] for d in docs} == {"600001", "300002"}
    summary = json.loads((tmp_path / "2014" / "collect" / "parts" / "cninfo" / "summary.json").read_text())
    assert summary["documents"] == 3


def test_the_quotes_are_taken_on_the_years_valuation_date_given_by_the_runner(run, tmp_path):
    """The valuation date is the year's (top100.year), handed to the crawl (-a valuation_date=):
    another date, another requested day."""
    from datetime import date

    from spiders.runner import crawl

    settings = run.settings.model_copy(update={"out_dir": tmp_path})
    paths = YearPaths(tmp_path, 2014)
    result = crawl(settings, paths, "quotes", run.info["candidates"], valuation_date=date(2015, 6, 23),
                   scrapy_overrides={"TOP100_BACKOFF_BASE": 0.2})
    assert result["returncode"] == 0, result
    quotes = {q["company_id"]: q for q in read_jsonl(tmp_path / "2014" / "collect" / "parts" / "quotes" / "quotes.jsonl")}
    assert quotes and {q["requested_date"] for q in quotes.values()} == {"2015-06-23"}
    assert all(q["date"] <= "2015-06-23" for q in quotes.values())
