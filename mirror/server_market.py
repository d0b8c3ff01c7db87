"""Mirror handlers for the market sources: EastMoney kline and snapshot, CFETS central parity."""

from __future__ import annotations

from datetime import date
from typing import Any

CFETS_PAGE_CAP = 50
_SECID = __import__("re").compile(r"^\d{1,3}\.[A-Za-z0-9]{1,10}$")


def _ymd(text: str | None) -> str | None:
    if text and len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return None


def kline(world: Any, q: dict[str, str]) -> dict[str, Any]:
    """GET /api/qt/stock/kline/get: daily rows between ``beg`` and ``end``; data null if unknown."""
    sec = q.get("secid", "")
    rows = world.json(f"market/kline/{sec}.json", None) if _SECID.match(sec) else None
    envelope: dict[str, Any] = {"rc": 0, "rt": 17, "svr": 0, "lt": 1, "full": 0, "dlmkts": "", "dsc": "0"}
    if rows is None:
        return {**envelope, "data": None}
    lo, hi = _ymd(q.get("beg")) or "0000-00-00", _ymd(q.get("end")) or "9999-99-99"
    chosen = [r for r in rows if lo <= r[:10] <= hi]
    market, _, code = sec.partition(".")
    snap = world.json(f"market/stock/{sec}.json", {}) or {}
    envelope["data"] = {"code": code, "market": int(market), "name": snap.get("f58", code), "decimal": 2,
                        "dktotal": len(rows), "preKPrice": 0.0, "klines": chosen}
    return envelope


def stock(world: Any, q: dict[str, str]) -> dict[str, Any]:
    """GET /api/qt/stock/get: the snapshot fields asked for."""
    sec = q.get("secid", "")
    snap = world.json(f"market/stock/{sec}.json", None) if _SECID.match(sec) else None
    if snap is None:
        return {"rc": 0, "rt": 4, "svr": 0, "lt": 1, "full": 1, "data": None}
    wanted = [f for f in (q.get("fields") or "").split(",") if f]
    data = {k: v for k, v in snap.items() if not wanted or k in wanted}
    return {"rc": 0, "rt": 4, "svr": 0, "lt": 1, "full": 1, "dlmkts": "", "data": data}


def _within_a_year(lo: date, hi: date) -> bool:
    try:
        return hi < lo.replace(year=lo.year + 1)
    except ValueError:
        return hi < lo.replace(year=lo.year + 1, day=28)


def ccpr(world: Any, q: dict[str, str]) -> dict[str, Any]:
    """POST /ags/ms/cm-u-bk-ccpr/CcprHisNew (parameters in the query or the form)."""
    head = {"version": "2.0", "provider": "CWAP", "req_code": "", "rep_code": "200", "rep_message": "",
            "ts": 0, "producer": "", "tstext": ""}
    start, end = q.get("startDate", ""), q.get("endDate", "")
    pairs = [p for p in (q.get("currency") or "").split(",") if p.endswith("/CNY")] or ["USD/CNY", "HKD/CNY"]
    size = min(CFETS_PAGE_CAP, max(1, int(q.get("pageSize") or 20)))
    page = max(1, int(q.get("pageNum") or 1))
    data = {"head": pairs, "searchlist": pairs, "startDate": start, "endDate": end,
            "currency": q.get("currency", ""), "pageSize": size, "pageNum": page, "flagMessage": ""}
    try:
        lo, hi = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return {"head": head, "data": {**data, "total": 0, "pageTotal": 0}, "records": []}
    if not _within_a_year(lo, hi):
        data["flagMessage"] = "只提供一年历史数据查询及下载"
        return {"head": head, "data": {**data, "total": 0, "pageTotal": 0}, "records": []}
    rows = sorted((r for r in world.json("fx/ccpr.json", []) if start <= r["date"] <= end),
                  key=lambda r: r["date"], reverse=True)
    chunk = rows[(page - 1) * size: page * size]
    records = [{"date": r["date"], "values": [str(r.get(p) or "---") for p in pairs]} for r in chunk]
    data.update(total=len(rows), pageTotal=max(1, (len(rows) + size - 1) // size))
    return {"head": head, "data": data, "records": records}
