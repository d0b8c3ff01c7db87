"""Business days and the CFETS central-parity series of the demo world (generated).

Mainland holidays of 2012-2015 as published by the State Council; CFETS publishes no central
parity on them nor at weekends (working Saturdays are ignored: CFETS did not publish on most).
The rates follow a smooth path through the published levels of the period (USD/CNY about
6.10-6.17 in 2014, HKD/CNY about 0.786-0.796); they are GENERATED, not the real series.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

_HOLIDAYS = {
    # 2012 (the FY2013 world's series starts on 2012-01-01: its prior year's average)
    "2012-01-02", "2012-01-03", "2012-01-23", "2012-01-24", "2012-01-25", "2012-01-26", "2012-01-27",
    "2012-04-02", "2012-04-03", "2012-04-04", "2012-04-30", "2012-05-01", "2012-06-22", "2012-10-01",
    "2012-10-02", "2012-10-03", "2012-10-04", "2012-10-05",
    # 2013
    "2013-01-01", "2013-01-02", "2013-01-03", "2013-02-11", "2013-02-12", "2013-02-13", "2013-02-14",
    "2013-02-15", "2013-04-04", "2013-04-05", "2013-04-29", "2013-04-30", "2013-05-01", "2013-06-10",
    "2013-06-11", "2013-06-12", "2013-09-19", "2013-09-20", "2013-10-01", "2013-10-02", "2013-10-03",
    "2013-10-04", "2013-10-07",
    # 2014
    "2014-01-01", "2014-01-31", "2014-02-03", "2014-02-04", "2014-02-05", "2014-02-06", "2014-04-07",
    "2014-05-01", "2014-05-02", "2014-06-02", "2014-09-08", "2014-10-01", "2014-10-02", "2014-10-03",
    "2014-10-06", "2014-10-07",
    # 2015
    "2015-01-01", "2015-01-02", "2015-02-18", "2015-02-19", "2015-02-20", "2015-02-23", "2015-02-24",
    "2015-04-06", "2015-05-01", "2015-06-22",
}
# US market holidays (NYSE/NASDAQ) and Hong Kong holidays in the windows the quotes cover (the
# 120 days before each world's valuation date: 2015-06-25 for FY2014, 2014-06-25 for FY2013)
US_HOLIDAYS = {"2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03",
               "2014-12-25", "2014-11-27",
               "2014-01-01", "2014-01-20", "2014-02-17", "2014-04-18", "2014-05-26", "2014-07-04"}
HK_HOLIDAYS = {"2015-01-01", "2015-02-19", "2015-02-20", "2015-04-03", "2015-04-06", "2015-04-07",
               "2015-05-01", "2015-05-25", "2014-12-25", "2014-12-26",
               "2014-01-01", "2014-01-31", "2014-02-03", "2014-04-18", "2014-04-21", "2014-05-01",
               "2014-05-06", "2014-06-02", "2014-07-01"}


def days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def cn_business_day(d: date) -> bool:
    return d.weekday() < 5 and d.isoformat() not in _HOLIDAYS


def trading_day(d: date, venue: str) -> bool:
    """A trading day of a listing venue group: A-share, Hong Kong or US."""
    if d.weekday() >= 5:
        return False
    if venue == "A-share":
        return d.isoformat() not in _HOLIDAYS
    if venue == "Hong Kong":
        return d.isoformat() not in HK_HOLIDAYS
    return d.isoformat() not in US_HOLIDAYS


def usd_cny(d: date) -> float:
    """A smooth generated path (4 decimals, as CFETS prints)."""
    t = (d - date(2013, 1, 1)).days
    v = 6.18 - 0.0002 * min(t, 400) + 0.05 * math.sin(t / 58.0) + 0.0003 * max(t - 400, 0) ** 0.5
    return round(v, 4)


def hkd_cny(d: date) -> float:
    """HKD is pegged to USD at about 7.75-7.76 (5 decimals, as CFETS prints)."""
    return round(usd_cny(d) / 7.7540, 5)


def fx_series(start: date, end: date) -> list[dict]:
    """[{"date", "USD/CNY", "HKD/CNY"}] for every CFETS business day, ascending."""
    return [{"date": d.isoformat(), "USD/CNY": f"{usd_cny(d):.4f}", "HKD/CNY": f"{hkd_cny(d):.5f}"}
            for d in days(start, end) if cn_business_day(d)]


def fx_average(series: list[dict], pair: str, year: int) -> float:
    """Mean of the rates published in ``year`` (the verify stage's rule for flows)."""
    vals = [float(r[pair]) for r in series if r["date"][:4] == str(year) and r[pair] != "---"]
    return sum(vals) / len(vals)


def fx_on(series: list[dict], pair: str, on: str) -> tuple[str, float]:
    """The last published rate on or before ``on`` (date, rate)."""
    best = None
    for r in series:
        if r["date"] <= on and r[pair] != "---":
            best = (r["date"], float(r[pair]))
    if best is None:
        raise ValueError(f"no {pair} rate on or before {on}")
    return best
