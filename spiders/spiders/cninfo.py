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
from spiders.parse import cninfo

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
        self.ipo = [candidate for candidate in everyone
                    if candidate.exchange is None and candidate.ipo_in_progress and candidate.name]

    def evaluation_date(self) -> str:
        return self.valuation_date.isoformat()

    def begin(self) -> Iterator[Any]:
        if self.companies:
            yield self.fetch("cninfo", "/new/data/szse_stock.json", self.parse_stock_list,
                             lifetime=cache.STOCK_LIST, headers=HEADERS)
        for candidate in self.ipo:
            yield self.search(candidate, "", "prospectus", se_date=f"{self.year}-01-01~{self.evaluation_date()}",
                              searchkey=candidate.name, column=cninfo.PRE_DISCLOSURE)

    @guarded
    def parse_stock_list(self, response: Response) -> Iterator[Any]:
        orgs = cninfo.parse_stock_list(self.json(response, "szse_stock.json"))
        year = self.year
        for candidate in self.companies:
            org = orgs.get(candidate.ticker or "")
            if org is None:
                yield self.error(candidate.company_id, response.url, f"code {candidate.ticker} is not in the CNINFO stock list",
                                 kind="SourceError")
                continue
            # annual reports of the fiscal year, and their revisions, up to the evaluation date
            yield self.search(candidate, org, "annual_report", se_date=cninfo.annual_window(year, self.evaluation_date()),
                              category=cninfo.ANNUAL_CATEGORY)
            # prospectuses of companies that listed in the fiscal year or after
            yield self.search(candidate, org, "prospectus", se_date=f"{year}-01-01~{self.evaluation_date()}",
                              searchkey=cninfo.PROSPECTUS_KEY)

    def search(self, candidate: Company, org: str, kind: str, *, page: int = 1, rows: list | None = None,
               **form_args: str) -> Any:
        form = cninfo.query_form(candidate.ticker or "", org, page=page, **form_args)
        return self.fetch("cninfo", "/new/hisAnnouncement/query", self.parse_search, company=candidate.company_id,
                          form=form, lifetime=cache.SEARCH, headers=HEADERS,
                          candidate=candidate, org=org, kind=kind, page=page, rows=rows if rows is not None else [],
                          form_args=form_args)

    @guarded
    def parse_search(self, response: Response, candidate: Company, org: str, kind: str, page: int, rows: list,
                     form_args: dict[str, str]) -> Iterator[Any]:
        found, total = cninfo.parse_announcements(self.json(response, "hisAnnouncement/query"))
        rows.extend(found)
        if found and page < cninfo.pages_needed(total):
            yield self.search(candidate, org, kind, page=page + 1, rows=rows, **form_args)
            return
        if form_args.get("column") == cninfo.PRE_DISCLOSURE:  # a search by name: keep the candidate's own rows
            others = [announcement for announcement in rows if not cninfo.names_company(announcement, candidate.name)]
            for announcement in others:
                self.logger.info("company %s: pre-disclosure row %r is another company's", candidate.company_id,
                                 announcement.title)
            rows = [announcement for announcement in rows if cninfo.names_company(announcement, candidate.name)]
        kept, dropped = cninfo.select(rows, self.year, listed_from=f"{self.year}-01-01")
        for announcement, reason in dropped:
            self.logger.info("company %s: dropped %r (%s): %s", candidate.company_id, announcement.title,
                             announcement.announcement_id, reason)
        kept = [selected for selected in kept if selected.doc_type == kind]
        if not kept and form_args.get("column") == cninfo.PRE_DISCLOSURE:
            yield self.error(candidate.company_id, response.url, f"declares an IPO in progress, but CNINFO's pre-disclosure "
                             f"column has no prospectus of {candidate.name!r} between {form_args.get('se_date')}",
                             kind="SourceError")
        if not kept and kind == "annual_report":
            yield self.error(candidate.company_id, response.url,
                             f"no annual report for fiscal year {self.year} among {len(rows)} announcements",
                             kind="SourceError")
        for selected in kept:
            announcement = selected.announcement
            yield self.document("cninfo_static", "/" + announcement.adjunct_url.lstrip("/"), company=candidate.company_id,
                                doc_type=selected.doc_type, fiscal_year=selected.fiscal_year, title=announcement.title,
                                published_at=announcement.published_at, source_id=announcement.announcement_id,
                                supersedes=selected.supersedes, headers=PDF_HEADERS)
