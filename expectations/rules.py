"""Every tolerance and rule of the verify stage, in one validated object.

``settings.verify`` (the ``[verify]`` table of top100.toml) overrides the documented defaults
below; an unknown key or a bad value fails early with a message naming the setting.

The table ``kinds`` says, for each kind of finding, which of the method's four checks it belongs
to and how severe it is: ERROR blocks the company from scoring (METHOD.md section 2), WARNING
is shown and corrected, INFO is shown.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from top100.errors import ConfigError
from top100.vocab import LICENCE_NUMBER_SHAPES, BusinessType, Check, LicenceType, Severity


class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    check: Check
    severity: Severity
    status: str = "open"  # what the finding's status is when raised: open | corrected | excluded


# kind of finding: (the method's check it belongs to, severity, status when raised)
_KINDS: dict[str, tuple[Check, Severity, str]] = {
    # 1. licence (企业经营许可证情况核查)
    "licence_missing": (Check.licence, Severity.ERROR, "excluded"),
    "licence_type_unknown": (Check.licence, Severity.ERROR, "excluded"),
    "licence_malformed": (Check.licence, Severity.ERROR, "excluded"),
    "licence_not_in_registry": (Check.licence, Severity.ERROR, "excluded"),
    "licence_mismatch": (Check.licence, Severity.ERROR, "excluded"),
    "licence_expired": (Check.licence, Severity.ERROR, "excluded"),
    "licence_revoked": (Check.licence, Severity.ERROR, "excluded"),
    "licence_check_not_run": (Check.licence, Severity.ERROR, "excluded"),
    # 2. main business (企业主营业务类型和收入比重核查)
    "internet_share_low": (Check.main_business, Severity.ERROR, "excluded"),
    "business_type_unknown": (Check.main_business, Severity.ERROR, "excluded"),
    "network_outside_mainland": (Check.main_business, Severity.ERROR, "excluded"),
    "business_outside_mainland": (Check.main_business, Severity.ERROR, "excluded"),
    # 3. accuracy (企业数据真实性和准确性核查)
    "unit_error": (Check.accuracy, Severity.WARNING, "corrected"),
    "public_mismatch": (Check.accuracy, Severity.WARNING, "corrected"),
    "fx_rate_missing": (Check.accuracy, Severity.WARNING, "open"),
    "profit_exceeds_revenue": (Check.accuracy, Severity.ERROR, "excluded"),
    "rd_exceeds_revenue": (Check.accuracy, Severity.ERROR, "excluded"),
    "growth_implausible": (Check.accuracy, Severity.WARNING, "open"),
    "required_missing": (Check.accuracy, Severity.ERROR, "excluded"),
    "not_positive": (Check.accuracy, Severity.ERROR, "excluded"),
    "duplicate_declaration": (Check.accuracy, Severity.WARNING, "corrected"),
    "duplicate_company": (Check.accuracy, Severity.ERROR, "excluded"),
    "implausible_figure": (Check.accuracy, Severity.ERROR, "excluded"),
    "declaration_conflict": (Check.accuracy, Severity.ERROR, "excluded"),
    "subsidiary_declared_separately": (Check.accuracy, Severity.ERROR, "excluded"),
    "ecommerce_cost_estimated": (Check.accuracy, Severity.WARNING, "corrected"),
    # 4. integrity (企业诚信和合法合规性核查)
    "integrity_disqualifying": (Check.integrity, Severity.ERROR, "excluded"),
    "integrity_check_not_run": (Check.integrity, Severity.ERROR, "excluded"),
}


def _kinds() -> dict[str, KindRule]:
    return {name: KindRule(check=check, severity=severity, status=status)
            for name, (check, severity, status) in _KINDS.items()}


class SocialResponsibilityRule(BaseModel):
    """社会责任 score, 0..100: start at ``base``; subtract ``per_record`` for each
    non-disqualifying integrity record dated in the fiscal year, ``not_tax_compliant`` when the
    form says 依法纳税 = 否, and ``per_incident`` per declared 违法违规事件 (capped at
    ``max_incidents``); floor 0. A disqualifying record gives 0 (and an ERROR finding)."""

    model_config = ConfigDict(extra="forbid")
    base: float = 100.0
    per_record: float = 20.0
    not_tax_compliant: float = 30.0
    per_incident: float = 10.0
    max_incidents: int = 5


class VerifyRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # declared vs public: relative difference |declared - public| / |public| within this agrees
    relative_tolerance: float = Field(0.02, ge=0, lt=1)
    # a ratio declared/public within this of a unit factor is a unit error (exact up to rounding)
    unit_factor_tolerance: float = Field(0.005, ge=0, lt=0.1)
    # 千 (10^3), 万 (10^4), 百万 (10^6), 亿 (10^8)
    unit_factors: list[float] = Field(default_factory=lambda: [1e3, 1e4, 1e6, 1e8])
    # revenue per employee (元) outside these bounds suggests a unit error when one unit factor
    # brings it back to ``revenue_per_employee_typical`` within the bounds
    revenue_per_employee_min: float = Field(1e4, gt=0)
    revenue_per_employee_max: float = Field(1e8, gt=0)
    revenue_per_employee_typical: float = Field(1e6, gt=0)
    # a head count under this (or fractional) with implausible revenue per employee is suspected
    # of being declared in thousands (千人) rather than the revenue of a wrong unit
    employees_suspect_below: float = Field(100, ge=0)
    # a part (internet revenue, R&D, cost, profit) at least factor × this share of revenue,
    # but larger than revenue, was declared in the wrong unit
    unit_part_min_share: float = Field(0.02, gt=0, le=1)
    # growth over the prior year (value / prior - 1) outside these bounds is implausible
    growth_min: float = -0.9
    growth_max: float = 10.0
    growth_metrics: list[str] = Field(default_factory=lambda: ["revenue", "internet_revenue"])
    # plausibility, for every company whether or not a public document backs its figures (the
    # values used, after unit corrections): an implausible figure is an ERROR and never ranks.
    # Calibrated from the method and real figures, not from a generated world: the largest
    # Chinese internet companies' FY2014 revenue was about 1.2e11 元 (JD.com 115 bn, Tencent
    # 79 bn) and the largest head count about 70,000 (JD.com); the bounds sit an order of
    # magnitude and more beyond them, so a company that multiplies its figures by 10^4 is caught
    # and no real one is.
    plausible_money_max: float = Field(1.0e12, gt=0)  # 1 万亿元, any money figure, either year
    plausible_employees_max: float = Field(2.0e6, gt=0)
    plausible_users_max: float = Field(5.0e9, gt=0)  # accounts, worldwide
    # revenue per employee (元): a cashier of everyone's payments is not in the list
    plausible_revenue_per_employee: tuple[float, float] = (1.0e3, 2.0e9)
    # operating or net loss at most this many times revenue (a start-up loses a few times its revenue)
    plausible_loss_to_revenue_max: float = Field(50.0, gt=0)
    # growth over the prior year (value / prior - 1): beyond this no company grows or shrinks
    plausible_growth: tuple[float, float] = (-0.999, 200.0)
    # revenue at most this many times the market value (a price/sales ratio of 0.01)
    plausible_revenue_to_market_value_max: float = Field(100.0, gt=0)
    # main business: internet revenue at least this share of revenue (收入主要来源于互联网)
    internet_share_min: float = Field(0.5, ge=0, le=1)
    business_types: list[str] = Field(default_factory=lambda: [b.value for b in BusinessType])
    # licences: types accepted, number shapes (no capture groups: GX counts groups as columns)
    licence_types: list[str] = Field(default_factory=lambda: [t.value for t in LicenceType])
    licence_patterns: dict[str, str] = Field(
        default_factory=lambda: {licence_type.value: shape for licence_type, shape in LICENCE_NUMBER_SHAPES.items()}
    )
    licence_bad_statuses: list[str] = Field(
        default_factory=lambda: ["revoked", "cancelled", "suspended", "吊销", "注销", "撤销"]
    )
    # public sources in order of preference (audited first)
    public_sources: list[str] = Field(
        default_factory=lambda: ["annual_report", "hk_annual_report", "20-F", "companyfacts",
                                 "prospectus", "F-1", "424B4"]
    )
    # metrics compared declared vs public; money metrics are compared in CNY
    compared_metrics: list[str] = Field(
        default_factory=lambda: ["revenue", "internet_revenue", "operating_cost", "operating_profit",
                                 "net_profit", "rd_expense", "employees_total"]
    )
    required_positive: list[str] = Field(
        default_factory=lambda: ["revenue", "internet_revenue", "employees_total"]
    )
    # self-operated e-commerce (自营电商): peers are this business type with revenue and cost
    ecommerce_business_type: str = "ecommerce"
    ecommerce_min_peers: int = Field(1, ge=1)
    # a group membership that began in this year or later (after the fiscal year) leaves the
    # company independent for the fiscal year: offset from the fiscal year
    group_join_grace_years: int = Field(1, ge=1)
    social_responsibility: SocialResponsibilityRule = Field(default_factory=SocialResponsibilityRule)
    kinds: dict[str, KindRule] = Field(default_factory=_kinds)

    @model_validator(mode="after")
    def _consistent(self) -> VerifyRules:
        if self.revenue_per_employee_min >= self.revenue_per_employee_max:
            raise ValueError("verify.revenue_per_employee_min must be below revenue_per_employee_max")
        if self.growth_min >= self.growth_max:
            raise ValueError("verify.growth_min must be below verify.growth_max")
        if any(f <= 1 for f in self.unit_factors):
            raise ValueError("verify.unit_factors must all be greater than 1")
        missing = set(_kinds()) - set(self.kinds)
        if missing:
            raise ValueError(f"verify.kinds lacks {sorted(missing)}")
        for licence_type, pattern in self.licence_patterns.items():
            if re.compile(pattern).groups:
                raise ValueError(f"verify.licence_patterns.{licence_type} must not have capture groups")
        return self

    @classmethod
    def from_settings(cls, settings: Any) -> VerifyRules:
        """The rules from ``settings.verify`` over the defaults (a partial ``kinds`` table
        overrides only the kinds it names)."""
        raw = dict(getattr(settings, "verify", None) or {})
        if "kinds" in raw:
            merged = {name: rule.model_dump() for name, rule in _kinds().items()}
            for name, override in dict(raw["kinds"]).items():
                merged[name] = {**merged.get(name, {}), **override}
            raw["kinds"] = merged
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"invalid [verify] settings: {exc}") from exc

    def kind(self, name: str) -> KindRule:
        return self.kinds[name]
