"""CFETS central parity (人民币汇率中间价), USD/CNY and HKD/CNY.

``values[i]`` aligns with ``data.searchlist``; a missing value is ``"---"``; a window of a year
or more returns no records and a ``flagMessage``; holidays have no record (use the last
published rate on or before the day).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from spiders.parse import SHAPE_CHANGED, need
from top100.errors import SchemaDrift, SourceError

PATH = "/ags/ms/cm-u-bk-ccpr/CcprHisNew"
PAIRS = ("USD/CNY", "HKD/CNY")
PAGE_SIZE = 50
MAX_WINDOW_DAYS = 360  # CFETS answers less than a year per query
LOOKBACK_DAYS = 20  # before the market-value date, to find the last published rate


def params(start: date, end: date, page: int = 1) -> dict[str, str]:
    return {"startDate": start.isoformat(), "endDate": end.isoformat(), "currency": ",".join(PAIRS),
            "pageNum": str(page), "pageSize": str(PAGE_SIZE)}


def windows(start: date, end: date) -> list[tuple[date, date]]:
    out, cur = [], start
    while cur <= end:
        stop = min(end, cur + timedelta(days=MAX_WINDOW_DAYS - 1))
        out.append((cur, stop))
        cur = stop + timedelta(days=1)
    return out


def parse(data: Any) -> tuple[dict[str, dict[str, float]], int]:
    """({date: {pair: rate}}, pageTotal). A refused window (flagMessage) raises SourceError."""
    body = need(data, "data", "CcprHisNew", dict)
    flag = body.get("flagMessage") or ""
    if not flag and "records" not in data:  # only a refused window omits it
        raise SchemaDrift(f"CcprHisNew: {SHAPE_CHANGED}: field 'records' is missing")
    records = data.get("records") or []
    if flag and not records:
        raise SourceError(f"CcprHisNew refused the window: {flag}")
    labels = body.get("searchlist") or []
    if records and not labels:
        raise SchemaDrift(f"CcprHisNew: {SHAPE_CHANGED}: field 'data.searchlist' is missing or empty")
    out: dict[str, dict[str, float]] = {}
    for index, rec in enumerate(records):
        day = str(need(rec, "date", f"CcprHisNew records[{index}]"))
        values = need(rec, "values", f"CcprHisNew records[{index}]", list)
        if len(values) != len(labels):
            raise SchemaDrift(f"CcprHisNew records[{index}]: {len(values)} values for {len(labels)} pairs")
        rates = {}
        for label, value in zip(labels, values):
            if value in (None, "", "---"):
                continue
            try:
                rates[label] = float(value)
            except ValueError as exc:
                raise SchemaDrift(f"CcprHisNew records[{index}] {label}: {value!r} is not a number") from exc
        out[day] = rates
    return out, int(body.get("pageTotal") or 1)


def last_published(rates: dict[str, dict[str, float]], pair: str, on: date) -> tuple[str, float]:
    """(date, rate) of the last ``pair`` rate published on or before ``on``."""
    day = on.isoformat()
    days = sorted(published for published, rates_of_day in rates.items() if published <= day and pair in rates_of_day)
    if not days:
        raise SourceError(f"no {pair} central parity published on or before {day}")
    return days[-1], rates[days[-1]][pair]


def fiscal_period(period_end: date) -> tuple[date, date]:
    """The twelve months ending on ``period_end`` (a fiscal year ending in any month): from the
    day after the same date a year before. 2015-03-31 -> (2014-04-01, 2015-03-31)."""
    try:
        year_before = period_end.replace(year=period_end.year - 1)
    except ValueError:  # 29 February
        year_before = period_end.replace(year=period_end.year - 1, day=28)
    return year_before + timedelta(days=1), period_end


def coverage(year: int) -> tuple[date, date]:
    """The days whose rates the flows of fiscal ``year`` and its prior year can need, whatever
    month the fiscal year ends in (a January year end reaches back to February two years before)."""
    return date(year - 2, 1, 1), date(year, 12, 31)


def period_average(fx_rows: Iterable[dict], currency: str, start: date, end: date) -> tuple[float, int] | None:
    """(mean central parity, number of published days) over ``start``..``end``: the rate for the
    flows (revenue, profit) of a fiscal period. One rate per published date; CNY is 1. None when
    no rate was published in the period."""
    if currency == "CNY":
        return 1.0, 0
    pair = f"{currency}/CNY"
    first, last = start.isoformat(), end.isoformat()
    by_date = {str(row["date"]): float(row["rate"]) for row in fx_rows
               if row.get("pair") == pair and first <= str(row.get("date", "")) <= last}
    if not by_date:
        return None
    return statistics.fmean(by_date.values()), len(by_date)
