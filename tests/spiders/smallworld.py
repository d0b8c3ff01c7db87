"""A small demo world in the layout of docs/CONTRACTS.md, built for the spider tests.

It holds the cases the spiders must get right: a non-pattern orgId, 摘要/英文版/已取消 rows, a
revised report superseding the original, a prospectus with its 附录, more than one page of
results, a company with nothing, a truncated PDF; HK rows in two languages with a cancelled
and a multi-file row; SEC submissions with an overflow file; klines with a non-trading
evaluation date and an empty series; FX with a holiday on the evaluation date.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from reportlab.pdfgen import canvas

SH = ZoneInfo("Asia/Shanghai")
MV_DATE = date(2015, 6, 25)


def pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=SH).timestamp() * 1000)


def _write(root: Path, rel: str, data: bytes | str | object) -> None:
    p = root / "sources" / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        p.write_bytes(data)
    elif isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


CANDIDATES = [
    {"company_id": "C001", "legal_name": "甲公司", "exchange": "SSE", "ticker": "600001", "ads_ratio": None, "cik": None},
    {"company_id": "C002", "legal_name": "乙公司", "exchange": "SZSE", "ticker": "300002", "ads_ratio": None, "cik": None},
    {"company_id": "C003", "legal_name": "丙公司", "exchange": "SZSE", "ticker": "000003", "ads_ratio": None, "cik": None},
    {"company_id": "C004", "legal_name": "丁公司", "exchange": "SSE", "ticker": "600004", "ads_ratio": None, "cik": None},
    {"company_id": "C005", "legal_name": "戊公司", "exchange": "SSE", "ticker": "600005", "ads_ratio": None, "cik": None},
    {"company_id": "H001", "legal_name": "HK One", "exchange": "HKEX", "ticker": "00700", "ads_ratio": None, "cik": None},
    {"company_id": "H002", "legal_name": "HK Two", "exchange": "HKEX", "ticker": "01357", "ads_ratio": None, "cik": None},
    {"company_id": "U001", "legal_name": "US One", "exchange": "NASDAQ", "ticker": "BIDU", "ads_ratio": 0.1, "cik": None},
    {"company_id": "U002", "legal_name": "US Two", "exchange": "NASDAQ", "ticker": "WB", "ads_ratio": 1.0, "cik": None},
    # a ticker that today belongs to another filer (the 2018 Sohu.com Ltd), no CIK supplied
    {"company_id": "U003", "legal_name": "Sohu.com Inc", "exchange": "NASDAQ", "ticker": "SOHU", "ads_ratio": 1.0, "cik": None},
    # gone from today's ticker map; the CIK supplied in listings.csv
    {"company_id": "U004", "legal_name": "Qihoo 360 Technology Co Ltd", "exchange": "NYSE", "ticker": "QIHU",
     "ads_ratio": 1.5, "cik": 1508913},
    # the filer as of the year, a 10-K filer with an amendment
    {"company_id": "U005", "legal_name": "Sohu.com Inc", "exchange": "NASDAQ", "ticker": "SOHU", "ads_ratio": 1.0, "cik": 1104188},
    # a fiscal year ending in June
    {"company_id": "U006", "legal_name": "June Year Ltd", "exchange": "NASDAQ", "ticker": "JUNE", "ads_ratio": 1.0, "cik": None},
    # unlisted, its IPO under review: the pre-disclosed (预披露) prospectus is searched by name
    {"company_id": "N002", "legal_name": "己网络科技股份有限公司", "exchange": None, "ticker": None, "ads_ratio": None,
     "cik": None, "ipo_in_progress": True},
    {"company_id": "N001", "legal_name": "Unlisted", "exchange": None, "ticker": None, "ads_ratio": None, "cik": None},
]


def _ann(code: str, org: str, aid: str, title: str, day: str, url: str | None = None) -> dict:
    return {"id": None, "secCode": code, "secName": None, "orgId": org, "announcementId": aid,
            "announcementTitle": title, "announcementTime": ms(day),
            "adjunctUrl": url or f"finalpage/{day}/{aid}.PDF", "adjunctSize": 10, "adjunctType": "PDF",
            "storageTime": None, "columnId": "", "pageColumn": "SHZB", "announcementType": "",
            "associateAnnouncement": None, "important": None, "batchNum": None, "announcementContent": "",
            "orgName": None, "tileSecName": None, "shortTitle": title, "announcementTypeName": None,
            "secNameList": None}


def build(root: Path) -> dict:
    """Write the world under ``root``; return what a test needs to know about it."""
    anns = [
        _ann("600001", "9900001234", "1000001", "甲公司2014年年度报告", "2015-03-20"),
        _ann("600001", "9900001234", "1000002", "甲公司2014年年度报告摘要", "2015-03-20"),
        _ann("600001", "9900001234", "1000003", "甲公司2014年年度报告（英文版）", "2015-03-20"),
        _ann("600001", "9900001234", "1000004", "甲公司2014年年度报告（已取消）", "2015-04-10"),
        _ann("600001", "9900001234", "1000005", "甲公司2014年年度报告（修订版）", "2015-04-10"),
        _ann("600001", "9900001234", "1000006", "甲公司2013年年度报告", "2014-03-20"),
        _ann("300002", "gssz0300002", "2000001", "招股说明书", "2014-05-10"),
        _ann("300002", "gssz0300002", "2000002", "招股说明书附录", "2014-05-10"),
        _ann("300002", "gssz0300002", "2000003", "乙公司2014年年度报告", "2015-04-20"),
        _ann("600005", "gssh0600005", "5000001", "戊公司2014年年度报告", "2015-04-01"),
        # a revision after the next year's end but before the evaluation date is not possible
        # here (2015-06-25); one after the date must not be seen
        _ann("600001", "9900001234", "1000007", "甲公司2014年年度报告（更新后）", "2015-07-10"),
        # pre-disclosure rows (no secCode): the candidate's, and another company whose name contains its name
        _ann("", "", "7000001", "己网络科技股份有限公司首次公开发行股票招股说明书（申报稿2015年4月10日报送）", "2015-04-17"),
        _ann("", "", "7000002", "深圳己网络科技股份有限公司首次公开发行股票招股说明书（申报稿）", "2015-05-08"),
    ]
    # more than one page (30) of results: notices that the 年报 category returns and we drop
    anns += [_ann("300002", "gssz0300002", f"20001{n:02d}", f"关于2014年年度报告的补充公告（{n}）", "2015-04-21")
             for n in range(32)]
    stock_list = {"stockList": [
        {"orgId": "9900001234", "category": "A股", "code": "600001", "pinyin": "jgs", "zwjc": "甲公司"},
        {"orgId": "gssz0300002", "category": "A股", "code": "300002", "pinyin": "ygs", "zwjc": "乙公司"},
        {"orgId": "gssz0000003", "category": "A股", "code": "000003", "pinyin": "bgs", "zwjc": "丙公司"},
        {"orgId": "gssh0600005", "category": "A股", "code": "600005", "pinyin": "wgs", "zwjc": "戊公司"},
    ]}
    _write(root, "cninfo/szse_stock.json", stock_list)
    _write(root, "cninfo/announcements.json", anns)
    for a in anns:
        body = pdf(f"{a['announcementTitle']} {a['announcementId']}")
        if a["secCode"] == "600005":
            body = body[: len(body) // 2]  # truncated in the world itself
        _write(root, "cninfo_static/" + a["adjunctUrl"], body)

    def hk(i: int, news: str, lang: str, title: str, when: str, link: str, ftype: str = "PDF",
           kind: str = "Annual Report", short: str = "") -> dict:
        code = {7609: "00700<br/>80700", 8888: "01357"}[i]
        return {"NEWS_ID": news, "DATE_TIME": when, "STOCK_CODE": code, "STOCK_NAME": "X",
                "TITLE": title, "FILE_LINK": link, "FILE_TYPE": ftype, "SHORT_TEXT": short,
                "LONG_TEXT": f"Financial Statements/ESG Information - [{kind if lang == 'E' else '年報'}]",
                "STOCK_ID": i, "LANG": lang}
    titles = [
        hk(7609, "900001", "E", "ANNUAL REPORT 2014", "31/03/2015 17:00", "/listedco/listconews/sehk/2015/0331/ar2014.pdf"),
        hk(7609, "900002", "E", "ANNUAL REPORT 2014", "30/03/2015 17:00", "/listedco/listconews/sehk/2015/0330/old.pdf",
           short="(Cancelled since Headlines Superseded and Replaced)"),
        hk(7609, "900003", "E", "ANNUAL REPORT 2014", "29/03/2015 17:00", "/listedco/listconews/sehk/2015/0329/multi.htm",
           ftype=""),
        hk(7609, "900004", "C", "2014 年報", "31/03/2015 17:00", "/listedco/listconews/sehk/2015/0331/ar2014_c.pdf"),
        hk(7609, "900005", "E", "INTERIM REPORT 2014", "20/08/2014 17:00", "/listedco/listconews/sehk/2014/0820/ir.pdf",
           kind="Interim Report"),
        hk(8888, "900010", "C", "2014年報", "20/04/2015 17:00", "/listedco/listconews/sehk/2015/0420/h2_c.pdf"),
    ]
    _write(root, "hkex/activestock_sehk_e.json", [{"i": 7609, "c": "00700", "n": "HK ONE", "s": 15355},
                                                  {"i": 8888, "c": "01357", "n": "HK TWO", "s": 16000}])
    _write(root, "hkex/titles.json", titles)
    for t in titles:
        _write(root, "hkex/files" + t["FILE_LINK"], pdf(t["TITLE"]) if t["FILE_TYPE"] else "<html>multi</html>")

    def cols(rows: list[tuple[str, str, str, str, str]]) -> dict:
        keys = ["accessionNumber", "filingDate", "reportDate", "form", "primaryDocument"]
        out = {k: [r[i] for r in rows] for i, k in enumerate(keys)}
        out.update({k: ["" for _ in rows] for k in ("acceptanceDateTime", "act", "fileNumber", "items")})
        return out
    sec = {
        1329099: {"recent": [("0001193125-15-108009", "2015-03-27", "2014-12-31", "20-F", "bidu-20f2014.htm"),
                             ("0001193125-15-100001", "2015-03-01", "", "6-K", "k.htm"),
                             ("0001193125-14-100001", "2014-03-27", "2013-12-31", "20-F", "bidu-20f2013.htm")],
                  "files": []},
        1595761: {"recent": [("0001104659-15-030982", "2015-04-28", "2014-12-31", "20-F", "wb-20f2014.htm")],
                  "files": [("0001104659-14-020000", "2014-03-14", "", "F-1", "wb-f1.htm"),
                            ("0001104659-14-030000", "2014-04-17", "", "424B4", "wb-424b4.htm")]},
        1734107: {"recent": [("0001104659-19-016000", "2019-03-20", "2018-12-31", "20-F", "sohu-20f2018.htm")],
                  "files": [], "name": "Sohu.com Ltd", "tickers": ["SOHU"]},
        1508913: {"recent": [("0001047469-15-003000", "2015-04-20", "2014-12-31", "20-F", "qihu-20f2014.htm")],
                  "files": [], "name": "Qihoo 360 Technology Co. Ltd.", "tickers": []},
        1104188: {"recent": [("0001104188-15-000020", "2015-06-01", "2014-12-31", "10-K/A", "sohu-10ka2014.htm"),
                             ("0001104188-15-000010", "2015-02-27", "2014-12-31", "10-K", "sohu-10k2014.htm"),
                             ("0001104188-14-000010", "2014-02-28", "2013-12-31", "10-K", "sohu-10k2013.htm")],
                  "files": [], "name": "SOHU COM INC", "tickers": []},
        1000006: {"recent": [("0001000006-15-000001", "2015-09-30", "2015-06-30", "20-F", "june-20f2015.htm"),
                             ("0001000006-14-000001", "2014-09-30", "2014-06-30", "20-F", "june-20f2014.htm")],
                  "files": [], "name": "June Year Ltd", "tickers": ["JUNE"], "fye": "0630"},
    }
    _write(root, "sec/company_tickers.json", {"0": {"cik_str": 1329099, "ticker": "BIDU", "title": "Baidu"},
                                              "1": {"cik_str": 1595761, "ticker": "WB", "title": "Weibo"},
                                              "2": {"cik_str": 1734107, "ticker": "SOHU", "title": "Sohu.com Ltd"},
                                              "3": {"cik_str": 1000006, "ticker": "JUNE", "title": "June Year Ltd"}})
    for cik, s in sec.items():
        c10 = f"CIK{cik:010d}"
        files = []
        if s["files"]:
            name = f"{c10}-submissions-001.json"
            _write(root, f"sec/submissions/{name}", cols(s["files"]))
            files = [{"name": name, "filingCount": len(s["files"]), "filingFrom": "2014-01-01", "filingTo": "2014-12-31"}]
        _write(root, f"sec/submissions/{c10}.json", {
            "cik": str(cik), "name": s.get("name", str(cik)),
            "tickers": s.get("tickers", {1329099: ["BIDU"], 1595761: ["WB"]}.get(cik, [])),
            "formerNames": [], "fiscalYearEnd": s.get("fye", "1231"),
            "filings": {"recent": cols(s["recent"]), "files": files}})
        facts: dict = {"us-gaap": {}}
        if cik == 1508913:  # cover counts: the FY2014 20-F's (filed before the date) and a later one
            facts["dei"] = {"EntityCommonStockSharesOutstanding": {"label": "Entity Common Stock, Shares Outstanding",
                            "units": {"shares": [
                                {"end": "2015-03-31", "val": 90000000, "accn": "0001047469-15-003000", "fy": 2014,
                                 "fp": "FY", "form": "20-F", "filed": "2015-04-20"},
                                {"end": "2015-03-31", "val": 30000000, "accn": "0001047469-15-003000", "fy": 2014,
                                 "fp": "FY", "form": "20-F", "filed": "2015-04-20"},
                                {"end": "2014-03-31", "val": 100000000, "accn": "0001047469-14-000001", "fy": 2013,
                                 "fp": "FY", "form": "20-F", "filed": "2014-04-20"},
                                {"end": "2015-06-30", "val": 125000000, "accn": "0001047469-15-009000", "fy": 2015,
                                 "fp": "Q2", "form": "6-K", "filed": "2015-08-20"}]}}}
        _write(root, f"sec/companyfacts/{c10}.json", {"cik": cik, "entityName": str(cik), "facts": facts})
        for acc, _, _, form, doc in s["recent"] + s["files"]:
            _write(root, f"sec/Archives/edgar/data/{cik}/{acc.replace('-', '')}/{doc}",
                   f"<html><body>{form} {acc}</body></html>")

    def klines(days: list[str], close: float) -> list[str]:
        return [f"{d},{close - 1:.2f},{close:.2f},{close + 1:.2f},{close - 2:.2f},1000,100000.0,1.0" for d in days]
    trading = ["2015-06-19", "2015-06-22", "2015-06-23", "2015-06-24", "2015-06-26"]  # 25th: no trading
    market = {"1.600001": 10.0, "0.300002": 20.0, "116.00700": 150.0, "116.01357": 3.0, "105.BIDU": 200.0,
              "105.WB": 15.0, "106.QIHU": 60.0}
    for sec_id, close in market.items():
        _write(root, f"market/kline/{sec_id}.json", klines(trading, close))
        _write(root, f"market/stock/{sec_id}.json", {"f57": sec_id.split(".")[1], "f58": sec_id, "f84": 1.0e9,
                                                     "f116": close * 1.0e9, "f117": close * 1.0e9})
    _write(root, "market/kline/0.000003.json", [])  # an empty series
    _write(root, "market/stock/0.000003.json", {"f57": "000003", "f84": 1.0e8})

    fx = []
    day = date(2014, 1, 1)
    while day <= date(2015, 6, 30):
        if day.weekday() < 5 and day not in (date(2014, 1, 1), MV_DATE):
            fx.append({"date": day.isoformat(), "USD/CNY": f"{6.1 + day.month / 1000:.4f}",
                       "HKD/CNY": f"{0.79 + day.month / 10000:.5f}"})
        day += timedelta(days=1)
    _write(root, "fx/ccpr.json", fx)
    (root / "world.json").write_text(json.dumps({"seed": 0, "fiscal_year": 2014,
                                                 "market_value_date": MV_DATE.isoformat(), "companies": []}))
    (root / "candidates.json").write_text(json.dumps(CANDIDATES, ensure_ascii=False))
    inbox = root / "inbox"
    (inbox / "declarations").mkdir(parents=True, exist_ok=True)
    (inbox / "declarations" / "C001.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (inbox / "declarations" / "..evil name;rm -rf.xlsx").write_bytes(b"PK\x03\x04 another")
    (inbox / "listings.csv").write_text("company_id,exchange,ticker,ads_ratio\nC001,SSE,600001,\n")
    (inbox / "traffic.csv").write_text("company_id,fiscal_year,desktop,mobile\n")
    (inbox / "notes.txt").write_text("unexpected")
    fx_days_2014 = sum(1 for r in fx if r["date"].startswith("2014"))
    return {"fx_days_2014": fx_days_2014, "candidates": root / "candidates.json", "inbox": inbox}
