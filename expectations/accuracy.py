"""Check 3 of the method, 企业数据真实性和准确性核查: the declared figures are true and accurate.

Top to bottom, for every declaring company:
1. each declared figure beside the public one (annual report, 20-F, companyfacts, prospectus) in
   CNY: a difference of exactly a unit factor is a unit error and corrected; beyond tolerance the
   audited public figure is used and the declared one kept (expectations.reconcile decides);
2. unit errors that no public figure shows (revenue per employee, a part larger than revenue),
   the prior-year cell of a corrected row corrected alike; growth over the prior year;
3. self-operated e-commerce (自营电商): internet revenue = revenue - cost of goods, or revenue ×
   the median gross margin of peers where the cost is not published (METHOD.md section 3);
4. plausibility: bounds on the figures used, whatever the evidence (rules.plausible_*);
5. the declaration: forms sent twice or disagreeing, a legal name declared twice, a subsidiary
   whose group declares;
6. the check table (one row per company and figure, one per declaration) and the expectations
   of the suite "accuracy" over its columns; a form in the wrong unit throughout is one finding.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from expectations import reconcile
from expectations.declarations import Form, declaration_conflict, file_names, form_name
from expectations.findings import plain
from expectations.inputs import Inputs, as_number
from expectations.market_value import MarketValue
from expectations.rules import VerifyRules
from expectations.spec import Expect, expect, where
from top100.records import Finding
from top100.vocab import MONEY_METRICS

COUNT_METRICS = ("employees_total", "users")
MONEY_NAMES = {m.value for m in MONEY_METRICS}
# parts of revenue: one larger than revenue by about a unit factor was declared in the wrong unit
REVENUE_PARTS = ("internet_revenue", "operating_cost", "operating_profit", "net_profit", "rd_expense")


@dataclass
class FigureCheck:
    """One figure of one company, a row of the check table: declared, public (in CNY), the value
    used and why. ``metric`` is the figure's name (``<metric>_prior`` for the prior year's)."""

    company_id: str
    metric: str
    prior: bool = False
    declared: float | None = None
    public: float | None = None
    value: float | None = None
    source: str | None = None
    rule: str | None = None
    status: str | None = None
    difference: float | None = None
    unit_factor: float | None = None  # the unit error found (declared = right figure × factor)
    correct_value: float | None = None  # what the finding says was used instead
    residual: float | None = None  # |declared (corrected) - public| / |public| where both were compared
    fx_missing: str | None = None  # the CFETS pair and year without a rate for the public figure
    growth: float | None = None
    ecommerce_basis: str | None = None  # self-operated e-commerce: "cost_of_goods" | "peer_margin"
    before_ecommerce: float | None = None  # the internet revenue the e-commerce rule replaced
    peers: str | None = None
    revenue_used: float | None = None
    source_ref: str | None = None
    cell: str | None = None
    implausible: str | None = None  # why the value used is beyond any company's

    def correct(self, factor: float, why: str) -> None:
        """A unit error found by a cross-field rule, on a figure with no public one."""
        if self.status != "declared_only" or self.declared is None:
            return
        fixed = self.declared / factor
        self.value, self.status, self.unit_factor, self.correct_value = fixed, "corrected", factor, fixed
        self.rule = f"unit_error x{factor:g} ({why})"

    def flag(self, why: str) -> None:
        self.implausible = why if not self.implausible else f"{self.implausible}; {why}"


@dataclass
class DeclarationCheck:
    """The company's declaration as a whole, a row of the check table."""

    company_id: str
    form_count: int | None  # identical forms received (None where they conflict)
    conflict: str | None
    forms: str
    duplicate_of: str | None  # the company that declared the same legal name first
    consolidated_into: str | None  # the declaring group this subsidiary belongs to
    group_parent_id: str | None
    joined_group_on: str | None
    metric: str = "declaration"


@dataclass
class CompanyFigures:
    """One company's checked figures, by name, and its declaration."""

    form: Form
    rows: dict[str, FigureCheck] = field(default_factory=dict)
    users: FigureCheck | None = None  # declared users beyond any service's
    declaration: DeclarationCheck | None = None

    @property
    def company_id(self) -> str:
        return self.form.company_id

    def used(self, metric: str) -> float | None:
        row = self.rows.get(metric)
        return None if row is None else row.value


def check_figures(inputs: Inputs, forms: dict[str, list[Form]], facts: dict[str, list[dict]],
                  market_values: dict[str, MarketValue], rules: VerifyRules,
                  facts_used: dict[tuple[str, str], dict]) -> dict[str, CompanyFigures]:
    """Steps 1 to 5 for every company with a form (its latest form is the one used)."""
    figures = {company_id: CompanyFigures(company_forms[-1]) for company_id, company_forms in forms.items()}
    for company_id, company in figures.items():
        public = facts.get(company_id, [])
        for metric in rules.compared_metrics:
            company.rows[metric] = _compare(inputs, rules, company, metric, public, facts_used, prior=False)
        for metric in ("revenue", "internet_revenue"):
            company.rows[f"{metric}_prior"] = _compare(inputs, rules, company, metric, public, facts_used, prior=True)
        _unit_errors_without_public(company, rules)
    _self_operated_ecommerce(figures, rules)
    _plausibility(figures, market_values, rules)
    _declarations(inputs, forms, figures, rules)
    return figures


# ---- 1. declared versus public --------------------------------------------------------------

def _compare(inputs: Inputs, rules: VerifyRules, company: CompanyFigures, metric: str, facts: list[dict],
             facts_used: dict, *, prior: bool) -> FigureCheck:
    year = inputs.year - 1 if prior else inputs.year
    name = f"{metric}_prior" if prior else metric
    declared = as_number(company.form.get(metric, prior=prior))
    fact = reconcile.pick_public(facts, metric, year, rules.public_sources)
    if fact is None and metric == "rd_expense":
        # the R&D ratio's basis: 研发费用 where printed, else the R&D investment (研发投入合计); the
        # fact used keeps its metric and basis (facts_used, the audit pages say which)
        fact = reconcile.pick_public(facts, "rd_investment", year, rules.public_sources)
    public = fx_missing = None
    if fact is not None:
        rate = 1.0 if metric in COUNT_METRICS else reconcile.fx_average(
            inputs.fx, fact.get("currency") or "CNY", year, fact.get("period_end"))
        if rate is None:
            fx_missing = f"{fact.get('currency')}/CNY {year}"
        else:
            public = float(fact["value"]) * rate
            facts_used[(company.company_id, name)] = fact
    decision = reconcile.decide(declared, public, fact.get("doc_type") if fact else None, rules)
    residual = None
    if public is not None and decision.status in ("agree", "public_used", "corrected") and not prior:
        base = decision.corrected_declared if decision.corrected_declared is not None else declared
        difference = reconcile.relative_difference(base, public)
        residual = abs(difference) if difference is not None else None
    cells = company.form.prior if prior else company.form.current
    return FigureCheck(
        company.company_id, name, prior=prior, declared=declared, public=public, value=decision.value,
        source=decision.source, rule=decision.rule, status=decision.status, difference=decision.difference,
        unit_factor=decision.unit_factor,
        correct_value=decision.corrected_declared if decision.unit_factor else None, residual=residual,
        fx_missing=fx_missing,
        source_ref=f"{fact['document_sha256']} p.{fact.get('page')}" if fact and public is not None else None,
        cell=cells.get(metric, {}).get("cell"))


# ---- 2. unit errors without a public figure; growth -----------------------------------------

def _unit_errors_without_public(company: CompanyFigures, rules: VerifyRules) -> None:
    """Revenue per employee, parts larger than revenue. A row's prior-year cell shares its unit
    (one 单位 per row), so it is corrected alike."""
    def factors(metric: str) -> list[float]:
        return reconcile.suspect_factors(as_number(company.form.current.get(metric, {}).get("scale")), rules)

    revenue, employees = company.rows["revenue"], company.rows["employees_total"]
    hit = reconcile.employees_unit_correction(revenue.value, employees.value, rules, factors("revenue"))
    if hit:
        metric, factor = hit
        company.rows[metric].correct(factor, "revenue per employee")
    for metric in REVENUE_PARTS:
        if metric in company.rows:
            factor = reconcile.share_unit_correction(company.rows[metric].value, revenue.value, rules, factors(metric))
            if factor:
                company.rows[metric].correct(factor, "larger than revenue")
    for metric in ("revenue", "internet_revenue"):
        current, prior = company.rows[metric], company.rows[f"{metric}_prior"]
        if current.unit_factor and prior.status == "declared_only" and prior.declared is not None:
            prior.value, prior.status = prior.declared / current.unit_factor, "corrected"
            prior.rule = f"unit of the row's current-year cell x{current.unit_factor:g}"
        if metric in rules.growth_metrics:
            current.growth = reconcile.growth(current.value, prior.value)
    for row in company.rows.values():
        row.revenue_used = revenue.value


# ---- 3. self-operated e-commerce ------------------------------------------------------------

def _self_operated_ecommerce(figures: dict[str, CompanyFigures], rules: VerifyRules) -> None:
    def cost(company: CompanyFigures, prior: bool = False) -> float | None:
        if prior:
            declared = as_number(company.form.get("operating_cost", prior=True))
            factor = company.rows["operating_cost"].unit_factor
            return declared / factor if (declared is not None and factor) else declared
        return company.rows["operating_cost"].value

    self_operated = {company_id: company for company_id, company in figures.items()
                     if company.form.get("self_operated_ecommerce") is True}
    similar = {company_id: company for company_id, company in figures.items()
               if company.form.get("business_type") == rules.ecommerce_business_type}
    for company_id, company in self_operated.items():
        for prior in (False, True):
            row = company.rows["internet_revenue_prior" if prior else "internet_revenue"]
            revenue = company.rows["revenue_prior" if prior else "revenue"].value
            own_cost = cost(company, prior)
            row.before_ecommerce = row.value
            row.source = "derived"
            if own_cost is not None:
                row.value = reconcile.ecommerce_internet_revenue(revenue, own_cost, None)
                row.status, row.ecommerce_basis = "derived", "cost_of_goods"
                row.rule = "self-operated e-commerce: revenue - cost of goods"
                continue
            pool = {peer: other for peer, other in self_operated.items() if peer != company_id and cost(other) is not None}
            if len(pool) < rules.ecommerce_min_peers:
                pool = {peer: other for peer, other in similar.items() if peer != company_id and cost(other) is not None}
            margin, peers = reconcile.peer_margin({peer: (other.rows["revenue"].value, cost(other))
                                                   for peer, other in pool.items()})
            row.value = row.correct_value = reconcile.ecommerce_internet_revenue(revenue, None, margin)
            row.status = "derived" if row.value is not None else "missing"
            row.rule = (f"self-operated e-commerce without cost of goods: revenue x (1 - median cost ratio) "
                        f"= revenue x {margin:.4f} (median gross margin of {', '.join(peers)})"
                        if margin is not None else "self-operated e-commerce without cost and no peers")
            row.peers, row.ecommerce_basis = ", ".join(peers) or None, "peer_margin"


# ---- 4. plausibility ------------------------------------------------------------------------

def _plausibility(figures: dict[str, CompanyFigures], market_values: dict[str, MarketValue],
                  rules: VerifyRules) -> None:
    """Bounds on the figures used that hold whatever the evidence (rules.plausible_*): a figure
    outside them says why in ``implausible``, an ERROR finding. Independent of a public
    document, so an unlisted company is held to them as much as a listed one."""
    for company_id, company in figures.items():
        for name, row in company.rows.items():
            value = row.value
            if value is None or not isinstance(value, (int, float)):
                continue
            base = name.removesuffix("_prior")
            if base in MONEY_NAMES and abs(value) > rules.plausible_money_max:
                row.flag(f"{base} {value:,.0f} 元 is beyond any company's ({rules.plausible_money_max:,.0f} 元)")
            elif base == "employees_total" and value > rules.plausible_employees_max:
                row.flag(f"{value:,.0f} employees is beyond any company's ({rules.plausible_employees_max:,.0f})")
        revenue, employees = company.used("revenue"), company.used("employees_total")
        low, high = rules.plausible_revenue_per_employee
        if revenue and employees and employees > 0 and not low <= revenue / employees <= high:
            company.rows["revenue"].flag(f"revenue per employee {revenue / employees:,.0f} 元 is outside "
                                         f"[{low:,.0f}, {high:,.0f}]")
        for metric in ("operating_profit", "net_profit"):
            profit = company.used(metric)
            if revenue and revenue > 0 and profit is not None and profit < -rules.plausible_loss_to_revenue_max * revenue:
                company.rows[metric].flag(f"{metric} {profit:,.0f} is a loss of {-profit / revenue:,.0f} times revenue "
                                          f"(at most {rules.plausible_loss_to_revenue_max:g})")
        low, high = rules.plausible_growth
        for metric in rules.growth_metrics:
            growth = company.rows[metric].growth if metric in company.rows else None
            if growth is not None and not low <= growth <= high:
                company.rows[metric].flag(f"growth {growth:+,.0%} over the prior year is outside "
                                          f"[{low:+.1%}, {high:+,.0%}]")
        market_value = market_values.get(company_id)
        mv = market_value.value if market_value is not None else None
        if revenue and mv and mv > 0 and revenue > rules.plausible_revenue_to_market_value_max * mv:
            company.rows["revenue"].flag(f"revenue {revenue:,.0f} 元 is {revenue / mv:,.0f} times the market value "
                                         f"{mv:,.0f} 元 (at most {rules.plausible_revenue_to_market_value_max:g})")
    for company_id, company in figures.items():
        users = as_number(company.form.get("users"))
        if users is not None and users > rules.plausible_users_max:
            company.users = FigureCheck(company_id, "users", implausible=(
                f"{users:,.0f} users is beyond any service's ({rules.plausible_users_max:,.0f})"))


# ---- 5. the declaration ---------------------------------------------------------------------

def _declarations(inputs: Inputs, forms: dict[str, list[Form]], figures: dict[str, CompanyFigures],
                  rules: VerifyRules) -> None:
    declarants = set(figures)
    files = file_names(inputs.documents)
    known_ids = declarants | set(inputs.candidates_by_id())
    duplicates = reconcile.duplicate_companies({company_id: company.form.get("legal_name")
                                                for company_id, company in figures.items()})
    for company_id, company in figures.items():
        declared = company.form.get
        conflict = declaration_conflict(company_id, forms[company_id], files, known_ids)
        company.declaration = DeclarationCheck(
            company_id,
            # identical copies are one declaration sent twice (a WARNING); forms that disagree
            # are a conflict (an ERROR), never "the latest wins"
            form_count=None if conflict else len(forms[company_id]), conflict=conflict,
            forms=", ".join(form_name(form, files) for form in forms[company_id]),
            duplicate_of=duplicates.get(company_id),
            consolidated_into=reconcile.consolidated_into(
                declared("group_parent_id"), declared("joined_group_on"), declarants - {company_id}, inputs.year,
                rules.group_join_grace_years),
            group_parent_id=declared("group_parent_id"), joined_group_on=declared("joined_group_on"))


# ---- 6. the check table and its expectations ------------------------------------------------

NUMBER_COLUMNS = ("declared", "public", "value", "difference", "unit_factor", "correct_value", "residual",
                  "growth", "revenue_used", "before_ecommerce", "form_count")
COLUMNS = ["row_id", *FigureCheck.__dataclass_fields__,
           *(name for name in DeclarationCheck.__dataclass_fields__ if name not in FigureCheck.__dataclass_fields__)]


def table(figures: dict[str, CompanyFigures]) -> pd.DataFrame:
    rows = []
    for company in figures.values():
        checked = [*company.rows.values(), *([company.users] if company.users else []), company.declaration]
        rows += [{"row_id": f"{row.company_id}|{row.metric}", **asdict(row)} for row in checked if row is not None]
    frame = pd.DataFrame(rows)
    for column in COLUMNS:  # a year without declarations still has the table's shape
        if column not in frame:
            frame[column] = pd.Series(dtype="object")
    for column in NUMBER_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["prior"] = frame["prior"].fillna(False).astype(bool)
    return frame


def expectations(rules: VerifyRules) -> list[Expect]:
    current = where("prior==False")
    required = where(f"metric in {json.dumps(list(rules.required_positive))}")
    factors = ", ".join(f"{factor:,.0f}" for factor in rules.unit_factors)
    return [
        expect("ExpectColumnValuesToBeNull", "unit_error",
               "declared {declared} is {unit_factor:,.0f} times the right figure (unit error; factors " + factors
               + "): {correct_value} used ({rule})", column="unit_factor", **current),
        expect("ExpectColumnValuesToBeBetween", "public_mismatch",
               "declared {declared} differs from the audited public {public} by {difference:+.1%} (tolerance "
               f"{rules.relative_tolerance:.0%}): the public value is used, the declared one kept",
               column="residual", max_value=rules.relative_tolerance, **current),
        expect("ExpectColumnValuesToBeNull", "fx_rate_missing",
               "no CFETS rate {fx_missing} in fx.jsonl to convert the public value: declared value kept",
               column="fx_missing"),
        expect("ExpectColumnPairValuesAToBeGreaterThanB", "profit_exceeds_revenue",
               "operating profit {value} exceeds revenue {revenue_used}", column_A="revenue_used", column_B="value",
               or_equal=True, ignore_row_if="either_value_is_missing", **where('metric=="operating_profit"')),
        expect("ExpectColumnPairValuesAToBeGreaterThanB", "rd_exceeds_revenue",
               "R&D expense {value} exceeds revenue {revenue_used}", column_A="revenue_used", column_B="value",
               or_equal=True, ignore_row_if="either_value_is_missing", **where('metric=="rd_expense"')),
        expect("ExpectColumnValuesToBeBetween", "growth_implausible",
               "growth {growth:+.0%} over the prior year is outside "
               f"[{rules.growth_min:+.0%}, {rules.growth_max:+.0%}]",
               column="growth", min_value=rules.growth_min, max_value=rules.growth_max),
        expect("ExpectColumnValuesToNotBeNull", "required_missing", "required figure not declared nor public",
               column="value", **required),
        expect("ExpectColumnValuesToBeBetween", "not_positive", "required figure {value} is not positive",
               column="value", min_value=0, strict_min=True, **required),
        expect("ExpectColumnValuesToBeBetween", "duplicate_declaration",
               "{form_count:g} identical declaration forms ({forms}): one declaration sent twice",
               column="form_count", max_value=1),
        expect("ExpectColumnValuesToBeNull", "declaration_conflict", "{conflict}", column="conflict"),
        expect("ExpectColumnValuesToBeNull", "implausible_figure", "implausible figure: {implausible}",
               column="implausible"),
        expect("ExpectColumnValuesToBeNull", "duplicate_company",
               "the same legal name is already declared as {duplicate_of}", column="duplicate_of"),
        expect("ExpectColumnValuesToBeNull", "subsidiary_declared_separately",
               "subsidiary of {consolidated_into}, which declares: consolidated into its group",
               metric="group_parent_id", column="consolidated_into"),
        expect("ExpectColumnValuesToBeInSet", "ecommerce_cost_estimated",
               "self-operated e-commerce without published cost of goods: {rule}; {correct_value} used",
               column="ecommerce_basis", value_set=["cost_of_goods"], **current),
    ]


def shown(row: dict[str, Any], column: str | None) -> tuple[Any, Any]:
    """What a finding of this check shows as declared and as public."""
    return row.get("declared", row.get(column) if column else None), row.get("public")


def merge_unit_errors(findings: list[Finding], frame: pd.DataFrame, rules: VerifyRules) -> list[Finding]:
    """A form written in the wrong unit throughout is one slip, not one per row: the unit-error
    findings of one company with the same factor become one finding on the first metric (revenue
    first), whose message names every row corrected alike."""
    factor = {(row["company_id"], row["metric"]): row["unit_factor"]
              for row in frame[["company_id", "metric", "unit_factor"]].to_dict("records")}
    order = {metric: position for position, metric in enumerate(rules.compared_metrics)}
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        if finding.kind == "unit_error":
            groups.setdefault((finding.company_id, factor.get((finding.company_id, finding.metric))), []).append(finding)
    merged: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda finding: order.get(finding.metric, len(order)))
        head, rest = group[0], group[1:]
        head.message += "; the same unit error, corrected alike, in: " + ", ".join(
            f"{finding.metric} ({plain(finding.declared)} -> {plain(finding.correct_value)})" for finding in rest)
        merged |= {id(finding) for finding in rest}
    return [finding for finding in findings if id(finding) not in merged]
