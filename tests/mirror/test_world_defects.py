"""Every planted defect and trap listed in expected_findings.json is really in the files."""

from __future__ import annotations

import collections
import csv
import json

import pytest
from openpyxl import load_workbook

from top100.form_template import FIELDS, FIRST_FIELD_ROW, MONEY_UNITS

ROW = {f.code: FIRST_FIELD_ROW + i for i, f in enumerate(FIELDS)}
CHECKS = {"licence", "main_business", "accuracy", "integrity"}


def form(world, cid, name=None):
    ws = load_workbook(world / "inbox" / "declarations" / f"{name or cid}.xlsx", read_only=True)["申报表"]
    cells = {r[0]: r for r in ws.iter_rows(min_row=FIRST_FIELD_ROW, max_col=5, values_only=True)}
    return cells


def money(cells, code):
    v = cells[code][2]
    return None if v is None else float(v) * MONEY_UNITS[cells[code][4]]


def csv_rows(world, name):
    with (world / "inbox" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_enough_findings_and_traps_of_every_kind(expected):
    findings, traps = expected["findings"], expected["traps"]
    assert len(findings) + len(traps) >= 60
    kinds = collections.Counter(f["kind"] for f in findings)
    for k in ("unit_error", "public_mismatch", "licence_expired", "licence_malformed", "licence_mismatch",
              "internet_share_low", "subsidiary_declared_separately", "ecommerce_cost_estimated",
              "integrity_disqualifying", "duplicate_declaration", "duplicate_company",
              "network_outside_mainland", "business_outside_mainland"):
        assert kinds[k] >= 1, k
    tk = collections.Counter(t["kind"] for t in traps)
    for k in ("joined_group_2015", "superseded_report", "cancelled_announcement", "market_value_date_not_trading_day",
              "fx_rate_not_published", "price_per_ads", "companyfacts_cny_and_usd", "integrity_not_disqualifying"):
        assert tk[k] >= 1, k
    assert all(f["check"] in CHECKS for f in findings)
    assert all(t.get("handling") for t in traps)


def test_declared_figures_carry_the_planted_error(world, expected, by_id):
    for f in expected["findings"]:
        c = by_id[f["company_id"]]
        if f["kind"] == "unit_error" and f["metric"] != "employees_total":
            declared = money(form(world, f["company_id"]), f["metric"])
            assert declared / c["truth"][f["metric"]] == pytest.approx(f["factor"], rel=1e-3), f
            assert f["correct_value"] == c["truth"][f["metric"]]
        elif f["kind"] == "unit_error":
            cells = form(world, f["company_id"])
            assert cells["employees_total"][2] * 1000 == c["truth"]["employees_total"] == f["correct_value"]
            assert cells["employees_total"][4] == "人"
        elif f["kind"] == "public_mismatch":
            declared = money(form(world, f["company_id"]), f["metric"])
            assert declared / f["correct_value"] == pytest.approx(f["declared_factor"], rel=1e-3)
            assert c["exchange"]  # a public document holds the correct value
        elif f["kind"] == "ecommerce_cost_estimated":
            cells = form(world, f["company_id"])
            assert cells["operating_cost"][2] is None and cells["self_operated_ecommerce"][2] == "是"


def test_licence_and_main_business_defects(world, expected, by_id):
    registry = {r["licence_number"]: r for r in csv_rows(world, "licence_registry.csv")}
    from top100.vocab import LICENCE_PATTERNS, LicenceType

    for f in expected["findings"]:
        if f["check"] not in ("licence", "main_business"):
            continue
        cells = form(world, f["company_id"])
        number = cells["licence_number"][2]
        if f["kind"] == "licence_expired":
            assert registry[number]["valid_until"] < "2014-12-31"
        elif f["kind"] == "licence_malformed":
            assert not LICENCE_PATTERNS[LicenceType(cells["licence_type"][2])].match(number)
        elif f["kind"] == "licence_mismatch":
            assert registry[number]["company_id"] not in ("", f["company_id"])
        elif f["kind"] == "internet_share_low":
            assert money(cells, "internet_revenue") / money(cells, "revenue") < 0.5
        elif f["kind"] == "network_outside_mainland":
            assert cells["network_in_mainland"][2] == "否"
        elif f["kind"] == "business_outside_mainland":
            assert cells["business_in_mainland"][2] == "否"


def test_integrity_groups_and_duplicates(world, expected, by_id):
    integrity = csv_rows(world, "integrity.csv")
    files = {p.stem for p in (world / "inbox" / "declarations").glob("*.xlsx")}
    for f in expected["findings"]:
        cid = f["company_id"]
        if f["kind"] == "integrity_disqualifying":
            assert any(r["company_id"] == cid and r["disqualifying"] == "true" for r in integrity)
        elif f["kind"] == "subsidiary_declared_separately":
            parent = form(world, cid)["group_parent_id"][2]
            assert parent == f["group"] and parent in files and form(world, cid)["joined_group_on"][2] is None
        elif f["kind"] == "duplicate_company":
            orig = f["duplicate_of"]
            assert orig < cid and by_id[orig]["legal_name"] == by_id[cid]["legal_name"]
        elif f["kind"] == "duplicate_declaration":
            assert f"{cid}_resubmitted" in files
    for t in expected["traps"]:
        if t["kind"] == "integrity_not_disqualifying":
            assert any(r["company_id"] == t["company_id"] and r["disqualifying"] == "false" for r in integrity)
        elif t["kind"] == "joined_group_2015":
            cells = form(world, t["company_id"])
            assert str(cells["joined_group_on"][2]).startswith("2015") and cells["group_parent_id"][2] in files


def test_document_and_market_traps(world, expected, by_id):
    src = world / "sources"
    ann = json.loads((src / "cninfo" / "announcements.json").read_text(encoding="utf-8"))
    fx = json.loads((src / "fx" / "ccpr.json").read_text(encoding="utf-8"))
    listings = {r["company_id"]: r for r in csv_rows(world, "listings.csv")}
    for t in expected["traps"]:
        c = by_id.get(t.get("company_id") or "")
        if t["kind"] in ("superseded_report", "cancelled_announcement"):
            titles = [a["announcementTitle"] for a in ann if a["secCode"] == c["ticker"]]
            assert any(("修订版" if t["kind"] == "superseded_report" else "已取消") in x for x in titles)
        elif t["kind"] == "market_value_date_not_trading_day":
            from mirror.world.market import secid
            from mirror.world.registry import Company

            sid = secid(Company(c["company_id"], "", "", "", "", exchange=c["exchange"], ticker=c["ticker"]))
            lines = json.loads((src / "market" / "kline" / f"{sid}.json").read_text())
            assert lines[-1].split(",")[0] == t["last_trading_day"] < "2015-06-25"
            assert float(lines[-1].split(",")[2]) == c["truth"]["close"]
        elif t["kind"] == "fx_rate_not_published":
            row = next(r for r in fx if r["date"] == t["date"])
            assert row[t["pair"]] == "---"
        elif t["kind"] == "price_per_ads":
            assert float(listings[c["company_id"]]["ads_ratio"]) == t["ads_ratio"] != 1
        elif t["kind"] == "companyfacts_cny_and_usd":
            facts = json.loads((src / "sec" / "companyfacts" / f"CIK{c['cik']:010d}.json").read_text())
            assert any(set(v["units"]) == {"CNY", "USD"} for v in facts["facts"]["us-gaap"].values())
