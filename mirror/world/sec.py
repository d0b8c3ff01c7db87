"""SEC EDGAR in the demo world: company_tickers, submissions, companyfacts and the 20-F/424B4
documents of the US-listed list companies (generated, except Baidu's and Qihoo 360's figures)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from mirror.world.registry import Company, read_real

CONVENIENCE_RATE = 6.2046  # 20-F convenience translation of 31 Dec 2014 (H.10 noon buying rate)
# the rate of each year end (H.10 noon buying rate: 6.2046, 6.0537, 6.2301), for the USD column
CONVENIENCE_RATES = {2014: CONVENIENCE_RATE, 2013: 6.0537, 2012: 6.2301}
# the real accession numbers of the annual reports filed for a fiscal year
REAL_ACCN = {1329099: {2014: "0001193125-15-108009", 2013: "0001193125-14-120068"},
             1508913: {2014: "0001144204-15-025229", 2013: "0001144204-14-024789"}}
IPO = {2014: {"JD", "XNET", "ZPIN"}}  # listed during the fiscal year: F-1 and 424B4 in the filings


def _dump(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _fact(start, end, val, accn, fy, filed, frame=None) -> dict:
    d = {"start": start, "end": end, "val": int(round(val)), "accn": accn, "fy": fy, "fp": "FY", "form": "20-F",
         "filed": filed}
    if frame:
        d["frame"] = frame
    return d


def write_sec(root: Path, us: list[Company], year: int, usd_avg: dict, rng: random.Random,
              convenience: set[str] | None = None) -> list[dict]:
    """``convenience``: the companies whose companyfacts carry a USD convenience translation
    beside CNY (default: the first six reporting in CNY, by id)."""
    traps: list[dict] = []
    real = read_real()
    tickers = {}
    cny = sorted((c for c in us if c.currency == "CNY"), key=lambda c: c.company_id)
    both = cny[:6] if convenience is None else [c for c in cny if c.company_id in convenience]
    for i, c in enumerate(sorted(us, key=lambda c: c.cik)):
        tickers[str(i)] = {"cik_str": c.cik, "ticker": c.ticker, "title": _title(c)}
        drawn = (f"0001193125-{(year + 1) % 100:02d}-{rng.randint(100000, 199999)}",
                 f"0001193125-{year % 100:02d}-{rng.randint(100000, 199999)}")
        acc14, acc13 = REAL_ACCN.get(c.cik, {}).get(year, drawn[0]), REAL_ACCN.get(c.cik, {}).get(year - 1, drawn[1])
        filed14, filed13 = f"{year + 1}-04-{rng.randint(1, 28):02d}", f"{year}-04-{rng.randint(1, 28):02d}"
        scale = {year: usd_avg[year], year - 1: usd_avg[year - 1]} if c.currency == "USD" else {year: 1.0, year - 1: 1.0}
        t = c.truth
        vals = {
            "Revenues": (t["revenue"] / scale[year], t["revenue_prior"] / scale[year - 1]),
            "CostOfRevenue": (t.get("operating_cost", t["revenue"] * 0.45) / scale[year],
                              t.get("operating_cost_prior", t["revenue_prior"] * 0.45) / scale[year - 1]),
            "OperatingIncomeLoss": (t["operating_profit"] / scale[year], t["operating_profit_prior"] / scale[year - 1]),
            "ResearchAndDevelopmentExpense": (t["rd_expense"] / scale[year], t["rd_expense"] * 0.8 / scale[year - 1]),
            "NetIncomeLoss": (t["net_profit"] / scale[year], t["net_profit_prior"] / scale[year - 1]),
        }
        if c.cik == 1329099:  # Baidu tags revenue as SalesRevenueNet (real values where known)
            vals["SalesRevenueNet"] = _real(real, "BIDU", "revenue", year, vals.pop("Revenues"))
        if c.cik == 1508913:  # Qihoo 360: real USD figures where known
            for tag, metric in (("Revenues", "revenue"), ("OperatingIncomeLoss", "operating_profit"),
                                ("NetIncomeLoss", "net_profit")):
                vals[tag] = _real(real, "QIHU", metric, year, vals[tag])
        gaap = {}
        for tag, (v14, v13) in sorted(vals.items()):
            unit = c.currency
            rows = [_fact(f"{year - 1}-01-01", f"{year - 1}-12-31", v13, acc13, year - 1, filed13, f"CY{year - 1}"),
                    _fact(f"{year - 1}-01-01", f"{year - 1}-12-31", v13, acc14, year, filed14),
                    _fact(f"{year}-01-01", f"{year}-12-31", v14, acc14, year, filed14, f"CY{year}")]
            units = {unit: rows}
            if c in both:  # a USD convenience translation under the same tag
                u14, u13 = v14 / CONVENIENCE_RATES[year], v13 / CONVENIENCE_RATES[year - 1]
                if c.cik == 1329099 and tag == "SalesRevenueNet":
                    u14, u13 = _real(real, "BIDU", "revenue_usd_convenience", year, (u14, u13))
                units["USD"] = [_fact(f"{year - 1}-01-01", f"{year - 1}-12-31", u13, acc13, year - 1, filed13),
                                _fact(f"{year}-01-01", f"{year}-12-31", u14, acc14, year, filed14)]
            gaap[tag] = {"label": tag, "description": f"{tag} (demo world)", "units": units}
        shares = t.get("total_shares", 0)
        facts = {"cik": c.cik, "entityName": _title(c), "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {"label": "Entity Common Stock, Shares Outstanding",
                    "description": "ordinary shares", "units": {"shares": [
                        {"end": f"{year + 1}-03-31", "val": int(shares), "accn": acc14, "fy": year, "fp": "FY",
                         "form": "20-F", "filed": filed14}]}}},
            "us-gaap": gaap}}
        _dump(root / "sec" / "companyfacts" / f"CIK{c.cik:010d}.json", facts)
        if c in both:
            traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "companyfacts_cny_and_usd",
                          "handling": "each tag carries CNY and a USD convenience translation (rate "
                                      f"{CONVENIENCE_RATES[year]}): use CNY, never sum or mix the units"})
        if c.ads_ratio and c.ads_ratio != 1:
            traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "price_per_ads",
                          "ads_ratio": c.ads_ratio,
                          "handling": f"the quote is per ADS ({c.ads_ratio:g} ordinary shares per ADS): market value = "
                                      "close × ordinary shares / ADS ratio × USD/CNY"})
        filings = [("20-F", acc14, filed14, f"{year}-12-31", "d20f.htm", "FORM 20-F"),
                   ("6-K", f"0001193125-15-{rng.randint(200000, 299999)}", f"{year + 1}-05-{rng.randint(1, 28):02d}", "",
                    "d6k.htm", "FORM 6-K"),
                   ("20-F", acc13, filed13, f"{year - 1}-12-31", "d20f.htm", "FORM 20-F")]
        if c.ticker in IPO.get(year, ()):
            filings += [("424B4", f"0001193125-14-{rng.randint(300000, 399999)}", f"{year}-05-{rng.randint(10, 28):02d}", "",
                         "d424b4.htm", "424B4"),
                        ("F-1", f"0001193125-14-{rng.randint(400000, 499999)}", f"{year}-03-{rng.randint(10, 28):02d}", "",
                         "df1.htm", "FORM F-1")]
        filings.sort(key=lambda f: f[2], reverse=True)
        recent = {k: [] for k in ("accessionNumber", "filingDate", "reportDate", "acceptanceDateTime", "act", "form",
                                  "fileNumber", "filmNumber", "items", "size", "isXBRL", "isInlineXBRL",
                                  "primaryDocument", "primaryDocDescription")}
        for form, acc, filed, rep, doc, desc in filings:
            for k, v in (("accessionNumber", acc), ("filingDate", filed), ("reportDate", rep),
                         ("acceptanceDateTime", f"{filed}T16:05:12.000Z"), ("act", "34"), ("form", form),
                         ("fileNumber", f"001-{30000 + c.cik % 9999}"), ("filmNumber", str(15000000 + c.cik % 99999)),
                         ("items", ""), ("size", 2048), ("isXBRL", 1 if form == "20-F" else 0), ("isInlineXBRL", 0),
                         ("primaryDocument", doc), ("primaryDocDescription", desc)):
                recent[k].append(v)
            folder = root / "sec" / "Archives" / "edgar" / "data" / str(c.cik) / acc.replace("-", "")
            fy = year if acc == acc14 else year - 1
            body = _document(c, form, fy, vals, scale, year)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / doc).write_text(body, encoding="utf-8")
        _dump(root / "sec" / "submissions" / f"CIK{c.cik:010d}.json", {
            "cik": str(c.cik), "entityType": "operating", "sic": "7370",
            "sicDescription": "Services-Computer Programming, Data Processing, Etc.", "name": _title(c),
            "tickers": [c.ticker], "exchanges": ["Nasdaq" if c.exchange == "NASDAQ" else "NYSE"],
            "category": "Large accelerated filer", "fiscalYearEnd": "1231", "stateOfIncorporation": "E9",
            "formerNames": [], "filings": {"recent": recent, "files": []}})
    _dump(root / "sec" / "company_tickers.json", tickers)
    return traps


def _real(real: dict, ticker: str, metric: str, year: int, generated: tuple[float, float]) -> tuple[float, float]:
    """(the year's, the prior year's) figure: real where mirror/data/real_figures.csv has it."""
    return tuple(real[(ticker, metric, y)][0] if (ticker, metric, y) in real else g
                 for y, g in ((year, generated[0]), (year - 1, generated[1])))


def _title(c: Company) -> str:
    return f"{c.ticker} demo holdings (for {c.legal_name})" if c.cik_src != "real" else {
        1577552: "Alibaba Group Holding Ltd", 1329099: "BAIDU, INC.", 1549802: "JD.com, Inc.",
        1508913: "QIHOO 360 TECHNOLOGY CO LTD", 1104188: "SOHU COM INC", 1110646: "NetEase, Inc.",
        1094005: "SINA CORP", 1269238: "Ctrip.com International, Ltd.", 1529192: "Vipshop Holdings Ltd",
        1530238: "YY Inc.", 1527636: "Autohome Inc."}.get(c.cik, c.ticker)


# the row labels a filing prints for the companyfacts tags (as in the real 20-Fs of Baidu, Qihoo
# 360, ... : "Total revenues", "Income from operations", "Net income attributable to <the company>"),
# in the order a statement of operations prints them; the figures are the companyfacts values
_ROW_ORDER = ("Revenues", "SalesRevenueNet", "CostOfRevenue", "ResearchAndDevelopmentExpense",
              "OperatingIncomeLoss", "NetIncomeLoss")


def _label(tag: str, c: Company, loss: bool) -> str:
    import html

    if tag in ("Revenues", "SalesRevenueNet"):
        return "Total revenues"
    if tag == "CostOfRevenue":
        return "Cost of revenues"
    if tag == "ResearchAndDevelopmentExpense":
        return "Research and development"
    if tag == "OperatingIncomeLoss":
        return "Income (loss) from operations" if loss else "Income from operations"
    if tag == "NetIncomeLoss":
        return f"Net {'income (loss)' if loss else 'income'} attributable to {html.escape(_title(c))}"
    raise KeyError(f"no filing row label for the tag {tag}")


def _figure(v: float) -> str:
    """In thousands, a loss in parentheses as a filing prints it."""
    k = round(v / 1000)
    return f"({-k:,.0f})" if k < 0 else f"{k:,.0f}"


def _document(c: Company, form: str, fy: int, vals: dict, scale: dict, year: int) -> str:
    cur = "RMB" if c.currency == "CNY" else "US$"
    col = 0 if fy == year else 1
    order = sorted(vals, key=lambda t: (_ROW_ORDER.index(t) if t in _ROW_ORDER else len(_ROW_ORDER), t))
    # the world has figures for the year and the year before only: the earlier filing prints its
    # own year alone (a second column would print the year's figure under the year before it)
    cols = [0, 1] if col == 0 else [1]
    rows = "".join(f"<tr><td>{_label(tag, c, min(v[i] for i in cols) < 0)}</td>"
                   + "".join(f"<td align=right>{_figure(v[i])}</td>" for i in cols) + "</tr>"
                   for tag, v in ((t, vals[t]) for t in order))
    head = "".join(f"<th>{year - i}</th>" for i in cols)
    return (f"<html><head><title>{form} {c.ticker}</title></head><body><h1>{form}</h1>"
            f"<p>{_title(c)} — fiscal year ended December 31, {fy} (demo world, generated)</p>"
            f"<h2>CONSOLIDATED STATEMENTS OF OPERATIONS</h2><p>(In thousands of {cur})</p>"
            f"<table border=1><tr><th></th>{head}</tr>{rows}</table>"
            f"<p>Each ADS represents {c.ads_ratio or 1:g} ordinary shares.</p></body></html>\n")
