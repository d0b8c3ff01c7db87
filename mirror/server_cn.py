"""Mirror handlers for the Chinese sources: CNINFO announcement search and HKEXnews title search.

Each handler takes the world (mirror.server.World) and the request's parameters and returns the
body the real host would return, in its real envelope.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
CNINFO_PAGE_CAP = 30

# What the real server's categories select, approximated by title (the world's rows carry no
# category code): 年报 = annual reports (full text, summaries and corrections alike), 首发 = IPO.
_CATEGORY = {
    "category_ndbg_szsh": lambda t: ("年度报告" in t or "年报" in t) and "半年度" not in t and "季度" not in t,
    "category_sf_szsh": lambda t: "招股" in t,
    "category_scgkfx_szsh": lambda t: "招股" in t,
}


def _cn_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=SHANGHAI).date().isoformat()


def cninfo_query(world: Any, form: dict[str, str]) -> dict[str, Any]:
    """POST /new/hisAnnouncement/query. ``stock`` must be ``code,orgId`` with the right orgId."""
    stock = form.get("stock", "")
    code, _, org = stock.partition(",")
    orgs = world.cninfo_orgs()
    rows: list[dict[str, Any]] = []
    if code and org and orgs.get(code) == org:
        rows = [r for r in world.json("cninfo/announcements.json", []) if str(r.get("secCode")) == code]
    elif not stock and form.get("column") == "pre_disclosure":  # 预披露: rows of companies not yet listed
        rows = [r for r in world.json("cninfo/announcements.json", []) if not r.get("secCode")]
    lo, _, hi = (form.get("seDate") or "").replace(" ", "").partition("~")
    if lo and hi:
        rows = [r for r in rows if lo <= _cn_date(r["announcementTime"]) <= hi]
    cats = [c for c in (form.get("category") or "").split(";") if c]
    if cats:
        rows = [r for r in rows if any(_CATEGORY.get(c, lambda t: False)(r["announcementTitle"]) for c in cats)]
    key = (form.get("searchkey") or "").strip()
    if key:
        rows = [r for r in rows if key in r["announcementTitle"]]
    rows = sorted(rows, key=lambda r: (r["announcementTime"], str(r.get("announcementId"))), reverse=True)
    size = min(CNINFO_PAGE_CAP, max(1, _int(form.get("pageSize"), CNINFO_PAGE_CAP)))
    page = max(1, _int(form.get("pageNum"), 1))
    chunk = [dict(r) for r in rows[(page - 1) * size: page * size]]
    if key and form.get("isHLtitle") == "true":
        for r in chunk:
            r["announcementTitle"] = r["announcementTitle"].replace(key, f"<em>{key}</em>")
    total = len(rows)
    return {
        "classifiedAnnouncements": None, "totalSecurities": 0, "totalAnnouncement": total,
        "totalRecordNum": total, "announcements": chunk or None, "categoryList": None,
        "hasMore": page * size < total, "totalpages": (total + size - 1) // size if total > size else 0,
    }


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v not in (None, "") else default
    except ValueError:
        return default


def _hk_day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").date()


def _ymd(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except (TypeError, ValueError):
        return None


def _within_a_year(lo: date, hi: date) -> bool:
    try:
        limit = lo.replace(year=lo.year + 1)
    except ValueError:  # 29 February
        limit = lo.replace(year=lo.year + 1, day=28)
    return hi <= limit


def _market(row: dict[str, Any]) -> str:
    """GEM codes are 08001-08999; the servlet returns nothing for the wrong ``market``."""
    return "GEM" if str(row.get("STOCK_CODE", "")).split("<br/>")[0].startswith("08") else "SEHK"


_T2 = {"40100": re.compile(r"\[(Annual Report|年報)\]"), "40200": re.compile(r"\[(Interim|中期)")}


def hkex_search(world: Any, q: dict[str, str]) -> dict[str, Any]:
    """GET /search/titleSearchServlet.do: ``result`` is the rows as a JSON string."""
    lang = "C" if q.get("lang", "").upper() == "ZH" else "E"
    row_range = min(10000, max(1, _int(q.get("rowRange"), 100)))
    lo, hi = _ymd(q.get("fromDate", "")), _ymd(q.get("toDate", ""))
    rows: list[dict[str, Any]] = []
    # a window of more than 12 months: 200 with nothing in it, as the real servlet does
    if lo and hi and lo <= hi and _within_a_year(lo, hi) and q.get("category", "0") == "0":
        sid, market = q.get("stockId", ""), q.get("market", "")
        rows = [r for r in world.json("hkex/titles.json", [])
                if str(r.get("STOCK_ID")) == sid and r.get("LANG", "E") == lang and _market(r) == market
                and lo <= _hk_day(r["DATE_TIME"]) <= hi]
        t2 = _T2.get(q.get("t2code", ""))
        if t2:
            rows = [r for r in rows if t2.search(r.get("LONG_TEXT", ""))]
    rows.sort(key=lambda r: datetime.strptime(r["DATE_TIME"], "%d/%m/%Y %H:%M"), reverse=True)
    shown = [{k: v for k, v in r.items() if k not in ("STOCK_ID", "LANG")} for r in rows[:row_range]]
    return {"result": json.dumps(shown, ensure_ascii=False) if shown else "null",
            "hasNextRow": len(rows) > row_range, "rowRange": row_range,
            "loadedRecord": len(shown), "recordCnt": len(rows), "lang": lang}
