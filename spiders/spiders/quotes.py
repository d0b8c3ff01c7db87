"""EastMoney: close on the market-value date (or the last close before it) and total shares,
for every listed candidate (A-share, HK and US lines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import quotes as p
from top100.records import Quote

HEADERS = {"Referer": "https://quote.eastmoney.com/"}


class QuotesSpider(SourceSpider):
    name = "quotes"
    source = "quotes"
    exchanges = ("SSE", "SZSE", "HKEX", "NYSE", "NASDAQ")

    def begin(self) -> Iterator[Any]:
        on = self.valuation_date
        for c in self.companies:
            sec = p.secid(c.exchange or "", c.ticker or "")
            yield self.fetch("quotes", p.KLINE_PATH, self.parse_kline, company=c.company_id,
                             params=p.kline_params(sec, on), lifetime=cache.PAST_PRICES, check="klines",
                             headers=HEADERS, c=c, sec=sec)

    @guarded
    def parse_kline(self, response: Response, c: Company, sec: str) -> Iterator[Any]:
        on = self.valuation_date
        close = p.close_on(p.parse_klines(self.json(response, "kline")), on)
        yield self.fetch("quotes", p.STOCK_PATH, self.parse_stock, company=c.company_id,
                         params=p.stock_params(sec), lifetime=cache.SNAPSHOT, headers=HEADERS,
                         c=c, close=close, kline_url=response.url)

    @guarded
    def parse_stock(self, response: Response, c: Company, close: p.Close, kline_url: str) -> Iterator[Any]:
        shares, _snapshot_value = p.parse_stock(self.json(response, "stock/get"))
        if shares is None:
            yield self.error(c.company_id, response.url, "no total shares (f84) for the market value",
                             kind="SourceError")
        us = c.exchange in ("NYSE", "NASDAQ")
        if us and c.ads_ratio is None:
            yield self.error(c.company_id, response.url, "US listing without an ADS ratio in the candidates: "
                             "the price is per ADS, the shares are ordinary shares", kind="SourceError")
        ratio = c.ads_ratio if us else None
        yield Quote(
            company_id=c.company_id, exchange=c.exchange or "", ticker=c.ticker or "",
            requested_date=self.valuation_date.isoformat(), date=close.date[:10],
            close=close.close, currency=p.CURRENCY[c.exchange or ""], total_shares=shares,
            # on the date, in the trading currency: close (per ADS for US lines) x ordinary shares
            # / ordinary shares per ADS; the snapshot's f116 is today's value, not the date's
            market_value=p.market_value(close.close, shares, ratio) if not (us and ratio is None) else None,
            ads_ratio=ratio, url=kline_url,
        )
