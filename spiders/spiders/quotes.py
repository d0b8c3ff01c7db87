"""EastMoney quotes: the close on the market-value date (or the last close before it) from the
daily kline (push2his), and the share count as of that date, for every listed candidate.

- A delivered ``inbox/market_values.csv`` row (date, close, shares, source) is the company's
  quote and count: the documented alternative when a quote host refuses us, or a correction.
- robots.txt is obeyed: before any API call the spider reads the robots.txt of the kline host
  (and of the snapshot host); where it disallows what the source needs (EastMoney's does), the
  source stops with one line naming the rule, and every company without a delivered row gets
  an error saying so. Nothing is fetched from a refused host.
- Shares: a US filer's cover count stated and filed on or before the date (companyfacts'
  dei:EntityCommonStockSharesOutstanding; the CIK from listings.csv); otherwise today's
  snapshot (stock/get f84 on push2) as a fallback, labelled so in collect/shares.jsonl.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import edgar
from spiders.parse import quotes
from spiders.parse import shares as shares_parse
from top100.records import Quote, ShareCount

HEADERS = {"Referer": "https://quote.eastmoney.com/"}
SEC_HEADERS = {"Accept-Encoding": "gzip, deflate"}
FALLBACK = "EastMoney snapshot f84 (today's count, not the valuation date's: fallback)"


class QuotesSpider(SourceSpider):
    name = "quotes"
    source = "quotes"
    exchanges = ("SSE", "SZSE", "HKEX", "NYSE", "NASDAQ")

    def begin(self) -> Iterator[Any]:
        self.delivered: dict[str, shares_parse.Delivered] = {}
        yield from self.read_delivered()
        todo = [candidate for candidate in self.companies if candidate.company_id not in self.delivered]
        if not todo:
            return
        if self.settings.getbool("ROBOTSTXT_OBEY"):
            # the robots.txt of both hosts first: a refused source stops before any API call
            yield self.robots("quotes", todo, next_step=lambda ok: self.robots("quotes_snapshot", todo, ok_kline=ok))
        else:
            yield from self.start_klines(todo, snapshot_ok=True)

    # --- the delivered alternative ------------------------------------------------------------
    def read_delivered(self) -> Iterator[Any]:
        path = Path(self.cfg.inbox_dir) / shares_parse.MARKET_VALUES
        if not path.is_file():
            return
        rows, problems = shares_parse.read_market_values(path)
        for problem in problems:
            yield self.error(None, f"file://{shares_parse.MARKET_VALUES}", problem, kind="DeliveredFileError")
        known = {candidate.company_id: candidate for candidate in self.companies}
        on = self.valuation_date.isoformat()
        for row in rows:
            candidate = known.get(row.company_id)
            if candidate is None:
                yield self.error(row.company_id, f"file://{shares_parse.MARKET_VALUES}",
                                 f"{shares_parse.MARKET_VALUES} row {row.row}: {row.company_id} is not a listed candidate",
                                 kind="DeliveredFileError")
                continue
            if row.date > on:
                yield self.error(candidate.company_id, f"file://{shares_parse.MARKET_VALUES}",
                                 f"{shares_parse.MARKET_VALUES} row {row.row}: date {row.date} is after the valuation date {on}",
                                 kind="DeliveredFileError")
                continue
            self.delivered[candidate.company_id] = row
            url = f"file://{shares_parse.MARKET_VALUES}#row={row.row}"
            yield from self.quote(candidate, quotes.Close(row.date, row.close), row.shares, url)
            yield ShareCount(company_id=candidate.company_id, requested_date=on, shares=row.shares, as_of=row.date,
                             filed=None, source=f"{shares_parse.MARKET_VALUES}: {row.source}", url=url)

    # --- robots.txt ---------------------------------------------------------------------------
    def robots(self, source: str, todo: list[Company], next_step: Any = None, ok_kline: bool | None = None) -> Any:
        req = self.fetch(source, "/robots.txt", self.parse_robots, lifetime=cache.STOCK_LIST, expect="any",
                         source_name=source, todo=todo, next_step=next_step, ok_kline=ok_kline)
        req.meta["dont_obey_robotstxt"] = True
        req.meta["dont_cache"] = True  # the cache key has no host: two hosts' robots.txt would collide
        req.meta["handle_httpstatus_list"] = [404, 403, 410]
        return req

    def parse_robots(self, response: Response, source_name: str, todo: list[Company], next_step: Any,
                     ok_kline: bool | None) -> Iterator[Any]:
        body = response.text if response.status == 200 and b"\0" not in response.body[:1024] else ""
        path = quotes.KLINE_PATH if source_name == "quotes" else quotes.STOCK_PATH
        rule = shares_parse.robots_rule(body, path, self.cfg.user_agent)
        host = urlparse(response.url).hostname
        ok = rule is None
        if not ok:
            what = "the daily close" if source_name == "quotes" else "today's share count (the fallback)"
            self.logger.error("source %s stopped: robots.txt of %s refuses %s (%s)", source_name, host, path, rule)
            yield self.error(None, response.url, f"source {source_name} stopped: robots.txt of {host} refuses {path} "
                             f"({rule}): {what} cannot be fetched; deliver inbox/{shares_parse.MARKET_VALUES} "
                             f"({','.join(shares_parse.MARKET_VALUE_COLUMNS)}) or configure another quote source",
                             kind="RobotsDisallowed")
        if next_step is not None:  # the kline host answered: now the snapshot host's robots.txt
            yield next_step(ok)
            return
        if not ok_kline:
            for candidate in todo:
                yield self.error(candidate.company_id, response.url, f"no quote: the quotes source stopped (robots.txt) and "
                                 f"inbox/{shares_parse.MARKET_VALUES} has no row for {candidate.company_id}",
                                 kind="RobotsDisallowed")
            return
        yield from self.start_klines(todo, snapshot_ok=ok)

    # --- the API ------------------------------------------------------------------------------
    def start_klines(self, todo: list[Company], *, snapshot_ok: bool) -> Iterator[Any]:
        on = self.valuation_date
        for candidate in todo:
            sec = quotes.secid(candidate.exchange or "", candidate.ticker or "")
            yield self.fetch("quotes", quotes.KLINE_PATH, self.parse_kline, company=candidate.company_id,
                             params=quotes.kline_params(sec, on), lifetime=cache.PAST_PRICES, check="klines",
                             headers=HEADERS, candidate=candidate, sec=sec, snapshot_ok=snapshot_ok)

    @guarded
    def parse_kline(self, response: Response, candidate: Company, sec: str, snapshot_ok: bool) -> Iterator[Any]:
        on = self.valuation_date
        close = quotes.close_on(quotes.parse_klines(self.json(response, "kline")), on)
        if candidate.exchange in ("NYSE", "NASDAQ") and candidate.cik is not None:
            yield self.fetch("sec_data", f"/api/xbrl/companyfacts/CIK{edgar.cik10(candidate.cik)}.json", self.parse_facts,
                             company=candidate.company_id, lifetime=cache.SEARCH, headers=SEC_HEADERS,
                             candidate=candidate, close=close, kline_url=response.url, sec=sec, snapshot_ok=snapshot_ok)
            return
        yield from self.snapshot(candidate, close, response.url, sec, snapshot_ok)

    def snapshot(self, candidate: Company, close: quotes.Close, kline_url: str, sec: str, snapshot_ok: bool) -> Iterator[Any]:
        if not snapshot_ok:
            yield self.error(candidate.company_id, kline_url, "no share count as of the valuation date, and the snapshot host's "
                             f"robots.txt refuses the fallback: deliver inbox/{shares_parse.MARKET_VALUES}", kind="SourceError")
            return
        yield self.fetch("quotes_snapshot", quotes.STOCK_PATH, self.parse_stock, company=candidate.company_id,
                         params=quotes.stock_params(sec), lifetime=cache.SNAPSHOT, headers=HEADERS,
                         candidate=candidate, close=close, kline_url=kline_url)

    @guarded
    def parse_facts(self, response: Response, candidate: Company, close: quotes.Close, kline_url: str, sec: str,
                    snapshot_ok: bool) -> Iterator[Any]:
        on = self.valuation_date
        count = shares_parse.from_companyfacts(self.json(response, "companyfacts"), on)
        if count is None:
            self.logger.warning("company %s: no dei:%s on or before %s; falling back to the snapshot",
                                candidate.company_id, shares_parse.DEI, on)
            yield from self.snapshot(candidate, close, kline_url, sec, snapshot_ok)
            return
        yield ShareCount(company_id=candidate.company_id, requested_date=on.isoformat(), shares=count.shares,
                         as_of=count.as_of, filed=count.filed, source=count.source, url=response.url)
        yield from self.quote(candidate, close, count.shares, kline_url)

    @guarded
    def parse_stock(self, response: Response, candidate: Company, close: quotes.Close, kline_url: str) -> Iterator[Any]:
        shares, _snapshot_value = quotes.parse_stock(self.json(response, "stock/get"))
        if shares is None:
            yield self.error(candidate.company_id, response.url, "no total shares (f84) for the market value",
                             kind="SourceError")
        else:
            yield ShareCount(company_id=candidate.company_id, requested_date=self.valuation_date.isoformat(),
                             shares=shares, as_of=None, filed=None, source=FALLBACK, url=response.url, fallback=True)
        yield from self.quote(candidate, close, shares, kline_url, snapshot_url=response.url)

    def quote(self, candidate: Company, close: quotes.Close, shares: float | None, url: str, snapshot_url: str | None = None
              ) -> Iterator[Any]:
        us_listing = candidate.exchange in ("NYSE", "NASDAQ")
        if us_listing and candidate.ads_ratio is None:
            yield self.error(candidate.company_id, snapshot_url or url, "US listing without an ADS ratio in the candidates: "
                             "the price is per ADS, the shares are ordinary shares", kind="SourceError")
        ratio = candidate.ads_ratio if us_listing else None
        yield Quote(
            company_id=candidate.company_id, exchange=candidate.exchange or "", ticker=candidate.ticker or "",
            requested_date=self.valuation_date.isoformat(), date=close.date[:10],
            close=close.close, currency=quotes.CURRENCY[candidate.exchange or ""], total_shares=shares,
            # on the date, in the trading currency: close (per ADS for US lines) x ordinary shares
            # / ordinary shares per ADS; the snapshot's f116 is today's value, not the date's
            market_value=quotes.market_value(close.close, shares, ratio) if not (us_listing and ratio is None) else None,
            ads_ratio=ratio, url=url,
        )
