"""The registry: the published list, the synthetic pool, listings, types and provinces."""

from __future__ import annotations

import collections
import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED_REPORT = ROOT.parent / "shared" / "seed" / "2015-china-internet-top100-report.txt"


def test_candidates_list_and_synthetic(world_json, listed):
    comps = world_json["companies"]
    assert len(comps) >= 300
    assert [c["published_rank"] for c in listed] == list(range(1, 101))
    synthetic = [c for c in comps if c["synthetic"]]
    assert len(synthetic) >= 200 and len(synthetic) + len(listed) == len(comps)
    # clearly fictitious names, except the duplicates, which repeat a list company's name on purpose
    listed_names = {c["legal_name"] for c in listed}
    for c in synthetic:
        if c["role"] == "duplicate_company":
            assert c["legal_name"] in listed_names
        else:
            assert "虚构" in c["legal_name"], c["legal_name"]
    assert not any(c["synthetic"] for c in listed)
    # every synthetic candidate carries its reason for not making the list
    assert all(c["role"] in ("lower_score", "below_floor", "anchor") or c["excluded_reason"] for c in synthetic)
    assert world_json["expected_ranking"] == [c["company_id"] for c in listed]


def test_ids_do_not_reveal_the_rank(listed):
    ids = [c["company_id"] for c in listed]
    assert ids != sorted(ids)
    assert all(re.fullmatch(r"C\d{4}", i) for i in ids)


def test_listing_venues_as_in_the_report(listed):
    venues = collections.Counter({"SSE": "A", "SZSE": "A", "HKEX": "HK", "NYSE": "US", "NASDAQ": "US"}.get(c["exchange"])
                                 for c in listed)
    assert venues["A"] == 23 and venues["HK"] == 13 and venues["US"] == 35 and venues[None] == 29
    tickers = {c["ticker"]: c["exchange"] for c in listed if c["exchange"]}
    assert tickers["BIDU"] == "NASDAQ" and tickers["BABA"] == "NYSE" and tickers["00700"] == "HKEX"
    assert tickers["QIHU"] == "NYSE" and tickers["300059"] == "SZSE" and tickers["600804"] == "SSE"


def test_business_types_and_provinces(listed):
    types = collections.Counter(c["business_type"] for c in listed)
    assert types == {"online_games": 28, "ecommerce": 17, "vertical_portal": 17, "general_portal": 13,
                     "online_video": 8, "internet_finance": 3, "idc_cdn": 3, "isp": 2, "online_education": 2,
                     "other": 7}
    prov = collections.Counter(c["province"] for c in listed)
    assert prov == {"beijing": 46, "shanghai": 19, "guangdong": 16, "jiangsu": 5, "zhejiang": 5, "fujian": 3,
                    "hunan": 3, "heilongjiang": 1, "sichuan": 1, "henan": 1}


def test_names_and_brands_are_the_published_ones(listed):
    if not SEED_REPORT.exists():
        pytest.skip("../shared/seed is not beside the project (a user's clone)")
    text = SEED_REPORT.read_text(encoding="utf-8")
    rows = {int(m.group(1)): (m.group(2), m.group(3)) for m in re.finditer(r"^(\d{1,3})\t([^\t]+)\t([^\t\n]+)$", text, re.M)}
    assert len(rows) == 100
    for c in listed:
        assert (c["legal_name"], c["brands"]) == rows[c["published_rank"]], c["published_rank"]


def test_listings_csv_matches_the_registry(world, listed):
    with (world / "inbox" / "listings.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 71
    by = {c["company_id"]: c for c in listed}
    for r in rows:
        c = by[r["company_id"]]
        assert (r["exchange"], r["ticker"]) == (c["exchange"], c["ticker"])
        if r["exchange"] in ("NYSE", "NASDAQ"):
            assert float(r["ads_ratio"]) == c["ads_ratio"]
