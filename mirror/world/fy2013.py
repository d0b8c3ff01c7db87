"""The FY2013 world (the 2014 list), the same companies one year earlier than the FY2014 world.

The 2014 report is not among our sources; what is known of its list is what the 2015 report
says about "last year" (上年度百强): the total internet revenue (3980 亿元, +44% to 5735), eight
provinces (10 in 2015, 较上年增加了两个省份), one central/western company (1 -> 5; Hunan 1 -> 3),
traffic concentration (top 5 = 74%, top 20 = 95%), and which companies are new in 2015. The world
is built from the FY2014 world of the same seed and size, so that both evolve consistently:

- **continuing**: every company of the 2015 list that the seed does not name as new and whose
  FY2013 internet revenue is above the floor. Its FY2013 figures are the FY2014 world's
  prior-year figures, exactly (what its FY2014 form, annual report and companyfacts print in
  their prior-year columns); its own prior year (FY2012) is generated.
- **entrants** (on the 2015 list, not on the 2014 one): those the seed names (上海钢联 and 科通芯城
  首次进入, 陆家嘴金融交易所 and 人人贷 首次入围, 艾普网络 首次进入, the Heilongjiang company 开始进入),
  two of the three Hunan companies (Hunan 1 -> 3; 拓维信息 is the one that was there), the Henan
  company (central and western 1 -> 5: Hunan's one was the only one), and any 2015 company
  whose FY2013 internet revenue (its FY2014 prior year) is below the 2 亿元 floor. The last are
  FY2013 candidates ranked out by the floor; the others did not declare in 2014.
- **leavers** (on the 2014 list, not on the 2015 one): fictitious companies (names marked 虚构,
  flagged ``synthetic``) that are not candidates in the FY2014 world: as many as the list needs,
  their internet revenue making the list's total 3980 亿元. One is in Tianjin (the eighth
  province), none in a central or western province. Two joined a list company's group in 2014,
  independent for all of 2013 (a trap: ranked on their own); that is also why they are gone in
  2015. Self-operated e-commerce leavers publish their cost of goods, with gross margins placed
  so that the median of the FY2013 peers is the FY2014 world's peer margin: the companies that
  publish no cost get the same estimate in both years.
- a synthetic pool of its own (the FY2014 world's roles and counts; ids and fictitious names
  that the FY2014 world does not use).

Listings are as of the valuation date, 2014-06-25: a company listed after it (Alibaba in
September 2014, ...) is unlisted in FY2013 and scored on users. Share counts are the FY2014
world's; the close on 2014-06-25 is what the calibration asks of the market value.

The 2014 list's order is not published: it is the order of the generator's own statement of the
method (mirror.world.method) over this world, calibrated with what nothing constrains (traffic,
declared incidents, the FY2012 figures that set growth, market value and users where free) so
that neighbours are at least ``calibrate.MARGIN`` apart and the list's traffic concentration is
the stated one.
"""

from __future__ import annotations

import copy
import random
from datetime import date

from mirror.world import calendar, fy2013_knobs, indicators, method
from mirror.world.figures import log_uniform
from mirror.world.fy2013_knobs import _below_floor_knobs, calibrate13
from mirror.world.registry import _SYL1, _SYL2, _TAIL, LICENCE_FOR_TYPE, SYNTHETIC_REASONS, Company, _licence_number

YEAR = 2013
MARKET_VALUE_DATE = fy2013_knobs.MARKET_VALUE_DATE  # evaluation/2014.toml [valuation] (assumed there, said so)
BN = 1e9
FLOOR = method.REVENUE_FLOOR

# What the 2015 report says about the previous list (evaluation/2014.toml [[published.figures]])
TOTAL_INTERNET_REVENUE = 398.0 * BN  # 比去年百强的 3980 亿元增加了 44%
SHARE_TOP5, SHARE_TOP20 = fy2013_knobs.SHARE_TOP5, fy2013_knobs.SHARE_TOP20  # 74%, 95% (fy2013_knobs)
PROVINCES = 8  # 分布于 10 个省份，较上年增加了两个省份
CENTRAL_WESTERN = 1  # 中西部省份的百强企业数量从上年度的 1 家增加到 5 家 (Hunan's one)

# 2015 ranks of the companies new on the 2015 list, with the seed's words
NEW_NAMED = {
    99: "上海钢联 首次进入了百强行列", 82: "科通芯城 首次进入了百强行列",
    49: "陆家嘴金融交易所 首次入围百强", 53: "人人贷商务顾问（北京）有限公司 首次入围百强",
    68: "四川的艾普网络股份有限公司首次进入百强榜", 88: "黑龙江的企业也开始进入百强榜",
}
NEW_IMPLIED = {
    79: "湖南省百强企业数量从上年度的 1 家增加到 3 家 (拓维信息, 2015 rank 71, is the one of 2014)",
    98: "湖南省百强企业数量从上年度的 1 家增加到 3 家 (拓维信息, 2015 rank 71, is the one of 2014)",
    60: "中西部省份的百强企业数量从上年度的 1 家增加到 5 家 (the one was Hunan's: Henan's is new)",
}
HUNAN_CONTINUING = 71  # 拓维信息系统股份有限公司, listed since 2008
# the central and western provinces (中部, 西部; the official division): the generator's own list
CENTRAL_WESTERN_PROVINCES = frozenset({
    "shanxi", "anhui", "jiangxi", "henan", "hubei", "hunan", "inner_mongolia", "guangxi", "chongqing",
    "sichuan", "guizhou", "yunnan", "tibet", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang"})
# listed after the valuation date 2014-06-25 (public knowledge): unlisted in FY2013
LISTED_AFTER = {"BABA": "2014-09-19", "300418": "2015-01-21", "300431": "2015-03-24", "01980": "2014-07-09",
                "08267": "2014-12-30", "06899": "2014-06-30", "DSKY": "2014-08-07", "00400": "2014-07-18"}
# the leavers' provinces: one in Tianjin (the eighth province of 2014), the rest where the list is
LEAVER_PROVINCES = ("beijing", "beijing", "beijing", "shanghai", "shanghai", "guangdong", "guangdong",
                    "zhejiang", "jiangsu", "fujian")
LEAVER_TYPES = ("online_games", "online_games", "vertical_portal", "vertical_portal", "general_portal",
                "online_video", "internet_finance", "online_education", "other")
# two leavers joined a continuing list company's group in 2014 (after the fiscal year)
LEAVER_JOINS = ((3, "2014-08-18"), (6, "2014-11-03"))  # (2014 list rank of the parent, date)

# FY2013 knobs (traffic windows, growth, market value and user bands): mirror.world.fy2013_knobs
GROWTH_MAX_ANCHOR = 3.2  # one anchor grows +320% (clipped to 3): the growth scale is fixed at [-0.5, 3]


def _set(c: Company, metric: str, value: float, prov: str) -> None:
    c.truth[metric] = value
    c.provenance[metric] = prov


def fx_series() -> tuple[list[dict], str]:
    """CFETS parities of 2012-01-01 .. 2014-06-25 (the FY2012 and FY2013 averages, the valuation
    date), the same generated path as the FY2014 world's where they overlap; one HKD/CNY parity
    of FY2012 is not published (a trap: the FY2012 average is over the days published)."""
    series = calendar.fx_series(date(YEAR - 1, 1, 1), MARKET_VALUE_DATE)
    gap = "2012-12-31"
    for r in series:
        if r["date"] == gap:
            r["HKD/CNY"] = "---"
    return series, gap


def _names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        name = f"{rng.choice(_SYL1)}{rng.choice(_SYL2)}{rng.choice(_TAIL)}（虚构）"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _copy(c14: Company) -> Company:
    """The FY2013 company of a FY2014 one: the same id, names, listing (as of 2014-06-25) and licence."""
    c = copy.copy(c14)
    c.truth, c.provenance = {}, {}
    c.rank, c.role = None, "list"
    c.group_parent_id = c.joined_group_on = None
    if c.ticker in LISTED_AFTER:
        c.exchange = c.ticker = c.ticker_src = c.cik = c.cik_src = None
        c.ads_ratio = None
    if c.licence_valid_from > f"{YEAR}-01-01":  # the registry shows the licence's first issue
        c.licence_valid_from = f"{int(c.licence_valid_from[:4]) - 5}{c.licence_valid_from[4:]}"
    return c


FROM_PRIOR = {"revenue": "revenue_prior", "internet_revenue": "internet_revenue_prior",
              "internet_revenue_declared": "internet_revenue_declared_prior",
              "operating_cost": "operating_cost_prior", "operating_profit": "operating_profit_prior",
              "net_profit": "net_profit_prior", "employees_total": "employees_total_prior", "users": "users_prior"}


def _fy2013_truth(c: Company, c14: Company) -> None:
    """FY2013 figures = the FY2014 world's prior-year figures (forms, reports and companyfacts
    print these in their prior-year columns; R&D there is 0.8 x the year's)."""
    t14 = c14.truth
    for metric, prior in FROM_PRIOR.items():
        if prior in t14 and (metric != "users" or c.exchange is None):
            _set(c, metric, t14[prior], f"= the FY2014 world's {prior} ({c14.provenance.get(prior, 'generated')})")
    _set(c, "rd_expense", t14["rd_expense"] * 0.8, "= the FY2014 world's prior-year R&D (0.8 x its FY2014 R&D)")
    if "peer_margin" in t14:  # no published cost: the same peer margin (the FY2013 peers are placed so)
        c.truth["peer_margin"] = t14["peer_margin"]
        c.provenance["internet_revenue"] = (f"derived: revenue x median gross margin {t14['peer_margin']:.6f} of "
                                            "the self-operated e-commerce peers (= the FY2014 world's prior year)")
    c.truth["tax_compliant"] = True


def classify(list14: list[Company]) -> tuple[list[Company], list[Company], list[Company]]:
    """(continuing, below-floor entrants (FY2013 candidates), entrants that did not declare in 2014)."""
    cont, below, absent = [], [], []
    for c in list14:
        ir13 = c.truth["internet_revenue_prior"]
        if ir13 < FLOOR:
            below.append(c)
        elif c.rank in NEW_NAMED or c.rank in NEW_IMPLIED:
            absent.append(c)
        else:
            cont.append(c)
    hunan = [c.rank for c in cont if c.province == "hunan"]
    if hunan != [HUNAN_CONTINUING]:
        raise ValueError(f"the 2014 list's Hunan company must be 拓维信息 (2015 rank {HUNAN_CONTINUING}), not {hunan}")
    cw = [c.rank for c in cont if c.province in CENTRAL_WESTERN_PROVINCES]
    if len(cw) != CENTRAL_WESTERN:
        raise ValueError(f"continuing central/western companies {cw}: the 2014 list had {CENTRAL_WESTERN}")
    return cont, below, absent


def _leavers(n: int, need: float, rng: random.Random, names: list[str], peer_margins: list[float],
             province_count: int) -> list[Company]:
    """``n`` fictitious list companies whose internet revenue adds up to ``need``; the first
    ``len(peer_margins)`` are self-operated e-commerce with those gross margins, the last one is
    in the province that makes the list's eighth."""
    need_new = PROVINCES - province_count
    if need_new not in (0, 1):
        raise ValueError(f"the continuing companies are in {province_count} provinces: one leaver cannot make "
                         f"{PROVINCES}")
    if n < len(peer_margins) + len(LEAVER_JOINS) + 1:
        raise ValueError(f"{n} leavers cannot hold {len(peer_margins)} e-commerce peers, "
                         f"{len(LEAVER_JOINS)} group joiners and the Tianjin company")
    weights = [log_uniform(rng, 0.4, 2.5) for _ in range(n)]
    k = need / sum(weights)
    out = []
    gen = "generated (a leaver: on the 2014 list, not a candidate in 2015)"
    for i, (name, w) in enumerate(zip(names, weights)):
        stem = name[:2]
        peer = i < len(peer_margins)
        prov = "tianjin" if i == n - 1 and need_new == 1 else rng.choice(LEAVER_PROVINCES)
        c = Company(company_id="", legal_name=name, brands=f"{stem}网（虚构）、{stem}App（虚构）",
                    business_type="ecommerce" if peer else rng.choice(LEAVER_TYPES), province=prov,
                    synthetic=True, role="list", self_op=peer)
        t = c.truth
        ir = round(w * k, -4)
        if i == n - 1:  # the list's total, exactly
            ir = round(need - sum(o.truth["internet_revenue"] for o in out), -2)
        if peer:
            m = peer_margins[i]
            rev = round(ir / m, -4)
            cost = round(rev * (1 - m), -2)
            _set(c, "revenue", rev, gen)
            _set(c, "operating_cost", cost, gen)
            _set(c, "internet_revenue", rev - cost, "derived: revenue - cost of goods")
            _set(c, "internet_revenue_declared", rev, "generated (all sales are online)")
        else:
            _set(c, "internet_revenue", ir, gen)
            _set(c, "revenue", round(ir / rng.choice([1.0, 0.97, 0.93, 0.88]), -4), gen)
            t["internet_revenue_declared"] = t["internet_revenue"]
        margin = rng.uniform(-0.08, 0.3)
        _set(c, "operating_profit", round(margin * t["revenue"], -4), gen)
        _set(c, "net_profit", round(t["operating_profit"] * (0.85 if margin > 0 else 1.05), -4), gen)
        emp = int(t["internet_revenue"] / log_uniform(rng, 0.45e6, 1.6e6))
        t["employees_total"] = max(int(round(emp, -3)) if emp >= 1500 else emp, 150)
        if i == n - 2:  # at least one head count in round thousands (a unit error may be planted on such)
            t["employees_total"] = max(t["employees_total"], 2000)
        c.provenance["employees_total"] = gen
        _set(c, "rd_expense", round(rng.uniform(0.04, 0.2) * t["revenue"], -2), gen)
        t["tax_compliant"] = True
        out.append(c)
    irs = [c.truth["internet_revenue"] for c in out]
    if min(irs) < 0.25 * BN or max(irs) > 6 * BN:
        raise ValueError(f"leavers' internet revenues out of range: {[round(v / BN, 2) for v in irs]}")
    return out


def peer_placement(fixed: list[float], target: float, rng: random.Random, eps: float = 1e-4) -> list[float]:
    """Gross margins of new self-operated e-commerce peers such that the median of ``fixed`` and
    them is ``target`` (within ``eps``): as many below as above it, and an odd count."""
    below = sum(m < target - eps for m in fixed)
    above = sum(m > target + eps for m in fixed)
    equal = len(fixed) - below - above
    new = []
    if below < above:
        new += [target * rng.uniform(0.45, 0.85) for _ in range(above - below)]
    else:
        new += [min(target * rng.uniform(1.2, 1.8), 0.6) for _ in range(below - above)]
    if equal % 2 == 0:
        new.insert(0, target)
    return new


def build(seed: int, candidates: int, companies14: list[Company]) -> tuple[list[Company], dict]:
    """The FY2013 companies with their truth, calibrated (ranks = the 2014 list), and the facts."""
    fx, gap = fx_series()
    usd = {y: calendar.fx_average(fx, "USD/CNY", y) for y in (YEAR - 1, YEAR)}
    mv_day = MARKET_VALUE_DATE.isoformat()
    fx_mv = {"CNY": 1.0, "USD": calendar.fx_on(fx, "USD/CNY", mv_day)[1], "HKD": calendar.fx_on(fx, "HKD/CNY", mv_day)[1]}
    list14 = sorted((c for c in companies14 if not c.synthetic), key=lambda c: c.rank)
    cont14, below14, absent14 = classify(list14)
    last_error = None
    for attempt in range(40):
        try:
            companies, cal = _attempt(seed, candidates, companies14, cont14, below14, attempt, fx_mv)
            break
        except ValueError as exc:
            last_error = exc
    else:
        raise RuntimeError(f"seed {seed}: no calibrated FY2013 world after 40 draws: {last_error}")
    # the US filers that print a USD convenience translation beside CNY: the FY2014 world's (a
    # filer keeps its presentation from one year to the next)
    us14 = sorted((c for c in list14 if c.exchange in ("NYSE", "NASDAQ") and c.currency == "CNY"),
                  key=lambda c: c.company_id)
    facts = {"fx": fx, "fx_gap": gap, "usd_avg": usd, "fx_mv": fx_mv, "calibration": cal, "attempt": attempt,
             "usd_convenience": {c.company_id for c in us14[:6]},
             "entrants": {c.company_id: _why_new(c) for c in below14 + absent14},
             "entrants_below_floor": sorted(c.company_id for c in below14)}
    return companies, facts


def _why_new(c: Company) -> str:
    if c.truth["internet_revenue_prior"] < FLOOR:
        return (f"FY2013 internet revenue {c.truth['internet_revenue_prior'] / 1e8:.2f} 亿元 is below the 2 亿元 floor "
                "(a FY2013 candidate, not on the list)")
    return NEW_NAMED.get(c.rank) or NEW_IMPLIED[c.rank]


def _attempt(seed: int, candidates: int, companies14: list[Company], cont14: list[Company],
             below14: list[Company], attempt: int, fx_mv: dict) -> tuple[list[Company], dict]:
    rng = random.Random(f"fy2013-{seed}-{attempt}")
    by14 = {c.company_id: c for c in companies14}
    cont = [_copy(c) for c in cont14]
    below = [_copy(c) for c in below14]
    for c in cont + below:
        _fy2013_truth(c, by14[c.company_id])
    for c in below:
        c.role = "below_floor"
    # the self-operated e-commerce peers that publish a cost, and the margin the others are estimated with
    target = next((c.truth["peer_margin"] for c in cont if "peer_margin" in c.truth), None)
    fixed = [(c.truth["revenue"] - c.truth["operating_cost"]) / c.truth["revenue"]
             for c in cont + below if c.self_op and "operating_cost" in c.truth]
    margins = peer_placement(fixed, target, rng) if target is not None else []
    # leavers and the synthetic pool: ids and names the FY2014 world does not use
    n_leave = 100 - len(cont)
    need = TOTAL_INTERNET_REVENUE - sum(c.truth["internet_revenue"] for c in cont)
    provinces = {c.province for c in cont}
    reg = random.Random(f"fy2013-registry-{seed}")
    n_pool = candidates - 100 - len(below)
    taken = {c.legal_name for c in companies14}
    names = _names(reg, n_leave + n_pool, taken)
    leavers = _leavers(n_leave, need, rng, names[:n_leave], margins, len(provinces))
    pool = _pool(names[n_leave:], reg)
    for c in leavers[len(margins):len(margins) + len(LEAVER_JOINS)]:
        c.truth["joins_group"] = True
    _ids(leavers + pool, reg, len(companies14))
    used = {c.licence_number for c in companies14}
    for c in sorted(leavers + pool, key=lambda c: c.company_id):
        c.licence_type = LICENCE_FOR_TYPE.get(c.business_type, "ICP")
        c.licence_number = _licence_number(reg, c.licence_type, c.province, used)
        y = reg.randint(2009, 2012)
        c.licence_valid_from = f"{y}-{reg.randint(1, 12):02d}-{reg.randint(1, 28):02d}"
        c.licence_valid_until = f"{y + 5}{c.licence_valid_from[4:]}"
    lst = cont + leavers
    # figures that nothing else fixes: the pool's (the FY2014 world's rules), then the knobs
    indicators.synthetic(pool, lst, rng, link=False)
    anchors = [c for c in pool if c.role == "anchor"]
    for i, c in enumerate(anchors):
        if i % 6 == 5:  # the growth scale's upper end (clipped to 3)
            t = c.truth
            t["internet_revenue_prior"] = round(t["internet_revenue"] / (1 + GROWTH_MAX_ANCHOR), -2)
            t["internet_revenue_declared_prior"] = t["internet_revenue_prior"]
            t["revenue_prior"] = round(t["revenue"] / (1 + GROWTH_MAX_ANCHOR), -4)
    _below_floor_knobs(below, rng, fx_mv, by14)
    eligible = [c for c in pool if c.role in ("lower_score", "anchor")]
    cal = calibrate13(lst, eligible, rng, fx_mv, by14)
    if not cal["ordered"]:
        raise ValueError(f"FY2013 calibration left the order broken: {cal}")
    lst.sort(key=lambda c: c.rank)
    indicators.link_to_list(pool, lst)
    for c in pool:  # duplicates declare the original's figures
        if "duplicate_of" in c.truth:
            orig = next(o for o in lst if o.company_id == c.truth["duplicate_of"])
            keep = c.truth["duplicate_of"]
            c.truth = {k: v for k, v in orig.truth.items() if k not in ("close", "total_shares", "market_value")}
            c.truth.update(duplicate_of=keep, users=1.0e7, users_prior=8.0e6)
    parents = {c.rank: c for c in lst}
    for c, (parent_rank, on) in zip([c for c in leavers if c.truth.pop("joins_group", False)], LEAVER_JOINS):
        p = parents[parent_rank]
        if p.synthetic:
            raise ValueError(f"rank {parent_rank} is a leaver: a group parent must be a continuing company")
        c.group_parent_id, c.joined_group_on = p.company_id, on
    companies = sorted(cont + below + leavers + pool, key=lambda c: c.company_id)
    return companies, cal


def _pool(names: list[str], rng: random.Random) -> list[Company]:
    """The synthetic candidates of FY2013: the FY2014 world's roles and counts."""
    n = len(names)
    reasons = [reason for reason, k in SYNTHETIC_REASONS for _ in range(k)]
    if n < len(reasons):
        raise ValueError(f"{n} synthetic candidates cannot hold the {len(reasons)} planted roles")
    reasons += ["lower_score"] * (n - len(reasons))
    provinces = ["beijing"] * 6 + ["shanghai"] * 4 + ["guangdong"] * 4 + [
        "jiangsu", "zhejiang", "fujian", "hunan", "tianjin", "hubei", "shandong", "anhui", "chongqing", "shaanxi"]
    types = ["online_games"] * 5 + ["vertical_portal"] * 4 + ["ecommerce"] * 3 + [
        "general_portal", "online_video", "online_video", "internet_finance", "online_education", "other"]
    out = []
    for name, reason in zip(names, reasons):
        stem = name[:2]
        out.append(Company(company_id="", legal_name=name, brands=f"{stem}网（虚构）、{stem}App（虚构）",
                           business_type=rng.choice(types), province=rng.choice(provinces), synthetic=True,
                           role=reason))
    return out


def _ids(new: list[Company], rng: random.Random, first_free: int) -> None:
    """Ids after the FY2014 world's (C0001..C<its size>), shuffled; duplicates last (the verify rule
    keeps the smallest id as the original of a duplicated name)."""
    order = [c for c in new if c.role != "duplicate_company"]
    rng.shuffle(order)
    order += [c for c in new if c.role == "duplicate_company"]
    for i, c in enumerate(order, first_free + 1):
        c.company_id = f"C{i:04d}"


def summary(lst: list[Company]) -> dict:
    """What the 2015 report states about this list, computed from the truth."""
    ir = sorted((c.truth["internet_revenue"] for c in lst), reverse=True)
    tr = sorted((c.truth["traffic_desktop"] + c.truth["traffic_mobile"] for c in lst), reverse=True)
    provinces = {c.province for c in lst}
    return {
        "total_internet_revenue": sum(ir), "list_size": len(lst),
        "province_count": len(provinces), "provinces": sorted(provinces),
        "central_western_count": sum(c.province in CENTRAL_WESTERN_PROVINCES for c in lst),
        "province_hunan": sum(c.province == "hunan" for c in lst),
        "traffic_top5_share": sum(tr[:5]) / sum(tr), "traffic_top20_share": sum(tr[:20]) / sum(tr),
        "min_internet_revenue": ir[-1],
        "growth": sum(ir) / sum(c.truth["internet_revenue_prior"] for c in lst) - 1,
        "leavers": sorted(c.company_id for c in lst if c.synthetic),
    }
