"""The scoring configuration: eight indicators in four dimensions, their weights, sources and
normalisations, and the ranking rules (METHOD.md section 3; docs/CONTRACTS.md "Default scoring").

The report does not publish its weights; the defaults below are ours and are documented here and
in docs/CONTRACTS.md. Every value can be overridden in the ``[scoring]`` section of top100.toml
(``settings.scoring``), which is validated over these defaults::

    [scoring]
    revenue_floor = 2.0e8
    [scoring.weights]                 # shorthand: only the weights
    revenue_scale = 0.30
    [scoring.indicators.growth_rate]  # any field of one indicator
    clip = [-0.5, 2.0]

Unknown keys are errors, and every error names the key (``scoring.weights.foo``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from top100.errors import ConfigError


class Dimension(StrEnum):
    company_scale = "company_scale"  # 企业规模
    social_influence = "social_influence"  # 社会影响
    growth_potential = "growth_potential"  # 发展潜力
    social_responsibility = "social_responsibility"  # 社会责任


DIMENSION_ZH = {
    Dimension.company_scale: "企业规模",
    Dimension.social_influence: "社会影响",
    Dimension.growth_potential: "发展潜力",
    Dimension.social_responsibility: "社会责任",
}


class Norm(StrEnum):
    """How an indicator's raw value becomes a score in [0, 1] (see scoring.index)."""

    log_minmax = "log_minmax"  # log1p(max(x, 0)), then min-max over the eligible
    signed_log_minmax = "signed_log_minmax"  # sign(x)*log1p(|x|), then min-max: losses rank below zero
    clip_minmax = "clip_minmax"  # clip to [lo, hi], then min-max over the eligible
    fixed = "fixed"  # clip to [lo, hi], then (x - lo) / (hi - lo): a fixed scale, not pool-relative
    minmax = "minmax"  # plain min-max
    rank = "rank"  # percentile rank (average rank for ties), (r - 1) / (n - 1)
    zscore = "zscore"  # z = (x - mean) / std, clipped to [-3, 3], mapped linearly to [0, 1]


# The metrics an indicator may take as its source. Derived ones are computed in scoring.index
# from the columns of the indicator table.
SOURCE_METRICS = {
    "internet_revenue": "internet business revenue (CNY)",
    "employees_total": "employees at year end",
    "operating_profit": "operating profit (CNY, losses negative)",
    "traffic": "third-party traffic, desktop + mobile",
    "market_value_or_users": "market value (CNY) for listed companies, else users; normalised per kind",
    "market_value": "market value (CNY)",
    "users": "users",
    "internet_revenue_growth": "internet_revenue / internet_revenue_prior - 1",
    "rd_ratio": "rd_expense / revenue",
    "social_responsibility": "social-responsibility score, 0..100",
    "revenue": "operating revenue (CNY)",
    "rd_expense": "R&D expense (CNY)",
}


# Columns of the indicator table a tie may be broken on (descending: more is better).
TIE_BREAK_COLUMNS = ("internet_revenue", "revenue", "operating_profit", "traffic", "employees_total",
                     "market_value", "users", "social_responsibility", "rd_expense")


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dimension: Dimension
    label: str  # the report's name for the aspect
    metric: str
    norm: Norm
    weight: float = Field(ge=0)
    clip: tuple[float, float] | None = None  # for clip_minmax and fixed

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.metric not in SOURCE_METRICS:
            raise ValueError(f"metric {self.metric!r} is not one of {sorted(SOURCE_METRICS)}")
        if self.norm in (Norm.clip_minmax, Norm.fixed):
            if self.clip is None:
                raise ValueError(f"normalisation {self.norm.value} needs clip = [lo, hi]")
            if not self.clip[0] < self.clip[1]:
                raise ValueError(f"clip {list(self.clip)}: lo must be below hi")
        return self


DEFAULT_INDICATORS: dict[str, dict[str, Any]] = {
    "revenue_scale": dict(dimension="company_scale", label="收入规模", metric="internet_revenue",
                          norm="log_minmax", weight=0.25),
    "human_capital": dict(dimension="company_scale", label="人力资本", metric="employees_total",
                          norm="log_minmax", weight=0.05),
    "profitability": dict(dimension="company_scale", label="盈利能力", metric="operating_profit",
                          norm="signed_log_minmax", weight=0.10),
    "business_scale": dict(dimension="social_influence", label="业务规模", metric="traffic",
                           norm="log_minmax", weight=0.15),
    "business_scale_2": dict(dimension="social_influence", label="业务规模（市值/用户）",
                             metric="market_value_or_users", norm="log_minmax", weight=0.10),
    "growth_rate": dict(dimension="growth_potential", label="成长速度", metric="internet_revenue_growth",
                        norm="clip_minmax", clip=(-0.5, 3.0), weight=0.10),
    "technical_innovation": dict(dimension="growth_potential", label="技术创新", metric="rd_ratio",
                                 norm="clip_minmax", clip=(0.0, 0.5), weight=0.10),
    "social_responsibility": dict(dimension="social_responsibility", label="社会责任",
                                  metric="social_responsibility", norm="fixed", clip=(0.0, 100.0),
                                  weight=0.15),
}


class ScoringConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicators: dict[str, Indicator] = Field(
        default_factory=lambda: {k: Indicator(**v) for k, v in DEFAULT_INDICATORS.items()}
    )
    # What a missing raw value scores: 0 (no evidence, no credit) and a <name>_missing flag.
    missing_score: float = Field(default=0.0, ge=0, le=1)
    # Every company on the list earns above 2 亿元 of internet revenue (METHOD.md section 4).
    revenue_floor: float = Field(default=2.0e8, ge=0)
    top_n: int = Field(default=100, ge=1)
    # Groups are consolidated by the verify stage (an ERROR finding; it knows the 2015 join-date
    # exception). True also excludes any company whose group parent is a candidate: for inputs
    # that did not go through verify.
    exclude_group_members: bool = False
    # Ties in total_score (after rounding to score_decimals) are broken by these columns of the
    # scored table, descending, then by company_id ascending.
    score_decimals: int = Field(default=6, ge=0, le=12)
    tie_break: tuple[str, ...] = ("internet_revenue",)
    # Sensitivity analysis: each weight times U(1 - p, 1 + p), N draws from this seed.
    sensitivity_perturbation: float = Field(default=0.20, ge=0, lt=1)
    sensitivity_draws: int = Field(default=1000, ge=1)
    sensitivity_seed: int = 2015

    @model_validator(mode="after")
    def _weights(self) -> ScoringConfig:
        if not self.indicators:
            raise ValueError("at least one indicator is needed")
        for col in self.tie_break:
            if col not in TIE_BREAK_COLUMNS:
                raise ValueError(f"tie_break: {col!r} is not one of {', '.join(TIE_BREAK_COLUMNS)}")
        if sum(i.weight for i in self.indicators.values()) <= 0:
            raise ValueError("the weights sum to 0")
        return self

    @property
    def weights(self) -> dict[str, float]:
        return {k: i.weight for k, i in self.indicators.items()}

    @property
    def dimensions(self) -> list[str]:
        """Dimensions in the method's order, those that have an indicator."""
        used = {i.dimension for i in self.indicators.values()}
        return [d.value for d in Dimension if d in used]

    @classmethod
    def from_settings(cls, settings: Any) -> ScoringConfig:
        """The defaults overridden by ``settings.scoring`` (a Settings object or the dict itself)."""
        raw = getattr(settings, "scoring", settings) or {}
        return cls.from_dict(dict(raw))

    @classmethod
    def from_year(cls, ctx: Any, settings: Any = None) -> ScoringConfig:
        """The year's method (``ctx.method`` of top100.year: indicators, weights, revenue floor),
        then any ``[scoring]`` overrides of the settings (what-if runs, sensitivity)."""
        method = ctx.method.scoring_dict()
        over = dict(getattr(settings, "scoring", settings) or {}) if settings is not None else {}
        base = {k: v for k, v in method.items() if k != "indicators"}
        return cls.from_dict({**base, **over}, defaults=method["indicators"])

    @classmethod
    def from_dict(cls, raw: dict[str, Any], defaults: dict[str, dict[str, Any]] | None = None) -> ScoringConfig:
        raw = dict(raw)
        indicators = {k: dict(v) for k, v in (DEFAULT_INDICATORS if defaults is None else defaults).items()}
        for name, over in (raw.pop("indicators", None) or {}).items():
            if not isinstance(over, dict):
                raise ConfigError(f"scoring.indicators.{name}: expected a table of fields")
            # a new indicator must be complete; a known one takes partial overrides
            indicators[name] = {**indicators.get(name, {}), **over}
        for name, w in (raw.pop("weights", None) or {}).items():
            if name not in indicators:
                raise ConfigError(f"scoring.weights.{name}: no such indicator ({', '.join(indicators)})")
            indicators[name]["weight"] = w
        built: dict[str, Indicator] = {}
        for name, fields in indicators.items():
            try:
                built[name] = Indicator(**fields)
            except ValidationError as exc:
                raise ConfigError(_explain(exc, f"scoring.indicators.{name}")) from exc
        try:
            return cls(indicators=built, **raw)
        except ValidationError as exc:
            raise ConfigError(_explain(exc, "scoring")) from exc


def _explain(exc: ValidationError, prefix: str) -> str:
    """'scoring.revenue_floor: Input should be greater than or equal to 0' (one per error)."""
    parts = []
    for err in exc.errors():
        loc = ".".join([prefix, *(str(p) for p in err["loc"])])
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
