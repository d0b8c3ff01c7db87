"""Market value (总市值) on the year's valuation date, in CNY: the quote's close × total shares (÷
ordinary shares per ADS where the price is per ADS) × the CFETS central parity of that date.

Read from the quotes (collect/quotes.jsonl, one per listed company), the share counts the quotes
used (collect/shares.jsonl), the annual reports' year-end share counts (facts ``total_shares``)
and the FX rates (collect/fx.jsonl); used by the scoring (business scale of a listed company) and
by the accuracy check's plausibility bound on revenue.

The share count, in this order (``share_count``; issue 17 item 4):
1. a delivered ``inbox/market_values.csv`` row (its date and shares);
2. a count a filing states on or before the valuation date (companyfacts'
   dei:EntityCommonStockSharesOutstanding, with its date and filing date);
3. for an A-share or HK listing, the year-end count of its annual report (股份变动情况表 股份总数,
   shares in issue; extractors.share_capital), as of the report's fiscal year end, from the
   latest report published on or before the valuation date (a conflicting reading is not used);
4. today's quote snapshot (EastMoney f84), labelled a fallback.
The metric row's rule says which was used and its date; the audit site shows it with the page.
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


REPORT_EXCHANGES = ("SSE", "SZSE", "BSE", "HKEX")  # listings whose annual report's count may be used
FALLBACK_NOTE = "fallback: today's count, not the valuation date's"


@dataclass(frozen=True)
class MarketValue:
    """A company's quote on the valuation date, the rate that converts it, and the value in CNY."""

    quote: dict  # the quote as used: ``total_shares`` is the count chosen (``share_count``)
    fx_rate: float | None
    value: float | None  # CNY; None without a rate or a price
    shares: dict | None = None  # where the count comes from: shares, as_of, filed, source, fallback, fact
    on: str | None = None  # the valuation date

    @property
    def rule(self) -> str:
        quote = self.quote
        return (f"close {plain(quote.get('close'))} {quote.get('currency')} on {quote.get('date')} x shares "
                f"{plain(quote.get('total_shares'))}" + _shares_note(self.shares)
                + (f" / ADS ratio {plain(quote.get('ads_ratio'))}" if quote.get("ads_ratio") else "")
                + f" x FX {plain(self.fx_rate) if self.fx_rate is not None else '—'}")


def _shares_note(shares: dict | None) -> str:
    if not shares:
        return ""
    date = f", as of {shares['as_of']}" if shares.get("as_of") else ""
    source = str(shares.get("source") or "")
    labelled = shares.get("fallback") and "fallback" not in source  # the snapshot's source says so itself
    return f" ({source}{date}{'; ' + FALLBACK_NOTE if labelled else ''})"


def _report_counts(facts: Iterable[dict], documents: dict[str, dict], on: str) -> dict[str, dict]:
    """company -> its latest annual report's year-end count usable on ``on``: stated for a date on
    or before it, in a report published on or before it (a report whose publication date is not
    known counts when its year ended before ``on``), not in conflict with another reading."""
    best: dict[str, dict] = {}
    for f in facts:
        if f.get("metric") != "total_shares" or not f.get("company_id") or f.get("conflict") \
                or f.get("superseded") or not f.get("value"):
            continue
        as_of = str(f.get("period_end") or "")
        published = str((documents.get(str(f.get("document_sha256"))) or {}).get("published_at") or "")[:10]
        if not as_of or as_of > on or (published and published > on):
            continue
        key = (as_of, published)
        held = best.get(f["company_id"])
        if held is None or key > (held["period_end"], held["_published"]):
            best[f["company_id"]] = {**f, "period_end": as_of, "_published": published}
    return best


def share_count(quote: dict, collected: dict | None, report: dict | None) -> dict | None:
    """The count a market value uses (the module's order) and where it comes from, or None to
    keep the quote's as it is (no record of its source)."""
    fallback = collected is None or bool(collected.get("fallback"))
    if collected is not None and not fallback:
        return {**collected, "fact": None}  # a delivered row or a filing dated on or before the date
    if report is not None and str(quote.get("exchange") or "").upper() in REPORT_EXCHANGES:
        doc = str(report.get("document_sha256") or "")[:12]
        return {"shares": float(report["value"]), "as_of": report.get("period_end"),
                "filed": report.get("_published") or None, "fallback": False,
                "source": f"annual report {doc} page {report.get('page')}: {report.get('label')} "
                          f"{report.get('raw')} {report.get('unit')}",
                "url": None, "fact": {k: v for k, v in report.items() if not k.startswith("_")}}
    if collected is not None:
        return {**collected, "fact": None}
    return None


def market_values(quotes: Iterable[dict], fx_rows: list[dict], on: str, shares: Iterable[dict] = (),
                  facts: Iterable[dict] = (), documents: Iterable[dict] = ()) -> dict[str, MarketValue]:
    """Each quoted company's market value on ``on`` (the last quote of a company counts), with the
    share count chosen by ``share_count`` from the collected counts (collect/shares.jsonl), the
    annual reports' year-end counts (facts) and their documents' publication dates."""
    by_company = {q["company_id"]: q for q in quotes if q.get("company_id")}
    collected = {str(r["company_id"]): r for r in shares if r.get("company_id")}
    reports = _report_counts(facts, {str(d.get("sha256")): d for d in documents if d.get("sha256")}, on)
    out = {}
    for company_id, quote in by_company.items():
        rate = fx_on(fx_rows, quote.get("currency") or "CNY", on)
        chosen = share_count(quote, collected.get(company_id), reports.get(company_id))
        if chosen is not None and chosen.get("shares") and chosen["fact"] is not None:
            quote = {**quote, "total_shares": chosen["shares"]}
        out[company_id] = MarketValue(quote, rate, market_value_cny(quote, rate), chosen, on)
    return out


def report_counts_used(values: dict[str, MarketValue]) -> dict[tuple[str, str], dict]:
    """(company, "market_value") -> the annual report's share-count fact a market value used (the
    audit site shows its document, page and box)."""
    return {(company_id, "market_value"): mv.shares["fact"] for company_id, mv in values.items()
            if mv.shares and mv.shares.get("fact")}


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
