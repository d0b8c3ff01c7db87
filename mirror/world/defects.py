"""Planted defects and traps, and the declarations and delivered files that carry them.

Every defect is listed in ``expected_findings.json`` (``findings``: what a careful auditor must
flag, with the correct value; ``traps``: what must be handled without a finding). Defects sit
where the ranking depends on them: a list company's revenue in the wrong unit or far from its
audited report moves its R&D ratio; the synthetic candidates excluded by a check carry figures
that would put them on the list if the check were missed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from mirror.world.forms import money_cell, write_form
from mirror.world.registry import Company
from top100.form_template import FIELDS
from top100.vocab import LICENCE_PATTERNS, LicenceType

MONEY = [f.code for f in FIELDS if f.kind == "money"]


def _finding(c: Company, check: str, metric: str, kind: str, correct=None, **extra) -> dict:
    return {"company_id": c.company_id, "name": c.legal_name, "check": check, "metric": metric, "kind": kind,
            "correct_value": correct, **extra}


# the list companies that joined a group after the fiscal year: (rank, group parent's rank, date)
JOINS_2015 = ((32, 31, "2015-04-17"), (92, 52, "2015-10-08"), (50, 9, "2015-05-22"))


def plan(companies: list[Company], rng: random.Random, *, year: int = 2014,
         joins: tuple[tuple[int, int, str], ...] = JOINS_2015) -> tuple[list[dict], list[dict], dict]:
    """Choose where each defect goes. Returns (findings, traps, form_edits) where form_edits maps
    company_id -> {field: ("unit"|"factor"|"blank", arg)}. ``year``: the fiscal year (a licence
    that expires during it); ``joins``: who joined a group after it (a trap)."""
    by_rank = {c.rank: c for c in companies if c.rank}
    lst = [by_rank[r] for r in sorted(by_rank)]
    findings: list[dict] = []
    traps: list[dict] = []
    edits: dict[str, dict] = {}
    ashare = [c for c in lst if c.exchange in ("SSE", "SZSE") and not c.self_op]
    us = [c for c in lst if c.exchange in ("NYSE", "NASDAQ") and c.currency == "CNY" and not c.self_op and c.rank > 5]
    hk = [c for c in lst if c.exchange == "HKEX" and c.rank > 2]
    unlisted = [c for c in lst if not c.exchange and not c.self_op and c.rank > 20]
    rng.shuffle(ashare), rng.shuffle(us), rng.shuffle(hk), rng.shuffle(unlisted)
    # 1. units: 元 declared under 万元 (x1e4), 千元 under 元 (x1e-3), head count in thousands
    for c in (ashare[0], us[0]):
        edits.setdefault(c.company_id, {})["revenue"] = ("mislabel", "元", "万元")
        findings.append(_finding(c, "accuracy", "revenue", "unit_error", c.truth["revenue"], factor=1e4))
    c = ashare[1]
    edits.setdefault(c.company_id, {})["revenue"] = ("mislabel", "千元", "元")
    findings.append(_finding(c, "accuracy", "revenue", "unit_error", c.truth["revenue"], factor=1e-3))
    c = hk[0]
    edits.setdefault(c.company_id, {})["operating_profit"] = ("mislabel", "元", "万元")
    findings.append(_finding(c, "accuracy", "operating_profit", "unit_error", c.truth["operating_profit"], factor=1e4))
    c = next(u for u in unlisted if u.truth["employees_total"] >= 1500 and u.truth["employees_total"] % 1000 == 0)
    unlisted.remove(c)
    unlisted.insert(0, c)
    edits.setdefault(c.company_id, {})["employees_total"] = ("thousands", None, None)
    findings.append(_finding(c, "accuracy", "employees_total", "unit_error", c.truth["employees_total"], factor=1e-3))
    c = unlisted[1]
    edits.setdefault(c.company_id, {})["revenue"] = ("mislabel", "元", "万元")
    findings.append(_finding(c, "accuracy", "revenue", "unit_error", c.truth["revenue"], factor=1e4))
    # 2. declared far from the audited report / 20-F
    for c, metric, k in ((ashare[2], "revenue", 1.6), (us[1], "revenue", 1.45), (ashare[3], "operating_profit", 2.5),
                         (hk[1], "revenue", 1.3)):
        edits.setdefault(c.company_id, {})[metric] = ("factor", k, None)
        findings.append(_finding(c, "accuracy", metric, "public_mismatch", c.truth[metric], declared_factor=k))
    # 3. self-operated e-commerce without published cost: peers' median gross margin
    for c in lst:
        if "peer_margin" in c.truth:
            edits.setdefault(c.company_id, {})["operating_cost"] = ("blank", None, None)
            findings.append(_finding(c, "accuracy", "internet_revenue", "ecommerce_cost_estimated",
                                     c.truth["internet_revenue"], peer_margin=c.truth["peer_margin"]))
    # 4. a duplicate declaration: one company sends its form twice
    dup = unlisted[2]
    edits.setdefault(dup.company_id, {})["_second_form"] = ("copy", None, None)
    findings.append(_finding(dup, "accuracy", "declaration", "duplicate_declaration"))
    # 5. synthetic candidates excluded by a check
    others = [c for c in companies if c.synthetic]
    check_of = {"licence_expired": "licence", "licence_malformed": "licence", "licence_mismatch": "licence",
                "internet_share_low": "main_business", "network_outside_mainland": "main_business",
                "business_outside_mainland": "main_business", "integrity_disqualifying": "integrity",
                "subsidiary_declared_separately": "accuracy", "duplicate_company": "accuracy"}
    pool = [c.licence_number for c in lst]
    for c in others:
        if c.role not in check_of:
            continue
        metric = {"licence": "licence_number", "main_business": "internet_revenue", "integrity": "integrity",
                  "accuracy": "declaration"}[check_of[c.role]]
        # the form field at fault, where the defect is one (the known answers match the metric too)
        metric = {"network_outside_mainland": "network_in_mainland", "business_outside_mainland": "business_in_mainland",
                  "subsidiary_declared_separately": "group_parent_id"}.get(c.role, metric)
        if c.role == "licence_expired":
            c.licence_valid_from, c.licence_valid_until = f"{year - 5}-03-01", f"{year}-0{rng.randint(2, 9)}-15"
        elif c.role == "licence_malformed":
            n = c.licence_number
            variants = ([n.replace("ICP证", "ICP备"), n[:-2] + "号", n.replace("号", "")] if c.licence_type == "ICP"
                        else [n.replace("-", ""), n[:-1], n.replace("B", "b", 1)])
            c.truth["declared_licence"] = rng.choice(
                [v for v in variants if not LICENCE_PATTERNS[LicenceType(c.licence_type)].match(v)])
        elif c.role == "licence_mismatch":
            pick = rng.choice(pool)  # the number belongs to a list company
            fits = LICENCE_PATTERNS[LicenceType(c.licence_type)].match
            if not fits(pick):  # another type's number would be malformed too (a second finding):
                # draw again among the list's numbers of its own type (never needed at 300 candidates)
                pick = rng.choice([n for n in pool if fits(n)])
            c.truth["declared_licence"] = pick
        elif c.role == "network_outside_mainland":
            c.network_in_mainland = False
        elif c.role == "business_outside_mainland":
            c.business_in_mainland, c.province = False, "hong_kong"
        f = _finding(c, check_of[c.role], metric, c.role)
        if c.role == "duplicate_company":
            f["duplicate_of"] = c.truth["duplicate_of"]
        if c.role == "subsidiary_declared_separately":
            f["group"] = c.group_parent_id
        findings.append(f)
    # traps: joined a group after the fiscal year, independent during it (must be ranked on its own)
    for r, parent, on in joins:
        by_rank[r].group_parent_id, by_rank[r].joined_group_on = by_rank[parent].company_id, on
        traps.append({"company_id": by_rank[r].company_id, "name": by_rank[r].legal_name,
                      "kind": f"joined_group_{year + 1}",
                      "handling": f"independent for all of {year}: ranked on its own, not consolidated into "
                                  f"{by_rank[parent].company_id} (METHOD.md section 1 exception)"})
    # traps: non-disqualifying integrity records (lower the social-responsibility score only)
    low_sr = [c for c in lst if c.truth["social_responsibility"] <= 80 and not c.exchange]
    for c in sorted(low_sr, key=lambda c: c.company_id)[:2]:
        c.truth["integrity_records"] = 1
        c.truth["compliance_incidents"] -= 2
        traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "integrity_not_disqualifying",
                      "handling": "an integrity record that does not disqualify: no exclusion, the "
                                  "social-responsibility score drops by the per-record amount"})
    return findings, traps, edits


def write_declarations(inbox: Path, companies: list[Company], year: int, edits: dict, rng: random.Random) -> None:
    out = inbox / "declarations"
    out.mkdir(parents=True, exist_ok=True)
    for c in companies:
        t = c.truth
        unit = rng.choice(["万元", "万元", "万元", "元", "千元"])
        vals = {
            "company_id": c.company_id, "legal_name": c.legal_name, "brands": c.brands, "province": c.province,
            "business_type": c.business_type, "exchange": c.exchange, "ticker": c.ticker,
            "licence_type": c.licence_type, "licence_number": t.get("declared_licence", c.licence_number),
            "licence_valid_until": c.licence_valid_until, "group_parent_id": c.group_parent_id,
            "joined_group_on": c.joined_group_on,
            "network_in_mainland": "是" if c.network_in_mainland else "否",
            "business_in_mainland": "是" if c.business_in_mainland else "否",
            "self_operated_ecommerce": "是" if c.self_op else "否",
            "tax_compliant": "是" if t.get("tax_compliant", True) else "否",
            "compliance_incidents": int(t.get("compliance_incidents", 0)),
        }
        money = {"revenue": ("revenue", "revenue_prior"),
                 "internet_revenue": ("internet_revenue_declared", "internet_revenue_declared_prior"),
                 "operating_cost": ("operating_cost", "operating_cost_prior"),
                 "operating_profit": ("operating_profit", "operating_profit_prior"),
                 "net_profit": ("net_profit", "net_profit_prior"), "rd_expense": ("rd_expense", "rd_expense_prior")}
        prior, units = {}, {}
        e = edits.get(c.company_id, {})
        for code, (cur, pri) in money.items():
            v, pv = t.get(cur), t.get(pri)
            if code == "rd_expense" and pv is None and v is not None:
                pv = v * 0.8
            u_print, u_true = unit, unit
            k = 1.0
            kind = e.get(code)
            if kind and kind[0] == "mislabel":
                u_true, u_print = kind[1], kind[2]
            elif kind and kind[0] == "factor":
                k = kind[1]
            if kind and kind[0] == "blank":
                v = pv = None
            vals[code] = money_cell(v * k if v is not None else None, u_true)
            prior[code] = money_cell(pv, u_true)
            units[code] = u_print
        for code in ("employees_total", "users"):
            v, pv = t.get(code), t.get(f"{code}_prior")
            if v is None:
                continue
            if e.get(code, ("",))[0] == "thousands":
                vals[code], prior[code] = int(round(v / 1000)), int(round((pv or v) / 1000))
            else:
                vals[code], prior[code] = int(v), int(pv) if pv is not None else None
            units[code] = "人" if code == "employees_total" else "个"
        write_form(out / f"{c.company_id}.xlsx", year, vals, prior, units)
        if "_second_form" in e:  # sent again, with last year's user count corrected (nothing scored differs)
            prior2 = dict(prior)
            if prior2.get("users"):
                prior2["users"] = int(prior2["users"] * 1.01)
            write_form(out / f"{c.company_id}_resubmitted.xlsx", year, vals, prior2, units)


def write_delivered(inbox: Path, companies: list[Company], year: int, rng: random.Random) -> None:
    with (inbox / "listings.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["company_id", "exchange", "ticker", "ads_ratio"])
        for c in companies:  # the list's listed companies and the listed synthetic candidates
            if c.exchange:
                w.writerow([c.company_id, c.exchange, c.ticker,
                            f"{c.ads_ratio:g}" if c.exchange in ("NYSE", "NASDAQ") and c.ads_ratio else ""])
    with (inbox / "licence_registry.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["licence_number", "licence_type", "holder_name", "company_id", "valid_from", "valid_until", "status"])
        seen = set()
        # a duplicated company's licence: the export names the holder but no id (it is the same
        # company under two declarations; the duplicate is flagged as such, not as a licence case)
        duplicated = {c.truth.get("duplicate_of") for c in companies if c.role == "duplicate_company"}
        for c in companies:
            if c.role == "duplicate_company" or c.licence_number in seen:
                continue
            seen.add(c.licence_number)
            w.writerow([c.licence_number, c.licence_type, c.legal_name, "" if c.company_id in duplicated else c.company_id,
                        c.licence_valid_from, c.licence_valid_until, "valid"])
    with (inbox / "traffic.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["company_id", "fiscal_year", "desktop", "mobile"])
        for c in companies:
            w.writerow([c.company_id, year, f"{c.truth['traffic_desktop']:.2f}", f"{c.truth['traffic_mobile']:.2f}"])
    with (inbox / "integrity.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["company_id", "record_date", "kind", "disqualifying", "description"])
        for c in companies:
            if c.role == "integrity_disqualifying":
                w.writerow([c.company_id, f"{year}-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}", "行政处罚", "true",
                            "因违法经营被通信管理局处以吊销部分业务许可的行政处罚（虚构）"])
            elif c.truth.get("integrity_records"):
                w.writerow([c.company_id, f"{year}-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}", "警示", "false",
                            "未按期报送年度统计数据，予以警示（虚构）"])
