"""CNINFO 巨潮资讯: stock list (orgId), announcement search, title rules.

The orgId is looked up in the stock list, never built from the code (real orgIds such as
``9900010488`` follow no pattern, and a wrong one silently returns nothing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from spiders.parse import SHAPE_CHANGED, need
from top100.errors import SchemaDrift

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 30  # the server caps pageSize at 30 whatever is asked
ANNUAL_CATEGORY = "category_ndbg_szsh"  # 年报
PROSPECTUS_KEY = "招股说明书"

# Titles that are not the full annual report (or not the final prospectus).
_DROP = [
    ("摘要", "summary (摘要)"),
    ("英文", "English version (英文版)"),
    ("已取消", "cancelled (已取消)"),
    ("取消", "cancelled (取消)"),
    ("印刷版", "print edition (印刷版)"),
    ("H股公告", "H-share notice"),
    ("补充公告", "supplementary notice (补充公告)"),
    ("更正公告", "correction notice (更正公告)"),
    ("审核意见", "board review opinion (审核意见)"),
    ("股东大会", "shareholders' meeting"),
    ("审计报告", "audit report"),
    ("半年度", "half-year report (半年度)"),
    ("季度", "quarterly report (季度)"),
    ("附录", "appendix (附录)"),
    ("提示性公告", "reminder notice (提示性公告)"),
    ("意向书", "preliminary prospectus (招股意向书)"),
]
_REVISED = re.compile(r"[（(](修订版|修订稿|更正后|更新后|更新稿|更正版|修订)[)）]")
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Announcement:
    announcement_id: str
    title: str
    published_at: str  # ISO, Asia/Shanghai
    adjunct_url: str
    adjunct_type: str | None
    sec_code: str
    org_id: str | None


@dataclass(frozen=True)
class Selected:
    """An announcement kept as a document, with the one it supersedes (if any)."""

    announcement: Announcement
    doc_type: str  # annual_report | prospectus
    fiscal_year: int | None
    supersedes: str | None  # announcementId of the older version


def parse_stock_list(data: Any) -> dict[str, str]:
    """code -> orgId from ``/new/data/szse_stock.json`` (A shares first when a code repeats)."""
    rows = need(data, "stockList", "szse_stock.json", list)
    out: dict[str, str] = {}
    for index, row in enumerate(rows):
        code = need(row, "code", f"szse_stock.json stockList[{index}]")
        org = need(row, "orgId", f"szse_stock.json stockList[{index}]")
        if code and org and (code not in out or row.get("category") == "A股"):
            out[str(code)] = str(org)
    return out


PRE_DISCLOSURE = "pre_disclosure"  # 预披露: the draft prospectuses of companies whose IPO is under review


def query_form(code: str, org_id: str, *, se_date: str, page: int = 1, category: str = "",
               searchkey: str = "", column: str = "szse") -> dict[str, str]:
    """The form of ``POST /new/hisAnnouncement/query`` exactly as the site's own page sends it.
    ``column=pre_disclosure`` searches the pre-disclosed (预披露) prospectuses of companies not
    yet listed: no stock, the company's name as ``searchkey``."""
    return {
        "pageNum": str(page), "pageSize": str(PAGE_SIZE), "column": column, "tabName": "fulltext",
        "plate": "", "stock": f"{code},{org_id}" if code else "", "searchkey": searchkey, "secid": "",
        "category": category, "trade": "", "seDate": se_date, "sortName": "", "sortType": "",
        "isHLtitle": "true",
    }


def epoch_ms_to_iso(millis: Any) -> str:
    """announcementTime (epoch milliseconds) as an ISO datetime in Asia/Shanghai."""
    if not isinstance(millis, (int, float)) or isinstance(millis, bool):
        raise SchemaDrift(f"announcementTime {millis!r} is not epoch milliseconds")
    return datetime.fromtimestamp(millis / 1000, tz=SHANGHAI).isoformat()


def parse_announcements(data: Any) -> tuple[list[Announcement], int]:
    """Rows and the total count. ``announcements`` is ``null`` (not ``[]``) when empty."""
    total = need(data, "totalAnnouncement", "hisAnnouncement/query")
    # the field is required even though it is null when empty: a renamed field is drift, not "none"
    rows = need(data, "announcements", "hisAnnouncement/query")
    if rows is None:
        return [], int(total or 0)
    if not isinstance(rows, list):
        raise SchemaDrift(f"hisAnnouncement/query: {SHAPE_CHANGED}: field 'announcements' is "
                          f"{type(rows).__name__}, expected a list")
    out = []
    for index, row in enumerate(rows):
        where = f"hisAnnouncement/query announcements[{index}]"
        out.append(Announcement(
            announcement_id=str(need(row, "announcementId", where)),
            title=_TAGS.sub("", str(need(row, "announcementTitle", where) or "")).strip(),
            published_at=epoch_ms_to_iso(need(row, "announcementTime", where)),
            adjunct_url=str(need(row, "adjunctUrl", where) or ""),
            adjunct_type=row.get("adjunctType"),
            sec_code=str(row.get("secCode") or ""),
            org_id=row.get("orgId"),
        ))
    return out, int(total or 0)


def pages_needed(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def classify_title(title: str) -> tuple[str | None, int | None, bool, str]:
    """(doc_type or None, fiscal year from the title, revised?, reason when dropped)."""
    for needle, reason in _DROP:
        if needle in title:
            return None, None, False, reason
    revised = bool(_REVISED.search(title))
    if PROSPECTUS_KEY in title:
        return "prospectus", None, revised, ""
    if "年度报告" in title or "年报" in title:
        match = _YEAR.search(title)
        if not match:
            return None, None, revised, "annual report title without a fiscal year"
        return "annual_report", int(match.group(1)), revised, ""
    return None, None, False, "not an annual report or prospectus"


def names_company(announcement: Announcement, legal_name: str) -> bool:
    """A pre-disclosure row is the candidate's when its title begins with the legal name (the
    search is by name: other companies whose names contain it come back too, e.g. 深圳己… for 己…)."""
    name = legal_name.strip()
    return bool(name) and announcement.title.strip().startswith(name)


def annual_window(year: int, evaluation_date: str) -> str:
    """From the fiscal year's end to the evaluation date: the report and every revision or
    cancellation published until the public record was taken (never after it)."""
    return f"{year}-12-31~{evaluation_date}"


def is_pdf(announcement: Announcement) -> bool:
    return (announcement.adjunct_type or "").upper() == "PDF" or announcement.adjunct_url.lower().endswith(".pdf")


def select(announcements: list[Announcement], year: int, *, listed_from: str | None = None
           ) -> tuple[list[Selected], list[tuple[Announcement, str]]]:
    """The documents to keep for fiscal ``year`` and the dropped rows with their reason.

    One annual report per fiscal year: the newest (a revised 修订版/更正后/更新后 report
    supersedes the original). One prospectus: the newest 招股说明书 published on or after
    ``listed_from`` (ISO date; the fiscal year's first day: companies that listed in the fiscal
    year or after)."""
    groups: dict[tuple[str, int | None], list[tuple[Announcement, bool]]] = {}
    dropped: list[tuple[Announcement, str]] = []
    for announcement in announcements:
        doc_type, title_year, revised, reason = classify_title(announcement.title)
        if doc_type is None:
            dropped.append((announcement, reason))
        elif not is_pdf(announcement):
            dropped.append((announcement, f"not a PDF ({announcement.adjunct_type or announcement.adjunct_url})"))
        elif doc_type == "annual_report" and title_year != year:
            dropped.append((announcement, f"fiscal year {title_year}, not {year}"))
        elif doc_type == "prospectus" and listed_from and announcement.published_at[:10] < listed_from:
            dropped.append((announcement, f"prospectus of {announcement.published_at[:10]}, before {listed_from}"))
        else:
            groups.setdefault((doc_type, title_year), []).append((announcement, revised))
    kept: list[Selected] = []
    for (doc_type, title_year), rows in sorted(groups.items(), key=lambda group: group[0][0]):
        # newest first: publication time, then a revised title, then the larger id
        rows.sort(key=lambda entry: (entry[0].published_at, entry[1], _id_key(entry[0].announcement_id)), reverse=True)
        newest = rows[0][0]
        older = rows[1:]
        supersedes = older[0][0].announcement_id if older else None
        kept.append(Selected(newest, doc_type, title_year if doc_type == "annual_report" else year, supersedes))
        dropped.extend((announcement, f"superseded by {newest.announcement_id} ({newest.title})") for announcement, _ in older)
    return kept, dropped


def _id_key(announcement_id: str) -> tuple[int, str]:
    return (int(announcement_id), "") if announcement_id.isdigit() else (0, announcement_id)
