"""Eligibility (ERROR findings, the floor, groups) and the ranking with its tie rule."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.config import ScoringConfig
from scoring.rank import eligibility, rank_pool, ranking_rows
from top100.errors import ScoringError


def findings(*rows):
    return pd.DataFrame([dict(check="accuracy", kind="mismatch", metric="revenue", **r) for r in rows])


def test_error_findings_exclude_and_warnings_do_not(pool):
    pool.loc[pool.company_id.isin(["C0001", "C0002", "C0003"]), "internet_revenue"] = 5e9
    f = findings({"company_id": "C0001", "severity": "ERROR"}, {"company_id": "C0002", "severity": "WARNING"},
                 {"company_id": "C0003", "severity": "INFO"})
    e = eligibility(pool, f, ScoringConfig())
    assert not e.loc["C0001", "eligible"] and "error_finding" in e.loc["C0001", "excluded_reason"]
    assert "accuracy/mismatch/revenue" in e.loc["C0001", "excluded_reason"]
    assert e.loc["C0002", "eligible"] and e.loc["C0003", "eligible"]
    assert len(e) == len(pool)  # every company has a row: nothing dropped


def test_revenue_floor_is_inclusive_and_configurable(pool, no_findings):
    pool.loc[0, "internet_revenue"] = 2e8
    pool.loc[1, "internet_revenue"] = 1.999e8
    pool.loc[2, "internet_revenue"] = float("nan")
    e = eligibility(pool, no_findings, ScoringConfig())
    assert e.loc["C0000", "eligible"]
    assert not e.loc["C0001", "eligible"] and e.loc["C0001", "excluded_reason"].startswith("below_floor")
    assert e.loc["C0002", "excluded_reason"] == "below_floor: internet revenue unknown"
    e3 = eligibility(pool, no_findings, ScoringConfig.from_dict({"revenue_floor": 3e8}))
    assert not e3.loc["C0000", "eligible"]


def test_groups_are_consolidated_by_verify_and_optionally_by_parent(pool, no_findings):
    pool.loc[pool.company_id.isin(["C0010", "C0012", "C0014"]), "internet_revenue"] = 5e9
    pool.loc[pool.company_id == "C0010", "group_parent_id"] = "C0011"  # parent in the pool
    pool.loc[pool.company_id == "C0012", "group_parent_id"] = "X9999"  # parent not a candidate
    pool.loc[pool.company_id == "C0014", "group_parent_id"] = "C0011"  # joined in 2015: verify let it be
    pool.loc[pool.company_id == "C0013", ["eligible", "excluded_reason"]] = [False, "licence expired"]
    sub = pd.DataFrame([{"company_id": "C0010", "severity": "ERROR", "check": "accuracy",
                         "kind": "subsidiary_declared_separately", "metric": "group_parent_id"}])
    e = eligibility(pool, sub, ScoringConfig())
    assert e.loc["C0010", "excluded_reason"] == \
        "error_finding: accuracy/subsidiary_declared_separately/group_parent_id"
    assert e.loc["C0014", "eligible"] and e.loc["C0012", "eligible"]
    assert e.loc["C0013", "excluded_reason"] == "verify: licence expired"
    # without a verify stage: every company whose parent is a candidate is consolidated
    e2 = eligibility(pool, no_findings, ScoringConfig.from_dict({"exclude_group_members": True}))
    assert e2.loc["C0010", "excluded_reason"] == "group_member: consolidated into C0011"
    assert e2.loc["C0014", "excluded_reason"] == "group_member: consolidated into C0011"
    assert e2.loc["C0012", "eligible"]


def test_excluded_companies_are_not_in_the_ranking(pool):
    elig, ranked = rank_pool(pool, findings({"company_id": "C0005", "severity": "ERROR"}), ScoringConfig())
    assert "C0005" not in ranked.index
    assert set(ranked.index) == set(elig.index[elig["eligible"]])
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["total_score"].is_monotonic_decreasing


def test_ties_broken_by_internet_revenue_then_company_id(pool, no_findings):
    cols = [c for c in pool.columns if c not in ("company_id", "legal_name", "brands", "internet_revenue")]
    for cid in ("C0020", "C0021", "C0022"):
        pool.loc[pool.company_id == cid, cols] = pool.loc[pool.company_id == "C0030", cols].to_numpy()
    # the revenue indicator's weight 0 so that a revenue difference does not change the score
    cfg = ScoringConfig.from_dict({"weights": {"revenue_scale": 0, "growth_rate": 0}})
    pool.loc[pool.company_id.isin(["C0020", "C0022"]), "internet_revenue"] = 5e9
    pool.loc[pool.company_id == "C0021", "internet_revenue"] = 6e9
    _, ranked = rank_pool(pool, no_findings, cfg)
    tied = ranked.loc[["C0020", "C0021", "C0022", "C0030"]]
    assert tied["total_score"].nunique() == 1
    order = tied.sort_values("rank").index.tolist()
    assert order[:1] == ["C0021"] and order.index("C0020") < order.index("C0022")


def test_top_n_rows_with_names_and_scores(pool, no_findings):
    cfg = ScoringConfig.from_dict({"top_n": 20})
    _, ranked = rank_pool(pool, no_findings, cfg)
    rows = ranking_rows(ranked, pool, 2014, cfg)
    assert [r.rank for r in rows] == list(range(1, 21))
    first = pool.set_index("company_id").loc[rows[0].company_id]
    assert rows[0].name == first["legal_name"] and rows[0].brands == first["brands"]
    assert set(rows[0].indicators) == set(cfg.indicators) and set(rows[0].dimensions) == set(cfg.dimensions)
    assert sum(rows[0].dimensions.values()) == pytest.approx(rows[0].total_score, abs=1e-5)


def test_weights_change_the_order(pool, no_findings):
    _, a = rank_pool(pool, no_findings, ScoringConfig())
    _, b = rank_pool(pool, no_findings, ScoringConfig.from_dict({"weights": {"social_responsibility": 2.0}}))
    assert a.index.tolist() != b.index.tolist()


def test_duplicate_company_ids_are_an_error(pool, no_findings):
    with pytest.raises(ScoringError, match="C0000"):
        rank_pool(pd.concat([pool, pool.head(1)]), no_findings, ScoringConfig())
