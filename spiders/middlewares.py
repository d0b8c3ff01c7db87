"""Downloader middlewares: what the spiders accept as a response, and how they retry.

- PoliteRetryMiddleware: retries timeouts, 5xx and 429 with exponential backoff that honours
  Retry-After (the whole source waits, not only the request); SEC's 403 "Request Rate
  Threshold Exceeded" pauses the source for minutes; a block page (HTML where JSON or a PDF
  was expected, CloudWAF's 访问被拦截) or an incomplete PDF is a retryable failure, never data.
  When the retries are spent it raises the top100 error, which the spider's errback turns
  into an error row naming the company, the URL and the reason.

A body shorter than its declared Content-Length is refused by Scrapy itself
(``DOWNLOAD_FAIL_ON_DATALOSS``, spiders.settings: ResponseDataLossError, retried by Scrapy's retry
list, then an error row); a body cut short under a length that matches it (a proxy that fixed the
length) is what ``check_body`` catches (no %%EOF, no </html>).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Response

from spiders.parse import BLOCK_MARKERS, load_json, sniff_type
from spiders.parse.edgar import is_rate_limit_page
from top100.errors import BlockedPage, FetchError, RateLimited, SourceError

PDF_TAIL = 2048  # %%EOF must be in the last bytes (incremental updates append after it)
HTML_TAIL = 4096  # </html> must be in the last bytes of an HTML document (trailing comments allowed)


def check_body(expect: str | None, body: bytes, check: str | None = None) -> None:
    """Raise a SourceError if ``body`` is not what was expected ('json', 'pdf' or 'any')."""
    head = body[:4000]
    if expect == "json":
        data = load_json(body, what="expected JSON")
        if check == "klines" and isinstance(data, dict) and isinstance(data.get("data"), dict) \
                and data["data"].get("klines") == []:
            raise SourceError("empty kline series (EastMoney answers so when it throttles)")
    elif expect == "pdf":
        if not body.startswith(b"%PDF-"):
            text = head.decode("utf-8", "replace")
            if "<html" in text.lower() or any(marker in text for marker in BLOCK_MARKERS):
                raise BlockedPage(f"HTML where a PDF was expected: {text[:80]!r}")
            raise FetchError(f"not a PDF (starts with {body[:8]!r})")
        if b"%%EOF" not in body[-PDF_TAIL:]:
            raise FetchError(f"PDF incomplete: no %%EOF at the end of {len(body)} bytes (truncated)")
    elif any(marker in head.decode("utf-8", "replace") for marker in BLOCK_MARKERS):
        raise BlockedPage("block page where a document was expected")
    elif sniff_type(body) == "text/html" and b"</html" not in body[-HTML_TAIL:].lower():
        # an HTML filing cut short (a dropped connection behind a proxy that fixed the length)
        raise FetchError(f"HTML incomplete: no </html> at the end of {len(body)} bytes (truncated)")


def retry_after(response: Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    text = raw.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, its retry list and get_retry_request, with what it lacks: it sends
    a retry at once (no backoff, no Retry-After), pauses only the request (not the source), and
    reads only the status and the exception, not the body (a block page or a cut PDF under 200)."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("TOP100_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("TOP100_BACKOFF_MAX", 120.0)
        self.rate_limit_pause = settings.getfloat("TOP100_RATE_LIMIT_PAUSE", 600.0)
        self.paused_until: dict[str, float] = {}  # download slot -> time.monotonic()

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        slot = request.meta.get("download_slot", "")
        wait = max(request.meta.get("not_before", 0.0), self.paused_until.get(slot, 0.0)) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    def backoff_seconds(self, request: Request) -> float:
        return min(self.cap, self.base * 2 ** request.meta.get("retry_times", 0))

    def retry_later(self, request: Request, error: SourceError, wait: float, *, whole_source: bool) -> Request:
        spider = self.crawler.spider
        new = get_retry_request(request, spider=spider, reason=error.cause,
                                max_retry_times=request.meta.get("max_retry_times", self.max_retry_times))
        if new is None:
            error.url = error.url or request.url
            error.args = (error._message(),)
            raise error
        until = time.monotonic() + wait
        new.meta["not_before"] = until
        if whole_source:
            slot = request.meta.get("download_slot", "")
            self.paused_until[slot] = max(self.paused_until.get(slot, 0.0), until)
        if spider is not None:
            spider.logger.warning("retrying %s in %.1f s: %s", request.url, wait, error.cause)
        return new

    def process_response(self, request: Request, response: Response, spider: Spider | None = None
                         ) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        status = response.status
        if is_rate_limit_page(status, response.body):
            return self.retry_later(request, RateLimited(f"HTTP 403 rate limit; pausing {self.rate_limit_pause:.0f} s",
                                                    url=request.url),
                               self.rate_limit_pause, whole_source=True)
        if status in self.retry_http_codes:
            after = retry_after(response)
            wait = after if after is not None else self.backoff_seconds(request)
            kind = RateLimited if status == 429 else FetchError
            return self.retry_later(request, kind(f"HTTP {status}", url=request.url), wait,
                               whole_source=status in (429, 503))
        if 200 <= status < 300:
            try:
                check_body(request.meta.get("expect"), response.body, request.meta.get("check"))
            except SourceError as exc:
                exc.url = request.url
                return self.retry_later(request, exc, self.backoff_seconds(request), whole_source=isinstance(exc, BlockedPage))
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None
                          ) -> Request | None:
        new = super().process_exception(request, exception)
        if isinstance(new, Request):
            new.meta["not_before"] = time.monotonic() + self.backoff_seconds(request)
        return new
