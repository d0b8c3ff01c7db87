"""HTTP cache with a lifetime per endpoint (edgartools' rule: immutable archives forever,
listings briefly).

A request opts in with ``meta["cache_lifetime"]`` in seconds (``FOREVER`` = never stale).
Documents are not cached here: the raw store is their cache (spiders.base).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from scrapy.extensions.httpcache import DummyPolicy
from scrapy.http import Request, Response
from scrapy.utils.request import fingerprint

from spiders.parse import load_json
from top100.errors import SourceError

FOREVER = -1
DAY = 86400
HOUR = 3600

# lifetimes by endpoint, in one place
STOCK_LIST = DAY  # CNINFO szse_stock.json, HKEX activestock, SEC company_tickers.json
SEARCH = HOUR  # announcement and title searches, SEC submissions
PAST_PRICES = FOREVER  # klines and central parity of dates in the past do not change
SNAPSHOT = DAY  # EastMoney stock/get


class LifetimePolicy(DummyPolicy):
    def should_cache_request(self, request: Request) -> bool:
        return "cache_lifetime" in request.meta and super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        # only what passed the content checks reaches here; a null kline answer may be
        # EastMoney throttling: reported, and asked again next time rather than remembered
        if request.meta.get("check") == "klines":
            try:
                return response.status == 200 and load_json(response.body, what="kline").get("data") is not None
            except (SourceError, AttributeError):
                return False
        return response.status == 200

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        lifetime = request.meta.get("cache_lifetime", 0)
        if lifetime == FOREVER:
            return True
        stored = request.meta.get("cache_timestamp", 0)
        return time.time() - stored <= lifetime

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        return False  # a stale entry is replaced by the new response


class HostlessFingerprinter:
    """Request fingerprints (the cache key) without scheme and host: the hosts are configuration
    (the demo mirror gets a new port every run), the paths and parameters are the request."""

    @classmethod
    def from_crawler(cls, crawler: object) -> HostlessFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        parts = urlsplit(request.url)
        return fingerprint(request.replace(url=urlunsplit(("http", "source", parts.path, parts.query, ""))))
