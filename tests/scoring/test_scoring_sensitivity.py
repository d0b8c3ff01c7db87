"""Sensitivity to the weights: vectorised, seeded, and it measures what it says."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.config import ScoringConfig
from scoring.rank import rank_pool
from scoring.sensitivity import sensitivity, weight_draws


@pytest.fixture
def ranked(make_pool, no_findings):
    return rank_pool(make_pool(260, seed=11), no_findings, ScoringConfig())[1]


def test_thousand_draws_deterministic_per_seed(ranked):
    cfg = ScoringConfig()
    a = sensitivity(ranked, cfg, n=1000, seed=5)
    b = sensitivity(ranked, cfg, n=1000, seed=5)
    c = sensitivity(ranked, cfg, n=1000, seed=6)
    assert a.per_company.equals(b.per_company) and (a.stay_counts == b.stay_counts).all()
    assert not a.per_company.equals(c.per_company)
    per = a.per_company
    assert len(a.stay_counts) == 1000 and a.summary["list_size"] == 100
    assert (per["min_rank"] <= per["base_rank"]).all() and (per["base_rank"] <= per["max_rank"]).all()
    assert (a.stay_counts <= 100).all() and a.summary["stay_min"] <= a.summary["stay_mean"] <= 100
    assert per["in_list_share"].between(0, 1).all()
    # ±20% moves a mid-table company; it cannot move everyone
    assert a.summary["max_rank_spread"] > 0 and a.summary["always_in_list"] >= 50


def test_draws_stay_within_the_perturbation():
    cfg = ScoringConfig()
    w = np.array(list(cfg.weights.values()))
    d = weight_draws(cfg, 2000, seed=1)
    assert np.allclose(d.sum(axis=1), 1.0)
    ratio = d / w  # after renormalising each draw, a weight moves at most by 1.2/0.8 either way
    assert ratio.min() >= 0.8 / 1.2 - 1e-9 and ratio.max() <= 1.2 / 0.8 + 1e-9
    assert ratio.min() < 0.85 and ratio.max() > 1.15  # and the draws do reach out there


def test_no_perturbation_keeps_every_rank(ranked):
    cfg = ScoringConfig.from_dict({"sensitivity_perturbation": 0.0})
    res = sensitivity(ranked, cfg, n=50)
    assert (res.per_company["min_rank"] == res.per_company["base_rank"]).all()
    assert (res.per_company["max_rank"] == res.per_company["base_rank"]).all()
    assert (res.stay_counts == 100).all() and res.summary["ever_in_list_from_outside"] == 0


def test_a_dominant_company_stays_first(make_pool, no_findings):
    pool = make_pool(120, seed=3)
    best = pool.index[0]
    for col in ("internet_revenue", "employees_total", "operating_profit", "traffic", "users", "rd_expense"):
        pool.loc[best, col] = pool[col].max() * 10
    pool.loc[best, ["market_value", "social_responsibility"]] = [float("nan"), 100.0]
    pool.loc[best, "internet_revenue_prior"] = pool.loc[best, "internet_revenue"] / 5
    pool.loc[best, "revenue"] = pool.loc[best, "rd_expense"] / 0.5
    ranked = rank_pool(pool, no_findings, ScoringConfig())[1]
    res = sensitivity(ranked, ScoringConfig(), n=300)
    row = res.per_company.loc[pool.loc[best, "company_id"]]
    assert row["base_rank"] == 1 and row["max_rank"] == 1


def test_zero_draws_is_refused(ranked):
    with pytest.raises(ValueError, match="at least one draw"):
        sensitivity(ranked, ScoringConfig(), n=0)
