"""Every metric row of a year (verify/metrics.jsonl, the warehouse's company_year_metric), and
where each is computed:

- the declared figures checked against public ones (revenue, internet revenue, costs, profits,
  R&D, employees, the prior year's revenue and internet revenue): expectations.accuracy;
- users: expectations.indicators (declared);
- market value: expectations.market_value (quotes and FX);
- traffic and social responsibility: expectations.indicators.
"""

from __future__ import annotations

from expectations import indicators, market_value
from expectations.accuracy import CompanyFigures
from expectations.inputs import Inputs
from expectations.integrity import records_in_year
from expectations.market_value import MarketValue
from expectations.rules import VerifyRules
from top100.records import ErrorRow, MetricRow


def year_metrics(inputs: Inputs, figures: dict[str, CompanyFigures], market_values: dict[str, MarketValue],
                 rules: VerifyRules, errors: list[ErrorRow]) -> list[MetricRow]:
    year = inputs.year
    candidates = inputs.candidates_by_id()
    traffic = indicators.traffic_by_company(inputs.traffic, year)
    integrity = records_in_year(inputs.integrity, year)
    rows: list[MetricRow] = []
    for company in figures.values():
        rows += figure_rows(company, year)
        rows.append(indicators.users_row(company.form, year))
    for company_id, company in figures.items():
        listed = bool((candidates.get(company_id) or {}).get("exchange") or company.form.get("exchange"))
        value = market_value.metric_row(company_id, year, market_values.get(company_id), listed,
                                        inputs.market_value_date, errors)
        rows += [value] if value is not None else []
        rows += indicators.traffic_rows(company_id, year, traffic.get(company_id))
        rows.append(indicators.social_responsibility_row(company.form, year, integrity.get(company_id, []),
                                                         rules.social_responsibility))
    return rows


def figure_rows(company: CompanyFigures, year: int) -> list[MetricRow]:
    """The figures used, as metric rows (the declared form's cell, the public page or the peers as
    the reference)."""
    out = []
    for name, row in company.rows.items():
        ref = row.source_ref
        if row.peers:
            ref = f"peers: {row.peers}"
        elif row.cell and row.source == "declared":
            ref = f"form {company.form.sha256[:12]} cell {row.cell}"
        out.append(MetricRow(company.company_id, year, name, row.value, row.source, ref, row.declared,
                             row.public, row.difference, row.rule, row.status))
    return out
