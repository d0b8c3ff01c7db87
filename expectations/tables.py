"""A year's rows, reconciled: the clean company and metric rows, and the tables the GX suites
check (one per check, one row per company or per company and metric).

Every row of every check table carries ``row_id`` (unique), ``company_id`` and ``metric``: the
checkpoint reports failing rows by these columns and ``expectations.findings`` turns them into
findings. The values the rules decided (corrected figures, peers used) are columns too, so a
finding can say what was used and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from expectations import reconcile as rc
from expectations.findings import plain
from expectations.rules import VerifyRules
from top100.records import CompanyRow, ErrorRow, MetricRow
from top100.vocab import MONEY_METRICS, check_company_id

COUNT_METRICS = ("employees_total", "users")


@dataclass
class Inputs:
    """The year's input rows as dicts (see top100.records for their shapes)."""

    year: int
    market_value_date: str
    candidates: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    fx: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    declared: list[dict] = field(default_factory=list)
    licences: list[dict] = field(default_factory=list)
    traffic: list[dict] = field(default_factory=list)
    integrity: list[dict] = field(default_factory=list)


@dataclass
class Form:
    company_id: str
    sha256: str
    order: tuple
    current: dict[str, dict] = field(default_factory=dict)
    prior: dict[str, dict] = field(default_factory=dict)

    def get(self, code: str, prior: bool = False) -> Any:
        row = (self.prior if prior else self.current).get(code)
        return None if row is None else row.get("value")


@dataclass
class Tables:
    companies: list[CompanyRow]
    metrics: list[MetricRow]
    frames: dict[str, pd.DataFrame]  # check name -> table
    errors: list[ErrorRow]
    facts_used: dict[tuple[str, str], dict]  # (company, metric) -> the public fact compared


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def collect_forms(inp: Inputs, errors: list[ErrorRow]) -> dict[str, list[Form]]:
    """Declared cells grouped into forms per company, latest submission last."""
    when = {d["sha256"]: (d.get("published_at") or d.get("fetched_at") or "")
            for d in inp.documents if d.get("sha256")}
    forms: dict[tuple[str, str], Form] = {}
    for i, row in enumerate(inp.declared):
        cid = row.get("company_id")
        try:
            check_company_id(cid)
        except ValueError as exc:
            errors.append(ErrorRow("verify", "DeclarationError", str(exc),
                                   document=row.get("form_sha256"), cell=row.get("cell")))
            continue
        key = (cid, row.get("form_sha256") or "")
        form = forms.setdefault(key, Form(cid, key[1], (when.get(key[1], ""), i)))
        if row.get("fiscal_year") == inp.year:
            form.current[row["field"]] = row
        elif row.get("fiscal_year") == inp.year - 1:
            form.prior[row["field"]] = row
        else:
            errors.append(ErrorRow("verify", "DeclarationError",
                                   f"cell declares fiscal year {row.get('fiscal_year')}, not {inp.year}",
                                   company_id=cid, document=key[1], cell=row.get("cell")))
    by_company: dict[str, list[Form]] = defaultdict(list)
    for form in forms.values():
        by_company[form.company_id].append(form)
    return {cid: sorted(fs, key=lambda f: f.order) for cid, fs in sorted(by_company.items())}


class _Company:
    """Working state of one company while its metrics are decided."""

    def __init__(self, cid: str, form: Form):
        self.cid = cid
        self.form = form
        self.rows: dict[str, dict] = {}  # metric -> accuracy-table row

    def used(self, metric: str) -> float | None:
        r = self.rows.get(metric)
        return None if r is None else r["value"]


def build(inp: Inputs, rules: VerifyRules) -> Tables:
    errors: list[ErrorRow] = []
    forms = collect_forms(inp, errors)
    cand = {c["company_id"]: c for c in inp.candidates if c.get("company_id")}
    for cid in sorted(set(cand) - set(forms)):
        errors.append(ErrorRow("verify", "DeclarationError", "candidate without a declaration form",
                               company_id=cid))
    facts_by = defaultdict(list)
    for f in inp.facts:
        if f.get("company_id"):
            facts_by[f["company_id"]].append(f)
        else:
            errors.append(ErrorRow("verify", "ExtractionError", "fact without a company",
                                   document=f.get("document_sha256"), page=f.get("page")))
    comps = {cid: _Company(cid, fs[-1]) for cid, fs in forms.items()}
    facts_used: dict[tuple[str, str], dict] = {}

    # 1. declared vs public, per metric, in CNY
    for cid, c in comps.items():
        for metric in rules.compared_metrics:
            c.rows[metric] = _compare(inp, rules, c, metric, facts_by[cid], facts_used, prior=False)
        for metric in ("revenue", "internet_revenue"):
            c.rows[f"{metric}_prior"] = _compare(inp, rules, c, metric, facts_by[cid], facts_used, prior=True)
        _cross_unit_checks(c, rules)
    # 2. self-operated e-commerce: internet revenue = revenue - cost of goods (or × peer margin)
    _ecommerce(comps, rules)
    _plausibility(inp, comps, rules)
    # 3. the company-level rows of the accuracy table, groups and duplicates
    declarants = set(comps)
    files: dict[str, str] = {}
    for d in inp.documents:  # the first file with these bytes (a copy is read once and named in the errors)
        if d.get("sha256"):
            files.setdefault(d["sha256"], _file_name(d))
    known_ids = declarants | set(cand)
    dups = rc.duplicate_companies({cid: c.form.get("legal_name") for cid, c in comps.items()})
    for cid, c in comps.items():
        parent = rc.consolidated_into(c.form.get("group_parent_id"), c.form.get("joined_group_on"),
                                      declarants - {cid}, inp.year, rules.group_join_grace_years)
        conflict = declaration_conflict(cid, forms[cid], files, known_ids)
        c.rows["declaration"] = _row(cid, "declaration",
                                     # identical copies are one declaration sent twice (a WARNING);
                                     # forms that disagree are a conflict (an ERROR), never "the latest wins"
                                     form_count=None if conflict else len(forms[cid]),
                                     conflict=conflict,
                                     forms=", ".join(_form_name(f, files) for f in forms[cid]),
                                     duplicate_of=dups.get(cid), consolidated_into=parent,
                                     group_parent_id=c.form.get("group_parent_id"),
                                     joined_group_on=c.form.get("joined_group_on"))
    accuracy = _frame([r for c in comps.values() for r in c.rows.values()], comps)
    companies = [_company_row(inp, c, cand.get(c.cid, {})) for c in comps.values()]
    metrics = [m for c in comps.values() for m in _metric_rows(inp, c)]
    metrics += _market_traffic_social(inp, rules, comps, cand, errors)
    frames = {
        "licence": _licence_frame(inp, rules, comps),
        "main_business": _main_business_frame(comps),
        "accuracy": accuracy,
        "integrity": _integrity_frame(inp, comps),
    }
    return Tables(companies, metrics, frames, errors, facts_used)


# the prior-year cells the checks use (growth; e-commerce cost of goods); other prior cells are shown only
PRIOR_USED = ("revenue", "internet_revenue", "operating_cost")


def _file_name(doc: dict) -> str:
    url = str(doc.get("url") or "")
    return url.removeprefix("file://").rsplit("/", 1)[-1] or str(doc.get("title") or "")


def _form_name(form: Form, files: dict[str, str]) -> str:
    name = files.get(form.sha256)
    return f"{name} ({form.sha256[:12]})" if name else form.sha256[:12]


def _named_id(file_name: str) -> str | None:
    """The company id a form's file name starts with (``C0042.xlsx``, ``C0042_v2.xlsx``), if any."""
    import re

    m = re.match(r"^([A-Za-z0-9]+)(?:[_\-. ]|$)", file_name)
    return m.group(1) if m else None


def declaration_conflict(cid: str, forms: list[Form], files: dict[str, str], known: set[str]) -> str | None:
    """Why the forms claiming ``cid`` cannot be used, or None: a form whose file is named for
    another known company, or forms that disagree on any cell the checks use (every current-year
    cell, the prior-year cells of PRIOR_USED). Both files are named; none is preferred."""
    problems = []
    for f in forms:
        name = files.get(f.sha256, "")
        named = _named_id(name) if name else None
        if named and named != cid and named in known:
            problems.append(f"form {_form_name(f, files)} is named for {named} but declares company id {cid}")
    if len(forms) > 1:
        first = forms[0]
        for other in forms[1:]:
            differ = sorted({k for k in set(first.current) | set(other.current)
                             if first.get(k) != other.get(k)}
                            | {f"{k} (prior year)" for k in PRIOR_USED if first.get(k, True) != other.get(k, True)})
            if differ:
                shown = ", ".join(differ[:5]) + (f" and {len(differ) - 5} more" if len(differ) > 5 else "")
                problems.append(f"forms {_form_name(first, files)} and {_form_name(other, files)} both declare "
                                f"{cid} and disagree on {shown}: neither is used")
    return "; ".join(problems) or None


def _row(cid: str, metric: str, **cols: Any) -> dict:
    return {"row_id": f"{cid}|{metric}", "company_id": cid, "metric": metric, **cols}


def _compare(inp: Inputs, rules: VerifyRules, c: _Company, metric: str, facts: list[dict],
             facts_used: dict, *, prior: bool) -> dict:
    year = inp.year - 1 if prior else inp.year
    name = f"{metric}_prior" if prior else metric
    declared = _num(c.form.get(metric, prior=prior))
    fact = rc.pick_public(facts, metric, year, rules.public_sources)
    if fact is None and metric == "rd_expense":
        # the R&D ratio's basis: 研发费用 where printed, else the R&D investment (研发投入合计); the
        # fact used keeps its metric and basis (facts_used, the audit pages say which)
        fact = rc.pick_public(facts, "rd_investment", year, rules.public_sources)
    public = fx_missing = None
    if fact is not None:
        rate = 1.0 if metric in COUNT_METRICS else rc.fx_average(inp.fx, fact.get("currency") or "CNY", year,
                                                                    fact.get("period_end"))
        if rate is None:
            fx_missing = f"{fact.get('currency')}/CNY {year}"
        else:
            public = float(fact["value"]) * rate
            facts_used[(c.cid, name)] = fact
    d = rc.decide(declared, public, fact.get("doc_type") if fact else None, rules)
    residual = None
    if public is not None and d.status in ("agree", "public_used", "corrected") and not prior:
        base = d.corrected_declared if d.corrected_declared is not None else declared
        diff = rc.relative_difference(base, public)
        residual = abs(diff) if diff is not None else None
    return _row(c.cid, name, prior=prior, declared=declared, public=public, value=d.value, source=d.source,
                rule=d.rule, status=d.status, difference=d.difference, unit_factor=d.unit_factor,
                correct_value=d.corrected_declared if d.unit_factor else None,
                residual=residual, fx_missing=fx_missing, required=(name in rules.required_positive),
                growth=None, ecommerce_estimated=False, peers=None, revenue_used=None,
                source_ref=(f"{fact['document_sha256']} p.{fact.get('page')}" if fact and public is not None else None),
                cell=(c.form.prior if prior else c.form.current).get(metric, {}).get("cell"))


def _correct(row: dict, factor: float, why: str) -> None:
    """Apply a unit correction found by a cross-field rule to a declared-only row."""
    if row["status"] != "declared_only" or row["declared"] is None:
        return
    fixed = row["declared"] / factor
    row.update(value=fixed, status="corrected", unit_factor=factor, correct_value=fixed,
               rule=f"unit_error x{factor:g} ({why})")


def _cross_unit_checks(c: _Company, rules: VerifyRules) -> None:
    """Unit errors without a public figure: revenue per employee, parts larger than revenue.
    A row's prior-year cell shares its unit (one 单位 per row), so it is corrected alike."""
    def factors(metric: str) -> list[float]:
        return rc.suspect_factors(_num(c.form.current.get(metric, {}).get("scale")), rules)

    rev, emp = c.rows["revenue"], c.rows["employees_total"]
    hit = rc.employees_unit_correction(rev["value"], emp["value"], rules, factors("revenue"))
    if hit:
        field_, factor = hit
        _correct(c.rows[field_], factor, "revenue per employee")
    for metric in ("internet_revenue", "operating_cost", "operating_profit", "net_profit", "rd_expense"):
        if metric in c.rows:
            f = rc.share_unit_correction(c.rows[metric]["value"], rev["value"], rules, factors(metric))
            if f:
                _correct(c.rows[metric], f, "larger than revenue")
    for metric in ("revenue", "internet_revenue"):
        cur, prior = c.rows[metric], c.rows[f"{metric}_prior"]
        if cur["unit_factor"] and prior["status"] == "declared_only" and prior["declared"] is not None:
            prior.update(value=prior["declared"] / cur["unit_factor"], status="corrected",
                         rule=f"unit of the row's current-year cell x{cur['unit_factor']:g}")
        if metric in rules.growth_metrics:
            cur["growth"] = rc.growth(cur["value"], prior["value"])
    for r in c.rows.values():
        r["revenue_used"] = rev["value"]


def _ecommerce(comps: dict[str, _Company], rules: VerifyRules) -> None:
    def cost(c: _Company, prior: bool = False) -> float | None:
        if prior:
            v = _num(c.form.get("operating_cost", prior=True))
            f = c.rows["operating_cost"]["unit_factor"]
            return v / f if (v is not None and f) else v
        return c.rows["operating_cost"]["value"]

    selfop = {cid: c for cid, c in comps.items() if c.form.get("self_operated_ecommerce") is True}
    similar = {cid: c for cid, c in comps.items()
               if c.form.get("business_type") == rules.ecommerce_business_type}
    for cid, c in selfop.items():
        for prior in (False, True):
            name = "internet_revenue_prior" if prior else "internet_revenue"
            row = c.rows[name]
            revenue = c.rows["revenue_prior" if prior else "revenue"]["value"]
            own_cost = cost(c, prior)
            row["declared_internet_revenue_used"] = row["value"]
            if own_cost is not None:
                row.update(value=rc.ecommerce_internet_revenue(revenue, own_cost, None), source="derived",
                           status="derived", rule="self-operated e-commerce: revenue - cost of goods")
                continue
            pool = {p: pc for p, pc in selfop.items() if p != cid and cost(pc) is not None}
            if len(pool) < rules.ecommerce_min_peers:
                pool = {p: pc for p, pc in similar.items() if p != cid and cost(pc) is not None}
            margin, peers = rc.peer_margin({p: (pc.rows["revenue"]["value"], cost(pc)) for p, pc in pool.items()})
            value = rc.ecommerce_internet_revenue(revenue, None, margin)
            rule = (f"self-operated e-commerce without cost of goods: revenue x (1 - median cost ratio) "
                    f"= revenue x {margin:.4f} (median gross margin of {', '.join(peers)})"
                    if margin is not None else "self-operated e-commerce without cost and no peers")
            row.update(value=value, source="derived", status="derived" if value is not None else "missing",
                       rule=rule, peers=", ".join(peers) or None, correct_value=value,
                       ecommerce_estimated=not prior)


def _plausibility(inp: Inputs, comps: dict[str, _Company], rules: VerifyRules) -> None:
    """Bounds on the figures used that hold whatever the evidence (rules.plausible_*): each
    row outside them gets ``implausible`` (why), an ERROR finding. Independent of a public
    document, so an unlisted company is held to them as much as a listed one."""
    quotes = {q["company_id"]: q for q in inp.quotes if q.get("company_id")}

    def flag(row: dict | None, why: str) -> None:
        if row is not None:
            row["implausible"] = why if not row.get("implausible") else f"{row['implausible']}; {why}"
    for cid, c in comps.items():
        for name, row in c.rows.items():
            v = row.get("value")
            if v is None or not isinstance(v, (int, float)):
                continue
            base = name.removesuffix("_prior")
            if money(name) and abs(v) > rules.plausible_money_max:
                flag(row, f"{base} {v:,.0f} 元 is beyond any company's ({rules.plausible_money_max:,.0f} 元)")
            elif base == "employees_total" and v > rules.plausible_employees_max:
                flag(row, f"{v:,.0f} employees is beyond any company's ({rules.plausible_employees_max:,.0f})")
        rev, emp = c.used("revenue"), c.used("employees_total")
        lo, hi = rules.plausible_revenue_per_employee
        if rev and emp and emp > 0 and not lo <= rev / emp <= hi:
            flag(c.rows.get("revenue"), f"revenue per employee {rev / emp:,.0f} 元 is outside [{lo:,.0f}, {hi:,.0f}]")
        for metric in ("operating_profit", "net_profit"):
            p = c.used(metric)
            if rev and rev > 0 and p is not None and p < -rules.plausible_loss_to_revenue_max * rev:
                flag(c.rows.get(metric), f"{metric} {p:,.0f} is a loss of {-p / rev:,.0f} times revenue "
                                         f"(at most {rules.plausible_loss_to_revenue_max:g})")
        glo, ghi = rules.plausible_growth
        for metric in rules.growth_metrics:
            g = (c.rows.get(metric) or {}).get("growth")
            if g is not None and not glo <= g <= ghi:
                flag(c.rows.get(metric), f"growth {g:+,.0%} over the prior year is outside [{glo:+.1%}, {ghi:+,.0%}]")
        q = quotes.get(cid)
        if q is not None and rev:
            rate = rc.fx_on(inp.fx, q.get("currency") or "CNY", inp.market_value_date)
            mv = rc.market_value_cny(q, rate)
            if mv and mv > 0 and rev > rules.plausible_revenue_to_market_value_max * mv:
                flag(c.rows.get("revenue"), f"revenue {rev:,.0f} 元 is {rev / mv:,.0f} times the market value "
                                            f"{mv:,.0f} 元 (at most {rules.plausible_revenue_to_market_value_max:g})")
    for cid, c in comps.items():
        users = _num(c.form.get("users"))
        if users is not None and users > rules.plausible_users_max:
            c.rows.setdefault("users_check", _row(cid, "users", implausible=(
                f"{users:,.0f} users is beyond any service's ({rules.plausible_users_max:,.0f})")))


ACCURACY_COLUMNS = [
    "row_id", "company_id", "metric", "prior", "declared", "public", "value", "source", "rule", "status",
    "difference", "unit_factor", "correct_value", "residual", "fx_missing", "required", "growth",
    "ecommerce_estimated", "peers", "revenue_used", "source_ref", "cell", "form_count", "conflict", "implausible",
    "forms",
    "duplicate_of", "consolidated_into", "group_parent_id", "joined_group_on"]


def _frame(rows: list[dict], comps: dict[str, _Company]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in ACCURACY_COLUMNS:  # a year without declarations still has the table's shape
        if col not in df:
            df[col] = pd.Series(dtype="object")
    for col in ("declared", "public", "value", "difference", "unit_factor", "correct_value",
                "residual", "growth", "revenue_used"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in ("required", "ecommerce_estimated", "prior"):
        if col in df:
            df[col] = df[col].fillna(False).astype(bool)
    if "form_count" in df:
        df["form_count"] = pd.to_numeric(df["form_count"]).astype("float64")
    return df


def _licence_frame(inp: Inputs, rules: VerifyRules, comps: dict[str, _Company]) -> pd.DataFrame:
    import re

    registry = {r["licence_number"].strip(): r for r in inp.licences if r.get("licence_number")}
    rows = []
    for cid, c in comps.items():
        number = c.form.get("licence_number")
        number = str(number).strip() if number not in (None, "") else None
        ltype = c.form.get("licence_type")
        pattern = rules.licence_patterns.get(str(ltype))
        well_formed = bool(number and pattern and re.match(pattern, number))
        reg = registry.get(number) if number else None
        holder_ok = None
        if reg is not None:
            holder_ok = (reg.get("company_id") == cid if reg.get("company_id")
                         else rc.normalise_name(reg.get("holder_name")) == rc.normalise_name(c.form.get("legal_name")))
        valid_until = (reg or {}).get("valid_until") or c.form.get("licence_valid_until")
        rows.append(_row(cid, "licence_number", licence_type=ltype, licence_number=number,
                         in_registry=(reg is not None) if well_formed else None,
                         holder_ok=holder_ok, registry_company_id=(reg or {}).get("company_id"),
                         registry_holder=(reg or {}).get("holder_name"),
                         registry_status=(reg or {}).get("status"),
                         valid_from=(reg or {}).get("valid_from"), valid_until=valid_until,
                         fy_start=date(inp.year, 1, 1).isoformat(), fy_end=date(inp.year, 12, 31).isoformat()))
    df = pd.DataFrame(rows, columns=list(_row("", "").keys()) + [
        "licence_type", "licence_number", "in_registry", "holder_ok", "registry_company_id",
        "registry_holder", "registry_status", "valid_from", "valid_until", "fy_start", "fy_end"])
    for col in ("valid_from", "valid_until", "fy_start", "fy_end"):
        df[col] = pd.to_datetime(df[col], errors="coerce")
    for col in ("in_registry", "holder_ok"):
        df[col] = df[col].astype("object")
    return df


def _main_business_frame(comps: dict[str, _Company]) -> pd.DataFrame:
    rows = []
    for cid, c in comps.items():
        ir = c.rows["internet_revenue"].get("declared_internet_revenue_used", c.rows["internet_revenue"]["value"])
        rev = c.rows["revenue"]["value"]
        share = ir / rev if (ir is not None and rev) else None
        rows.append(_row(cid, "internet_revenue", internet_share=share, internet_revenue=ir, revenue=rev,
                         business_type=c.form.get("business_type"),
                         network_in_mainland=c.form.get("network_in_mainland"),
                         business_in_mainland=c.form.get("business_in_mainland"),
                         province=c.form.get("province")))
    df = pd.DataFrame(rows, columns=["row_id", "company_id", "metric", "internet_share", "internet_revenue",
                                     "revenue", "business_type", "network_in_mainland",
                                     "business_in_mainland", "province"])
    df["internet_share"] = pd.to_numeric(df["internet_share"], errors="coerce").astype("float64")
    return df


def _integrity_frame(inp: Inputs, comps: dict[str, _Company]) -> pd.DataFrame:
    rows = []
    for r in inp.integrity:
        cid = r.get("company_id")
        if cid in comps and str(r.get("record_date", ""))[:4] == str(inp.year):
            rows.append({"row_id": f"{cid}|integrity|{r.get('source_row')}", "company_id": cid,
                         "metric": "integrity", "disqualifying": bool(r.get("disqualifying")),
                         "kind": r.get("kind"), "record_date": r.get("record_date"),
                         "description": r.get("description")})
    return pd.DataFrame(rows, columns=["row_id", "company_id", "metric", "disqualifying", "kind",
                                       "record_date", "description"])


def _company_row(inp: Inputs, c: _Company, cand: dict) -> CompanyRow:
    f = c.form.get
    return CompanyRow(
        company_id=c.cid, fiscal_year=inp.year, legal_name=str(f("legal_name") or cand.get("legal_name") or ""),
        brands=str(f("brands") or ""), province=str(f("province") or ""),
        business_type=str(f("business_type") or ""), exchange=cand.get("exchange") or f("exchange"),
        ticker=cand.get("ticker") or f("ticker"), group_parent_id=f("group_parent_id"),
        licence_type=f("licence_type"), licence_number=f("licence_number"),
        self_operated_ecommerce=bool(f("self_operated_ecommerce")))


def _metric_rows(inp: Inputs, c: _Company) -> list[MetricRow]:
    out = []
    for name, r in c.rows.items():
        if name in ("declaration", "users_check"):  # company-level check rows, not metrics
            continue
        ref = r.get("source_ref")
        if r.get("peers"):
            ref = f"peers: {r['peers']}"
        elif r.get("cell") and r["source"] == "declared":
            ref = f"form {c.form.sha256[:12]} cell {r['cell']}"
        out.append(MetricRow(c.cid, inp.year, name, r["value"], r["source"], ref, r["declared"],
                             r["public"], r["difference"], r["rule"], r["status"]))
    users = _num(c.form.get("users"))
    out.append(MetricRow(c.cid, inp.year, "users", users, "declared", None, users, None, None,
                         "declared_only", "declared_only" if users is not None else "missing"))
    return out


def _market_traffic_social(inp: Inputs, rules: VerifyRules, comps: dict[str, _Company],
                           cand: dict[str, dict], errors: list[ErrorRow]) -> list[MetricRow]:
    out: list[MetricRow] = []
    quotes = {q["company_id"]: q for q in inp.quotes if q.get("company_id")}
    traffic: dict[str, dict] = {}
    for t in sorted(inp.traffic, key=lambda t: t.get("source_row") or 0):
        if t.get("fiscal_year") == inp.year:
            traffic[t.get("company_id")] = t
    for cid, c in comps.items():
        y = inp.year
        q = quotes.get(cid)
        listed = bool((cand.get(cid) or {}).get("exchange") or c.form.get("exchange"))
        if q is not None:
            rate = rc.fx_on(inp.fx, q.get("currency") or "CNY", inp.market_value_date)
            mv = rc.market_value_cny(q, rate)
            if rate is None:
                errors.append(ErrorRow("verify", "VerificationError",
                                       f"no {q.get('currency')}/CNY rate on or before {inp.market_value_date}",
                                       company_id=cid, url=q.get("url")))
            rule = (f"close {plain(q.get('close'))} {q.get('currency')} on {q.get('date')} x shares "
                    f"{plain(q.get('total_shares'))}"
                    + (f" / ADS ratio {plain(q.get('ads_ratio'))}" if q.get("ads_ratio") else "")
                    + f" x FX {plain(rate) if rate is not None else '—'}")
            out.append(MetricRow(cid, y, "market_value", mv, "quotes", q.get("url"), None, mv, None, rule,
                                 "derived" if mv is not None else "missing"))
        elif listed:
            out.append(MetricRow(cid, y, "market_value", None, "quotes", None, None, None, None,
                                 "no quote for a listed company", "missing"))
        t = traffic.get(cid)
        for metric, val in (("traffic_desktop", _num((t or {}).get("desktop"))),
                            ("traffic_mobile", _num((t or {}).get("mobile")))):
            out.append(MetricRow(cid, y, metric, val, "traffic", f"row {t.get('source_row')}" if t else None,
                                 None, val, None, "third-party traffic", "derived" if val is not None else "missing"))
        total = None
        if t is not None and _num(t.get("desktop")) is not None and _num(t.get("mobile")) is not None:
            total = _num(t["desktop"]) + _num(t["mobile"])
        out.append(MetricRow(cid, y, "traffic", total, "traffic", f"row {t.get('source_row')}" if t else None,
                             None, total, None, "desktop + mobile", "derived" if total is not None else "missing"))
        recs = [r for r in inp.integrity if r.get("company_id") == cid and str(r.get("record_date", ""))[:4] == str(y)]
        tax = c.form.get("tax_compliant")
        incidents = c.form.get("compliance_incidents")
        score = rc.social_responsibility(recs, tax if isinstance(tax, bool) else None,
                                         int(_num(incidents) or 0), rules.social_responsibility)
        out.append(MetricRow(cid, y, "social_responsibility", score, "derived",
                             f"{len(recs)} integrity records; tax_compliant={tax}; incidents={incidents}",
                             None, None, None, "social_responsibility rule (expectations.rules)", "derived"))
    return out


def money(metric: str) -> bool:
    return metric.removesuffix("_prior") in {m.value for m in MONEY_METRICS} or metric in MONEY_METRICS
