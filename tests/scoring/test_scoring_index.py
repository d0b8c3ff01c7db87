"""Normalisations and the composite score, on tables small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.config import Indicator, Norm, ScoringConfig
from scoring.index import composite, normalise, total_score

NAN = float("nan")


def table(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {c: [NAN] * n for c in ("internet_revenue", "employees_total", "operating_profit", "traffic",
                                    "market_value", "users", "internet_revenue_prior", "revenue",
                                    "rd_expense", "social_responsibility")}
    base.update(cols)
    return pd.DataFrame(base, index=pd.Index([f"C{i}" for i in range(n)], name="company_id"))


def ind(norm, clip=None):
    return Indicator(dimension="company_scale", label="x", metric="internet_revenue", norm=norm, weight=1,
                     clip=clip)


def test_log_minmax_is_linear_in_orders_of_magnitude():
    s = normalise(pd.Series([1e8, 1e9, 1e10]), ind(Norm.log_minmax))
    expected = (math.log1p(1e9) - math.log1p(1e8)) / (math.log1p(1e10) - math.log1p(1e8))
    assert s.tolist() == pytest.approx([0.0, expected, 1.0])
    assert expected == pytest.approx(0.5, abs=1e-6)


def test_signed_log_ranks_losses_below_break_even():
    s = normalise(pd.Series([-1e9, -1e6, 0.0, 1e6, 1e9]), ind(Norm.signed_log_minmax))
    assert s.iloc[2] == pytest.approx(0.5)  # symmetric range: zero in the middle
    assert s.is_monotonic_increasing and s.iloc[0] == 0 and s.iloc[-1] == 1
    # a big loss is worse than a small one, by the same log distance as the matching profits
    assert s.iloc[1] - s.iloc[0] == pytest.approx(s.iloc[4] - s.iloc[3])


def test_clip_minmax_and_fixed():
    s = normalise(pd.Series([-0.9, 0.0, 1.0, 10.0]), ind(Norm.clip_minmax, (-0.5, 3.0)))
    assert s.tolist() == pytest.approx([0.0, 0.5 / 3.5, 1.5 / 3.5, 1.0])
    f = normalise(pd.Series([50.0, 120.0, -3.0]), ind(Norm.fixed, (0.0, 100.0)))
    assert f.tolist() == pytest.approx([0.5, 1.0, 0.0])


def test_rank_zscore_minmax_and_constant_columns():
    assert normalise(pd.Series([10.0, 30.0, 20.0]), ind(Norm.rank)).tolist() == pytest.approx([0, 1, 0.5])
    assert normalise(pd.Series([0.0, 5.0, 10.0]), ind(Norm.minmax)).tolist() == pytest.approx([0, 0.5, 1])
    z = normalise(pd.Series([0.0, 1.0, 2.0]), ind(Norm.zscore))
    assert z.iloc[1] == pytest.approx(0.5) and 0 < z.iloc[0] < 0.5 < z.iloc[2] < 1
    assert normalise(pd.Series([7.0, 7.0, NAN]), ind(Norm.log_minmax)).tolist()[:2] == [1.0, 1.0]


def test_missing_values_score_zero_and_are_flagged():
    t = table(internet_revenue=[1e9, 1e10, 1e8], employees_total=[100, NAN, 10000],
              revenue=[1e9, 0.0, 1e8], rd_expense=[1e8, 5e8, NAN], social_responsibility=[80, 90, NAN],
              internet_revenue_prior=[5e8, NAN, 1e8])
    out = composite(t, ScoringConfig())
    assert out.loc["C1", "human_capital_score"] == 0 and out.loc["C1", "human_capital_missing"]
    # the others are normalised without the missing one
    assert out.loc["C0", "human_capital_score"] == 0 and out.loc["C2", "human_capital_score"] == 1
    # a ratio to zero revenue is missing, not infinite; a missing numerator too
    assert out.loc["C1", "technical_innovation_missing"] and out.loc["C2", "technical_innovation_missing"]
    assert out.loc["C1", "growth_rate_missing"] and not out.loc["C2", "growth_rate_missing"]
    assert out.loc["C2", "social_responsibility_score"] == 0
    cfg = ScoringConfig.from_dict({"missing_score": 0.25})
    assert composite(t, cfg).loc["C1", "human_capital_score"] == 0.25


def test_market_value_for_listed_users_for_the_others_each_within_its_kind():
    t = table(market_value=[5e11, 5e9, NAN, NAN], users=[NAN, 1e9, 1e6, 1e8])
    out = composite(t, ScoringConfig())
    assert out["business_scale_2_kind"].tolist() == ["market_value", "market_value", "users", "users"]
    assert out["business_scale_2_raw"].tolist() == [5e11, 5e9, 1e6, 1e8]
    assert out["business_scale_2_score"].tolist() == pytest.approx([1, 0, 0, 1])


def test_total_is_the_weighted_mean_and_dimensions_add_up():
    t = table(internet_revenue=[1e8, 1e10], employees_total=[10, 1000], operating_profit=[-1e7, 1e9],
              traffic=[1, 100], market_value=[1e9, 1e11], internet_revenue_prior=[1e8, 5e9],
              revenue=[1e8, 1e10], rd_expense=[0, 1e9], social_responsibility=[40, 90])
    out = composite(t, ScoringConfig())
    # C1 is best on every pool-relative indicator: 100 * (0.85 + 0.15 * 0.9)
    assert out.loc["C1", "total_score"] == pytest.approx(100 * (0.85 + 0.15 * 0.9))
    assert out.loc["C0", "total_score"] == pytest.approx(100 * 0.15 * 0.4)
    dims = out[[c for c in out.columns if c.startswith("dim_")]].sum(axis=1)
    assert dims.tolist() == pytest.approx(out["total_score"].tolist())
    assert out.loc["C1", "dim_company_scale"] == pytest.approx(40.0)
    assert total_score(t, ScoringConfig()).tolist() == out["total_score"].tolist()


def test_composite_is_deterministic_and_order_free(pool):
    t = pool.set_index("company_id")
    a = composite(t, ScoringConfig())
    b = composite(t.sample(frac=1.0, random_state=3), ScoringConfig()).loc[a.index]
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(a["total_score"]).all() and a["total_score"].between(0, 100).all()


money = st.one_of(st.none(), st.floats(min_value=-1e12, max_value=1e13, allow_nan=False))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(money, money, money, money, money), min_size=1, max_size=12))
def test_every_score_is_in_range_whatever_the_inputs(rows):
    def col(i):
        return [NAN if r[i] is None else r[i] for r in rows]

    t = table(internet_revenue=col(0), operating_profit=col(1), traffic=col(2), market_value=col(3),
              users=col(4), employees_total=col(2), internet_revenue_prior=col(3), revenue=col(4),
              rd_expense=col(0), social_responsibility=col(1))
    out = composite(t, ScoringConfig())
    scores = out[[c for c in out.columns if c.endswith("_score") and c != "total_score"]]
    assert scores.notna().all().all()
    assert ((scores >= 0) & (scores <= 1)).all().all()
    assert out["total_score"].between(0, 100).all()
    # a company's own revenue score cannot fall when its revenue rises
    bumped = t.copy()
    bumped.iloc[0, bumped.columns.get_loc("internet_revenue")] = (
        np.nan_to_num(t["internet_revenue"].iloc[0], nan=0.0) * 2 + 1e6)
    assert composite(bumped, ScoringConfig())["revenue_scale_score"].iloc[0] >= out["revenue_scale_score"].iloc[0] - 1e-12


def test_rd_ratio_uses_rd_expense_else_rd_investment_and_says_which():
    """Issue 14: R&D is two metrics; the ratio takes 研发费用 where present, else the R&D
    investment, and ``rd_ratio_basis`` records which."""
    from scoring.index import rd_basis, source_values

    t = table(revenue=[100.0, 200.0, 50.0], rd_expense=[10.0, NAN, NAN])
    t["rd_investment"] = [30.0, 40.0, NAN]
    raw, _ = source_values(t, "rd_ratio")
    assert list(raw[:2]) == [0.1, 0.2] and math.isnan(raw.iloc[2])
    assert list(rd_basis(t)[1]) == ["rd_expense", "rd_investment", None]
    cfg = ScoringConfig.model_validate({**ScoringConfig().model_dump(), "indicators": {
        "rd": {"dimension": "company_scale", "label": "R&D", "metric": "rd_ratio", "norm": "log_minmax", "weight": 1}}})
    out = composite(t, cfg)
    assert list(out["rd_basis"][:2]) == ["rd_expense", "rd_investment"] and pd.isna(out["rd_basis"].iloc[2])
