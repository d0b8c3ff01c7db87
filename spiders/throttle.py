"""AutoThrottle that never goes below the hard cap of a download slot.

The stock AutoThrottle lowers a slot's delay towards DOWNLOAD_DELAY when the server answers
fast (the mirror always does); the per-source caps of ``crawl.rate_limits`` are set as the
slots' delays (``DOWNLOAD_SLOTS``, see spiders.config) and kept here as a floor. Scrapy spaces
the starts of downloads in a slot by at least its delay, so the cap holds at the server.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response


class CappedAutoThrottle(AutoThrottle):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.floors = {k: float(v.get("delay", 0)) for k, v in crawler.settings.getdict("DOWNLOAD_SLOTS").items()}

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if slot is not None and key in self.floors:
            slot.delay = max(slot.delay, self.floors[key])
