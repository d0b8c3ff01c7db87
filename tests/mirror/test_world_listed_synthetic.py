"""Listed synthetic candidates: worlds larger than 300 list one in four of the extra candidates
on SZSE (fictitious codes, their annual report on CNINFO, their quote); the 300 world has none."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from mirror.world import registry
from mirror.world.registry import build_registry, listed_synthetic_count, read_list

SEED = 2015


def load(p: Path):
    return json.loads(p.read_text(encoding="utf-8"))


def test_the_300_world_lists_no_synthetic_candidate(world, world_json, listed):
    """The demo world (pinned by its known-answer tests) is unchanged: no synthetic company is
    listed, CNINFO and the market mirror hold the list's companies only."""
    assert len(world_json["companies"]) == 300 and listed_synthetic_count(300) == 0
    assert not [c["company_id"] for c in world_json["companies"] if c["synthetic"] and (c["exchange"] or c["ticker"])]
    ashare = {c["ticker"] for c in listed if c["exchange"] in ("SSE", "SZSE")}
    stocks = load(world / "sources" / "cninfo" / "szse_stock.json")["stockList"]
    assert {s["code"] for s in stocks} == ashare and len(ashare) == 23
    ann = load(world / "sources" / "cninfo" / "announcements.json")
    assert {a["secCode"] for a in ann} == ashare and len(ann) == 52
    assert len(list((world / "sources" / "cninfo_static").rglob("*.PDF"))) == 29
    assert len(list((world / "sources" / "market" / "kline").glob("*.json"))) == 71
    with (world / "inbox" / "listings.csv").open(encoding="utf-8") as f:
        assert {r["company_id"] for r in csv.DictReader(f)} == {c["company_id"] for c in listed if c["exchange"]}


def test_count_is_one_in_four_extra_candidates():
    assert [listed_synthetic_count(n) for n in (300, 303, 304, 1000, 3000)] == [0, 0, 1, 175, 675]


def test_registry_lists_lower_scoring_synthetic_candidates_only(monkeypatch):
    companies = build_registry(SEED, 1000)
    syn = [c for c in companies if c.synthetic and c.exchange]
    assert len(syn) == 175
    assert {(c.role, c.exchange, c.ticker_src) for c in syn} == {("lower_score", "SZSE", "generated")}
    codes = [c.ticker for c in syn]
    assert all(re.fullmatch(r"29\d{4}", t) for t in codes) and len(set(codes)) == len(codes)
    assert not set(codes) & {r["ticker"] for r in read_list()}
    shorts = [c.short_name for c in syn]
    assert len(set(shorts)) == len(shorts) and all(s.endswith("（虚构）") and s[:2] == c.legal_name[:2]
                                                   for s, c in zip(shorts, syn))
    assert all(c.short_name is None for c in companies if not c.exchange or not c.synthetic)
    # own random stream: without the listing the registry is the same, company by company
    monkeypatch.setattr(registry, "list_synthetic", lambda *a: [])
    plain = build_registry(SEED, 1000)
    listing = ("exchange", "ticker", "ticker_src", "short_name")
    for a, b in zip(companies, plain):
        assert {k: v for k, v in vars(a).items() if k not in listing} == \
            {k: v for k, v in vars(b).items() if k not in listing}, a.company_id
    assert sum(a.exchange != b.exchange for a, b in zip(companies, plain)) == 175


@pytest.fixture(scope="module")
def world400(tmp_path_factory) -> Path:
    from mirror.generate import generate

    return generate(tmp_path_factory.mktemp("world400") / "w", seed=SEED, candidates=400)


def test_larger_world_publishes_their_reports_and_quotes(world400):
    w = load(world400 / "world.json")
    exp = load(world400 / "expected_findings.json")
    comps = w["companies"]
    syn = [c for c in comps if c["synthetic"] and c["exchange"]]
    lst = [c for c in comps if c["published_rank"]]
    assert len(syn) == 25 and {(c["role"], c["excluded_reason"]) for c in syn} == {("lower_score", None)}
    ids = {c["company_id"] for c in syn}
    # no finding, no trap for them; the list's traps as in the 300 world
    assert not [f for f in exp["findings"] if f["company_id"] in ids]
    assert not [t for t in exp["traps"] if t.get("company_id") in ids]
    kinds = [t["kind"] for t in exp["traps"]]
    assert (kinds.count("superseded_report"), kinds.count("cancelled_announcement"),
            kinds.count("market_value_date_not_trading_day")) == (2, 2, 3)
    assert w["calibration"]["ordered"] and w["expected_ranking"] == [
        c["company_id"] for c in sorted(lst, key=lambda c: c["published_rank"])]
    # CNINFO: in the stock list, one full annual report (PDF written) and its 摘要 each
    src = world400 / "sources"
    stocks = {s["code"]: s for s in load(src / "cninfo" / "szse_stock.json")["stockList"]}
    ann = load(src / "cninfo" / "announcements.json")
    assert len({a["announcementId"] for a in ann}) == len(ann)
    floor = min(c["truth"]["market_value"] for c in lst if c["exchange"])
    for c in syn:
        assert stocks[c["ticker"]]["orgId"] == f"gssz0{c['ticker']}" and "虚构" in stocks[c["ticker"]]["zwjc"]
        rows = [a for a in ann if a["secCode"] == c["ticker"]]
        assert sorted(a["announcementTitle"] for a in rows) == ["2014年年度报告", "2014年年度报告摘要"]
        report = next(a for a in rows if a["announcementTitle"] == "2014年年度报告")
        assert report["pageColumn"] == "SZZB" and (src / "cninfo_static" / report["adjunctUrl"]).is_file()
        # the quote: the last close on the market-value date, total shares; a small market value
        t = c["truth"]
        kline = load(src / "market" / "kline" / f"0.{c['ticker']}.json")
        assert kline[-1].startswith("2015-06-25,") and float(kline[-1].split(",")[2]) == t["close"]
        snap = load(src / "market" / "stock" / f"0.{c['ticker']}.json")
        assert snap["f84"] == t["total_shares"] and t["market_value"] == pytest.approx(t["close"] * t["total_shares"])
        assert floor < t["market_value"] < 2.6 * floor and "users" not in t
    with (world400 / "inbox" / "listings.csv").open(encoding="utf-8") as f:
        rows = {r["company_id"]: r for r in csv.DictReader(f)}
    assert len(rows) == 71 + 25 and all((rows[c["company_id"]]["exchange"], rows[c["company_id"]]["ticker"])
                                        == ("SZSE", c["ticker"]) for c in syn)


def test_a_borrowed_licence_is_one_of_its_own_type(world400):
    """licence_mismatch declares a list company's number of the candidate's own licence type, so
    that it is the one expected finding (in this world two first draws were of another type)."""
    from top100.vocab import LICENCE_PATTERNS, LicenceType

    comps = load(world400 / "world.json")["companies"]
    numbers = {c["licence_number"] for c in comps if c["published_rank"]}
    mismatch = [c for c in comps if c["role"] == "licence_mismatch"]
    assert len(mismatch) == 6
    for c in mismatch:
        declared = c["truth"]["declared_licence"]
        assert declared in numbers and LICENCE_PATTERNS[LicenceType(c["licence_type"])].match(declared), c


def test_their_forms_declare_the_listing_and_their_report_agrees(world400):
    """The form's exchange/ticker cells (what flows.candidates reads for the spiders) and the
    annual report's figures, read by the pipeline's own extractors."""
    from extractors import cn_annual, forms

    w = load(world400 / "world.json")
    syn = sorted((c for c in w["companies"] if c["synthetic"] and c["exchange"]), key=lambda c: c["company_id"])
    c = next(c for c in syn if c["truth"]["operating_profit"] < 0)  # a loss: signs must survive
    res = forms.read_form(world400 / "inbox" / "declarations" / f"{c['company_id']}.xlsx", "0" * 64)
    assert not res.errors
    cells = {d.field: d.value for d in res.declared if d.fiscal_year == 2014}
    assert (cells["exchange"], cells["ticker"]) == ("SZSE", c["ticker"]) and "users" not in cells
    assert cells["revenue"] == pytest.approx(c["truth"]["revenue"])
    ann = load(world400 / "sources" / "cninfo" / "announcements.json")
    url = next(a["adjunctUrl"] for a in ann if a["secCode"] == c["ticker"] and a["announcementTitle"] == "2014年年度报告")
    got = cn_annual.extract(world400 / "sources" / "cninfo_static" / url, company_id=c["company_id"])
    assert not got.errors
    facts = {(f.metric, f.fiscal_year): f.value for f in got.facts}
    for metric in ("revenue", "operating_profit", "net_profit", "employees_total"):
        assert facts[(metric, 2014)] == pytest.approx(c["truth"][metric]), metric
