"""The scoring configuration: the documented defaults, and overrides from settings."""

from __future__ import annotations

import pytest

from scoring.config import Norm, ScoringConfig
from top100.config import Settings
from top100.errors import ConfigError

# docs/CONTRACTS.md, "Default scoring"
CONTRACT = {
    "revenue_scale": ("company_scale", "internet_revenue", Norm.log_minmax, 0.25),
    "human_capital": ("company_scale", "employees_total", Norm.log_minmax, 0.05),
    "profitability": ("company_scale", "operating_profit", Norm.signed_log_minmax, 0.10),
    "business_scale": ("social_influence", "traffic", Norm.log_minmax, 0.15),
    "business_scale_2": ("social_influence", "market_value_or_users", Norm.log_minmax, 0.10),
    "growth_rate": ("growth_potential", "internet_revenue_growth", Norm.clip_minmax, 0.10),
    "technical_innovation": ("growth_potential", "rd_ratio", Norm.clip_minmax, 0.10),
    "social_responsibility": ("social_responsibility", "social_responsibility", Norm.fixed, 0.15),
}


def test_defaults_are_the_contract_table():
    cfg = ScoringConfig()
    got = {k: (i.dimension.value, i.metric, i.norm, i.weight) for k, i in cfg.indicators.items()}
    assert got == CONTRACT
    assert cfg.indicators["growth_rate"].clip == (-0.5, 3.0)
    assert cfg.indicators["technical_innovation"].clip == (0.0, 0.5)
    assert cfg.indicators["social_responsibility"].clip == (0.0, 100.0)
    assert sum(cfg.weights.values()) == pytest.approx(1.0)
    assert cfg.revenue_floor == 2e8 and cfg.top_n == 100


def test_weights_and_fields_from_settings():
    settings = Settings(scoring={"weights": {"revenue_scale": 0.4},
                                 "indicators": {"growth_rate": {"clip": [-0.2, 1.0], "norm": "rank"}},
                                 "revenue_floor": 3e8, "top_n": 50})
    cfg = ScoringConfig.from_settings(settings)
    assert cfg.weights["revenue_scale"] == 0.4
    assert cfg.weights["human_capital"] == 0.05  # untouched defaults stay
    assert cfg.indicators["growth_rate"].clip == (-0.2, 1.0)
    assert cfg.indicators["growth_rate"].norm is Norm.rank
    assert cfg.indicators["growth_rate"].metric == "internet_revenue_growth"
    assert (cfg.revenue_floor, cfg.top_n) == (3e8, 50)
    assert ScoringConfig.from_settings(Settings()) == ScoringConfig()


@pytest.mark.parametrize("raw, key", [
    ({"weights": {"revenue_scal": 0.3}}, "scoring.weights.revenue_scal"),
    ({"revenue_flor": 1}, "scoring.revenue_flor"),
    ({"weights": {"growth_rate": -1}}, "scoring.indicators.growth_rate.weight"),
    ({"indicators": {"growth_rate": {"clip": [3, -1]}}}, "scoring.indicators.growth_rate"),
    ({"indicators": {"growth_rate": {"metric": "nonsense"}}}, "scoring.indicators.growth_rate"),
    ({"indicators": {"profitability": {"norm": "cubic"}}}, "scoring.indicators.profitability.norm"),
    ({"top_n": 0}, "scoring.top_n"),
    ({"tie_break": ["company_name"]}, "tie_break"),
])
def test_invalid_settings_name_the_key(raw, key):
    with pytest.raises(ConfigError) as exc:
        ScoringConfig.from_dict(raw)
    assert key in str(exc.value)


def test_all_weights_zero_is_refused():
    with pytest.raises(ConfigError, match="sum to 0"):
        ScoringConfig.from_dict({"weights": {k: 0 for k in CONTRACT}})
