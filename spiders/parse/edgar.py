"""SEC EDGAR: ticker -> CIK, column-wise submissions (and their overflow files), documents.

``filings.recent`` holds parallel arrays; older filings are in the files named in
``filings.files``, whose body is the same columns at top level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spiders.parse import need
from top100.errors import SchemaDrift

ANNUAL_FORMS = ("20-F", "20-F/A")
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
    arrays = {c: need(cols, c, what, list) for c in _COLUMNS}
    n = len(arrays["accessionNumber"])
    if any(len(a) != n for a in arrays.values()):
        raise SchemaDrift(f"{what}: filing columns have different lengths")
    return [Filing(arrays["accessionNumber"][i], arrays["filingDate"][i], arrays["reportDate"][i] or "",
                   arrays["form"][i], arrays["primaryDocument"][i]) for i in range(n)]


def parse_submissions(data: Any) -> tuple[list[Filing], list[dict[str, Any]]]:
    """Recent filings and the overflow files ({name, filingFrom, filingTo, ...})."""
    filings = need(data, "filings", "submissions", dict)
    recent = parse_columns(need(filings, "recent", "submissions filings", dict), "submissions filings.recent")
    files = filings.get("files") or []
    for n, f in enumerate(files):
        need(f, "name", f"submissions filings.files[{n}]")
    return recent, files


def overflow_needed(files: list[dict[str, Any]], since: str) -> list[str]:
    """Names of the overflow files that may hold filings on or after ``since`` (ISO date)."""
    return [f["name"] for f in files if str(f.get("filingTo") or "9999") >= since]


def archive_path(cik: int | str, f: Filing) -> str:
    return f"/Archives/edgar/data/{int(cik)}/{f.accession.replace('-', '')}/{f.primary_document}"


def select(filings: list[Filing], year: int, *, listed_from: str
           ) -> tuple[list[tuple[Filing, str | None]], list[tuple[Filing, str]]]:
    """(filing, accession it supersedes) to fetch, and dropped rows with a reason.

    The 20-F for fiscal ``year`` (report date in that year; an amendment 20-F/A supersedes the
    original), and F-1 / 424B4 filed on or after ``listed_from`` (companies that listed in the
    fiscal year or after)."""
    keep: list[tuple[Filing, str | None]] = []
    dropped: list[tuple[Filing, str]] = []
    annual = sorted((f for f in filings if f.form in ANNUAL_FORMS and f.report_date[:4] == str(year)),
                    key=lambda f: (f.filing_date, f.accession), reverse=True)
    if annual:
        keep.append((annual[0], annual[1].accession if len(annual) > 1 else None))
        dropped.extend((f, f"superseded by {annual[0].accession}") for f in annual[1:])
    for form in ("F-1", "424B4"):
        rows = sorted((f for f in filings if f.form in (form, form + "/A") and f.filing_date >= listed_from),
                      key=lambda f: (f.filing_date, f.accession), reverse=True)
        if rows:
            keep.append((rows[0], rows[1].accession if len(rows) > 1 else None))
            dropped.extend((f, f"superseded by {rows[0].accession}") for f in rows[1:])
    return keep, dropped


def doc_type(form: str) -> str:
    return {"20-F": "20-F", "20-F/A": "20-F", "F-1": "F-1", "F-1/A": "F-1", "424B4": "424B4"}[form]


def is_rate_limit_page(status: int, body: bytes) -> bool:
    """SEC answers over-rate clients with 403 and this text: back off for minutes."""
    return status == 403 and any(m.encode() in body[:20000] for m in RATE_LIMIT_MARKERS)


def check_companyfacts(data: Any, cik: int) -> None:
    """A companyfacts document is an object with ``cik`` and ``facts``."""
    got = need(data, "cik", "companyfacts")
    need(data, "facts", "companyfacts", dict)
    if int(got) != int(cik):
        raise SchemaDrift(f"companyfacts: cik {got} is not the requested {cik}")
