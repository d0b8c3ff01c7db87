"""The FY2013 demo world (the 2014 list): the same companies one year earlier than the FY2014
world of the same seed, and what the 2015 report states about its list (section 二: 去年/上年度).

Its figures are the FY2014 world's prior-year columns, as the forms and the public record print
them; the companies the report names as new in 2015 are not on it; its aggregate figures are the
report's (3980 亿元, 8 provinces, one central/western company, traffic top 5 = 74%, top 20 = 95%);
the generator's own statement of the method ranks it in its expected order; it plants its own
defects and traps."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from top100.form_template import FIELDS, FIRST_FIELD_ROW, MONEY_UNITS, SHEET

BN = 1e9
# the seed's words about the 2015 list's new companies (section 二(二) and (四)), by legal name
NAMED_NEW = {
    "上海钢联电子商务股份有限公司": "首次进入了百强行列", "科通芯城集团": "首次进入了百强行列",
    "上海陆家嘴国际金融资产交易市场股份有限公司": "首次入围百强", "人人贷商务顾问(北京)有限公司": "首次入围百强",
    "四川省艾普网络股份有限公司": "首次进入百强榜", "黑龙江龙采科技集团有限责任公司": "开始进入百强榜",
}
# 中部 and 西部 of the official division (the report: 1 company last year, 5 this year)
CENTRAL = {"shanxi", "anhui", "jiangxi", "henan", "hubei", "hunan"}
WESTERN = {"inner_mongolia", "guangxi", "chongqing", "sichuan", "guizhou", "yunnan", "tibet", "shaanxi", "gansu",
           "qinghai", "ningxia", "xinjiang"}


def _load(p: Path):
    return json.loads(p.read_text(encoding="utf-8"))


def _list(w: dict) -> list[dict]:
    return sorted((c for c in w["companies"] if c["published_rank"]), key=lambda c: c["published_rank"])


def _form(path: Path) -> dict[str, tuple]:
    """field -> (current, prior, unit) as printed (money in 元 via the printed unit)."""
    ws = load_workbook(path, read_only=True)[SHEET]
    rows = list(ws.iter_rows(min_row=FIRST_FIELD_ROW, max_col=5, values_only=True))
    out = {}
    for f, (code, _label, cur, prior, unit) in zip(FIELDS, rows):
        assert code == f.code
        if f.two_years:
            k = MONEY_UNITS.get(unit, 1) if f.kind == "money" else 1
            out[code] = (None if cur is None else cur * k, None if prior is None else prior * k, unit)
    return out


def test_the_2014_list_is_what_the_2015_report_says_about_it(world13, world13_json):
    lst = _list(world13_json)
    assert [c["published_rank"] for c in lst] == list(range(1, 101))
    assert world13_json["expected_ranking"] == [c["company_id"] for c in lst]
    assert sum(c["truth"]["internet_revenue"] for c in lst) == pytest.approx(398.0 * BN, rel=1e-9)  # 3980 亿元
    assert len({c["province"] for c in lst}) == 8  # 10 provinces in 2015, 较上年增加了两个省份
    central_western = [c for c in lst if c["province"] in CENTRAL | WESTERN]
    assert [(c["province"], c["legal_name"]) for c in central_western] == [("hunan", "拓维信息系统股份有限公司")]
    assert min(c["truth"]["internet_revenue"] for c in lst) > 2e8  # above the floor
    # traffic concentration from the delivered file, as the pipeline reads it
    with (world13 / "inbox" / "traffic.csv").open(encoding="utf-8") as f:
        rows = {r["company_id"]: float(r["desktop"]) + float(r["mobile"]) for r in csv.DictReader(f)
                if r["fiscal_year"] == "2013"}
    tr = sorted((rows[c["company_id"]] for c in lst), reverse=True)
    assert sum(tr[:5]) / sum(tr) == pytest.approx(0.74, abs=1e-4)
    assert sum(tr[:20]) / sum(tr) == pytest.approx(0.95, abs=1e-4)


def test_entrants_and_leavers(world, world_json, world13_json):
    lst13, lst14 = _list(world13_json), _list(world_json)
    ids13, ids14 = {c["company_id"] for c in lst13}, {c["company_id"] for c in lst14}
    by_name14 = {c["legal_name"]: c for c in lst14}
    assert set(NAMED_NEW) <= set(by_name14)  # the seed's names, as the report prints them
    for name in NAMED_NEW:
        assert by_name14[name]["company_id"] not in ids13, name
    hunan14 = [c["company_id"] for c in lst14 if c["province"] == "hunan"]
    assert len(hunan14) == 3 and len(set(hunan14) - ids13) == 2  # Hunan 1 -> 3
    cw14 = {c["company_id"] for c in lst14 if c["province"] in CENTRAL | WESTERN}
    assert len(cw14) == 5 and len(cw14 & ids13) == 1  # central/western 1 -> 5
    entrants = ids14 - ids13
    assert entrants == set(world13_json["entrants"])
    # leavers: fictitious, on the 2014 list, not candidates of the FY2014 world at all
    leavers = [c for c in lst13 if c["company_id"] not in ids14]
    assert len(leavers) == len(entrants) and {c["company_id"] for c in leavers} == set(world13_json["leavers"])
    every14 = {c["company_id"] for c in world_json["companies"]}
    names14 = {c["legal_name"] for c in world_json["companies"]}
    for c in leavers:
        assert c["synthetic"] and c["legal_name"].endswith("（虚构）") and "虚构" in c["brands"]
        assert c["company_id"] not in every14 and c["legal_name"] not in names14
        assert c["province"] not in CENTRAL | WESTERN
    # the continuing companies are the FY2014 world's, same id, name and brands
    for c in lst13:
        if c["company_id"] in ids14:
            c14 = next(x for x in lst14 if x["company_id"] == c["company_id"])
            assert (c["legal_name"], c["brands"], c["province"]) == (c14["legal_name"], c14["brands"], c14["province"])
    # an entrant that was a FY2013 candidate was below the floor
    cands13 = {c["company_id"]: c for c in world13_json["companies"]}
    for cid in entrants & set(cands13):
        assert cands13[cid]["excluded_reason"] == "below_floor" and cands13[cid]["truth"]["internet_revenue"] < 2e8


PRIOR = {"revenue": "revenue_prior", "internet_revenue": "internet_revenue_prior",
         "operating_profit": "operating_profit_prior", "net_profit": "net_profit_prior",
         "employees_total": "employees_total_prior", "internet_revenue_declared": "internet_revenue_declared_prior"}


def test_fy2013_figures_are_the_fy2014_worlds_prior_year_figures(world_json, world13_json):
    by14 = {c["company_id"]: c for c in world_json["companies"]}
    both = [c for c in world13_json["companies"] if c["company_id"] in by14]
    assert len(both) >= 90
    for c in both:
        t13, t14 = c["truth"], by14[c["company_id"]]["truth"]
        for metric, prior in PRIOR.items():
            assert t13[metric] == t14[prior], (c["company_id"], metric)
        assert t13["rd_expense"] == pytest.approx(0.8 * t14["rd_expense"], rel=1e-12)
        if "operating_cost_prior" in t14:
            assert t13["operating_cost"] == t14["operating_cost_prior"]
        if "users_prior" in t14 and not c["exchange"]:
            assert t13["users"] == t14["users_prior"]
        # and FY2013 has a prior year of its own (FY2012)
        assert t13["internet_revenue_prior"] > 0 and t13["revenue_prior"] > 0


def _edited(expected: dict) -> set[tuple[str, str]]:
    """(company, metric) of the planted defects that change a declared cell."""
    return {(f["company_id"], f["metric"]) for f in expected["findings"]}


def test_the_fy2014_forms_prior_year_column_is_the_fy2013_forms_year(world, world13, expected):
    """The documents agree, not only the truth: what a company declares for FY2013 in 2014 is
    what it declares again as its prior year in 2015 (cells edited by a planted defect aside)."""
    exp13 = _load(world13 / "expected_findings.json")
    skip = _edited(expected) | _edited(exp13)
    checked = 0
    for p13 in sorted((world13 / "inbox" / "declarations").glob("C*.xlsx")):
        p14 = world / "inbox" / "declarations" / p13.name
        if not p14.exists() or "_" in p13.stem:
            continue
        f13, f14 = _form(p13), _form(p14)
        for code in ("revenue", "internet_revenue", "operating_cost", "operating_profit", "net_profit", "rd_expense",
                     "employees_total", "users"):
            if (p13.stem, code) in skip or code not in f13 or code not in f14:
                continue
            if code == "revenue" and (p13.stem, "internet_revenue") in skip:
                continue
            now, before = f13[code][0], f14[code][1]
            if now is None and before is None:
                continue
            if code == "users" and f14[code][0] is None:  # listed by 2015: scored on market value, no users
                continue
            assert now is not None and before is not None, (p13.stem, code)
            assert now == pytest.approx(before, rel=1e-6, abs=100), (p13.stem, code, now, before)
            checked += 1
    assert checked > 500


def test_the_public_record_agrees_between_the_two_worlds(world, world13):
    """FY2013 in the FY2014 world's companyfacts (the prior-year rows) is what the FY2013
    world's companyfacts report for the year; the central parity of a day is the same in both."""
    checked = 0
    for p13 in sorted((world13 / "sources" / "sec" / "companyfacts").glob("CIK*.json")):
        f13, f14 = _load(p13), _load(world / "sources" / "sec" / "companyfacts" / p13.name)
        for tag, entry in f13["facts"]["us-gaap"].items():
            for unit, rows in entry["units"].items():
                mine = {r["val"] for r in rows if r["end"] == "2013-12-31" and r["fy"] == 2013}
                theirs = {r["val"] for r in f14["facts"]["us-gaap"][tag]["units"][unit] if r["end"] == "2013-12-31"}
                assert mine and mine == theirs, (p13.name, tag, unit, mine, theirs)
                checked += 1
    assert checked >= 100
    fx13 = {r["date"]: r for r in _load(world13 / "sources" / "fx" / "ccpr.json")}
    fx14 = {r["date"]: r for r in _load(world / "sources" / "fx" / "ccpr.json")}
    overlap = sorted(set(fx13) & set(fx14))
    assert overlap[0] == "2013-01-04" and overlap[-1] == "2014-06-25"
    assert all(fx13[d] == fx14[d] for d in overlap)


def test_valued_on_the_2014_valuation_date_with_fx_from_fy2012(world13, world13_json):
    from mirror.world.market import secid
    from mirror.world.registry import Company
    from top100.year import load_year

    assert world13_json["market_value_date"] == load_year(2013).valuation_date.isoformat() == "2014-06-25"
    assert world13_json["fiscal_year"] == 2013 and world13_json["list_year"] == 2014
    fx = _load(world13 / "sources" / "fx" / "ccpr.json")
    dates = [r["date"] for r in fx]
    assert dates[0] == "2012-01-04" and dates[-1] == "2014-06-25" and "2012-10-01" not in dates
    rate = {r["date"]: r for r in fx}
    listed = [c for c in world13_json["companies"] if c["exchange"]]
    assert len(listed) >= 60
    for c in listed:
        sid = secid(Company(c["company_id"], "", "", "", "", exchange=c["exchange"], ticker=c["ticker"]))
        lines = _load(world13 / "sources" / "market" / "kline" / f"{sid}.json")
        last = lines[-1].split(",")
        assert "2014-02-20" < last[0] <= "2014-06-25"
        shares = _load(world13 / "sources" / "market" / "stock" / f"{sid}.json")["f84"]
        cur = c["truth"]["quote_currency"]
        fxr = 1.0 if cur == "CNY" else float(rate["2014-06-25"][f"{cur}/CNY"])
        mv = float(last[2]) * shares / (c["ads_ratio"] or 1) * fxr
        if last[0] == "2014-06-25":  # (a suspended ticker's last close is a trap of its own)
            assert mv == pytest.approx(c["truth"]["market_value"], rel=1e-9), c["company_id"]
    # listed after 2014-06-25 (Alibaba in September 2014): unlisted in FY2013
    baba = next(c for c in world13_json["companies"] if c["legal_name"] == "阿里巴巴集团")
    assert baba["exchange"] is None and baba["truth"]["users"] > 0


def test_documents_of_fy2013_in_the_real_shapes(world13, world13_json):
    ann = _load(world13 / "sources" / "cninfo" / "announcements.json")
    titles = {r["announcementTitle"] for r in ann}
    assert "2013年年度报告" in titles and not any(t.startswith("2014年") for t in titles)
    pdfs = list((world13 / "sources" / "cninfo_static" / "finalpage").rglob("*.PDF"))
    assert len(pdfs) >= 20 and all(p.parent.name.startswith("2014-") for p in pdfs)
    hk = _load(world13 / "sources" / "hkex" / "titles.json")
    assert {r["TITLE"] for r in hk if r["LANG"] == "E"} == {"ANNUAL REPORT 2013"}
    subs = list((world13 / "sources" / "sec" / "submissions").glob("CIK*.json"))
    assert len(subs) >= 20
    for p in subs:
        recent = _load(p)["filings"]["recent"]
        annual = [(f, r) for f, r in zip(recent["form"], recent["reportDate"]) if f == "20-F"]
        assert ("20-F", "2013-12-31") in annual and all(r <= "2013-12-31" for _, r in annual)
    baidu = _load(world13 / "sources" / "sec" / "companyfacts" / "CIK0001329099.json")
    rev = {r["end"]: r["val"] for r in baidu["facts"]["us-gaap"]["SalesRevenueNet"]["units"]["CNY"]}
    assert rev["2013-12-31"] == 31943924000  # real (edgar, 20-F for 2013)


def test_its_own_defects_and_traps(world13, world13_json, expected):
    exp13 = _load(world13 / "expected_findings.json")
    assert exp13["fiscal_year"] == 2013
    ids = {c["company_id"] for c in world13_json["companies"]}
    assert {f["company_id"] for f in exp13["findings"]} <= ids
    kinds14 = {f["kind"] for f in expected["findings"]}
    assert {f["kind"] for f in exp13["findings"]} == kinds14  # every kind of defect, planted again
    assert len(exp13["findings"]) >= 55 and len(exp13["traps"]) >= 30
    lst = {c["company_id"]: c for c in _list(world13_json)}
    joins = [t for t in exp13["traps"] if t["kind"] == "joined_group_2014"]
    assert len(joins) == 2
    for t in joins:  # leavers that joined a continuing list company's group in 2014
        c = lst[t["company_id"]]
        assert c["synthetic"] and c["joined_group_on"].startswith("2014-")
        assert not lst[c["group_parent_id"]]["synthetic"]
    expired = [f for f in exp13["findings"] if f["kind"] == "licence_expired"]
    for f in expired:
        c = next(x for x in world13_json["companies"] if x["company_id"] == f["company_id"])
        assert c["role"] == "licence_expired"
    with (world13 / "inbox" / "licence_registry.csv").open(encoding="utf-8") as fh:
        reg = {r["company_id"]: r for r in csv.DictReader(fh)}
    for f in expired:
        assert reg[f["company_id"]]["valid_until"] < "2013-12-31"
    for cid in lst:  # the list's licences hold through FY2013
        r = reg.get(cid)
        if r:
            assert r["valid_from"] <= "2013-01-01" and r["valid_until"] >= "2013-12-31", cid


def _table(w: dict) -> pd.DataFrame:
    rows = {}
    for c in w["companies"]:
        if c["published_rank"] or c["role"] in ("lower_score", "anchor"):
            t = c["truth"]
            rows[c["company_id"]] = {
                "internet_revenue": t["internet_revenue"], "employees_total": t["employees_total"],
                "operating_profit": t["operating_profit"], "traffic": t["traffic_desktop"] + t["traffic_mobile"],
                "market_value": t.get("market_value"), "users": None if t.get("market_value") else t.get("users"),
                "internet_revenue_prior": t["internet_revenue_prior"], "revenue": t["revenue"],
                "rd_expense": t["rd_expense"], "social_responsibility": t["social_responsibility"]}
    return pd.DataFrame.from_dict(rows, orient="index").astype("float64")


def test_the_generators_method_ranks_it_in_its_expected_order(world13_json):
    from mirror.world import method

    scores = method.total_score(_table(world13_json)).sort_values(ascending=False, kind="mergesort")
    assert list(scores.index[:100]) == world13_json["expected_ranking"]
    top = scores.iloc[:100].to_numpy()
    assert (top[:-1] - top[1:]).min() > 0.05 and scores.iloc[99] > scores.iloc[100] + 0.5


def test_scorings_composite_agrees_on_it(world13_json):
    """The known answer holds for the pipeline's scoring code too (the 2015 method of the 2014
    year file: evaluation/2014.toml)."""
    from mirror.world import method
    from scoring.config import ScoringConfig
    from scoring.index import total_score
    from top100.year import load_year

    table = _table(world13_json)
    ours, theirs = method.total_score(table), total_score(table, ScoringConfig.from_year(load_year(2013)))
    pd.testing.assert_series_equal(ours, theirs, check_names=False, atol=1e-9, rtol=0)


def test_the_same_seed_gives_the_same_bytes(tmp_path, world13):
    import hashlib

    from mirror.generate import generate

    again = generate(tmp_path / "again", seed=2015, year=2013, max_pdfs=4)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    files = [p for p in sorted(again.rglob("*")) if p.is_file()]
    assert sum(p.suffix in (".pdf", ".PDF") for p in files) == 4
    for p in files:
        assert digest(p) == digest(world13 / p.relative_to(again)), p


def test_a_year_the_generator_does_not_cover_is_refused(tmp_path):
    from mirror.generate import build, generate

    for year in (2012, 2015):
        with pytest.raises(ValueError, match="covers fiscal years 2013 and 2014"):
            build(2015, year)
        with pytest.raises(ValueError, match=f"not {year}"):
            generate(tmp_path / str(year), seed=2015, year=year)
        assert not (tmp_path / str(year)).exists()
    assert date(2014, 6, 25).weekday() == 2  # the assumed valuation date is a trading day (Wednesday)


def test_top100_mirror_generate_year_2013_writes_this_world(tmp_path, world13, capsys):
    from flows.cli import EXIT_OK, main

    assert main(["mirror", "generate", "--year", "2013", "--out", str(tmp_path / "w")]) == EXIT_OK
    assert "world written to" in capsys.readouterr().out
    assert (tmp_path / "w" / "world.json").read_bytes() == (world13 / "world.json").read_bytes()
    assert (tmp_path / "w" / "expected_findings.json").read_bytes() == (world13 / "expected_findings.json").read_bytes()


def test_another_seed_gives_another_fy2013_world_that_holds_too(world13_json):
    from mirror.generate import build

    companies, facts = build(7, 2013)
    lst = sorted((c for c in companies if c.rank), key=lambda c: c.rank)
    assert [c.company_id for c in lst] != world13_json["expected_ranking"]
    cal = facts["calibration"]
    assert cal["ordered"] and cal["min_gap"] > 0.05 and cal["last_list_score"] > cal["best_other_score"] + 0.5
    assert sum(c.truth["internet_revenue"] for c in lst) == pytest.approx(398.0 * BN, rel=1e-9)
    assert len({c.province for c in lst}) == 8
    assert [c.province for c in lst if c.province in CENTRAL | WESTERN] == ["hunan"]
    assert cal["traffic_top5_share"] == pytest.approx(0.74, abs=1e-4)
    assert cal["traffic_top20_share"] == pytest.approx(0.95, abs=1e-4)
    assert not {c.legal_name for c in lst} & set(NAMED_NEW)
