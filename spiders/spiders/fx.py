"""CFETS central parity: USD/CNY and HKD/CNY for every published day a fiscal year ending in any
month of the evaluated year (and its prior year) can cover — from January two years before to the
year's end (spiders.parse.fx.coverage; the period's average: spiders.parse.fx.period_average) —
and on the market-value date (the last published rate when none that day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.parse import fx
from top100.errors import SourceError
from top100.records import FxRate

HEADERS = {"Referer": "https://www.chinamoney.com.cn/chinese/bkccpr/"}


class FxSpider(SourceSpider):
    name = "fx"
    source = "fx"
    needs_companies = False  # FX is not per company

    def begin(self) -> Iterator[Any]:
        on = self.valuation_date
        # every day a fiscal year ending in any month of the year, or of its prior year, can cover:
        # the flows of a period are converted at that period's average
        first, last = fx.coverage(self.year)
        windows = [window for calendar_year in range(first.year, last.year + 1)
                   for window in fx.windows(max(first, date(calendar_year, 1, 1)), min(last, date(calendar_year, 12, 31)))]
        windows.append((on - timedelta(days=fx.LOOKBACK_DAYS), on))
        yield self.window(windows, 0, 1, {}, {})

    def window(self, windows: list, window_index: int, page: int, rates: dict, urls: dict) -> Any:
        start, end = windows[window_index]
        return self.fetch("fx", fx.PATH, self.parse_page, params=fx.params(start, end, page), method="POST",
                          lifetime=cache.PAST_PRICES, headers=HEADERS, windows=windows, window_index=window_index,
                          page=page, rates=rates, urls=urls)

    @guarded
    def parse_page(self, response: Response, windows: list, window_index: int, page: int, rates: dict, urls: dict
                   ) -> Iterator[Any]:
        found, pages = fx.parse(self.json(response, "CcprHisNew"))
        for day, values in found.items():
            rates.setdefault(day, {}).update(values)
            urls[day] = response.url
        if page < pages:
            yield self.window(windows, window_index, page + 1, rates, urls)
        elif window_index + 1 < len(windows):
            yield self.window(windows, window_index + 1, 1, rates, urls)
        else:
            yield from self.rows(rates, urls, response.url)

    def rows(self, rates: dict, urls: dict, last_url: str) -> Iterator[Any]:
        year, on = str(self.year), self.valuation_date
        first, last = (bound.isoformat() for bound in fx.coverage(self.year))
        for day in sorted(rates):
            if first <= day <= last:
                for pair, rate in sorted(rates[day].items()):
                    if pair in fx.PAIRS:
                        yield FxRate(pair=pair, requested_date=day, date=day, rate=rate, url=urls[day])
        if not any(published[:4] == year for published in rates):
            yield self.error(None, last_url, f"no central parity published in {year}", kind="SourceError")
        for pair in fx.PAIRS:
            try:
                day, rate = fx.last_published(rates, pair, on)
            except SourceError as exc:
                yield self.error(None, last_url, exc)
                continue
            if on.isoformat()[:4] != year or day != on.isoformat():
                yield FxRate(pair=pair, requested_date=on.isoformat(), date=day, rate=rate, url=urls[day])
