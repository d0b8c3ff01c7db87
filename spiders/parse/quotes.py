"""EastMoney quotes: daily kline (close) and the stock snapshot (total shares).

A kline row is ``date,open,close,high,low,volume,amount,...``: the close is the third column,
not OHLC order. ``data: null`` or ``klines: []`` is an error (EastMoney answers that way when it
throttles), never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from spiders.parse import need
from top100.errors import SchemaDrift, SourceError

KLINE_PATH = "/api/qt/stock/kline/get"
STOCK_PATH = "/api/qt/stock/get"
CURRENCY = {"SSE": "CNY", "SZSE": "CNY", "HKEX": "HKD", "NASDAQ": "USD", "NYSE": "USD"}
LOOKBACK_DAYS = 30  # enough to find the last trading day before any holiday


@dataclass(frozen=True)
class Close:
    date: str
    close: float


def secid(exchange: str, ticker: str) -> str:
    """EastMoney's security id: market prefix + code."""
    if exchange == "SSE":
        return f"1.{ticker}"
    if exchange == "SZSE":
        return f"0.{ticker}"
    if exchange == "HKEX":
        return f"116.{ticker.zfill(5)}"
    if exchange == "NASDAQ":
        return f"105.{ticker.upper()}"
    if exchange == "NYSE":
        return f"106.{ticker.upper()}"
    raise ValueError(f"no EastMoney market for exchange {exchange!r}")


def kline_params(sec: str, on: date) -> dict[str, str]:
    """Unadjusted (fqt=0) daily klines from LOOKBACK_DAYS before ``on`` up to ``on``."""
    return {
        "secid": sec, "fields1": "f1,f2,f3,f4,f5,f6",
        "fields2": "f51,f52,f53,f54,f55,f56,f57,f58,f59,f60,f61",
        "ut": "7eea3edcaed734bea9cbfc24409ed989", "klt": "101", "fqt": "0",
        "beg": (on - timedelta(days=LOOKBACK_DAYS)).strftime("%Y%m%d"), "end": on.strftime("%Y%m%d"),
    }


def stock_params(sec: str) -> dict[str, str]:
    return {"secid": sec, "fields": "f43,f57,f58,f84,f85,f116,f117"}


def parse_klines(data: Any) -> list[Close]:
    """Closes by date. An empty series raises SourceError."""
    body = need(data, "data", "kline")
    if body is None:
        raise SourceError("kline: data is null (no such security, or throttled)")
    rows = need(body, "klines", "kline data", list)
    if not rows:
        raise SourceError("kline: empty series (klines is [])")
    out = []
    for index, row in enumerate(rows):
        cols = str(row).split(",")
        if len(cols) < 3:
            raise SchemaDrift(f"kline row {index} has {len(cols)} columns: {row!r}")
        try:
            out.append(Close(cols[0], float(cols[2])))
        except ValueError as exc:
            raise SchemaDrift(f"kline row {index}: close {cols[2]!r} is not a number") from exc
    return out


def close_on(closes: list[Close], on: date) -> Close:
    """The close on ``on``, or the last close before it (the date may not be a trading day)."""
    day = on.isoformat()
    before = [close for close in closes if close.date[:10] <= day]
    if not before:
        raise SourceError(f"kline: no close on or before {day} (first is {closes[0].date})")
    return max(before, key=lambda close: close.date)


def market_value(close: float, shares: float | None, ads_ratio: float | None) -> float | None:
    """Market value in the trading currency: close x total (ordinary) shares, divided by the
    ordinary shares per ADS where the price is per ADS."""
    if shares is None:
        return None
    return close * shares / (ads_ratio or 1.0)


def parse_stock(data: Any) -> tuple[float | None, float | None]:
    """(total shares f84, total market value f116) from the snapshot; ``data: null`` is an error."""
    body = need(data, "data", "stock/get")
    if body is None:
        raise SourceError("stock/get: data is null (no such security)")
    shares = body.get("f84")
    value = body.get("f116")
    return (_num(shares, "f84"), _num(value, "f116"))


def _num(value: Any, name: str) -> float | None:
    if value in (None, "-", ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SchemaDrift(f"stock/get: {name} {value!r} is not a number") from exc
