"""The world's layout (docs/CONTRACTS.md), the shapes of the source files against the real
recorded samples, the declaration forms against the template, and the PDFs' text."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta, timezone

import pdfplumber
import pytest
from openpyxl import load_workbook

from top100.form_template import COUNT_UNITS, FIELDS, FIRST_FIELD_ROW, HEADER_ROW, HEADERS, MONEY_UNITS, SHEET, TEMPLATE_ID


def load(p):
    return json.loads(p.read_text(encoding="utf-8"))


def test_layout(world, world_json):
    for rel in ("world.json", "expected_findings.json", "inbox/listings.csv", "inbox/licence_registry.csv",
                "inbox/traffic.csv", "inbox/integrity.csv", "sources/cninfo/szse_stock.json",
                "sources/cninfo/announcements.json", "sources/hkex/activestock_sehk_e.json", "sources/hkex/titles.json",
                "sources/sec/company_tickers.json", "sources/fx/ccpr.json"):
        assert (world / rel).is_file(), rel
    headers = {"listings.csv": "company_id,exchange,ticker,ads_ratio",
               "licence_registry.csv": "licence_number,licence_type,holder_name,company_id,valid_from,valid_until,status",
               "traffic.csv": "company_id,fiscal_year,desktop,mobile",
               "integrity.csv": "company_id,record_date,kind,disqualifying,description"}
    for name, head in headers.items():
        assert (world / "inbox" / name).read_text(encoding="utf-8").splitlines()[0] == head
    ids = {c["company_id"] for c in world_json["companies"]}
    forms = {p.stem for p in (world / "inbox" / "declarations").glob("*.xlsx")}
    assert ids <= forms and all(f in ids or f.endswith("_resubmitted") for f in forms)
    assert world_json["market_value_date"] == "2015-06-25" and world_json["fiscal_year"] == 2014
    for c in world_json["companies"]:  # every truth figure has its provenance where it is a list figure
        if c["published_rank"]:
            assert all(p.startswith(("real:", "generated", "derived:")) for p in c["provenance"].values())


def test_cninfo_shapes(world, real):
    ann = load(world / "sources" / "cninfo" / "announcements.json")
    sample = load(real / "endpoints" / "cninfo" / "hisAnnouncement_query_600519_ndbg.json")["announcements"][0]
    assert set(ann[0]) == set(sample)
    for a in ann:
        day = datetime.fromtimestamp(a["announcementTime"] / 1000, tz=timezone(timedelta(hours=8))).date()
        assert a["adjunctUrl"] == f"finalpage/{day.isoformat()}/{a['announcementId']}.PDF"
    stocks = load(world / "sources" / "cninfo" / "szse_stock.json")["stockList"]
    real_keys = set(load(real / "endpoints" / "cninfo" / "szse_stock.json")["stockList"][0])
    assert len(stocks) == 23 and all(set(s) == real_keys for s in stocks)


def test_hkex_and_sec_shapes(world, real):
    titles = load(world / "sources" / "hkex" / "titles.json")
    sample = json.loads(load(real / "endpoints" / "hkex" / "titleSearchServlet_00700_annual_en.json")["result"])[0]
    assert set(sample) | {"STOCK_ID", "LANG"} == set(titles[0])
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", t["DATE_TIME"]) for t in titles)
    stocks = load(world / "sources" / "hkex" / "activestock_sehk_e.json")
    assert len(stocks) == 13 and all(set(s) == {"i", "c", "n", "s"} for s in stocks)
    tickers = load(world / "sources" / "sec" / "company_tickers.json")
    assert len(tickers) == 35 and all(set(v) == {"cik_str", "ticker", "title"} for v in tickers.values())
    real_sub = load(real / "endpoints" / "sec" / "submissions_CIK0001318605_TSLA.json")
    for v in tickers.values():
        sub = load(world / "sources" / "sec" / "submissions" / f"CIK{v['cik_str']:010d}.json")
        assert set(sub["filings"]["recent"]) == set(real_sub["filings"]["recent"])
        recent = sub["filings"]["recent"]
        for acc, doc in zip(recent["accessionNumber"], recent["primaryDocument"]):
            assert (world / "sources" / "sec" / "Archives" / "edgar" / "data" / str(v["cik_str"])
                    / acc.replace("-", "") / doc).is_file()
        facts = load(world / "sources" / "sec" / "companyfacts" / f"CIK{v['cik_str']:010d}.json")
        assert facts["cik"] == v["cik_str"] and "us-gaap" in facts["facts"]


def test_market_and_fx(world, listed):
    from mirror.world.market import secid
    from mirror.world.registry import Company

    for c in listed:
        if not c["exchange"]:
            continue
        sid = secid(Company(c["company_id"], "", "", "", "", exchange=c["exchange"], ticker=c["ticker"]))
        lines = load(world / "sources" / "market" / "kline" / f"{sid}.json")
        assert all(len(ln.split(",")) == 8 for ln in lines) and lines[-1] <= "2015-06-25~"
        snap = load(world / "sources" / "market" / "stock" / f"{sid}.json")
        assert snap["f84"] == c["truth"]["total_shares"]
    fx = load(world / "sources" / "fx" / "ccpr.json")
    dates = [r["date"] for r in fx]
    assert dates == sorted(dates) and "2014-10-01" not in dates and "2014-12-31" in dates and dates[-1] == "2015-06-25"
    assert all(date.fromisoformat(d).weekday() < 5 for d in dates)


def test_forms_follow_the_template(world):
    codes = [f.code for f in FIELDS]
    for p in sorted((world / "inbox" / "declarations").glob("*.xlsx"))[:60]:
        wb = load_workbook(p, read_only=True)
        ws = wb[SHEET]
        rows = list(ws.iter_rows(min_row=1, max_col=5, values_only=True))
        assert rows[0][0] == TEMPLATE_ID and rows[1][0] == 2014
        assert rows[HEADER_ROW - 1] == HEADERS
        body = rows[FIRST_FIELD_ROW - 1:FIRST_FIELD_ROW - 1 + len(FIELDS)]
        assert [r[0] for r in body] == codes
        for f, r in zip(FIELDS, body):
            if f.kind == "money":
                assert r[4] in MONEY_UNITS, (p.name, f.code)
            elif f.kind == "count" and r[2] is not None:
                assert r[4] in COUNT_UNITS and float(r[2]) == int(r[2])
            elif f.kind == "bool":
                assert r[2] in ("是", "否")


def test_a_share_pdfs_open_and_carry_the_tables(world, listed):
    pdfs = sorted((world / "sources" / "cninfo_static").rglob("*.PDF"))
    assert len(pdfs) >= 23
    ann = {a["adjunctUrl"]: a for a in load(world / "sources" / "cninfo" / "announcements.json")}
    for p in pdfs[:4]:
        a = ann[str(p.relative_to(world / "sources" / "cninfo_static"))]
        if "招股" in a["announcementTitle"]:
            continue
        with pdfplumber.open(p) as pdf:
            assert 10 <= len(pdf.pages) <= 20
            text = "\n".join(pg.extract_text() or "" for pg in pdf.pages)
        for label in ("公司代码", "目录", "主要会计数据和财务指标", "单位：元 币种：人民币", "本年比上年增减",
                      "在职员工的数量合计", "合并利润表", "母公司利润表", "研发投入金额"):
            assert label in text, (p.name, label)
        assert text.index("合并利润表") < text.index("母公司利润表")


def test_pdfs_give_the_truth_to_the_extractor(world, by_id):
    """Contract: the project's A-share extractor reads the world's reports back to the truth."""
    import extractors
    ann = load(world / "sources" / "cninfo" / "announcements.json")
    row = next(a for a in ann if a["announcementTitle"] == "2014年年度报告" and
               not any(b["secCode"] == a["secCode"] and "修订" in b["announcementTitle"] for b in ann))
    c = next(c for c in by_id.values() if c["ticker"] == row["secCode"] and c["published_rank"])
    res = extractors.read("annual_report", world / "sources" / "cninfo_static" / row["adjunctUrl"],
                          company_id=c["company_id"])
    got = {(f.metric, f.fiscal_year): f.value for f in res.facts}
    assert got[("revenue", 2014)] == pytest.approx(c["truth"]["revenue"], abs=0.01)
    assert got[("operating_profit", 2014)] == pytest.approx(c["truth"]["operating_profit"], abs=0.01)
    assert got[("employees_total", 2014)] == c["truth"]["employees_total"]
