"""FY2014 truth figures of the list companies: real where public data exists, fitted elsewhere.

Real (``mirror/data/real_figures.csv``): the 23 A-share companies' revenue, net profit, gross
margin and revenue growth (tushare), Baidu's revenue (both years, CNY) and Qihoo 360's revenue,
operating income and net income (USD; converted at the mean CFETS rate of the year, the verify
stage's rule for flows). Everything else is generated around them so that the report's own
figures (METHOD.md section 4) hold; the rules used are the verify stage's:
internet revenue of self-operated e-commerce = revenue - cost of goods (or revenue × the median
gross margin of the other self-operated e-commerce companies when the cost is not published).
"""

from __future__ import annotations

import math
import random
import statistics

from mirror.world.registry import Company, read_real

BN = 1e9
# Section 4 of METHOD.md, as the world must reproduce them (amounts in CNY).
TARGETS = {
    "total_internet_revenue": 573.5 * BN,
    "top5_internet_revenue": 322.3 * BN,
    "ecommerce_internet_revenue": 308.5 * BN,  # "超过 3078 亿元"
    "general_portal_internet_revenue": 168.5 * BN,  # "接近 1700 亿元"
    "games_vertical_internet_revenue": 0.095 * 573.5 * BN,
    "bj_sh_gd_internet_revenue": 0.82 * 573.5 * BN,
    "growth": 0.47,
    "grew_over_20pct": 64,
    "grew_over_100pct": 14,
    "operating_profit_total": 78.7 * BN,
    "operating_profit_top8": 51.47 * BN,
    "profitable": 73,
    "margin_mean": 0.107,
    "margin_mean_profitable": 0.196,
    "margin_over_40pct": 8,
    "margin_over_20pct": 33,
    "rd_ratio_mean": 0.1135,
}
GROUP_OF_TYPE = {"ecommerce": "ecommerce", "general_portal": "general_portal",
                 "online_games": "games_vertical", "vertical_portal": "games_vertical"}
TOP3_OP = {1: 15.0 * BN, 2: 14.5 * BN}  # with Baidu: the three above 10 bn
NEXT5_OP = {7: 3.2 * BN, 10: 1.9 * BN, 18: 1.6 * BN}  # with Qihoo (real) and Vipshop: five more above 1 bn


def _group(c: Company) -> str:
    return GROUP_OF_TYPE.get(c.business_type, "rest")


def _set(c: Company, metric: str, value: float, prov: str) -> None:
    c.truth[metric] = value
    c.provenance[metric] = prov


def internet_revenue(lst: list[Company], rng: random.Random, usd2013: float, usd2014: float) -> None:
    """Revenue, internet revenue and cost of goods of both years for the 100 list companies."""
    real = read_real()
    by_rank = {c.rank: c for c in lst}
    fixed: dict[int, float] = {}
    for c in lst:
        key = c.ticker or ""
        if (key, "revenue", 2014) in real and c.exchange in ("SSE", "SZSE"):
            r, _, src = real[(key, "revenue", 2014)]
            rev = r * 1e6
            g, _, gsrc = real[(key, "revenue_growth_pct", 2014)]
            gm, _, gmsrc = real[(key, "gross_margin_pct", 2014)]
            _set(c, "revenue", rev, f"real: {src}")
            _set(c, "revenue_prior", rev / (1 + g / 100), f"derived: real revenue / (1 + real growth {g}%) ({gsrc})")
            np_, _, npsrc = real[(key, "net_profit", 2014)]
            _set(c, "net_profit", np_ * 1e6, f"real: {npsrc}")
            if c.self_op:
                _set(c, "operating_cost", rev * (1 - gm / 100), f"derived: real revenue × (1 - real gross margin {gm}%)")
                gm_prior = gm / 100 * rng.uniform(0.9, 1.1)
                _set(c, "operating_cost_prior", c.truth["revenue_prior"] * (1 - gm_prior), "generated")
                share = 0.55
                _set(c, "internet_revenue_declared", rev * share, "generated (gross internet sales, for the share check)")
                _set(c, "internet_revenue_declared_prior", c.truth["revenue_prior"] * share, "generated")
                _set(c, "internet_revenue", rev - c.truth["operating_cost"], "derived: revenue - cost of goods")
                _set(c, "internet_revenue_prior", c.truth["revenue_prior"] - c.truth["operating_cost_prior"],
                     "derived: revenue - cost of goods")
            else:
                _set(c, "internet_revenue", rev, "derived: = real revenue (all business is internet business; assumed)")
                _set(c, "internet_revenue_prior", c.truth["revenue_prior"], "derived: = revenue_prior (assumed)")
            fixed[c.rank] = c.truth["internet_revenue"]
    baidu, qihoo = by_rank[3], by_rank[5]
    for c, rev, prior, src in (
        (baidu, real[("BIDU", "revenue", 2014)][0], real[("BIDU", "revenue", 2013)][0], real[("BIDU", "revenue", 2014)][2]),
        (qihoo, real[("QIHU", "revenue", 2014)][0] * usd2014, real[("QIHU", "revenue", 2013)][0] * usd2013,
         real[("QIHU", "revenue", 2014)][2] + " × mean CFETS USD/CNY of the year (generated series)"),
    ):
        _set(c, "revenue", rev, f"real: {src}")
        _set(c, "revenue_prior", prior, "real: edgar (prior year)")
        _set(c, "internet_revenue", rev, "derived: = real revenue (assumed)")
        _set(c, "internet_revenue_prior", prior, "derived: = real revenue_prior (assumed)")
        fixed[c.rank] = rev
    # generated: anchors (>= 5 bn, as planned) and the small ones, jittered then raked to the targets
    free = {c.rank: c.ir_plan * rng.uniform(0.9, 1.1) for c in lst
            if c.rank not in fixed and c.ir_plan is not None and c.ir_plan < 5 * BN}
    anchors = {c.rank: c.ir_plan for c in lst if c.rank not in fixed and c.rank not in free}
    value = {**fixed, **anchors, **free}
    targets = {g: TARGETS[f"{g}_internet_revenue"] for g in ("ecommerce", "general_portal", "games_vertical")}
    targets["rest"] = TARGETS["total_internet_revenue"] - sum(targets.values())
    bsg = ("beijing", "shanghai", "guangdong")
    for _ in range(60):  # raking over business-type groups and the two province groups
        for g, t in targets.items():
            members = [r for r in value if _group(by_rank[r]) == g]
            fr = [r for r in members if r in free]
            need = t - sum(value[r] for r in members if r not in free)
            k = need / sum(value[r] for r in fr)
            for r in fr:
                value[r] *= k
        for inside, t in ((True, TARGETS["bj_sh_gd_internet_revenue"]),
                          (False, TARGETS["total_internet_revenue"] - TARGETS["bj_sh_gd_internet_revenue"])):
            members = [r for r in value if (by_rank[r].province in bsg) == inside]
            fr = [r for r in members if r in free]
            need = t - sum(value[r] for r in members if r not in free)
            k = need / sum(value[r] for r in fr)
            for r in fr:
                value[r] *= 1 + 0.5 * (k - 1)  # damped: the type groups are the exact ones
    # "接近五成企业互联网业务收入超过 10 亿元": at most 50 above 1 bn. The smallest free ones above
    # it go just below, the difference to the largest free one of the same type and province group
    for _ in range(30):
        if sum(v > 1 * BN for v in value.values()) <= 50:
            break
        r = min((r for r in free if value[r] > 1 * BN), key=lambda r: value[r])
        grp = lambda x: (_group(by_rank[x]), by_rank[x].province in bsg)  # noqa: E731
        donors = [x for x in free if x != r and grp(x) == grp(r) and value[x] > 1.2 * BN]
        if not donors:
            free.pop(r)  # cannot move this one: leave it
            continue
        to = max(donors, key=lambda x: value[x])
        moved = value[r] - rng.uniform(0.9, 0.98) * BN
        value[r] -= moved
        value[to] += moved
    for r, v in value.items():
        c = by_rank[r]
        if r in fixed:
            continue
        _set(c, "internet_revenue", round(v, -4), "generated")
        if c.self_op:
            gm = {4: 0.464, 14: 0.25, 44: 0.38, 48: 0.20, 82: 0.08}.get(r)
            if gm is None:  # no published cost: revenue from the peers' median margin (set later)
                c.truth["gm_plan"] = None
                continue
            rev = round(v / gm, -4)
            _set(c, "revenue", rev, "generated")
            _set(c, "operating_cost", rev - c.truth["internet_revenue"], "generated")
            _set(c, "internet_revenue_declared", rev, "generated (all sales are online)")
        else:
            share = {2: 0.91, 18: 0.83}.get(r, rng.choice([1.0, 1.0, 0.97, 0.93, 0.88, 0.8]))
            _set(c, "revenue", round(v / share, -4), "generated")
    # self-operated without published cost: the peers' median gross margin (verify rule)
    peers = [c for c in lst if c.self_op and "operating_cost" in c.truth]
    median = statistics.median((c.truth["revenue"] - c.truth["operating_cost"]) / c.truth["revenue"] for c in peers)
    for c in lst:
        if c.self_op and "operating_cost" not in c.truth:
            _set(c, "revenue", round(c.truth["internet_revenue"] / median, -4), "generated")
            _set(c, "internet_revenue", c.truth["revenue"] * median,
                 f"derived: revenue × median gross margin {median:.6f} of {', '.join(sorted(p.company_id for p in peers))}")
            _set(c, "internet_revenue_declared", c.truth["revenue"], "generated (all sales are online)")
            c.truth["peer_margin"] = median
    for c in lst:
        if "internet_revenue_declared" not in c.truth:
            c.truth["internet_revenue_declared"] = c.truth["internet_revenue"]


def growth(lst: list[Company], rng: random.Random) -> None:
    """Prior-year figures: real where known; the rest so that the list grows 47% in total, 64
    companies by more than 20% and 14 by more than 100%."""
    done = [c for c in lst if "internet_revenue_prior" in c.truth]
    todo = [c for c in lst if c not in done]
    g_of = {c.rank: c.truth["internet_revenue"] / c.truth["internet_revenue_prior"] - 1 for c in done}
    over100 = TARGETS["grew_over_100pct"] - sum(g > 1 for g in g_of.values())
    over20 = TARGETS["grew_over_20pct"] - sum(g > 0.2 for g in g_of.values())
    big = [c for c in todo if c.truth["internet_revenue"] >= 5 * BN]
    small = [c for c in todo if c not in big]
    n_mid = over20 - over100 - len(big)  # the big ones grow 20-100%
    values = ([rng.uniform(1.05, 2.2) for _ in range(over100)] + [rng.uniform(0.22, 0.95) for _ in range(n_mid)]
              + [rng.uniform(-0.35, 0.18) for _ in range(len(small) - over100 - n_mid)])
    rng.shuffle(values)
    for c, g in zip(sorted(small, key=lambda c: c.rank), values):
        g_of[c.rank] = g
    need_prior = TARGETS["total_internet_revenue"] / (1 + TARGETS["growth"])
    known = sum(c.truth["internet_revenue"] / (1 + g_of[c.rank]) for c in lst if c.rank in g_of)
    big_ir = sum(c.truth["internet_revenue"] for c in big)
    g_big = big_ir / (need_prior - known) - 1
    if not 0.2 < g_big < 1.0:
        raise ValueError(f"growth calibration: the large companies would need {g_big:.3f}")
    for c in big:
        g_of[c.rank] = g_big * rng.uniform(0.9, 1.1)
    # exact total: scale (1 + g) of the large ones together
    want = need_prior - known
    for _ in range(20):
        have = sum(c.truth["internet_revenue"] / (1 + g_of[c.rank]) for c in big)
        for c in big:
            g_of[c.rank] = (1 + g_of[c.rank]) * have / want - 1
    for c in todo:
        g = g_of[c.rank]
        ir = c.truth["internet_revenue"]
        _set(c, "internet_revenue_prior", ir / (1 + g), "generated")
        _set(c, "revenue_prior", round(c.truth["revenue"] / (1 + g), -4), "generated")
        if "operating_cost" in c.truth:
            _set(c, "operating_cost_prior", c.truth["revenue_prior"] - c.truth["internet_revenue_prior"], "generated")
        elif "peer_margin" in c.truth:
            c.truth["internet_revenue_prior"] = c.truth["revenue_prior"] * c.truth["peer_margin"]
        if c.truth.get("internet_revenue_declared") == c.truth.get("revenue"):
            c.truth["internet_revenue_declared_prior"] = c.truth["revenue_prior"]
        c.truth["internet_revenue_prior"] = round(c.truth["internet_revenue_prior"], -2)
    for c in lst:
        c.truth.setdefault("internet_revenue_declared_prior", c.truth["internet_revenue_prior"])


def profit(lst: list[Company], rng: random.Random, usd2014: float, usd2013: float | None = None) -> None:
    """Operating profit: 78.7 bn in total, 3 above 10 bn and 5 more above 1 bn making 51.47 bn,
    73 profitable; unweighted mean margin (operating profit / revenue) 10.7%, 19.6% for the
    profitable, 8 above 40%."""
    real = read_real()
    by_rank = {c.rank: c for c in lst}
    op: dict[int, float] = {}
    op.update(TOP3_OP)
    op[3] = 12.3 * BN
    op.update(NEXT5_OP)
    op[5] = real[("QIHU", "operating_profit", 2014)][0] * usd2014
    op[14] = TARGETS["operating_profit_top8"] - sum(op.values())
    top8 = set(op)
    margins = {r: op[r] / by_rank[r].truth["revenue"] for r in op}
    # A-shares: operating profit follows the real net profit (tax and non-operating items)
    for c in lst:
        if "net_profit" in c.truth and c.rank not in op:
            npf = c.truth["net_profit"]
            op[c.rank] = min(npf * 1.25, 0.95 * BN) if npf > 0 else npf * 1.05
            margins[c.rank] = op[c.rank] / c.truth["revenue"]
    losers_fixed = {4: -0.002}
    for r, m in losers_fixed.items():
        margins[r] = m
        op[r] = m * by_rank[r].truth["revenue"]
    rest = [c.rank for c in lst if c.rank not in margins]
    n_loss = 100 - TARGETS["profitable"] - sum(m < 0 for m in margins.values())
    # loss-makers lose ~9 points of profitability score: they are the small companies low on the
    # list, or unlisted ones (whose users figure leaves room to calibrate)
    cand = [r for r in rest if r > 45 or not by_rank[r].exchange]
    small = sorted(cand, key=lambda r: by_rank[r].truth["revenue"])[: max(int(len(cand) * 0.6), n_loss + 3)]
    loss = sorted(rng.sample(small, n_loss))
    prof = [r for r in rest if r not in loss]
    mid = [r for r in prof if 1.2 * BN < by_rank[r].truth["revenue"] <= 2.5 * BN]
    n40 = TARGETS["margin_over_40pct"] - sum(m > 0.4 for m in margins.values())
    hi40 = [r for r in sorted(mid, key=lambda r: -by_rank[r].truth["revenue"])
            if by_rank[r].truth["revenue"] < 2.1 * BN][:n40]
    for r in mid:  # mid-sized and profitable: the high margins, each profit under 1 bn
        margins[r] = rng.uniform(0.41, 0.45) if r in hi40 else rng.uniform(0.22, 0.33)
        op[r] = margins[r] * by_rank[r].truth["revenue"]
    big = [r for r in prof if by_rank[r].truth["revenue"] > 2.5 * BN]
    cap = {r: min(rng.uniform(0.9, 0.99) * BN, 0.195 * by_rank[r].truth["revenue"]) for r in big}  # < 1 bn, < 20%
    prof = sorted(r for r in prof if r not in big and r not in mid)
    sum_prof = TARGETS["margin_mean_profitable"] * TARGETS["profitable"] - sum(m for m in margins.values() if m > 0)
    sum_loss = TARGETS["margin_mean"] * 100 - TARGETS["margin_mean_profitable"] * TARGETS["profitable"] \
        - sum(m for m in margins.values() if m < 0)
    over40 = TARGETS["margin_over_40pct"] - sum(m > 0.4 for m in margins.values())
    over20 = TARGETS["margin_over_20pct"] - sum(m > 0.2 for m in margins.values())
    base = ([rng.uniform(0.41, 0.47) for _ in range(over40)] + [rng.uniform(0.201, 0.235) for _ in range(over20 - over40)])
    base += [rng.uniform(0.02, 0.15) for _ in range(len(prof) - len(base))]
    base.sort()
    prof.sort(key=lambda r: by_rank[r].truth["revenue"])  # high margins to the larger revenues
    for r, m in zip(prof, base):
        margins[r] = m
    for r in loss:
        margins[r] = -rng.uniform(0.03, 0.4)
    k = sum_loss / sum(margins[r] for r in loss)
    for r in loss:
        margins[r] *= k
        op[r] = margins[r] * by_rank[r].truth["revenue"]
    # two unknowns, two equations: u scales the large companies' profit (u <= 1), delta shifts the
    # margins of the 4%-18% band; the profitable margins sum to 73 × 19.6% and profits to 78.7 bn
    band = [r for r in prof if margins[r] < 0.2]
    rev = {r: by_rank[r].truth["revenue"] for r in prof + big}
    others_op = sum(v for r, v in op.items() if r not in big and r not in prof)
    s0 = sum(margins[r] for r in prof)
    a_m = sum(cap[r] / rev[r] for r in big)
    o0 = sum(margins[r] * rev[r] for r in prof) + others_op
    a_o = sum(cap.values())
    n_b, r_b = len(band), sum(rev[r] for r in band)
    # s0 + u a_m + n_b d = sum_prof ; o0 + u a_o + r_b d = total
    det = a_m * r_b - n_b * a_o
    u = ((sum_prof - s0) * r_b - n_b * (TARGETS["operating_profit_total"] - o0)) / det
    d = (sum_prof - s0 - u * a_m) / n_b
    for r in big:
        op[r] = u * cap[r]
        margins[r] = op[r] / rev[r]
    for r in band:
        margins[r] += d
    for r in prof:
        op[r] = margins[r] * rev[r]
    if not 0 < u <= 1.02:
        raise ValueError(f"profit calibration: large companies' profit factor {u:.3f}")
    bad = [r for r in band + big if not 0.0 < margins[r] < 0.2 or op[r] >= 1e9]
    if bad:
        raise ValueError(f"profit calibration left margins out of band for ranks {bad}: "
                         f"{[round(margins[r], 3) for r in bad]}")
    for c in lst:
        v = op[c.rank]
        _set(c, "operating_profit", round(v, -4), "real: edgar (USD × mean CFETS rate)" if c.rank == 5 else "generated")
        if "net_profit" not in c.truth:
            _set(c, "net_profit", round(v * (0.85 if v > 0 else 1.05), -4), "generated")
        c.truth["top8_op"] = c.rank in top8
    # prior year: the same margin, a little lower
    for c in lst:
        m = c.truth["operating_profit"] / c.truth["revenue"]
        c.truth["operating_profit_prior"] = round(m * 0.9 * c.truth["revenue_prior"], -4)
        c.truth["net_profit_prior"] = round(c.truth["operating_profit_prior"] * 0.85, -4)
        c.provenance.setdefault("operating_profit_prior", "generated")
    qihoo = by_rank[5]  # Qihoo 360's net income and prior operating income are real too
    _set(qihoo, "net_profit", real[("QIHU", "net_profit", 2014)][0] * usd2014,
         "real: edgar CIK1508913 us-gaap:ProfitLoss × mean CFETS USD/CNY")
    if usd2013:
        _set(qihoo, "operating_profit_prior", real[("QIHU", "operating_profit", 2013)][0] * usd2013,
             "real: edgar CIK1508913 us-gaap:OperatingIncomeLoss (2013) × mean CFETS USD/CNY")


def summary(lst: list[Company]) -> dict:
    """The section-4 figures computed from the truth (what the report stage must reproduce)."""
    ir = sorted((c.truth["internet_revenue"] for c in lst), reverse=True)
    tot = sum(ir)
    prior = sum(c.truth["internet_revenue_prior"] for c in lst)
    gr = [c.truth["internet_revenue"] / c.truth["internet_revenue_prior"] - 1 for c in lst]
    op = sorted((c.truth["operating_profit"] for c in lst), reverse=True)
    mg = [c.truth["operating_profit"] / c.truth["revenue"] for c in lst]
    by = lambda key: sum(c.truth["internet_revenue"] for c in lst if key(c))  # noqa: E731
    return {
        "total_internet_revenue": tot, "top5_share": sum(ir[:5]) / tot, "top5_internet_revenue": sum(ir[:5]),
        "top10_share": sum(ir[:10]) / tot, "min_internet_revenue": ir[-1],
        "over_1bn": sum(v > 1e9 for v in ir), "over_10bn": sum(v > 1e10 for v in ir),
        "growth": tot / prior - 1, "grew_over_20pct": sum(g > 0.2 for g in gr), "grew_over_100pct": sum(g > 1 for g in gr),
        "operating_profit_total": sum(op), "operating_profit_top8": sum(op[:8]),
        "op_over_10bn": sum(v > 1e10 for v in op), "op_over_1bn": sum(v > 1e9 for v in op),
        "loss_share": sum(v < 0 for v in op) / len(op), "profitable": sum(v > 0 for v in op),
        "margin_mean": statistics.fmean(mg), "margin_mean_profitable": statistics.fmean(m for m in mg if m > 0),
        "margin_over_20pct": sum(m > 0.2 for m in mg), "margin_over_40pct": sum(m > 0.4 for m in mg),
        "ecommerce_internet_revenue": by(lambda c: c.business_type == "ecommerce"),
        "general_portal_internet_revenue": by(lambda c: c.business_type == "general_portal"),
        "games_vertical_share": by(lambda c: c.business_type in ("online_games", "vertical_portal")) / tot,
        "bj_sh_gd_share": by(lambda c: c.province in ("beijing", "shanghai", "guangdong")) / tot,
        "rd_ratio_mean": statistics.fmean(c.truth["rd_expense"] / c.truth["revenue"] for c in lst)
        if all("rd_expense" in c.truth for c in lst) else None,
    }


def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))
