"""The FY2013 world's free figures and their calibration (mirror.world.fy2013 builds the world).

What nothing published constrains for the FY2013 list (traffic, declared incidents, the FY2012
figures that set growth, market value on 2014-06-25 and users where free) is set here, company by
company, so that the list's order under the generator's own statement of the method
(mirror.world.method) has neighbours at least ``calibrate.MARGIN`` apart and the stated traffic
concentration (``calibrate13``). Its own module so that fy2013.py stays readable; fy2013 imports
it, never the reverse.
"""

from __future__ import annotations

import random
from datetime import date

from mirror.world import indicators, method
from mirror.world.calibrate import (MARGIN, SR_STEPS, TRAFFIC_MIN, USERS_MAX, USERS_MIN, _linv, _lscore, _score,
                                    _set_traffic, _traffic, concentrate, table)
from mirror.world.figures import log_uniform
from mirror.world.registry import Company

MARKET_VALUE_DATE = date(2014, 6, 25)  # evaluation/2014.toml [valuation] (assumed there, said so)
# what the 2015 report says of the previous list's traffic (evaluation/2014.toml [[published.figures]])
SHARE_TOP5, SHARE_TOP20 = 0.74, 0.95  # 而去年这一数据是 74%; 前二十名占 84%（去年为 95%）

# FY2013 knobs: traffic windows by list rank (score on the traffic scale of calibrate), the growth
# over FY2012, market values and users where free (bands around a baseline)
WINDOWS13 = {5: (0.70, 0.84), 20: (0.50, 0.64), 100: (0.02, 0.42)}
GROWTH_RANGE = (-0.3, 1.8)
GROWTH_SPAN = 0.35  # the growth knob: g0 ± this, inside GROWTH_RANGE
MV_BAND = (0.6, 1.6)  # × the baseline market value
USERS_BAND = (1 / 3, 3.0)  # × the baseline users


def _baseline_mv(c: Company, c14: Company, rng: random.Random) -> float:
    """The market value on 2014-06-25 the knob is centred on: a year before the FY2014 world's
    (internet shares rose into mid-2015, A shares most)."""
    up = rng.uniform(1.3, 2.6) if c.exchange in ("SSE", "SZSE") else rng.uniform(0.95, 1.6)
    return c14.truth["market_value"] / up


def _quote(c: Company, mv: float, shares: float, fx_mv: dict) -> None:
    cur = indicators.CURRENCY[indicators.VENUE[c.exchange]]
    ads = c.ads_ratio or 1.0
    close = round(mv / fx_mv[cur] / shares * ads, 2)
    if close < 0.5:
        raise ValueError(f"{c.company_id}: a close of {close} on {MARKET_VALUE_DATE}")
    c.truth.update(close=close, total_shares=shares, quote_currency=cur,
                   market_value=close * shares / ads * fx_mv[cur])
    c.provenance["market_value"] = "generated (close on 2014-06-25 x the FY2014 world's share count)"


def _below_floor_knobs(below: list[Company], rng: random.Random, fx_mv: dict, by14: dict) -> None:
    """Entrants that were FY2013 candidates below the floor: their traffic, incidents, FY2012
    figures and (listed) quote; they are not scored."""
    for c in below:
        t = c.truth
        _set_traffic(c, log_uniform(rng, 5, 80), rng.uniform(0.25, 0.6))
        t["compliance_incidents"] = rng.randint(0, 3)
        t["social_responsibility"] = 100.0 - 10 * t["compliance_incidents"]
        if c.exchange:
            _quote(c, _baseline_mv(c, by14[c.company_id], rng), by14[c.company_id].truth["total_shares"], fx_mv)
        elif "users" not in t:
            t["users"] = float(int(log_uniform(rng, 2e5, 3e6)))
        _priors(c, rng.uniform(-0.1, 0.6), rng.uniform(1.05, 1.6))


def _priors(c: Company, g: float, users_ratio: float) -> None:
    """FY2012 figures (generated): internet revenue grew ``g`` over them."""
    t = c.truth
    gen = "generated (FY2012)"
    t["internet_revenue_prior"] = round(t["internet_revenue"] / (1 + g), -2)
    t["revenue_prior"] = round(t["revenue"] / (1 + g), -4)
    if "peer_margin" in t:
        t["internet_revenue_prior"] = round(t["revenue_prior"] * t["peer_margin"], -2)
    elif "operating_cost" in t:
        t["operating_cost_prior"] = t["revenue_prior"] - t["internet_revenue_prior"]
    declared = t["internet_revenue_declared"]
    if declared == t["internet_revenue"]:
        t["internet_revenue_declared_prior"] = t["internet_revenue_prior"]
    elif declared == t["revenue"]:
        t["internet_revenue_declared_prior"] = t["revenue_prior"]
    else:
        t["internet_revenue_declared_prior"] = round(declared * t["revenue_prior"] / t["revenue"], -2)
    m = t["operating_profit"] / t["revenue"] if t["revenue"] else 0.0
    t["operating_profit_prior"] = round(m * 0.9 * t["revenue_prior"], -4)
    t["net_profit_prior"] = round(t["operating_profit_prior"] * 0.85, -4)
    t["employees_total_prior"] = int(t["employees_total"] / (1 + 0.4 * g))
    if "users" in t:
        t["users_prior"] = float(int(t["users"] / users_ratio))
    for k in ("internet_revenue_prior", "revenue_prior", "operating_profit_prior", "employees_total_prior"):
        c.provenance.setdefault(k, gen)


# ---- calibration --------------------------------------------------------------------------------


def _window(rank: int) -> tuple[float, float]:
    return next(w for k, w in WINDOWS13.items() if rank <= k)


class _Knobs:
    """What the calibration may set for one list company; ``continuous`` gives each continuous
    knob's room in points of the composite (0..100)."""

    def __init__(self, c: Company, rng: random.Random, c14: Company | None, mv_base: float | None):
        self.c = c
        self.mshare = rng.uniform(0.25, 0.48)
        self.users_ratio = rng.uniform(1.05, 1.6)
        g14 = (c14.truth["internet_revenue"] / c14.truth["internet_revenue_prior"] - 1) if c14 else rng.uniform(0, 0.6)
        g0 = min(max(g14 * rng.uniform(0.7, 1.3), GROWTH_RANGE[0] + GROWTH_SPAN), GROWTH_RANGE[1] - GROWTH_SPAN)
        self.g = (g0 - GROWTH_SPAN, g0 + GROWTH_SPAN)
        self.sr_pref = rng.choice((100, 100, 90, 90, 80, 70))
        self.mv: tuple[float, float] | None = None  # market value's room (listed, not a scale end)
        self.users: tuple[float, float] | None = None  # users' room (a users figure nothing fixes)
        users_base = log_uniform(rng, 2e6, 4e7) * (300 / ((c14.rank if c14 else 60) + 30)) ** 1.5
        if mv_base is not None:
            self.mv = (mv_base * MV_BAND[0], mv_base * MV_BAND[1])
        elif not c.exchange and "users" not in c.truth:
            lo = max(users_base * USERS_BAND[0], USERS_MIN * 1.5)
            hi = min(users_base * USERS_BAND[1], USERS_MAX / 1.5)
            self.users = (min(lo, hi / 2), hi)

    def scores(self, mv_scale: tuple[float, float]) -> tuple[float, float] | None:
        """The market value's or the users' room on their scale (0..1)."""
        if self.mv is not None:
            lo = max(_lscore(self.mv[0], *mv_scale), 0.005)
            hi = min(_lscore(self.mv[1], *mv_scale), 0.995)
            return (lo, hi) if lo < hi else ((lo + hi) / 2,) * 2
        if self.users is not None:
            return _lscore(self.users[0], USERS_MIN, USERS_MAX), _lscore(self.users[1], USERS_MIN, USERS_MAX)
        return None

    def continuous(self, tw: tuple[float, float], mv_scale: tuple[float, float]) -> list[tuple[float, float]]:
        """(lo, hi) in points of each continuous knob: traffic, growth, market value or users."""
        out = [(15 * tw[0], 15 * tw[1]), (10 * (self.g[0] + 0.5) / 3.5, 10 * (self.g[1] + 0.5) / 3.5)]
        s = self.scores(mv_scale)
        if s is not None:
            out.append((10 * s[0], 10 * s[1]))
        return out


def _solve13(k: float, cont: list[tuple[float, float]], sr_pref: int) -> tuple | None:
    """Split ``k`` points into SR (discrete) and one common fraction f of every continuous knob."""
    best = None
    base = sum(lo for lo, _ in cont)
    span = sum(hi - lo for lo, hi in cont)
    for sr in SR_STEPS:
        f = (k - 0.15 * sr - base) / span if span > 0 else -1.0
        if -1e-9 <= f <= 1 + 1e-9:
            f = min(max(f, 0.0), 1.0)
            cost = abs(f - 0.5) + 0.02 * abs(sr - sr_pref) / 10
            if best is None or cost < best[0]:
                best = (cost, sr, f)
    return best


def calibrate13(lst: list[Company], others: list[Company], rng: random.Random, fx_mv: dict, by14: dict) -> dict:
    """Set the free figures of the 2014 list (traffic, incidents, FY2012 figures, market values,
    users where free) and its order (``rank``): neighbours at least MARGIN apart over the eligible
    pool (``others``), the list's traffic top 5 = 74% and top 20 = 95%."""
    listed = [c for c in lst if c.exchange]
    base_mv = {c.company_id: _baseline_mv(c, by14[c.company_id], rng) for c in listed}
    top = max(listed, key=lambda c: base_mv[c.company_id])
    bottom = min(listed, key=lambda c: base_mv[c.company_id])
    for c in (top, bottom):  # the listed group's scale ends: fixed
        _quote(c, base_mv[c.company_id], by14[c.company_id].truth["total_shares"], fx_mv)
    mv_scale = (bottom.truth["market_value"], top.truth["market_value"])
    knobs = {c.company_id: _Knobs(c, rng, by14.get(c.company_id),
                                  base_mv.get(c.company_id) if c not in (top, bottom) else None) for c in lst}
    fixed_t: dict[str, float] = {}
    rank = {c.company_id: i for i, c in enumerate(sorted(lst, key=lambda c: (-c.truth["internet_revenue"],
                                                                             c.company_id)), 1)}
    for _ in range(10):
        for c in lst:  # the base: every knob at the bottom of its scale
            k = knobs[c.company_id]
            _set_traffic(c, fixed_t.get(c.company_id, TRAFFIC_MIN), k.mshare)
            c.truth["social_responsibility"] = 0.0
            c.truth["internet_revenue_prior"] = c.truth["internet_revenue"] / 0.5  # growth -50%: score 0
            if k.mv is not None:
                c.truth["market_value"] = mv_scale[0]
            if k.users is not None:
                c.truth["users"] = USERS_MIN
        base = method.total_score(table(lst + others))
        q = {cid: float(base[cid]) - (15 * _score(fixed_t[cid]) if cid in fixed_t else 0.0) for cid in knobs}
        # the candidates below the list score what they score whatever the knobs (the scales are
        # anchored): the list's last stays a point above the best of them
        floor_score = max(float(base[c.company_id]) for c in others) + 1.0 if others else -1e9

        def room(cid: str, rank_of: dict) -> list[tuple[float, float]]:
            tw = (_score(fixed_t[cid]),) * 2 if cid in fixed_t else _window(rank_of[cid])
            return knobs[cid].continuous(tw, mv_scale)

        def middle(cid: str, rank_of: dict) -> float:
            return q[cid] + sum((a + b) / 2 for a, b in room(cid, rank_of)) + 0.15 * knobs[cid].sr_pref

        for _ in range(8):  # the order: by the middle of each company's room (traffic windows by rank)
            mid = {cid: middle(cid, rank) for cid in knobs}
            new = {cid: i for i, cid in enumerate(sorted(mid, key=lambda x: (-mid[x], x)), 1)}
            if new == rank:
                break
            rank = new
        by_rank = {r: cid for cid, r in rank.items()}
        n = len(by_rank)
        lo = {r: q[cid] + sum(a for a, _ in room(cid, rank)) + 0.15 * SR_STEPS[-1] for r, cid in by_rank.items()}
        hi = {r: q[cid] + sum(b for _, b in room(cid, rank)) + 0.15 * SR_STEPS[0] for r, cid in by_rank.items()}
        low = {n + 1: floor_score - MARGIN}
        for r in range(n, 0, -1):
            low[r] = max(lo[r], low[r + 1] + MARGIN)
        prev = 1e9
        for r in range(1, n + 1):
            cid = by_rank[r]
            up = min(hi[r], prev - MARGIN)
            if up < low[r]:
                raise ValueError(f"FY2013 calibration infeasible at rank {r}: needs {low[r]:.2f}, at most {up:.2f}")
            target = min(max(middle(cid, rank), low[r]), up)
            prev = target
            tw = (_score(fixed_t[cid]),) * 2 if cid in fixed_t else _window(r)
            best = _solve13(target - q[cid], room(cid, rank), knobs[cid].sr_pref)
            if best is None:
                raise ValueError(f"FY2013 calibration: no split of the knobs at rank {r}")
            _apply(knobs[cid], best[1], best[2], tw, mv_scale, fx_mv, by14)
        # the stated concentration: the five and the next fifteen largest by traffic scaled to 74%
        # and 21% of the list's traffic (repeated: scaling can move a company across the border)
        tr = {c.company_id: c.truth["traffic_desktop"] + c.truth["traffic_mobile"] for c in lst}
        new_t = concentrate(tr, SHARE_TOP5, SHARE_TOP20, lambda t: sorted(t, key=lambda x: (-t[x], x)))
        if all(abs(new_t[x] / tr[x] - 1) < 1e-6 for x in tr):
            break
        fixed_t = new_t
    for c in lst:
        c.rank = rank[c.company_id]
    final = method.total_score(table(lst + others))
    ordered = sorted(lst, key=lambda c: c.rank)
    scores = [float(final[c.company_id]) for c in ordered]
    gaps = [a - b for a, b in zip(scores, scores[1:])]
    best_other = max(float(final[c.company_id]) for c in others) if others else -1
    tr = sorted((c.truth["traffic_desktop"] + c.truth["traffic_mobile"] for c in lst), reverse=True)
    shares = (sum(tr[:5]) / sum(tr), sum(tr[:20]) / sum(tr))
    return {"min_gap": min(gaps), "last_list_score": scores[-1], "best_other_score": best_other,
            "traffic_top5_share": shares[0], "traffic_top20_share": shares[1],
            "ordered": min(gaps) > 0.05 and scores[-1] > best_other + 0.5
            and abs(shares[0] - SHARE_TOP5) < 1e-4 and abs(shares[1] - SHARE_TOP20) < 1e-4}


def _apply(k: _Knobs, sr: int, f: float, tw: tuple[float, float], mv_scale: tuple[float, float],
           fx_mv: dict, by14: dict) -> None:
    """One company's knobs at the fraction ``f`` of their room, SR ``sr``; its FY2012 figures."""
    c, t = k.c, k.c.truth
    t["social_responsibility"] = float(sr)
    t["compliance_incidents"] = (100 - sr) // 10
    _set_traffic(c, _traffic(tw[0] + f * (tw[1] - tw[0])), k.mshare)
    s = k.scores(mv_scale)
    if k.users is not None:
        t["users"] = float(round(_linv(s[0] + f * (s[1] - s[0]), USERS_MIN, USERS_MAX)))
        c.provenance["users"] = "generated (FY2013)"
    if k.mv is not None:
        mv = _linv(s[0] + f * (s[1] - s[0]), *mv_scale)
        _quote(c, mv, by14[c.company_id].truth["total_shares"], fx_mv)
    _priors(c, k.g[0] + f * (k.g[1] - k.g[0]), k.users_ratio)
