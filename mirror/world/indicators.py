"""Generated figures that no public source constrains: staff, users, market value of the list
companies (besides the report's Table 1), and every figure of the synthetic candidates."""

from __future__ import annotations

import math
import random

from mirror.world.calibrate import RD_MAX, TRAFFIC_MAX, TRAFFIC_MIN, USERS_MAX, USERS_MIN
from mirror.world.figures import log_uniform
from mirror.world.registry import Company, read_real

TOTAL_MARKET_VALUE = 4.66e12  # 4.66 万亿元 on 2015-06-25 (the 71 listed companies)
VENUE = {"SSE": "A-share", "SZSE": "A-share", "HKEX": "Hong Kong", "NYSE": "US", "NASDAQ": "US"}
CURRENCY = {"A-share": "CNY", "Hong Kong": "HKD", "US": "USD"}


def staff_users(lst: list[Company], rng: random.Random) -> None:
    for c in lst:
        t = c.truth
        rpe = log_uniform(rng, 0.45e6, 2.2e6)  # internet revenue per employee, 元
        t["employees_total"] = max(int(t["internet_revenue"] / rpe), 120)
        if not c.exchange and t["employees_total"] >= 1500:  # unlisted: declared in round thousands
            t["employees_total"] = int(round(t["employees_total"], -3))
        t["employees_total_prior"] = int(t["employees_total"] / (1 + 0.4 * (t["internet_revenue"] / t["internet_revenue_prior"] - 1)))
        c.provenance["employees_total"] = "generated"
        if not c.exchange:
            t["users"] = float(int(log_uniform(rng, 2e6, 4e7) * (300 / (c.rank + 30)) ** 1.5))
            t["users_prior"] = float(int(t["users"] / rng.uniform(1.05, 1.6)))
            c.provenance["users"] = "generated"


def market_values(lst: list[Company], rng: random.Random, fx_mv: dict[str, float]) -> None:
    """Close and total shares on the market-value date; the truth market value is computed from
    them exactly as the pipeline must (close × shares / ADS ratio × CFETS rate)."""
    real = read_real()
    listed = [c for c in lst if c.exchange]
    want = {}
    for c in listed:
        key = (c.ticker, "market_value_table1", 2015)
        if key in real:
            want[c.rank] = real[key][0] * 1e8
    others = [c for c in listed if c.rank not in want]
    w = {c.rank: math.exp(-c.rank / 30) * rng.uniform(0.6, 1.6) for c in others}
    # the rest share what Table 1 leaves of 4.66 万亿, each below Table 1's 30th place (58 同城,
    # 425 亿): exactly 12 list companies are in the global top 30 (water-filling under the cap)
    cap, left, free = 3.9e10, TOTAL_MARKET_VALUE - sum(want.values()), list(others)
    while free:
        k = left / sum(w[c.rank] for c in free)
        over = [c for c in free if w[c.rank] * k > cap]
        if not over:
            for c in free:
                want[c.rank] = w[c.rank] * k
            break
        for c in over:
            want[c.rank] = cap
            left -= cap
            free.remove(c)
    for c in listed:
        venue = VENUE[c.exchange]
        cur = CURRENCY[venue]
        fx = fx_mv[cur]
        close = round(log_uniform(rng, 8, 90) if venue != "US" else log_uniform(rng, 12, 160), 2)
        ads = c.ads_ratio or 1.0
        shares = int(round(want[c.rank] / fx / close * ads))
        c.truth.update(close=close, total_shares=shares, quote_currency=cur,
                       market_value=close * shares / ads * fx)
        c.provenance["market_value"] = ("derived: report Table 1 value (2015-06-15) as close × shares"
                                        if (c.ticker, "market_value_table1", 2015) in real else "generated")


def synthetic(others: list[Company], lst: list[Company], rng: random.Random, *, link: bool = True) -> None:
    """Figures of the synthetic pool. Candidates excluded by a check get figures that would put
    them on the list if the check were missed. ``link``: also point the duplicates and
    subsidiaries at list companies (``link_to_list``); a world whose list order is calibrated
    after these figures (FY2013) links them once its ranks are known."""
    anchors = [c for c in others if c.role == "anchor"]
    for c in others:
        t = c.truth
        strong = c.role not in ("lower_score", "below_floor", "anchor")
        if strong:
            ir = log_uniform(rng, 2.5e9, 12e9)
        elif c.role == "below_floor":
            ir = log_uniform(rng, 0.03e9, 0.19e9)
        elif c.role == "anchor":
            ir = rng.uniform(0.21e9, 0.25e9)
        else:
            ir = log_uniform(rng, 0.2e9, 0.45e9)
        share = rng.uniform(0.8, 1.0)
        g = rng.uniform(0.4, 1.2) if strong else rng.uniform(-0.25, 0.3)
        t.update(internet_revenue=round(ir, -4), revenue=round(ir / share, -4))
        t["internet_revenue_declared"] = t["internet_revenue"]
        if c.role == "internet_share_low":  # most revenue is not internet business
            t["revenue"] = round(ir / rng.uniform(0.25, 0.42), -4)
        t["internet_revenue_prior"] = round(t["internet_revenue"] / (1 + g), -2)
        t["internet_revenue_declared_prior"] = t["internet_revenue_prior"]
        t["revenue_prior"] = round(t["revenue"] / (1 + g), -4)
        m = rng.uniform(0.15, 0.3) if strong else rng.uniform(-0.15, 0.02)
        if c.role == "anchor":
            m = -rng.uniform(0.05, 0.2)
        t["operating_profit"] = round(m * t["revenue"], -4)
        t["operating_profit_prior"] = round(t["operating_profit"] * 0.85, -4)
        t["net_profit"] = round(t["operating_profit"] * 0.85, -4)
        t["net_profit_prior"] = round(t["operating_profit_prior"] * 0.85, -4)
        t["employees_total"] = int(t["internet_revenue"] / log_uniform(rng, 0.5e6, 1.5e6)) + 30
        t["employees_total_prior"] = int(t["employees_total"] / (1 + g / 3))
        t["users"] = float(int(log_uniform(rng, 5e6, 5e7) if strong else log_uniform(rng, 2e4, 3e5)))
        t["users_prior"] = float(int(t["users"] / 1.2))
        traffic = log_uniform(rng, 2e4, 1.5e5) if strong else log_uniform(rng, 3, 60)
        rd = rng.uniform(0.1, 0.2) if strong else rng.uniform(0.01, 0.12)
        t["compliance_incidents"] = 0 if strong else 5
        t["tax_compliant"] = strong  # the weak ones: 50 - 30 = 20 points of social responsibility
        if c.role == "anchor":  # the pool's extremes, so that the scales do not move
            i = anchors.index(c)
            traffic = (TRAFFIC_MAX, TRAFFIC_MIN, TRAFFIC_MIN, 50, 50, 50)[i % 6]
            rd = (0.0, RD_MAX, 0.0, 0.02, 0.02, 0.02)[i % 6]
            if i % 6 == 2:
                t["internet_revenue_prior"] = round(t["internet_revenue"] / 0.4, -2)  # -60%
                t["internet_revenue_declared_prior"] = t["internet_revenue_prior"]
                t["revenue_prior"] = round(t["revenue"] / 0.4, -4)
            t["compliance_incidents"], t["tax_compliant"] = 5, False
            if i % 6 in (3, 4):
                t["users"] = (USERS_MAX, USERS_MIN)[i % 6 - 3]
        t["rd_expense"] = round(rd * t["revenue"], -2)
        mob = rng.uniform(0.2, 0.7)
        t["traffic_mobile"] = round(traffic * mob, 2)
        t["traffic_desktop"] = round(traffic - t["traffic_mobile"], 2)
        t["social_responsibility"] = max(100.0 - 10 * min(t["compliance_incidents"], 5)
                                         - (0 if t["tax_compliant"] else 30), 0.0)
        for k in ("internet_revenue", "revenue", "operating_profit", "employees_total", "traffic", "users"):
            c.provenance[k] = "generated (synthetic candidate)"
    if link:
        link_to_list(others, lst)


def link_to_list(others: list[Company], lst: list[Company]) -> None:
    """The roles that point at list companies, by the list's rank (no random draw): each
    duplicate copies a list company's identity, each subsidiary names a list company as its group."""
    by_rank = {c.rank: c for c in lst}
    dup_targets = [r for r in (26, 31, 45, 57, 73, 85) if not by_rank[r].self_op]
    for c, r in zip([c for c in others if c.role == "duplicate_company"], dup_targets):
        orig = by_rank[r]
        c.legal_name, c.brands, c.business_type, c.province = orig.legal_name, orig.brands, orig.business_type, orig.province
        c.licence_type, c.licence_number = orig.licence_type, orig.licence_number
        c.licence_valid_from, c.licence_valid_until = orig.licence_valid_from, orig.licence_valid_until
        c.truth["duplicate_of"] = orig.company_id
    parents = [by_rank[r] for r in (2, 3, 1, 7, 6)]
    for c, p in zip([c for c in others if c.role == "subsidiary_declared_separately"], parents):
        c.group_parent_id = p.company_id
        c.legal_name = c.legal_name.replace("（虚构）", f"（{p.brands.split('、')[0]}子公司，虚构）")


LISTED_MV_RANGE = (1.05, 2.5)  # × the smallest list company's market value


def synthetic_market_values(others: list[Company], lst: list[Company], rng: random.Random) -> None:
    """Close and total shares of the listed synthetic candidates (registry.list_synthetic), A shares
    quoted in CNY. Small, like their revenues (0.2-0.6 bn): between 1.05 and 2.5 times the smallest
    list company's market value, so the lower end of the pool's market-value scale stays a list
    company's and the list's scores do not move. They are scored on market value, as the listed
    list companies are, so they declare no users."""
    listed = [c for c in others if c.exchange]
    if not listed:
        return
    floor = min(c.truth["market_value"] for c in lst if c.exchange)
    for c in listed:
        if VENUE[c.exchange] != "A-share" or c.role != "lower_score":
            raise ValueError(f"{c.company_id}: a listed synthetic candidate must be an A share scoring lower, "
                             f"not {c.exchange}/{c.role}")
        want = floor * log_uniform(rng, *LISTED_MV_RANGE)
        close = round(log_uniform(rng, 8, 40), 2)
        shares = int(round(want / close))
        c.truth.update(close=close, total_shares=shares, quote_currency="CNY", market_value=close * shares)
        c.provenance["market_value"] = "generated (synthetic listed candidate: close × shares)"
        for k in ("users", "users_prior"):
            c.truth.pop(k, None)
        c.provenance.pop("users", None)
