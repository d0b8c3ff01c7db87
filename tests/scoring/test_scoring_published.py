"""The published figures, the side-by-side comparison and the report's self-consistency."""

from __future__ import annotations

from scoring.published import BY_NAME, PUBLISHED, consistency_checks, side_by_side, side_by_side_text


def published_values():
    return {p.name: p.value for p in PUBLISHED}


def test_every_published_figure_quotes_the_report_and_names_a_statistic():
    assert len(PUBLISHED) >= 60 and len(BY_NAME) == len(PUBLISHED)
    for p in PUBLISHED:
        assert p.text and p.comparator in ("approx", "exact", "at_least", "range")
    assert BY_NAME["total_internet_revenue"].value == 573.5e9
    assert BY_NAME["profit_above_1bn_sum"].value == 51.47e9
    assert BY_NAME["listed_us"].comparator == "exact"


def test_side_by_side_tolerances():
    v = published_values()
    rows = {r["name"]: r for r in side_by_side(v)}
    assert all(r["within_tolerance"] for r in rows.values())
    v.update(total_internet_revenue=573.5e9 * 1.009, total_operating_profit=78.7e9 * 1.02,
             listed_a_share=24, count_mobile_above_desktop=6, loss_share=0.31, top5_share=0.56 * 0.985)
    rows = {r["name"]: r for r in side_by_side(v)}
    assert rows["total_internet_revenue"]["within_tolerance"]  # 0.9% off: within 1%
    assert rows["total_internet_revenue"]["difference"] == rows["total_internet_revenue"]["value"] - 573.5e9
    assert not rows["total_operating_profit"]["within_tolerance"]  # 2% off
    assert not rows["listed_a_share"]["within_tolerance"]  # counts are exact
    assert not rows["count_mobile_above_desktop"]["within_tolerance"]  # "at least seven"
    assert not rows["loss_share"]["within_tolerance"]  # "nearly 30%" is not 31%
    assert not rows["top5_share"]["within_tolerance"]
    del v["traffic_top5_share"]
    row = {r["name"]: r for r in side_by_side(v)}["traffic_top5_share"]
    assert row["value"] is None and not row["within_tolerance"]
    assert set(row) >= {"name", "value", "unit", "published", "published_text", "difference", "within_tolerance"}


def test_consistency_flags_the_reports_contradictions():
    checks = {c["name"]: c for c in consistency_checks()}
    flagged = {n for n, c in checks.items() if not c["agree"]}
    assert {"profit_share_of_top8", "top5_share_summary_vs_body", "business_type_counts_sum",
            "market_value_date", "mean_margin_definition", "figure4_caption_year"} <= flagged
    # the statements that do hold are not flagged
    assert not {"top5_share_body_vs_amounts", "growth_vs_amounts", "listing_counts_sum",
                "information_consumption_share", "table1_members", "rd_ratio_two_statements"} & flagged
    p = checks["profit_share_of_top8"]
    assert round(p["value_a"], 3) == 0.654 and p["value_b"] == 0.85
    assert checks["business_type_counts_sum"]["value_a"] == 93


def test_consistency_reports_this_runs_figures_too():
    checks = {c["name"]: c for c in consistency_checks({"profit_above_1bn_share": 0.654, "mean_margin": 0.107,
                                                         "weighted_margin": 0.137})}
    assert checks["profit_share_of_top8"]["computed"] == 0.654
    assert "65.4%" in checks["profit_share_of_top8"]["note"]
    assert "13.7%" in checks["mean_margin_definition"]["note"]


def test_side_by_side_text():
    v = published_values()
    v["profit_above_1bn_share"] = 0.654
    text = side_by_side_text(side_by_side(v))
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["figure", "published", "this"]
    line = next(x for x in lines if x.startswith("total_internet_revenue"))
    assert "5,735.0 亿元" in line and line.rstrip().endswith("yes")
    assert next(x for x in lines if x.startswith("profit_above_1bn_share")).rstrip().endswith("NO*")
    assert lines[-1].startswith(f"{len(PUBLISHED) - 1} of {len(PUBLISHED)} within tolerance")
