"""CNINFO: A-share annual reports (full text, newest revision) and recent prospectuses; the
pre-disclosed (预披露) prospectuses of unlisted candidates that declare an IPO in progress.

Windows: the annual report is searched from the fiscal year's end to the evaluation date (a
revision or cancellation published after the report, but before the date, is seen; nothing
published after the date is); prospectuses from the fiscal year's start to the evaluation date.
Requests carry the site's Referer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders import cache
from spiders import companies as companies_mod
from spiders.base import SourceSpider, guarded
from spiders.companies import Company
from spiders.parse import cninfo as p

HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01",
           "Referer": "https://www.cninfo.com.cn/new/commonUrl/pageOfSearch?url=disclosure/list/search"}
PDF_HEADERS = {"Referer": "https://www.cninfo.com.cn/"}


class CninfoSpider(SourceSpider):
    name = "cninfo"
    source = "cninfo"
    exchanges = ("SSE", "SZSE")

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # unlisted candidates that declare an IPO in progress (candidates.json "ipo_in_progress")
        everyone = companies_mod.load(self.companies_arg, self.paths.candidates)
        self.ipo = [c for c in everyone if c.exchange is None and c.ipo_in_progress and c.name]

    def evaluation_date(self) -> str:
        return self.valuation_date.isoformat()

    def begin(self) -> Iterator[Any]:
        if self.companies:
            yield self.fetch("cninfo", "/new/data/szse_stock.json", self.parse_stock_list,
                             lifetime=cache.STOCK_LIST, headers=HEADERS)
        for c in self.ipo:
            yield self.search(c, "", "prospectus", se_date=f"{self.year}-01-01~{self.evaluation_date()}",
                              searchkey=c.name, column=p.PRE_DISCLOSURE)

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
            # annual reports of the fiscal year, and their revisions, up to the evaluation date
            yield self.search(c, org, "annual_report", se_date=p.annual_window(y, self.evaluation_date()),
                              category=p.ANNUAL_CATEGORY)
            # prospectuses of companies that listed in the fiscal year or after
            yield self.search(c, org, "prospectus", se_date=f"{y}-01-01~{self.evaluation_date()}",
                              searchkey=p.PROSPECTUS_KEY)

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
        if form_args.get("column") == p.PRE_DISCLOSURE:  # a search by name: keep the candidate's own rows
            others = [a for a in rows if not p.names_company(a, c.name)]
            for a in others:
                self.logger.info("company %s: pre-disclosure row %r is another company's", c.company_id, a.title)
            rows = [a for a in rows if p.names_company(a, c.name)]
        kept, dropped = p.select(rows, self.year, listed_from=f"{self.year}-01-01")
        for a, reason in dropped:
            self.logger.info("company %s: dropped %r (%s): %s", c.company_id, a.title, a.announcement_id, reason)
        kept = [s for s in kept if s.doc_type == kind]
        if not kept and form_args.get("column") == p.PRE_DISCLOSURE:
            yield self.error(c.company_id, response.url, f"declares an IPO in progress, but CNINFO's pre-disclosure "
                             f"column has no prospectus of {c.name!r} between {form_args.get('se_date')}",
                             kind="SourceError")
        if not kept and kind == "annual_report":
            yield self.error(c.company_id, response.url,
                             f"no annual report for fiscal year {self.year} among {len(rows)} announcements",
                             kind="SourceError")
        for s in kept:
            a = s.announcement
            yield self.document("cninfo_static", "/" + a.adjunct_url.lstrip("/"), company=c.company_id,
                                doc_type=s.doc_type, fiscal_year=s.fiscal_year, title=a.title,
                                published_at=a.published_at, source_id=a.announcement_id,
                                supersedes=s.supersedes, headers=PDF_HEADERS)
