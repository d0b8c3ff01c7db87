"""HKEXnews 披露易: active-stock list (the ``i`` id) and the title-search servlet.

The servlet is GET only; its ``result`` is JSON inside a string that may be ``null``,
``"null"``, ``""`` or ``"[]"``; a date window of 12 months or more returns nothing without an
error, so windows are split.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from spiders.parse import SHAPE_CHANGED, need
from top100.errors import SchemaDrift

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
SEARCH_PATH = "/search/titleSearchServlet.do"
STOCK_LIST_PATH = "/ncms/script/eds/activestock_sehk_e.json"
MAX_WINDOW_DAYS = 360  # under the servlet's 12-month limit (a 12-month window returns nothing)
ROW_RANGE = 100
MAX_ROW_RANGE = 10000  # the server clamps rowRange here
_TITLE_YEAR = re.compile(r"(20\d\d)(?:\s*[/-]\s*(\d{2,4}))?")
_NOT_ANNUAL = re.compile(r"summary|interim|half[- ]year|quarter|esg|environmental|circular|notice|"
                         r"摘要|中期|季度|環境|通函|通告", re.I)
_ANNUAL = re.compile(r"annual\s+report|年報|年度報告", re.I)


@dataclass(frozen=True)
class Title:
    news_id: str
    title: str
    published_at: str  # ISO, Hong Kong time
    file_link: str
    file_type: str
    short_text: str
    stock_code: str


def parse_stock_list(data: Any) -> dict[str, int]:
    """5-digit code -> the servlet's stockId (``i``; ``s`` is another id and returns nothing)."""
    if not isinstance(data, list):
        raise SchemaDrift(f"activestock_sehk_e.json is {type(data).__name__}, expected a list")
    out: dict[str, int] = {}
    for index, row in enumerate(data):
        code = str(need(row, "c", f"activestock_sehk_e.json[{index}]"))
        out[code.zfill(5)] = int(need(row, "i", f"activestock_sehk_e.json[{index}]"))
    return out


def split_windows(start: date, end: date, max_days: int = MAX_WINDOW_DAYS) -> list[tuple[date, date]]:
    """[start, end] as consecutive windows of at most max_days days."""
    out = []
    cur = start
    while cur <= end:
        stop = min(end, cur + timedelta(days=max_days - 1))
        out.append((cur, stop))
        cur = stop + timedelta(days=1)
    return out


def market_of(code: str) -> str:
    return "GEM" if code.zfill(5).startswith("08") else "SEHK"


def search_params(stock_id: int, start: date, end: date, *, lang: str, row_range: int = ROW_RANGE,
                  code: str = "") -> dict[str, str]:
    """Query of the title search for annual reports (t1 40000 Financial Statements, t2 40100)."""
    return {
        # GEM codes are 08001-08999; `market` is load-bearing (a wrong one silently shrinks results)
        "sortDir": "0", "sortByOptions": "DateTime", "category": "0", "market": market_of(code),
        "stockId": str(stock_id), "documentType": "-1", "fromDate": start.strftime("%Y%m%d"),
        "toDate": end.strftime("%Y%m%d"), "title": "", "searchType": "1", "t1code": "40000",
        "t2Gcode": "-2", "t2code": "40100", "rowRange": str(row_range),
        "lang": "EN" if lang == "en" else "ZH",
    }


def parse_search(data: Any) -> tuple[list[Title], bool]:
    """Rows and hasNextRow. ``result`` is a JSON string, or null/"null"/""/"[]" when empty."""
    if not isinstance(data, dict) or "result" not in data:
        raise SchemaDrift(f"titleSearchServlet: {SHAPE_CHANGED}: field 'result' is missing")
    raw = data["result"]
    if raw is None or (isinstance(raw, str) and raw.strip() in ("", "null", "[]")):
        return [], bool(data.get("hasNextRow"))
    if isinstance(raw, str):
        try:
            rows = json.loads(raw)
        except ValueError as exc:
            raise SchemaDrift(f"titleSearchServlet: 'result' is not JSON ({exc})") from exc
    else:
        rows = raw
    if rows is None:
        return [], bool(data.get("hasNextRow"))
    if not isinstance(rows, list):
        raise SchemaDrift(f"titleSearchServlet: 'result' holds {type(rows).__name__}, expected a list")
    out = []
    for index, row in enumerate(rows):
        where = f"titleSearchServlet result[{index}]"
        out.append(Title(
            news_id=str(need(row, "NEWS_ID", where)),
            title=html.unescape(str(need(row, "TITLE", where))).strip(),
            published_at=parse_date_time(str(need(row, "DATE_TIME", where))),
            file_link=str(need(row, "FILE_LINK", where)),
            file_type=str(row.get("FILE_TYPE") or ""),
            short_text=html.unescape(str(row.get("SHORT_TEXT") or "")),
            stock_code=html.unescape(str(row.get("STOCK_CODE") or "")).split("<br/>")[0],
        ))
    return out, bool(data.get("hasNextRow"))


def parse_date_time(text: str) -> str:
    """``DD/MM/YYYY HH:MM`` Hong Kong time -> ISO."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y %H:%M").replace(tzinfo=HONG_KONG).isoformat()
    except ValueError as exc:
        raise SchemaDrift(f"titleSearchServlet: DATE_TIME {text!r} is not DD/MM/YYYY HH:MM") from exc


def title_year(title: str) -> int | None:
    """Fiscal year from the title ('ANNUAL REPORT 2014', '2014 年報'; '2014/15' -> 2015)."""
    match = _TITLE_YEAR.search(title)
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    if second:
        later = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if later == first + 1:
            return later
    return first


def drop_reason(title: Title, year: int) -> str | None:
    """Why a row is not the annual report of ``year`` (None: keep it)."""
    if "cancel" in title.short_text.lower() or "cancel" in title.title.lower() or "取消" in title.title + title.short_text:
        return "cancelled"
    if title.file_type.upper() != "PDF" or not title.file_link.lower().endswith(".pdf"):
        return f"not a single PDF (FILE_TYPE {title.file_type!r}, {title.file_link})"
    if _NOT_ANNUAL.search(title.title) or not _ANNUAL.search(title.title):
        return "not an annual report"
    fiscal_year = title_year(title.title)
    if fiscal_year != year:
        return f"fiscal year {fiscal_year}, not {year}"
    return None


def select(titles: list[Title], year: int) -> tuple[Title | None, list[tuple[Title, str]]]:
    """The newest annual report of ``year`` and the dropped rows with their reason."""
    kept, dropped = [], []
    seen: set[str] = set()
    for title in titles:
        if title.news_id in seen:
            continue  # the same row from overlapping windows or a larger rowRange
        seen.add(title.news_id)
        reason = drop_reason(title, year)
        (dropped.append((title, reason)) if reason else kept.append(title))
    kept.sort(key=lambda title: title.published_at, reverse=True)
    dropped.extend((title, f"superseded by NEWS_ID {kept[0].news_id}") for title in kept[1:])
    return (kept[0] if kept else None), dropped
