"""CNINFO: A-share annual reports (full text, newest revision) and recent prospectuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders import cache
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import cninfo as p

HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"}


class CninfoSpider(SourceSpider):
    name = "cninfo"
    source = "cninfo"
    exchanges = ("SSE", "SZSE")

    def begin(self) -> Iterator[Any]:
        if self.companies:
            yield self.fetch("cninfo", "/new/data/szse_stock.json", self.parse_stock_list,
                             lifetime=cache.STOCK_LIST, headers=HEADERS)

    @guarded
    def parse_stock_list(self, response: Response) -> Iterator[Any]:
        orgs = p.parse_stock_list(self.json(response, "szse_stock.json"))
        y = self.year
        for c in self.companies:
            org = orgs.get(c.ticker or "")
            if org is None:
                yield self.error(c.company_id, response.url, f"code {c.ticker} is not in the CNINFO stock list",
                                 kind="SourceError")
                continue
            # annual reports of the fiscal year are published (and revised) in the next one
            yield self.search(c, org, "annual_report", se_date=f"{y + 1}-01-01~{y + 1}-12-31",
                              category=p.ANNUAL_CATEGORY)
            # prospectuses of companies that listed in the fiscal year or after
            until = max(self.valuation_date.isoformat(), f"{y + 1}-12-31")
            yield self.search(c, org, "prospectus", se_date=f"{y}-01-01~{until}", searchkey=p.PROSPECTUS_KEY)

    def search(self, c: Company, org: str, kind: str, *, page: int = 1, rows: list | None = None,
               **form_args: str) -> Any:
        form = p.query_form(c.ticker or "", org, page=page, **form_args)
        return self.fetch("cninfo", "/new/hisAnnouncement/query", self.parse_search, company=c.company_id,
                          form=form, lifetime=cache.SEARCH, headers=HEADERS,
                          c=c, org=org, kind=kind, page=page, rows=rows if rows is not None else [],
                          form_args=form_args)

    @guarded
    def parse_search(self, response: Response, c: Company, org: str, kind: str, page: int, rows: list,
                     form_args: dict[str, str]) -> Iterator[Any]:
        found, total = p.parse_announcements(self.json(response, "hisAnnouncement/query"))
        rows.extend(found)
        if found and page < p.pages_needed(total):
            yield self.search(c, org, kind, page=page + 1, rows=rows, **form_args)
            return
        kept, dropped = p.select(rows, self.year, listed_from=f"{self.year}-01-01")
        for a, reason in dropped:
            self.logger.info("company %s: dropped %r (%s): %s", c.company_id, a.title, a.announcement_id, reason)
        kept = [s for s in kept if s.doc_type == kind]
        if not kept and kind == "annual_report":
            yield self.error(c.company_id, response.url,
                             f"no annual report for fiscal year {self.year} among {len(rows)} announcements",
                             kind="SourceError")
        for s in kept:
            a = s.announcement
            yield self.document("cninfo_static", "/" + a.adjunct_url.lstrip("/"), company=c.company_id,
                                doc_type=s.doc_type, fiscal_year=s.fiscal_year, title=a.title,
                                published_at=a.published_at, source_id=a.announcement_id,
                                supersedes=s.supersedes)
