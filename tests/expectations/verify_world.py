"""A small fiscal year written as the collect and extract stages would: a dozen-odd companies
with one of each planted defect of issue 3 (and the traps that must not be flagged)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from top100.form_template import MONEY_UNITS
from top100.jsonl import write_jsonl
from top100.paths import YearPaths, raw_path

YEAR = 2014
SCRIPT_NAME = "<script>alert('x')</script>数据科技有限公司"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'

# (company, check, kind, metric): what a careful auditor must flag, and nothing else
EXPECTED = {
    ("C03", "accuracy", "unit_error", "revenue"),
    ("C04", "accuracy", "public_mismatch", "revenue"),
    ("C05", "licence", "licence_expired", "licence_number"),
    ("C06", "licence", "licence_malformed", "licence_number"),
    ("C07", "licence", "licence_mismatch", "licence_number"),
    ("C08", "main_business", "internet_share_low", "internet_revenue"),
    ("C09", "accuracy", "subsidiary_declared_separately", "group_parent_id"),
    ("C11", "accuracy", "ecommerce_cost_estimated", "internet_revenue"),
    ("C14", "integrity", "integrity_disqualifying", "integrity"),
    ("C15", "accuracy", "declaration_conflict", "declaration"),  # two forms that disagree: neither wins
    ("C17", "accuracy", "unit_error", "revenue"),
}
EXCLUDED = {"C05", "C06", "C07", "C08", "C09", "C14", "C15"}

ROW = {"revenue": 18, "internet_revenue": 19, "operating_cost": 20, "operating_profit": 21,
       "net_profit": 22, "rd_expense": 23, "employees_total": 24, "users": 25}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def form(cid: str, sha: str, *, name: str, revenue: float, ir: float | None = None, cost: float | None = None,
         unit: str = "元", scale: float = 1.0, employees: int = 2000, prior_ratio: float = 0.8,
         licence: str | None = None, ltype: str = "ICP", valid_until: str = "2016-12-31",
         business_type: str = "online_games", parent: str | None = None, joined: str | None = None,
         selfop: bool = False, exchange: str | None = None, ticker: str | None = None,
         tax: bool = True, incidents: int = 0, scaled: tuple[str, ...] | None = None) -> list[dict]:
    """Declared cells of one form; money given in 元 and declared as ``value × scale`` (a form
    whose numbers were written in 元 under a 万元 heading has scale 10^4); ``scaled`` limits
    that to some rows."""
    texts = {
        "company_id": cid, "legal_name": name, "brands": f"{cid}品牌", "province": "beijing",
        "business_type": business_type, "exchange": exchange, "ticker": ticker, "licence_type": ltype,
        "licence_number": licence or f"京ICP证0301{cid[1:]:0>2}号", "licence_valid_until": valid_until,
        "group_parent_id": parent, "joined_group_on": joined, "network_in_mainland": True,
        "business_in_mainland": True, "self_operated_ecommerce": selfop, "tax_compliant": tax,
        "compliance_incidents": incidents,
    }
    rows = []
    for i, (code, v) in enumerate(texts.items()):
        if v is None:
            continue
        rows.append({"company_id": cid, "form_sha256": sha, "field": code, "fiscal_year": YEAR, "value": v,
                     "unit": None, "scale": None, "cell": f"C{4 + i}", "raw": str(v)})
    money = {"revenue": revenue, "internet_revenue": revenue * 0.9 if ir is None else ir,
             "operating_cost": cost, "operating_profit": revenue * 0.1, "net_profit": revenue * 0.08,
             "rd_expense": revenue * 0.05}
    for code, v in money.items():
        if v is None:
            continue
        k = scale if scaled is None or code in scaled else 1.0
        for col, year, val in (("C", YEAR, v * k), ("D", YEAR - 1, v * prior_ratio * k)):
            rows.append({"company_id": cid, "form_sha256": sha, "field": code, "fiscal_year": year,
                         "value": val, "unit": unit, "scale": MONEY_UNITS[unit], "cell": f"{col}{ROW[code]}", "raw": f"{val:.2f}"})
    for code, v in (("employees_total", employees), ("users", 1_000_000)):
        for col, year in (("C", YEAR), ("D", YEAR - 1)):
            rows.append({"company_id": cid, "form_sha256": sha, "field": code, "fiscal_year": year, "value": v,
                         "unit": "人" if code == "employees_total" else "个", "scale": 1.0,
                         "cell": f"{col}{ROW[code]}", "raw": str(v)})
    return rows


def fact(cid: str, sha: str, metric: str, value: float, *, year: int = YEAR, currency: str = "CNY",
         doc_type: str = "annual_report", page: int | None = 1, bbox: list[float] | None = None) -> dict:
    return {"company_id": cid, "document_sha256": sha, "doc_type": doc_type, "metric": metric,
            "fiscal_year": year, "value": value, "currency": currency, "page": page, "label": "营业收入",
            "raw": f"{value:,.2f}", "unit": "元", "scale": 1.0, "bbox": bbox, "extractor": "test",
            "extractor_version": "0"}


def _pdf(path: Path, text: str) -> list[float]:
    """A one-page PDF with one line of text; returns the line's box (pdfplumber coordinates)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 12)
    c.drawString(72, A4[1] - 100, text)
    c.save()
    top = 100 - 12 * 0.8
    return [72.0, top - 2, 72.0 + c.stringWidth(text, "Helvetica", 12) + 2, 100 + 12 * 0.25]


def build(out_dir: Path) -> YearPaths:
    paths = YearPaths(out_dir, YEAR)
    rev = 5e8
    # C01's annual report, in the raw store, so that its page image can be drawn
    tmp_pdf = out_dir / "c01.pdf"
    out_dir.mkdir(parents=True, exist_ok=True)
    bbox = _pdf(tmp_pdf, "Revenue 500,000,000.00")
    data = tmp_pdf.read_bytes()
    ar01 = hashlib.sha256(data).hexdigest()
    dest = raw_path(paths.raw_store, ar01)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    ar03, ar04, ar16 = _sha("ar03"), _sha("ar04"), _sha("20f16")

    declared: list[dict] = []
    documents: list[dict] = []

    def add(cid: str, *, sha: str | None = None, when: str = "2015-02-01T00:00:00", **kw) -> None:
        sha = sha or _sha(f"form-{cid}")
        declared.extend(form(cid, sha, **kw))
        documents.append({"source": "inbox", "url": f"file://declarations/{cid}.xlsx", "company_id": cid,
                          "doc_type": "declaration_form", "fiscal_year": YEAR, "title": cid, "published_at": None,
                          "sha256": sha, "size": 1, "fetched_at": when})

    add("C01", name="甲网络科技股份有限公司", revenue=rev, exchange="SSE", ticker="600001")
    add("C02", name=SCRIPT_NAME, revenue=3e8)
    add("C03", name="丙信息技术股份有限公司", revenue=rev, scale=1e4, scaled=("revenue",), exchange="SZSE", ticker="000003")
    add("C04", name="丁互动娱乐股份有限公司", revenue=rev * 1.3, exchange="SZSE", ticker="000004")
    add("C05", name="戊在线有限公司", revenue=2e8, valid_until="2014-06-30")
    add("C06", name="己数据有限公司", revenue=2e8, licence="京ICP030106")
    add("C07", name="庚网络有限公司", revenue=2e8, licence="京ICP证030101号")
    add("C08", name=FORMULA_NAME, revenue=4e8, ir=1.2e8)
    add("C09", name="甲网络（北京）游戏有限公司", revenue=1e8, parent="C01")
    add("C10", name="癸视频有限公司", revenue=1.5e8, parent="C02", joined="2015-03-01", business_type="online_video")
    add("C11", name="子商城有限公司", revenue=1e9, ir=1e9, selfop=True, business_type="ecommerce", employees=3000)
    add("C12", name="丑优选有限公司", revenue=8e8, ir=8e8, cost=6.4e8, selfop=True, business_type="ecommerce")
    add("C13", name="寅易购有限公司", revenue=6e8, ir=6e8, cost=4.2e8, selfop=True, business_type="ecommerce")
    add("C14", name="卯金融信息服务有限公司", revenue=3e8, business_type="internet_finance")
    add("C15", name="辰教育科技有限公司", revenue=1.2e8, business_type="online_education",
        sha=_sha("form-C15-a"), when="2015-02-01T00:00:00")
    add("C15", name="辰教育科技有限公司", revenue=1.25e8, business_type="online_education",
        sha=_sha("form-C15-b"), when="2015-03-01T00:00:00")
    add("C16", name="巳控股有限公司", revenue=6.1e9, exchange="NASDAQ", ticker="SIXT", ltype="ODP",
        licence="B2-20120077", business_type="general_portal", employees=5000)
    add("C17", name="午云计算有限公司", revenue=2.5e8, scale=1e4, unit="万元", business_type="idc_cdn",
        ltype="IDC", licence="B1-20090017")

    facts = [
        fact("C01", ar01, "revenue", rev, bbox=bbox),
        fact("C01", ar01, "revenue", rev * 0.8, year=YEAR - 1),
        fact("C03", ar03, "revenue", rev), fact("C03", ar03, "operating_profit", rev * 0.1),
        fact("C04", ar04, "revenue", rev),
        # a 20-F: CNY and the USD convenience translation under one tag
        fact("C16", ar16, "revenue", 6.1e9, doc_type="20-F", page=None),
        fact("C16", ar16, "revenue", 6.1e9 / 6.1, currency="USD", doc_type="20-F", page=None),
    ]
    numbers = {cid: f"京ICP证0301{cid[1:]}号" for cid in [f"C{i:02d}" for i in range(1, 18)]}
    numbers.update(C16="B2-20120077", C17="B1-20090017")
    licences = []
    for i, (cid, num) in enumerate(sorted(numbers.items())):
        if cid in ("C06", "C07"):
            continue  # C06's number is malformed; C07 declares C01's number
        ltype = "ODP" if cid == "C16" else "IDC" if cid == "C17" else "ICP"
        licences.append({"licence_number": num, "licence_type": ltype, "holder_name": cid, "company_id": cid,
                         "valid_from": "2010-01-01", "valid_until": "2014-06-30" if cid == "C05" else "2016-12-31",
                         "status": "valid", "source_row": i + 2})
    integrity = [
        {"company_id": "C14", "record_date": "2014-08-01", "kind": "严重失信", "disqualifying": True,
         "description": "列入严重违法失信名单", "source_row": 2},
        {"company_id": "C02", "record_date": "2014-05-01", "kind": "行政处罚", "disqualifying": False,
         "description": "警告", "source_row": 3},
        {"company_id": "C03", "record_date": "2012-03-01", "kind": "严重失信", "disqualifying": True,
         "description": "已过期的记录", "source_row": 4},
    ]
    traffic = [{"company_id": cid, "fiscal_year": YEAR, "desktop": 100.0 + i, "mobile": 200.0 + i, "source_row": i + 2}
               for i, cid in enumerate(sorted(numbers))]
    fx = [{"pair": "USD/CNY", "requested_date": d, "date": d, "rate": r, "url": "mirror"}
          for d, r in (("2014-03-03", 6.10), ("2014-09-01", 6.12), ("2013-06-03", 6.18))]
    fx.append({"pair": "USD/CNY", "requested_date": "2015-06-25", "date": "2015-06-24", "rate": 6.11, "url": "mirror"})
    quotes = [
        {"company_id": "C01", "exchange": "SSE", "ticker": "600001", "requested_date": "2015-06-25",
         "date": "2015-06-25", "close": 10.0, "currency": "CNY", "total_shares": 1e9, "market_value": None,
         "ads_ratio": None, "url": "mirror"},
        {"company_id": "C16", "exchange": "NASDAQ", "ticker": "SIXT", "requested_date": "2015-06-25",
         "date": "2015-06-24", "close": 20.0, "currency": "USD", "total_shares": 4e8, "market_value": None,
         "ads_ratio": 2.0, "url": "mirror"},
    ]
    candidates = [{"company_id": cid, "legal_name": cid, "exchange": ex, "ticker": tk, "ads_ratio": ads, "cik": None}
                  for cid, ex, tk, ads in (("C01", "SSE", "600001", None), ("C03", "SZSE", "000003", None),
                                           ("C04", "SZSE", "000004", None), ("C16", "NASDAQ", "SIXT", 2.0))]
    candidates += [{"company_id": cid, "legal_name": cid, "exchange": None, "ticker": None, "ads_ratio": None,
                    "cik": None} for cid in sorted(numbers) if cid not in ("C01", "C03", "C04", "C16")]
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.candidates.write_text(json.dumps(candidates, ensure_ascii=False), encoding="utf-8")
    write_jsonl(paths.documents, documents)
    write_jsonl(paths.quotes, quotes)
    write_jsonl(paths.fx, fx)
    write_jsonl(paths.facts, facts)
    write_jsonl(paths.declared, declared)
    write_jsonl(paths.licences, licences)
    write_jsonl(paths.traffic, traffic)
    write_jsonl(paths.integrity, integrity)
    return paths
