"""What the public hosts answer, in their real shapes (docs/CONTRACTS.md "The demo world").

CNINFO (stock list, announcement rows, the PDFs under finalpage/), HKEXnews (active stock list,
title-search rows, the PDFs under listedco/), SEC EDGAR (company_tickers, submissions,
companyfacts, the 20-F and 424B4 documents under Archives/), the EastMoney quote feed (daily
kline and the stock snapshot) and the CFETS central parity. Traps planted here (superseded and
cancelled announcements, suspended tickers, a missing FX parity, prices per ADS, CNY + USD
facts under one tag) are returned for expected_findings.json. The listed synthetic candidates of
worlds larger than 300 (registry.list_synthetic) get their annual report and their quote, drawn
from ``listed_rng``, and no trap.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from mirror.world import calendar, pdfs
from mirror.world.market import write_market
from mirror.world.sec import write_sec
from mirror.world.registry import Company

CST = timezone(timedelta(hours=8))
# real orgIds where the recorded stock list shows them (endpoints/NOTES.md), else the usual shape
ORG_IDS = {"300059": "9900010488", "300418": "9900023869", "300033": "9900008416", "002555": "9900018279"}
SHORT = {"600804": "鹏博士", "002024": "苏宁云商", "002555": "三七互娱", "300104": "乐视网", "300017": "网宿科技",
         "600637": "百视通", "300059": "东方财富", "603000": "人民网", "300418": "昆仑万维", "601519": "大智慧",
         "300315": "掌趣科技", "002174": "游族网络", "002195": "二三四五", "300113": "顺网科技", "002467": "二六三",
         "300033": "同花顺", "300431": "暴风科技", "002261": "拓维信息", "300295": "三六五网", "002315": "焦点科技",
         "300051": "三五互联", "300052": "中青宝", "300226": "上海钢联"}


def _dump(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def _ms(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=CST).timestamp() * 1000)


def _report_figures(c: Company, scale: float = 1.0) -> dict:
    t = c.truth
    f = {k: t.get(k) for k in ("revenue", "revenue_prior", "operating_profit", "operating_profit_prior",
                               "net_profit", "net_profit_prior", "rd_expense", "employees_total")}
    f["operating_cost"] = t.get("operating_cost", t["revenue"] * 0.45)
    f["operating_cost_prior"] = t.get("operating_cost_prior", t["revenue_prior"] * 0.45)
    for k in ("revenue", "revenue_prior", "operating_profit", "operating_profit_prior", "net_profit",
              "net_profit_prior", "rd_expense", "operating_cost", "operating_cost_prior"):
        f[k] = f[k] / scale
    return f


def write_sources(root: Path, companies: list[Company], facts: dict, year: int, mv_date: date,
                  rng: random.Random, *, max_pdfs: int | None = None,
                  listed_rng: random.Random | None = None) -> list[dict]:
    """``rng`` draws everything of the list companies, ``listed_rng`` everything of the listed
    synthetic candidates (drawn after the list's: the list's draws do not depend on them)."""
    traps: list[dict] = []
    budget = [max_pdfs if max_pdfs is not None else 10 ** 6]
    # the real companies (FY2013: a few are candidates below the list, without a rank)
    lst = sorted((c for c in companies if not c.synthetic), key=lambda c: (c.rank is None, c.rank or 0, c.company_id))
    syn = sorted((c for c in companies if c.synthetic and c.exchange), key=lambda c: c.company_id)
    if syn and listed_rng is None:
        raise ValueError(f"{len(syn)} listed synthetic candidates (e.g. {syn[0].company_id}) need listed_rng")
    if any(c.exchange != "SZSE" for c in syn):
        bad = next(c for c in syn if c.exchange != "SZSE")
        raise ValueError(f"{bad.company_id}: listed synthetic candidates are SZSE A shares, not {bad.exchange}")
    traps += _cninfo(root, [c for c in lst if c.exchange in ("SSE", "SZSE")], year, rng, budget,
                     extra=syn, extra_rng=listed_rng)
    _hkex(root, [c for c in lst if c.exchange == "HKEX"], year, facts, budget)
    traps += write_sec(root, [c for c in lst if c.exchange in ("NYSE", "NASDAQ")], year, facts["usd_avg"], rng,
                       facts.get("usd_convenience"))
    traps += write_market(root, [c for c in lst if c.exchange], mv_date, rng)
    if syn:  # no suspension: a trap is meant for the list companies
        traps += write_market(root, syn, mv_date, listed_rng, suspend=False)
    _dump(root / "fx" / "ccpr.json", facts["fx"])
    gap = facts.get("fx_gap", mv_date.isoformat())  # the day without an HKD/CNY parity
    if gap == mv_date.isoformat():
        handling = (f"no HKD/CNY parity on {mv_date}: the last published rate "
                    f"({calendar.fx_on(facts['fx'], 'HKD/CNY', mv_date.isoformat())[0]}) applies")
    else:
        handling = (f"no HKD/CNY parity on {gap}: the FY{gap[:4]} average (HK$ amounts of that year) is over the "
                    "days published")
    traps.append({"company_id": None, "kind": "fx_rate_not_published", "pair": "HKD/CNY", "date": gap,
                  "handling": handling})
    return traps


# ---- CNINFO ---------------------------------------------------------------------------------


def _cninfo(root: Path, ashare: list[Company], year: int, rng: random.Random, budget: list[int], *,
            extra: list[Company] = (), extra_rng: random.Random | None = None) -> list[dict]:
    """``ashare``: the list's A shares (the traps are picked among them); ``extra``: the listed
    synthetic candidates, one annual report (and its 摘要) each, drawn from ``extra_rng``."""
    traps: list[dict] = []
    stock, rows = [], []
    picks = sorted(ashare, key=lambda c: c.company_id)
    revised = {picks[1].company_id, picks[6].company_id}
    cancelled = {picks[3].company_id, picks[9].company_id}
    ann_id = 1200700000
    for c in list(ashare) + list(extra):
        if c.synthetic:  # after the list's: the list's draws stay what they are without them
            rng = extra_rng
        code = c.ticker
        org = ORG_IDS.get(code, ("gssh0" if code.startswith("6") else "gssz0") + code)
        short = c.short_name if c.synthetic else SHORT[code]
        stock.append({"orgId": org, "category": "A股", "code": code, "pinyin": "", "zwjc": short})
        day = date(year + 1, 3, 20) + timedelta(days=rng.randint(0, 35))

        def add(title: str, d: date, figures: dict | None, suffix: str = "") -> None:
            nonlocal ann_id
            ann_id += rng.randint(3, 900)
            url = f"finalpage/{d.isoformat()}/{ann_id}.PDF"
            rows.append({"id": None, "secCode": code, "secName": short, "orgId": org, "announcementId": str(ann_id),
                         "announcementTitle": title, "announcementTime": _ms(d), "adjunctUrl": url,
                         "adjunctSize": 512, "adjunctType": "PDF", "storageTime": None, "columnId": "250401||251302",
                         "pageColumn": "SZZB" if c.exchange == "SZSE" else "SHZB",
                         "announcementType": "01010503||010113||010301", "associateAnnouncement": None,
                         "important": None, "batchNum": None, "announcementContent": "", "orgName": None,
                         "tileSecName": short, "shortTitle": title, "announcementTypeName": None, "secNameList": None})
            if figures is not None and budget[0] > 0:
                budget[0] -= 1
                pdfs.cn_annual_report(root / "cninfo_static" / url, code=code, short=short, name=c.legal_name,
                                      year=year, f=figures, revised=suffix)

        f = _report_figures(c)
        if c.company_id in revised:  # the original carries a wrong revenue; the revision supersedes it
            wrong = dict(f, revenue=f["revenue"] * 1.12)
            add(f"{year}年年度报告", day, wrong)
            add(f"{year}年年度报告（修订版）", day + timedelta(days=21), f, "（修订版）")
            traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "superseded_report",
                          "handling": f"the {year}年年度报告（修订版） supersedes the original (whose 营业收入 is 12% too "
                                      "high): use the revision, do not flag the declared figure",
                          "wrong_value": wrong["revenue"], "correct_value": f["revenue"]})
        else:
            add(f"{year}年年度报告", day, f)
        add(f"{year}年年度报告摘要", day, None)
        if c.company_id in cancelled:
            wrong = dict(f, revenue=f["revenue"] * 0.7, operating_profit=f["operating_profit"] * 0.5)
            add(f"{year}年年度报告（已取消）", day - timedelta(days=1), wrong)
            traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "cancelled_announcement",
                          "handling": "the announcement titled （已取消） is ignored: its figures are not evidence"})
        if code in ("300418", "300431"):  # listed in 2015: the prospectus
            d = date(year + 1, 1, 12) if code == "300418" else date(year + 1, 3, 9)
            ann_id += 7
            url = f"finalpage/{d.isoformat()}/{ann_id}.PDF"
            rows.append(dict(rows[-1], announcementId=str(ann_id), announcementTitle="首次公开发行股票并在创业板上市招股说明书",
                             shortTitle="首次公开发行股票并在创业板上市招股说明书", announcementTime=_ms(d), adjunctUrl=url,
                             announcementType="01010701"))
            if budget[0] > 0:
                budget[0] -= 1
                pdfs.cn_prospectus(root / "cninfo_static" / url, code=code, short=SHORT[code], name=c.legal_name,
                                   year=year, f=f)
    rows.sort(key=lambda r: (r["secCode"], -r["announcementTime"], r["announcementId"]))
    _dump(root / "cninfo" / "szse_stock.json", {"stockList": sorted(stock, key=lambda s: s["code"])})
    _dump(root / "cninfo" / "announcements.json", rows)
    return traps


# ---- HKEXnews -------------------------------------------------------------------------------


def _hkex(root: Path, hk: list[Company], year: int, facts: dict, budget: list[int]) -> None:
    stocks, titles = [], []
    hkd = calendar.fx_average(facts["fx"], "HKD/CNY", year)
    news = 3300000
    for n, c in enumerate(sorted(hk, key=lambda c: c.ticker)):
        sid = 7000 + int(c.ticker) % 9000
        en = _english(c)
        stocks.append({"i": sid, "c": c.ticker, "n": en.upper()[:20], "s": 15000 + n})
        day = date(year + 1, 3, 25) + timedelta(days=n % 20)
        link = f"/listedco/listconews/sehk/{day.year}/{day.strftime('%m%d')}/LTN{day.strftime('%Y%m%d')}{n:05d}.pdf"
        news += 17
        titles.append({"NEWS_ID": str(news), "DATE_TIME": day.strftime("%d/%m/%Y") + " 17:02", "STOCK_CODE": c.ticker,
                       "STOCK_NAME": en.upper()[:20], "TITLE": f"ANNUAL REPORT {year}", "FILE_LINK": link,
                       "FILE_TYPE": "PDF", "LONG_TEXT": "Financial Statements/ESG Information - [Annual Report]",
                       "STOCK_ID": sid, "LANG": "E"})
        news += 1
        titles.append(dict(titles[-1], NEWS_ID=str(news), TITLE=f"{year}年年報", LANG="C",
                           FILE_LINK=link.replace(".pdf", "_c.pdf"), LONG_TEXT="財務報表/環境、社會及管治資料 - [年報]"))
        if budget[0] > 0:
            budget[0] -= 1
            scale = hkd if c.currency == "HKD" else 1.0
            pdfs.hk_annual_report(root / "hkex" / "files" / link.lstrip("/"), code=c.ticker, name=en, year=year,
                                  f=_report_figures(c, scale), currency=c.currency)
    _dump(root / "hkex" / "activestock_sehk_e.json", stocks)
    _dump(root / "hkex" / "titles.json", titles)


_EN = {"00700": "Tencent Holdings Limited", "03888": "Kingsoft Corporation Limited", "00082": "V1 Group Limited",
       "00777": "NetDragon Websoft Holdings Limited", "00484": "Forgame Holdings Limited",
       "02280": "HC International, Inc.", "00434": "Boyaa Interactive International Limited",
       "01980": "Tian Ge Interactive Holdings Limited", "08267": "Linekong Interactive Group Co., Ltd.",
       "06899": "Ourgame International Holdings Limited", "00400": "Cogobuy Group",
       "08055": "China Digital Information Limited (fictitious listing)", "08109": "Tianji Media Group (fictitious listing)"}


def _english(c: Company) -> str:
    return _EN.get(c.ticker or "", f"{c.company_id} Holdings Limited")
