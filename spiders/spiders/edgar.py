"""SEC EDGAR: the annual report (20-F, 10-K or 40-F, the latest amendment winning) of the fiscal
year, F-1 and 424B4 of recent listings, companyfacts JSON, for the filer as of the year
(spiders.parse.edgar: a supplied CIK, or today's ticker map confirmed by the submissions).

SEC's fair-access policy: a User-Agent with a contact e-mail, at most 10 requests per second
to SEC hosts (one throttle slot for www.sec.gov and data.sec.gov, spiders.config), and a 403
"Request Rate Threshold Exceeded" pauses for minutes (spiders.middlewares).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import edgar
from spiders.parse import load_json
from top100.errors import SchemaDrift
from top100.records import DocumentRow

HEADERS = {"Accept-Encoding": "gzip, deflate"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class EdgarSpider(SourceSpider):
    name = "edgar"
    source = "edgar"
    exchanges = ("NYSE", "NASDAQ")

    def begin(self) -> Iterator[Any]:
        if not self.companies:
            return
        host = urlparse(self.cfg.sources.sec_www).hostname or ""
        if "@" not in self.cfg.user_agent and host not in LOOPBACK:
            yield self.error(None, self.cfg.sources.sec_www,
                             "SEC requires a contact e-mail in the User-Agent: set crawl.contact", kind="ConfigError")
            return
        # a CIK from listings.csv is the filer as of the year; today's ticker map is asked only
        # for the listings without one (and what it proposes is confirmed by the submissions)
        for candidate in self.companies:
            if candidate.cik is not None:
                yield self.submissions(candidate, candidate.cik, supplied=True)
        if any(candidate.cik is None for candidate in self.companies):
            yield self.fetch("sec_www", "/files/company_tickers.json", self.parse_tickers, lifetime=cache.STOCK_LIST,
                             headers=HEADERS)

    def submissions(self, candidate: Company, cik: int, *, supplied: bool) -> Any:
        return self.fetch("sec_data", f"/submissions/CIK{edgar.cik10(cik)}.json", self.parse_submissions,
                          company=candidate.company_id, lifetime=cache.SEARCH, headers=HEADERS, candidate=candidate, cik=cik,
                          supplied=supplied)

    @guarded
    def parse_tickers(self, response: Response) -> Iterator[Any]:
        ciks = edgar.parse_tickers(self.json(response, "company_tickers.json"))
        for candidate in self.companies:
            if candidate.cik is not None:
                continue
            cik = ciks.get((candidate.ticker or "").upper())
            if cik is None:
                yield self.error(candidate.company_id, response.url,
                                 f"company {candidate.company_id}: ticker {candidate.ticker} is not in today's "
                                 f"company_tickers.json "
                                 f"(delisted, taken private or renamed since); supply the cik of the filer that "
                                 f"reported for fiscal {self.year} in the cik column of listings.csv",
                                 kind="IdentityError")
                continue
            yield self.submissions(candidate, cik, supplied=False)

    @guarded
    def parse_submissions(self, response: Response, candidate: Company, cik: int, supplied: bool) -> Iterator[Any]:
        data = self.json(response, "submissions")
        entity = edgar.parse_entity(data)
        if entity.cik != int(cik):
            raise SchemaDrift(f"submissions: cik {entity.cik} is not the requested {cik}")
        recent, files = edgar.parse_submissions(data)
        overflow = edgar.overflow_needed(files, f"{self.year}-01-01")
        yield from self.next_overflow(response, candidate, cik, recent, overflow, entity=entity, supplied=supplied)

    def next_overflow(self, response: Response, candidate: Company, cik: int, filings: list, overflow: list[str], *,
                      entity: edgar.Entity, supplied: bool) -> Iterator[Any]:
        if overflow:
            name, rest = overflow[0], overflow[1:]
            if not name.startswith(f"CIK{edgar.cik10(cik)}") or "/" in name:
                yield self.error(candidate.company_id, response.url, f"unexpected overflow file name {name!r}",
                                 kind="SchemaDrift")
                return
            yield self.fetch("sec_data", f"/submissions/{name}", self.parse_overflow, company=candidate.company_id,
                             lifetime=cache.STOCK_LIST, headers=HEADERS, candidate=candidate, cik=cik, filings=filings, rest=rest,
                             entity=entity, supplied=supplied)
            return
        problem = edgar.confirm(entity, filings, self.year, ticker=candidate.ticker, legal_name=candidate.name, supplied=supplied,
                            company=candidate.company_id)
        if problem is not None:
            yield self.error(candidate.company_id, response.url, problem, kind="IdentityError")
            return
        self.logger.info("company %s: SEC filer CIK %s (%s)%s", candidate.company_id, cik, entity.name,
                         " as supplied" if supplied else " confirmed by its submissions")
        yield self.document("sec_data", f"/api/xbrl/companyfacts/CIK{edgar.cik10(cik)}.json", company=candidate.company_id,
                            doc_type="companyfacts", fiscal_year=self.year, title=f"companyfacts CIK{edgar.cik10(cik)}",
                            published_at=None, source_id=f"CIK{edgar.cik10(cik)}", expect="json", headers=HEADERS)
        keep, dropped = edgar.select(filings, self.year, listed_from=f"{self.year}-01-01")
        for filing, reason in dropped:
            self.logger.info("company %s: dropped %s %s: %s (kept as history)", candidate.company_id, filing.form,
                             filing.accession, reason)
        if not any(filing.form in edgar.ANNUAL_FORMS for filing, _ in keep):  # listed since: the prospectus only
            yield self.error(candidate.company_id, response.url, f"no 20-F/10-K/40-F for fiscal year {self.year} among "
                             f"{len(filings)} filings (the prospectus is read instead)", kind="SourceError")
        for filing, supersedes in keep:
            yield self.document("sec_www", edgar.archive_path(cik, filing), company=candidate.company_id,
                                doc_type=edgar.doc_type(filing.form),
                                fiscal_year=self.year, title=f"{filing.form} {filing.accession}", published_at=filing.filing_date,
                                source_id=filing.accession, supersedes=supersedes, expect="any", headers=HEADERS)

    @guarded
    def parse_overflow(self, response: Response, candidate: Company, cik: int, filings: list, rest: list[str],
                       entity: edgar.Entity, supplied: bool) -> Iterator[Any]:
        older = edgar.parse_columns(self.json(response, "submissions overflow"), f"overflow {response.url}")
        yield from self.next_overflow(response, candidate, cik, filings + older, rest, entity=entity, supplied=supplied)

    def validate_document(self, row: DocumentRow, body: bytes) -> None:
        if row.doc_type == "companyfacts":
            edgar.check_companyfacts(load_json(body, what="companyfacts"), int(row.source_id[3:]))
