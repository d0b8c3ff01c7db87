"""Market value (总市值) on the year's valuation date, in CNY: the quote's close × total shares (÷
ordinary shares per ADS where the price is per ADS) × the CFETS central parity of that date.

Read from the quotes (collect/quotes.jsonl, one per listed company) and the FX rates
(collect/fx.jsonl); used by the scoring (business scale of a listed company) and by the
accuracy check's plausibility bound on revenue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from expectations.findings import plain
from top100.records import ErrorRow, MetricRow


def fx_on(fx_rows: Iterable[dict], currency: str, on: str) -> float | None:
    """The rate for a date (stocks such as market value): the row requested for that date,
    else the last rate published on or before it."""
    if currency == "CNY":
        return 1.0
    pair = f"{currency}/CNY"
    rows = [r for r in fx_rows if r.get("pair") == pair]
    for row in rows:
        if row.get("requested_date") == on:
            return float(row["rate"])
    before = sorted((r for r in rows if str(r.get("date", "")) <= on), key=lambda r: r["date"])
    return float(before[-1]["rate"]) if before else None


def market_value_cny(quote: dict, fx_rate: float | None) -> float | None:
    """close × total shares (÷ ordinary shares per ADS where the price is per ADS) × FX."""
    if fx_rate is None or quote.get("close") is None:
        return None
    shares = quote.get("total_shares")
    if shares:
        value = float(quote["close"]) * float(shares) / float(quote.get("ads_ratio") or 1)
    elif quote.get("market_value"):
        value = float(quote["market_value"])
    else:
        return None
    return value * fx_rate


@dataclass(frozen=True)
class MarketValue:
    """A company's quote on the valuation date, the rate that converts it, and the value in CNY."""

    quote: dict
    fx_rate: float | None
    value: float | None  # CNY; None without a rate or a price

    @property
    def rule(self) -> str:
        quote = self.quote
        return (f"close {plain(quote.get('close'))} {quote.get('currency')} on {quote.get('date')} x shares "
                f"{plain(quote.get('total_shares'))}"
                + (f" / ADS ratio {plain(quote.get('ads_ratio'))}" if quote.get("ads_ratio") else "")
                + f" x FX {plain(self.fx_rate) if self.fx_rate is not None else '—'}")


def market_values(quotes: Iterable[dict], fx_rows: list[dict], on: str) -> dict[str, MarketValue]:
    """Each quoted company's market value on ``on`` (the last quote of a company counts)."""
    by_company = {q["company_id"]: q for q in quotes if q.get("company_id")}
    out = {}
    for company_id, quote in by_company.items():
        rate = fx_on(fx_rows, quote.get("currency") or "CNY", on)
        out[company_id] = MarketValue(quote, rate, market_value_cny(quote, rate))
    return out


def metric_row(company_id: str, year: int, market_value: MarketValue | None, listed: bool, on: str,
               errors: list[ErrorRow]) -> MetricRow | None:
    """The company's market_value row: derived from its quote, missing for a listed company
    without one, none for an unlisted company. A quote without a rate is an error row."""
    if market_value is not None:
        quote, value = market_value.quote, market_value.value
        if market_value.fx_rate is None:
            errors.append(ErrorRow("verify", "VerificationError", f"no {quote.get('currency')}/CNY rate on or before {on}",
                                   company_id=company_id, url=quote.get("url")))
        return MetricRow(company_id, year, "market_value", value, "quotes", quote.get("url"), None, value, None,
                         market_value.rule, "derived" if value is not None else "missing")
    if listed:
        return MetricRow(company_id, year, "market_value", None, "quotes", None, None, None, None,
                         "no quote for a listed company", "missing")
    return None
