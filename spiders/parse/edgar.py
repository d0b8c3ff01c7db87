"""SEC EDGAR: the entity (CIK) of a listing as of the fiscal year, column-wise submissions (and
their overflow files), the annual report and prospectuses to fetch.

``filings.recent`` holds parallel arrays; older filings are in the files named in
``filings.files``, whose body is the same columns at top level.

Identity: a CIK supplied in listings.csv is used as given (and checked against the entity's
own submissions); without one, today's ``company_tickers.json`` only proposes a CIK, and the
entity's ``submissions/CIK….json`` must confirm it: the ticker among its ``tickers`` (or its
name among the ``name``/``formerNames`` the candidate declares) and an annual report for the
fiscal year in its filing history. A ticker that today belongs to another filer (SOHU: the
2018 Sohu.com Ltd, not the Sohu.com Inc that filed for FY2014) or that is gone from the map
(QIHU, SINA, CTRP ...) is an error naming the company and telling the user to supply ``cik``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spiders.parse import need
from top100.errors import SchemaDrift

# every annual report form and its amendment: foreign private issuers (20-F), domestic filers
# (10-K: Sohu.com Inc filed 10-Ks), Canadian MJDS filers (40-F)
ANNUAL_FORMS = ("20-F", "20-F/A", "10-K", "10-K/A", "40-F", "40-F/A")
LISTING_FORMS = ("F-1", "F-1/A", "424B4")
_COLUMNS = ("accessionNumber", "filingDate", "reportDate", "form", "primaryDocument")
SEC_MAX_RPS = 10.0  # SEC fair access: at most 10 requests per second, all machines together
RATE_LIMIT_MARKERS = ("Request Rate Threshold Exceeded", "identified as part of a network of automated tools")


@dataclass(frozen=True)
class Filing:
    accession: str
    filing_date: str
    report_date: str
    form: str
    primary_document: str


@dataclass(frozen=True)
class Entity:
    """Who a submissions file says the filer is."""

    cik: int
    name: str
    tickers: tuple[str, ...]
    former_names: tuple[str, ...]
    fiscal_year_end: str  # MMDD, e.g. "1231", "0331"


def parse_entity(data: Any) -> Entity:
    """The entity of ``submissions/CIK….json`` (cik, name, tickers, formerNames, fiscalYearEnd)."""
    cik = need(data, "cik", "submissions")
    name = need(data, "name", "submissions")
    tickers = data.get("tickers") or []
    former = data.get("formerNames") or []
    if not isinstance(tickers, list) or not isinstance(former, list):
        raise SchemaDrift("submissions: tickers / formerNames are not lists")
    return Entity(int(cik), str(name or ""), tuple(str(ticker).upper() for ticker in tickers),
                  tuple(str(former_name.get("name") or "") for former_name in former if isinstance(former_name, dict)),
                  str(data.get("fiscalYearEnd") or ""))


def _norm(name: str) -> str:
    """A company name for comparison: case, punctuation and legal suffixes dropped."""
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    drop = {"inc", "ltd", "limited", "co", "corp", "corporation", "group", "holding", "holdings", "the", "plc"}
    return " ".join(word for word in words if word not in drop)


def names_match(one: str, other: str) -> bool:
    one_normal, other_normal = _norm(one), _norm(other)
    return bool(one_normal and other_normal) and (one_normal == other_normal
                                                  or one_normal.startswith(other_normal + " ")
                                                  or other_normal.startswith(one_normal + " "))


def annual_for_year(filings: list[Filing], year: int) -> list[Filing]:
    """The annual reports (and amendments) whose fiscal year ends in ``year`` (any month)."""
    return [filing for filing in filings if filing.form in ANNUAL_FORMS and fiscal_year(filing) == year]


def fiscal_year(filing: Filing) -> int | None:
    """The fiscal year of a periodic report: the calendar year its period ends in (a March 2015
    year end is fiscal 2015). None when the filing has no report date."""
    return int(filing.report_date[:4]) if re.match(r"^\d{4}-\d\d-\d\d", filing.report_date or "") else None


def confirm(entity: Entity, filings: list[Filing], year: int, *, ticker: str | None, legal_name: str,
            supplied: bool, company: str) -> str | None:
    """None when the entity is the listing's filer for fiscal ``year``; else why it is not, with
    what the user must supply. A supplied CIK is the user's word: only the filing history is
    checked. A CIK proposed by today's ticker map must also carry the ticker or the name."""
    what = f"CIK {entity.cik} ({entity.name})"
    fix = f"supply the cik of the filer that reported for fiscal {year} in the cik column of listings.csv"
    if not supplied:
        by_ticker = bool(ticker) and ticker.upper() in entity.tickers
        by_name = bool(legal_name) and any(names_match(legal_name, known_name)
                                           for known_name in (entity.name, *entity.former_names))
        if not (by_ticker or by_name):
            return (f"company {company}: today's company_tickers.json maps {ticker} to {what}, whose submissions "
                    f"carry neither the ticker nor the name {legal_name!r}; {fix}")
    annual = [filing for filing in filings if filing.form in ANNUAL_FORMS]
    listing = [filing for filing in filings if filing.form in LISTING_FORMS and filing.filing_date >= f"{year}-01-01"]
    if not annual_for_year(filings, year) and not listing:  # a recent listing has its prospectus
        span = (f"its annual reports cover fiscal {min(fiscal_year(filing) or 0 for filing in annual)}-"
                f"{max(fiscal_year(filing) or 0 for filing in annual)}") if annual else "it filed no annual report"
        first = min((filing.filing_date for filing in filings), default="none")
        lead = "" if supplied else f"today's company_tickers.json maps {ticker} to "
        return (f"company {company}: {lead}{what} filed no 20-F/10-K/40-F for fiscal {year} ({span}; first filing "
                f"{first}); {fix if not supplied else 'check the cik column of listings.csv'}")
    return None


def parse_tickers(data: Any) -> dict[str, int]:
    """TICKER -> CIK from ``company_tickers.json`` ({"0": {"cik_str", "ticker", "title"}, ...})."""
    if not isinstance(data, dict):
        raise SchemaDrift(f"company_tickers.json is {type(data).__name__}, expected an object")
    out: dict[str, int] = {}
    for key, row in data.items():
        ticker = str(need(row, "ticker", f"company_tickers.json[{key}]")).upper()
        out.setdefault(ticker, int(need(row, "cik_str", f"company_tickers.json[{key}]")))
    return out


def cik10(cik: int | str) -> str:
    return f"{int(cik):010d}"


def parse_columns(cols: Any, what: str) -> list[Filing]:
    """The column-wise filings table (``filings.recent`` or an overflow file's top level)."""
    arrays = {column: need(cols, column, what, list) for column in _COLUMNS}
    count = len(arrays["accessionNumber"])
    if any(len(array) != count for array in arrays.values()):
        raise SchemaDrift(f"{what}: filing columns have different lengths")
    return [Filing(arrays["accessionNumber"][index], arrays["filingDate"][index], arrays["reportDate"][index] or "",
                   arrays["form"][index], arrays["primaryDocument"][index]) for index in range(count)]


def parse_submissions(data: Any) -> tuple[list[Filing], list[dict[str, Any]]]:
    """Recent filings and the overflow files ({name, filingFrom, filingTo, ...})."""
    filings = need(data, "filings", "submissions", dict)
    recent = parse_columns(need(filings, "recent", "submissions filings", dict), "submissions filings.recent")
    files = filings.get("files") or []
    for index, overflow_file in enumerate(files):
        need(overflow_file, "name", f"submissions filings.files[{index}]")
    return recent, files


def overflow_needed(files: list[dict[str, Any]], since: str) -> list[str]:
    """Names of the overflow files that may hold filings on or after ``since`` (ISO date)."""
    return [overflow_file["name"] for overflow_file in files if str(overflow_file.get("filingTo") or "9999") >= since]


def archive_path(cik: int | str, filing: Filing) -> str:
    return f"/Archives/edgar/data/{int(cik)}/{filing.accession.replace('-', '')}/{filing.primary_document}"


def select(filings: list[Filing], year: int, *, listed_from: str
           ) -> tuple[list[tuple[Filing, str | None]], list[tuple[Filing, str]]]:
    """(filing, accession it supersedes) to fetch, and dropped rows with a reason.

    The annual report (20-F, 10-K or 40-F) for fiscal ``year`` (its period ends in that year,
    in any month): the latest filing wins (an amendment supersedes the original, which stays
    as history: the winner's ``supersedes`` names the one before it); and F-1 / 424B4 filed on
    or after ``listed_from`` (companies that listed in the fiscal year or after)."""
    keep: list[tuple[Filing, str | None]] = []
    dropped: list[tuple[Filing, str]] = []
    annual = sorted(annual_for_year(filings, year), key=lambda filing: (filing.filing_date, filing.accession), reverse=True)
    if annual:
        keep.append((annual[0], annual[1].accession if len(annual) > 1 else None))
        dropped.extend((filing, f"superseded by {annual[0].accession}") for filing in annual[1:])
    for form in ("F-1", "424B4"):
        rows = sorted((filing for filing in filings if filing.form in (form, form + "/A") and filing.filing_date >= listed_from),
                      key=lambda filing: (filing.filing_date, filing.accession), reverse=True)
        if rows:
            keep.append((rows[0], rows[1].accession if len(rows) > 1 else None))
            dropped.extend((filing, f"superseded by {rows[0].accession}") for filing in rows[1:])
    return keep, dropped


def doc_type(form: str) -> str:
    """The document type: every annual report form (20-F, 10-K, 40-F, amended or not) is the
    SEC annual report type "20-F" (the form itself is in the document's title)."""
    if form in ANNUAL_FORMS:
        return "20-F"
    return {"F-1": "F-1", "F-1/A": "F-1", "424B4": "424B4"}[form]


def is_rate_limit_page(status: int, body: bytes) -> bool:
    """SEC answers over-rate clients with 403 and this text: back off for minutes."""
    return status == 403 and any(marker.encode() in body[:20000] for marker in RATE_LIMIT_MARKERS)


def check_companyfacts(data: Any, cik: int) -> None:
    """A companyfacts document is an object with ``cik`` and ``facts``."""
    got = need(data, "cik", "companyfacts")
    need(data, "facts", "companyfacts", dict)
    if int(got) != int(cik):
        raise SchemaDrift(f"companyfacts: cik {got} is not the requested {cik}")
