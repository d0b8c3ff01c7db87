"""The shape every spider shares: fetch (requests with a source slot, an expected content and a
cache lifetime), parse (pure functions in spiders.parse), items (top100 records).

A document already in the raw store (known from an earlier document row of the same company and
URL) is not downloaded again: its row is emitted as it was. Every failure becomes an ErrorRow
naming the company, the URL and the reason, and is logged the same way. An answer whose shape
changed (SchemaDrift) stops the whole source: one error row per company it leaves without data. A
request robots.txt refuses is an error row naming the rule (and one line per rule for the source).
A stored document's content type is the one its bytes show, not the server's header.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from spiders import companies as companies_mod
from spiders import config
from spiders.output import doc_key, known_documents
from spiders.parse import SHAPE_CHANGED, load_json, sniff_type
from spiders.rawstore import RawStore
from top100.errors import SchemaDrift, Top100Error
from top100.paths import YearPaths
from top100.records import DocumentRow, ErrorRow


def guarded(callback: Callable) -> Callable:
    """A callback whose failures become error rows (company, URL, reason) instead of stopping
    the crawl or vanishing into the log. A failure of a shared listing (no company) is reported
    for every company it leaves without data."""
    @functools.wraps(callback)
    def wrapper(self: SourceSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        if self.stopped:  # the source stopped (schema drift): answers still in flight are not read
            return
        try:
            yield from callback(self, response, **kwargs)
        except SchemaDrift as exc:
            yield from self.stop_source(response.url, exc)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is dropped
            if not isinstance(exc, (Top100Error, ValueError)):
                self.logger.exception("unexpected failure parsing %s", response.url)
            yield from self.errors_for(response.meta.get("company"), response.url, exc)
    return wrapper


class SourceSpider(scrapy.Spider):
    name = "source"
    source = ""  # DocumentRow.source
    exchanges: tuple[str, ...] = ()  # the listings this spider covers
    needs_companies = True
    stopped = False  # set when the source's answers changed shape: nothing more is read from it

    def __init__(self, year: str | None = None, companies: str | None = None, *args: Any,
                 valuation_date: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.year_arg = year
        self.companies_arg = companies
        self.valuation_date_arg = valuation_date
        # robots.txt refusals: each host's robots.txt (read to name the rule), the refused requests
        # waiting for it, and the rules already said once for the source
        self._robots_text: dict[str, str] = {}
        self._robots_pending: dict[str, list[Request]] = {}
        self._robots_said: set[tuple[str, str]] = set()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        for key, value in config.scrapy_settings(config.load(settings)).items():
            settings.set(key, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(config.load(crawler.settings))
        return spider

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        # the year: the spider argument (-a year=), the one carrier the runner gives the crawl; a
        # standalone `scrapy crawl` without it takes the configuration's year
        self.year = int(self.year_arg) if self.year_arg else cfg.year
        self.paths = YearPaths(cfg.out_dir.resolve(), self.year)
        # the year's valuation date: given by the runner (-a valuation_date=), else the year file
        if self.valuation_date_arg:
            self.valuation_date = date.fromisoformat(self.valuation_date_arg)
        else:
            from top100.year import load_year

            self.valuation_date = load_year(self.year, cfg.evaluation.dir).valuation_date
        self.store = RawStore(self.paths.raw_store)
        everyone = companies_mod.load(self.companies_arg, self.paths.candidates) if self.needs_companies else []
        self.companies = [company for company in everyone if company.exchange in self.exchanges and company.ticker]
        self.known = known_documents(self.paths, self.name, self.store)

    # --- fetch ------------------------------------------------------------------------------
    async def start(self):
        for first in self.begin():
            yield first

    def begin(self) -> Iterator[Any]:
        """The spider's first requests (every spider defines it: the shape all spiders share)."""
        raise NotImplementedError(f"spider {self.name} defines no begin()")

    def base(self, source: str) -> str:
        return getattr(self.cfg.sources, source).rstrip("/")

    def fetch(self, source: str, path: str, callback: Callable, *, company: str | None = None,
              params: dict[str, str] | None = None, form: dict[str, str] | None = None,
              expect: str = "json", lifetime: int | None = None, headers: dict[str, str] | None = None,
              check: str | None = None, method: str = "GET", **cb_kwargs: Any) -> Request:
        url = self.base(source) + path + (("?" + urlencode(params)) if params else "")
        meta: dict[str, Any] = {"download_slot": config.slot_of(source), "expect": expect, "company": company}
        if lifetime is not None:
            meta["cache_lifetime"] = lifetime
        if check:
            meta["check"] = check
        request_args = dict(callback=callback, errback=self.on_error, meta=meta, headers=headers,
                            cb_kwargs=cb_kwargs, dont_filter=True)
        if form is not None:
            return scrapy.FormRequest(url, formdata=form, method="POST", **request_args)
        return Request(url, method=method, **request_args)

    def document(self, source: str, path: str, *, company: str | None, doc_type: str,
                 fiscal_year: int | None, title: str, published_at: str | None,
                 source_id: str | None, supersedes: str | None = None, expect: str = "pdf",
                 headers: dict[str, str] | None = None) -> Request | DocumentRow:
        """The request for a document, or its earlier row when its bytes are already stored."""
        url = self.base(source) + path
        known = self.known.get(doc_key(company, url))
        if known is not None:
            self.crawler.stats.inc_value("top100/documents_known")
            return known
        row = DocumentRow(source=self.source, url=url, company_id=company, doc_type=doc_type,
                          fiscal_year=fiscal_year, title=title, published_at=published_at, sha256="",
                          size=0, fetched_at="", supersedes=supersedes, source_id=source_id)
        meta = {"download_slot": config.slot_of(source), "expect": expect, "company": company}
        return Request(url, callback=self.stored, errback=self.on_error, meta=meta, headers=headers,
                       cb_kwargs={"row": row}, dont_filter=True)

    # --- items ------------------------------------------------------------------------------
    def stored(self, response: Response, row: DocumentRow) -> Iterator[Any]:
        """Store the fetched bytes once, by sha256, and emit the document row."""
        try:
            self.validate_document(row, response.body)
        except Top100Error as exc:
            yield self.error(row.company_id, response.url, exc)
            return
        sha, created = self.store.put(response.body)
        self.crawler.stats.inc_value("top100/documents_downloaded")
        if created:
            self.crawler.stats.inc_value("top100/documents_new_in_store")
        ctype = response.headers.get(b"Content-Type")
        row.sha256, row.size = sha, len(response.body)
        row.fetched_at = datetime.now(timezone.utc).isoformat()
        declared = ctype.decode("latin-1").split(";")[0].strip() if ctype else None
        # what the bytes are, not what a (possibly misconfigured) server called them: the same
        # document gives the same row whatever header came with it
        row.content_type = sniff_type(response.body) or declared
        self.logger.info("stored %s %s for %s (%d bytes, %s)", row.doc_type, row.url, row.company_id, row.size, sha[:12])
        yield row

    def validate_document(self, row: DocumentRow, body: bytes) -> None:
        """Source-specific checks beyond the content type (override)."""

    def json(self, response: Response, what: str) -> Any:
        return load_json(response.body, what=what)

    def error(self, company: str | None, url: str | None, exc: BaseException | str, kind: str | None = None
              ) -> ErrorRow:
        reason = exc.cause if isinstance(exc, Top100Error) else str(exc)
        kind = kind or (type(exc).__name__ if isinstance(exc, BaseException) else "SourceError")
        self.logger.error("company %s, url %s: %s: %s", company, url, kind, reason)
        return ErrorRow(stage="collect", kind=kind, reason=reason, company_id=company, url=url)

    def errors_for(self, company: str | None, url: str, exc: BaseException | str, kind: str | None = None
                   ) -> Iterator[ErrorRow]:
        """One error row for the company, or for every company when a shared listing failed."""
        targets = [company] if company or not self.companies else [listed.company_id for listed in self.companies]
        for target in targets:
            yield self.error(target, url, exc, kind)

    def robots_refused(self, request: Request) -> Iterator[Any]:
        """Scrapy's robots.txt middleware refused a request: an error row for the company (every
        company, for a shared request) naming the host, the path and the rule, and once per rule
        one line for the source. A rule that covers what the source needs for everyone refuses
        every such request, so nothing more is asked of it; a rule over one company's folder
        costs that company alone. Scrapy keeps only its verdict: the robots.txt is read once
        more, per host, to name the rule."""
        parts = urlsplit(request.url)
        host = parts.netloc
        known = self._robots_text.get(host)
        if known is not None:
            yield from self._robots_rows(request, known)
            return
        pending = self._robots_pending.setdefault(host, [])
        pending.append(request)
        if len(pending) > 1:  # robots.txt is already on its way
            return
        meta = {"dont_obey_robotstxt": True, "dont_cache": True, "handle_httpstatus_list": [404, 403, 410, 500],
                "download_slot": request.meta.get("download_slot")}
        yield Request(f"{parts.scheme}://{host}/robots.txt", callback=self._robots_read, errback=self._robots_unread,
                      meta=meta, dont_filter=True, cb_kwargs={"host": host})

    def _robots_read(self, response: Response, host: str) -> Iterator[ErrorRow]:
        body = response.text if response.status == 200 and b"\0" not in response.body[:1024] else ""
        yield from self._robots_flush(host, body)

    def _robots_unread(self, failure: Failure) -> Iterator[ErrorRow]:
        yield from self._robots_flush(failure.request.cb_kwargs["host"], "")  # type: ignore[attr-defined]

    def _robots_flush(self, host: str, body: str) -> Iterator[ErrorRow]:
        self._robots_text[host] = body
        for request in self._robots_pending.pop(host, []):
            yield from self._robots_rows(request, body)

    def _robots_rows(self, request: Request, body: str) -> Iterator[ErrorRow]:
        from spiders.parse.shares import robots_rule

        parts = urlsplit(request.url)
        rule = robots_rule(body, parts.path, self.cfg.user_agent) or "a rule of its robots.txt"
        cause = f"robots.txt of {parts.hostname} refuses {parts.path} ({rule}): not fetched (crawl.obey_robots is on)"
        if (parts.netloc, rule) not in self._robots_said:
            self._robots_said.add((parts.netloc, rule))
            yield self.error(None, request.url, f"source {self.source}: robots.txt of {parts.hostname} refuses "
                             f"{rule.removeprefix('Disallow: ')} ({rule}): nothing under it is asked for",
                             kind="RobotsDisallowed")
        yield from self.errors_for(request.meta.get("company"), request.url, cause, kind="RobotsDisallowed")

    def stop_source(self, url: str, exc: SchemaDrift) -> Iterator[ErrorRow]:
        """The source answered in a shape we do not know: stop reading it (never load what a
        renamed field would make of it) and report, for every company it leaves without data,
        the field that changed."""
        if self.stopped:
            return
        self.stopped = True
        cause = exc.cause if SHAPE_CHANGED in exc.cause else f"{SHAPE_CHANGED}: {exc.cause}"
        cause = f"{cause}; source {self.source} stopped"
        targets = [listed.company_id for listed in self.companies] or [None]
        for target in targets:
            yield self.error(target, url, SchemaDrift(cause))
        raise CloseSpider(f"schema_drift: {cause}")

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        exc = failure.value
        if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
            yield from self.robots_refused(request)
            return
        if isinstance(exc, HttpError):
            reason: BaseException | str = f"HTTP {exc.response.status}"
        else:
            reason = exc if isinstance(exc, Top100Error) else f"{type(exc).__name__}: {exc}"
        yield from self.errors_for(request.meta.get("company"), request.url, reason, kind=type(exc).__name__)
