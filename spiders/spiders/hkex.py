"""HKEXnews: HK annual reports, in the configured language (the other one if it has none).

HKEX's terms of use restrict scripted access: this spider does nothing unless
``crawl.hkex_enabled`` is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import hkex

HEADERS = {"Referer": "https://www1.hkexnews.hk/search/titlesearch.xhtml?lang=en"}


class HkexSpider(SourceSpider):
    name = "hkex"
    source = "hkex"
    exchanges = ("HKEX",)

    def begin(self) -> Iterator[Any]:
        if not self.cfg.crawl.hkex_enabled:
            self.logger.warning("HKEX crawling is off (crawl.hkex_enabled = false): HKEX's terms of use "
                                "restrict scripted access; turn it on only with permission")
            return
        if self.companies:
            yield self.fetch("hkex", hkex.STOCK_LIST_PATH, self.parse_stock_list, lifetime=cache.STOCK_LIST,
                             headers=HEADERS)

    def languages(self) -> list[str]:
        first = self.cfg.crawl.hkex_language
        return [first, "zh" if first == "en" else "en"]

    @guarded
    def parse_stock_list(self, response: Response) -> Iterator[Any]:
        ids = hkex.parse_stock_list(self.json(response, "activestock_sehk_e.json"))
        # June year-ends file from July of the fiscal year; December ones by the next spring
        windows = hkex.split_windows(date(self.year, 7, 1), date(self.year + 1, 12, 31))
        for candidate in self.companies:
            stock_id = ids.get((candidate.ticker or "").zfill(5))
            if stock_id is None:
                yield self.error(candidate.company_id, response.url,
                                 f"code {candidate.ticker} is not in the HKEX active-stock list", kind="SourceError")
                continue
            yield self.search(candidate, stock_id, windows, 0, self.languages(), [])

    def search(self, candidate: Company, stock_id: int, windows: list, window_index: int, langs: list[str], rows: list,
               row_range: int = hkex.ROW_RANGE) -> Any:
        start, end = windows[window_index]
        params = hkex.search_params(stock_id, start, end, lang=langs[0], row_range=row_range, code=candidate.ticker or "")
        return self.fetch("hkex", hkex.SEARCH_PATH, self.parse_search, company=candidate.company_id, params=params,
                          lifetime=cache.SEARCH, headers=HEADERS, candidate=candidate, stock_id=stock_id, windows=windows,
                          window_index=window_index, langs=langs, rows=rows, row_range=row_range)

    @guarded
    def parse_search(self, response: Response, candidate: Company, stock_id: int, windows: list, window_index: int,
                     langs: list[str], rows: list, row_range: int) -> Iterator[Any]:
        found, more = hkex.parse_search(self.json(response, "titleSearchServlet"))
        if more and row_range < hkex.MAX_ROW_RANGE:  # rowRange is cumulative: ask again for more
            yield self.search(candidate, stock_id, windows, window_index, langs, rows, min(hkex.MAX_ROW_RANGE, row_range * 10))
            return
        rows.extend(found)
        if window_index + 1 < len(windows):
            yield self.search(candidate, stock_id, windows, window_index + 1, langs, rows)
            return
        best, dropped = hkex.select(rows, self.year)
        for title_row, reason in dropped:
            self.logger.info("company %s: dropped %r (NEWS_ID %s): %s", candidate.company_id, title_row.title,
                             title_row.news_id, reason)
        if best is None and len(langs) > 1:
            yield self.search(candidate, stock_id, windows, 0, langs[1:], [])
            return
        if best is None:
            yield self.error(candidate.company_id, response.url,
                             f"no annual report for fiscal year {self.year} in either language", kind="SourceError")
            return
        yield self.document("hkex", best.file_link, company=candidate.company_id, doc_type="hk_annual_report",
                            fiscal_year=self.year, title=best.title, published_at=best.published_at,
                            source_id=best.news_id, headers=HEADERS)
