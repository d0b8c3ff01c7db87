"""Last year's list (scoring.lastyear): computed from the warehouse's previous year, or said to
be not available; a stated previous total is a labelled fallback, never shown as reproduced."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.lastyear import compare
from scoring.published import side_by_side_text
from top100.year import load_year


def _list(ids, provinces, revenue, traffic):
    return pd.DataFrame({"company_id": ids, "legal_name": [f"公司{i}" for i in ids], "province": provinces,
                         "internet_revenue": revenue, "traffic": traffic,
                         "rank": range(1, len(ids) + 1)}).set_index("company_id", drop=False)


def test_the_comparison_computes_what_the_report_states_about_last_year():
    before = _list(["A", "B", "C", "D"], ["beijing", "beijing", "hunan", "tianjin"], [40e8, 30e8, 20e8, 10e8],
                   [70.0, 10.0, 10.0, 10.0])
    now = _list(["B", "A", "E", "C"], ["beijing", "beijing", "sichuan", "hunan"], [60e8, 50e8, 30e8, 10e8],
                [50.0, 30.0, 10.0, 10.0])
    ly = compare(now, before, 2013)
    assert ly.available and ly.reason == "warehouse, fiscal year 2013"
    assert ly.previous["total_internet_revenue"] == 100e8 and ly.growth == pytest.approx(0.5)
    assert (ly.previous["province_count"], ly.current["province_count"]) == (3, 3)
    assert (ly.previous["central_western_count"], ly.current["central_western_count"]) == (1, 2)
    assert [e["company_id"] for e in ly.entrants] == ["E"] and [e["company_id"] for e in ly.leavers] == ["D"]
    assert {m["company_id"]: m["gained"] for m in ly.moves} == {"B": 1, "A": -1, "C": -1}
    rows = {r["name"]: r for r in ly.rows()}
    assert rows["total_internet_revenue"]["change"] == pytest.approx(50e8)


def test_without_last_year_nothing_is_computed_and_the_stated_total_is_a_labelled_fallback(tmp_path, make_pool):
    from scoring.config import ScoringConfig
    from scoring.rank import rank_pool, ranking_rows
    from scoring.report import members_frame, render_report
    from scoring.run import YearScore

    ctx = load_year(2014)
    pool = make_pool(130, seed=4).set_index("company_id", drop=False)
    cfg = ScoringConfig.from_year(ctx)
    elig, ranked = rank_pool(pool, pd.DataFrame(columns=["company_id", "severity"]), cfg)
    ys = YearScore(pool, pd.DataFrame(), elig, ranked, ranking_rows(ranked, pool, 2014, cfg), cfg)
    ly = compare(members_frame(ys), None, 2013, fallback_total=ctx.previous_list.total_internet_revenue,
                 fallback_source=ctx.previous_list.source)
    assert not ly.available and ly.reason == "not available (FY2013 not in the warehouse)"
    assert ly.previous == {} and ly.entrants == [] and ly.previous_total is None
    out = render_report(ys, tmp_path / "report", year=2014, run_id="r", pdf=False, sensitivity_draws=20,
                        ctx=ctx, last=ly)
    page = out.html.read_text(encoding="utf-8")
    assert "not available (FY2013 not in the warehouse)" in page and "labelled fallback, not reproduced" in page
    rows = {f["name"]: f for f in out.figures}
    from scoring.report import NEEDS_LAST_YEAR

    assert {n for n in rows if n.startswith("previous_") or n == "growth_vs_previous_list"} == set(NEEDS_LAST_YEAR)
    for name in NEEDS_LAST_YEAR:  # never shown as reproduced
        assert rows[name]["value"] is None and rows[name]["within_tolerance"] is None
    text = side_by_side_text(out.figures)
    line = next(x for x in text.splitlines() if x.startswith("previous_list_total"))
    assert line.rstrip().endswith("n/a") and "n/a (last year's list is not in the warehouse)" in text


def test_with_last_year_its_statements_are_evaluated_from_the_warehouses_list(tmp_path, make_pool):
    """The 2015 report's statements about last year's list (provinces, Hunan, central/western,
    traffic concentration) are computed from last year's list and compared, not marked n/a."""
    from scoring.config import ScoringConfig
    from scoring.rank import rank_pool, ranking_rows
    from scoring.report import NEEDS_LAST_YEAR, members_frame, render_report
    from scoring.run import YearScore

    ctx = load_year(2014)
    cfg = ScoringConfig.from_year(ctx)

    def year_score(seed: int) -> YearScore:
        pool = make_pool(130, seed=seed).set_index("company_id", drop=False)
        elig, ranked = rank_pool(pool, pd.DataFrame(columns=["company_id", "severity"]), cfg)
        return YearScore(pool, pd.DataFrame(), elig, ranked, ranking_rows(ranked, pool, 2014, cfg), cfg)

    now, before = members_frame(year_score(4)), members_frame(year_score(5))
    before["province"] = ["hunan"] + ["beijing"] * (len(before) - 2) + ["tianjin"]  # 3 provinces, 1 central
    ly = compare(now, before, 2013)
    out = render_report(year_score(4), tmp_path / "report", year=2014, run_id="r", pdf=False, sensitivity_draws=20,
                        ctx=ctx, last=ly)
    rows = {f["name"]: f for f in out.figures}
    assert all(rows[n]["within_tolerance"] is not None for n in NEEDS_LAST_YEAR)
    assert rows["previous_province_count"]["value"] == 3 and not rows["previous_province_count"]["within_tolerance"]
    assert rows["previous_central_western_count"]["value"] == 1 and rows["previous_central_western_count"]["within_tolerance"]
    assert rows["previous_province_hunan"]["value"] == 1 and rows["previous_province_hunan"]["within_tolerance"]
    assert rows["previous_traffic_top5_share"]["value"] == pytest.approx(ly.previous["traffic_top5_share"])
    assert rows["previous_list_total"]["value"] == pytest.approx(before["internet_revenue"].sum())
    assert "n/a" not in side_by_side_text(out.figures)


def test_the_2014_list_is_compared_with_the_figures_the_2015_report_states_about_it(make_pool, tmp_path):
    """FY2013's published figures are the 2015 report's statements about last year."""
    from scoring.published import published_figures, side_by_side

    figures = {p.name: p for p in published_figures(load_year(2013))}
    rows = {r["name"]: r for r in side_by_side({"province_count": 8, "central_western_count": 1,
                                                "traffic_top5_share": 0.741, "traffic_top20_share": 0.95,
                                                "total_internet_revenue": 398.1e9, "province_hunan": 2},
                                               list(figures.values()))}
    assert all(rows[n]["within_tolerance"] for n in ("province_count", "central_western_count",
                                                     "traffic_top5_share", "traffic_top20_share",
                                                     "total_internet_revenue"))
    assert not rows["province_hunan"]["within_tolerance"]


def _long(rows):
    cols = ["company_id", "fiscal_year", "metric", "value", "declared", "public"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_growth_uses_last_years_figure_and_a_disagreeing_prior_column_is_a_finding_with_both_values():
    from scoring.growth import apply_prior, cross_check

    prev = _long([("A", 2013, "internet_revenue", 100e8, 100e8, 100e8),
                  ("B", 2013, "internet_revenue", 50e8, 50e8, None),
                  ("C", 2013, "internet_revenue", 20e8, 20e8, 20e8)])
    this = _long([("A", 2014, "internet_revenue_prior", 100e8, 100e8, 100.5e8),  # within 1%
                  ("B", 2014, "internet_revenue_prior", 40e8, 40e8, None),  # the form says 40, last year 50
                  ("C", 2014, "internet_revenue_prior", 25e8, 20e8, 25e8),  # the report restates 20 -> 25
                  ("D", 2014, "internet_revenue_prior", 9e8, 9e8, None)])  # new: nothing to compare
    last, findings = cross_check(this, prev, 2014)
    assert last == {"A": 100e8, "B": 50e8, "C": 20e8}
    got = {(f["company_id"], f["kind"], f["column"]): (f["warehouse"], f["this_year"]) for f in findings}
    assert got == {("B", "inconsistent", "declared"): (50e8, 40e8), ("C", "restated", "public"): (20e8, 25e8)}
    assert all(f["metric"] == "internet_revenue_prior" and "5,000,000,000" in f["message"] or f["company_id"] != "B"
               for f in findings)
    pool = pd.DataFrame({"internet_revenue_prior": [100e8, 40e8, 25e8, 9e8]},
                        index=pd.Index(["A", "B", "C", "D"], name="company_id"))
    assert apply_prior(pool, last)["internet_revenue_prior"].tolist() == [100e8, 50e8, 20e8, 9e8]
    assert cross_check(this, _long([]), 2014) == ({}, [])  # no last year: nothing checked


def test_a_derived_internet_revenue_is_cross_checked_column_against_column():
    """Self-operated e-commerce: the figure used is derived (revenue less the cost of goods), the
    form's and the report's columns hold the gross figure. Each column is compared with last
    year's same column, never with the derived figure."""
    from scoring.growth import cross_check

    cols = ["company_id", "fiscal_year", "metric", "value", "declared", "public", "status"]
    prev = pd.DataFrame([("E", 2013, "internet_revenue", 20e8, 100e8, None, "derived"),
                         ("F", 2013, "internet_revenue", 10e8, 50e8, None, "derived"),
                         ("G", 2013, "internet_revenue", 30e8, 30e8, None, "agree")], columns=cols)
    this = pd.DataFrame([("E", 2014, "internet_revenue_prior", 20e8, 100e8, None, "derived"),  # as declared then
                         ("F", 2014, "internet_revenue_prior", 10e8, 60e8, None, "derived"),  # gross 50 -> 60
                         ("G", 2014, "internet_revenue_prior", 6e8, 30e8, None, "derived")],  # now self-operated
                        columns=cols)
    last, findings = cross_check(this, prev, 2014)
    assert last == {"E": 20e8, "F": 10e8, "G": 30e8}  # growth still uses the figures used last year
    got = {(f["company_id"], f["kind"], f["column"]): (f["warehouse"], f["this_year"]) for f in findings}
    assert got == {("F", "inconsistent", "declared"): (50e8, 60e8)}
    assert "last year's form gave 5,000,000,000" in findings[0]["message"]
