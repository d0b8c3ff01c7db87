"""Every statistic of section 二 on a six-company list whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.stats import as_dict, list_statistics

YI = 1e8
NAN = float("nan")


@pytest.fixture
def stats():
    members = pd.DataFrame({
        "company_id": list("ABCDEF"),
        "internet_revenue": [200 * YI, 120 * YI, 80 * YI, 10 * YI, 5 * YI, 3 * YI],
        "internet_revenue_prior": [100 * YI, 100 * YI, 40 * YI, 10 * YI, 2 * YI, NAN],
        "revenue": [250 * YI, 120 * YI, 100 * YI, 10 * YI, 5 * YI, 4 * YI],
        "rd_expense": [25 * YI, 12 * YI, 20 * YI, 0.0, 1 * YI, 0.4 * YI],
        "operating_profit": [150 * YI, -10 * YI, 20 * YI, 5 * YI, -1 * YI, 0.5 * YI],
        "exchange": ["NYSE", "HKEX", "SSE", None, None, "SZSE"],
        "market_value": [5000 * YI, 3000 * YI, 1000 * YI, NAN, NAN, 50 * YI],
        "business_type": ["ecommerce", "general_portal", "online_games", "vertical_portal", "online_games", "other"],
        "province": ["beijing", "shanghai", "guangdong", "beijing", "hunan", "sichuan"],
        "traffic": [50.0, 30.0, 10.0, 5.0, 2.0, 1.0],
        "traffic_mobile": [10.0, 1.0, 3.0, 0.0, NAN, 2.0],
        "traffic_desktop": [5.0, 2.0, 1.0, 0.0, 1.0, 1.0],
    })
    return as_dict(list_statistics(members, previous_list_total=300 * YI, previous_source="test",
                                   information_consumption=2.8e12))


EXPECTED = {
    "list_size": 6,
    "total_internet_revenue": 418 * YI,
    "previous_list_total": 300 * YI,
    "growth_vs_previous_list": 418 / 300 - 1,
    "min_internet_revenue": 3 * YI,
    "count_revenue_above_1bn": 3,  # 200, 120, 80; exactly 10 亿 is not above
    "count_revenue_above_10bn": 2,
    "top5_internet_revenue": 415 * YI,
    "top5_share": 415 / 418,
    "top5_share_by_rank": 415 / 418,
    "top10_share": 1.0,
    "information_consumption_share": 418 * YI / 2.8e12,
    "overall_growth": 415 / 252 - 1,  # F has no prior year
    "share_growth_above_20pct": 3 / 5,  # 100%, 100%, 150%; B's exactly 20% is not above
    "count_growth_above_100pct": 1,
    "listed_count": 4, "listed_a_share": 2, "listed_hong_kong": 1, "listed_us": 1,
    "total_market_value": 9050 * YI,
    "type_count_ecommerce": 1, "type_count_online_games": 2, "type_count_vertical_portal": 1,
    "type_count_general_portal": 1, "type_count_other": 1, "type_count_online_video": 0,
    "type_revenue_online_games": 85 * YI,
    "type_count_named_sum": 5,
    "ecommerce_revenue": 200 * YI, "ecommerce_share": 200 / 418,
    "general_portal_revenue": 120 * YI, "general_portal_share": 120 / 418,
    "games_vertical_company_share": 3 / 6, "games_vertical_revenue_share": 95 / 418,
    "rd_ratio_mean": (0.1 + 0.1 + 0.2 + 0 + 0.2 + 0.1) / 6,
    "total_operating_profit": 164.5 * YI,
    "count_profit_above_10bn": 1, "count_profit_1bn_to_10bn": 1,
    "profit_above_1bn_sum": 170 * YI, "profit_above_1bn_share": 170 / 164.5,
    "loss_share": 2 / 6, "profitable_count": 4,
    "mean_margin": (0.6 - 10 / 120 + 0.2 + 0.5 - 0.2 + 0.125) / 6,
    "mean_margin_profitable": (0.6 + 0.2 + 0.5 + 0.125) / 4,
    "weighted_margin": 164.5 / 418,
    "share_margin_above_20pct": 2 / 6,  # C's exactly 20% is not above
    "count_margin_above_40pct": 2,
    "province_count": 5, "province_beijing": 2, "province_shanghai": 1, "province_sichuan": 1,
    "province_zhejiang": 0,
    "big_three_count": 4, "big_three_share": 4 / 6, "big_three_revenue": 410 * YI,
    "big_three_revenue_share": 410 / 418, "central_western_count": 2,
    "traffic_top5_share": 97 / 98, "traffic_top20_share": 1.0,
    "count_mobile_above_desktop": 3,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_statistic_by_hand(stats, name):
    assert stats[name] == pytest.approx(EXPECTED[name], rel=1e-9), name


def test_previous_total_missing_gives_no_growth():
    m = pd.DataFrame({"company_id": ["A"], "internet_revenue": [5e8]})
    s = as_dict(list_statistics(m, previous_list_total=None, previous_source="none"))
    assert s["growth_vs_previous_list"] is None and s["total_internet_revenue"] == 5e8


def test_concentration_is_by_revenue_not_by_rank():
    m = pd.DataFrame({"company_id": list("ABCDEF"), "internet_revenue": [10.0, 20, 30, 40, 50, 60]})
    s = as_dict(list_statistics(m, previous_list_total=None, previous_source="none"))
    assert s["top5_internet_revenue"] == 200 and s["top5_share"] == pytest.approx(200 / 210)
    assert s["top5_share_by_rank"] == pytest.approx(150 / 210)
