"""The free indicators, and the calibration that makes the published order come out.

Real and fitted figures (revenue, profit, growth, market value) are left alone; what is tuned
are the generated inputs that nothing public constrains: third-party traffic (within the
report's concentration: top 5 = 54%, top 20 = 84% of the list's traffic), the R&D ratio (mean
11.35% over the list), the social-responsibility inputs (declared 违法违规事件 0-5, which the
verify stage's rule turns into 100..50) and the staff. The composite is the generator's own
statement of the documented method (mirror.world.method), never the pipeline's scoring code: the
known answers must not be computed by the code they check.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pandas as pd

from mirror.world import method
from mirror.world.registry import Company

TRAFFIC_MAX = 5.0e6  # 万次/day: the pool's maximum (an anchor candidate), fixes the log scale
TRAFFIC_MIN = 2.0
RD_MAX = 0.6  # an anchor candidate above the clip (0.5): the R&D score is ratio / 0.5
WINDOWS = {5: (0.86, 0.97), 20: (0.62, 0.80), 100: (0.02, 0.46)}
SR_STEPS = (100, 90, 80, 70, 60, 50)  # 0..5 declared incidents
MARGIN = 0.12  # points of total_score (0..100) between neighbours, at least
SHARE_TOP5, SHARE_TOP20 = 0.54, 0.84



def concentrate(traffic: dict, top5_share: float, top20_share: float,
                largest_first: Callable[[dict], list]) -> dict:
    """``traffic`` with its five and next fifteen largest (``largest_first`` orders the keys)
    scaled to ``top5_share`` and ``top20_share - top5_share`` of the total, the rest unchanged;
    repeated, as scaling can move a company across the border."""
    new = dict(traffic)
    for _ in range(50):
        ranked = largest_first(new)
        top5, next15, rest = ranked[:5], ranked[5:20], ranked[20:]
        total = sum(new[k] for k in rest) / (1 - top20_share)
        a = top5_share * total / sum(new[k] for k in top5)
        b = (top20_share - top5_share) * total / sum(new[k] for k in next15)
        for k in top5:
            new[k] *= a
        for k in next15:
            new[k] *= b
        if abs(a - 1) < 1e-9 and abs(b - 1) < 1e-9:
            break
    return new

def _window(rank: int) -> tuple[float, float]:
    return next(w for k, w in WINDOWS.items() if rank <= k)


def table(pool: list[Company]) -> pd.DataFrame:
    rows = {}
    for c in pool:
        t = c.truth
        rows[c.company_id] = {
            "internet_revenue": t["internet_revenue"], "employees_total": t["employees_total"],
            "operating_profit": t["operating_profit"], "traffic": t["traffic_desktop"] + t["traffic_mobile"],
            "market_value": t.get("market_value", math.nan), "users": t.get("users", math.nan),
            "internet_revenue_prior": t["internet_revenue_prior"], "revenue": t["revenue"],
            "rd_expense": t["rd_expense"], "social_responsibility": t["social_responsibility"],
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def _score(traffic: float) -> float:
    lo, hi = math.log1p(TRAFFIC_MIN), math.log1p(TRAFFIC_MAX)
    return (math.log1p(traffic) - lo) / (hi - lo)


def _traffic(score: float) -> float:
    lo, hi = math.log1p(TRAFFIC_MIN), math.log1p(TRAFFIC_MAX)
    return math.expm1(lo + score * (hi - lo))


def _set_traffic(c: Company, total: float, mobile_share: float) -> None:
    c.truth["traffic_mobile"] = round(total * mobile_share, 2)
    c.truth["traffic_desktop"] = round(total - c.truth["traffic_mobile"], 2)


USERS_MAX, USERS_MIN = 8.0e8, 1.0e4  # anchors of the unlisted group's users scale
RD_GRID = (0.1135, 0.09, 0.14, 0.06, 0.17, 0.03, 0.21, 0.01, 0.26, 0.32, 0.40)


def _lscore(x: float, lo: float, hi: float) -> float:
    return (math.log1p(x) - math.log1p(lo)) / (math.log1p(hi) - math.log1p(lo))


def _linv(s: float, lo: float, hi: float) -> float:
    return math.expm1(math.log1p(lo) + s * (math.log1p(hi) - math.log1p(lo)))


def _solve(k: float, tw: tuple[float, float], unlisted: bool, rd_pref: float) -> tuple | None:
    """Split the knob total ``k`` (points) into SR (discrete), R&D ratio and the continuous
    traffic (and users) scores. Returns (cost, sr, rd, t, u) or None."""
    best = None
    ws = [(15.0, tw[0], tw[1])] + ([(10.0, 0.03, 0.97)] if unlisted else [])
    span = sum(w * (h - l) for w, l, h in ws)
    base = sum(w * l for w, l, _ in ws)
    for sr in SR_STEPS:
        for rd in (rd_pref,) + RD_GRID:
            rem = k - 20 * rd - 0.15 * sr
            f = (rem - base) / span if span > 0 else (0.0 if abs(rem - base) < 1e-9 else -1)
            if -1e-9 <= f <= 1 + 1e-9:
                cost = abs(rd - rd_pref) * 10 + abs(f - 0.5) * 0.5
                if best is None or cost < best[0]:
                    vals = [l + f * (h - l) for _, l, h in ws]
                    best = (cost, sr, rd, vals[0], vals[1] if unlisted else None)
    if best is None:  # no continuous room left (traffic fixed): the R&D ratio takes the rest
        for sr in SR_STEPS:
            rd = (k - 0.15 * sr - base - 0.5 * span) / 20
            if 0.005 <= rd <= 0.4:
                cost = abs(rd - rd_pref) * 10
                if best is None or cost < best[0]:
                    vals = [l + 0.5 * (h - l) for _, l, h in ws]
                    best = (cost, sr, rd, vals[0], vals[1] if unlisted else None)
    return best


def calibrate(lst: list[Company], others: list[Company], rng: random.Random) -> dict:
    """Set traffic, users (unlisted), R&D and incidents of the 100 so that the composite over
    the eligible pool (``lst`` + ``others``) is strictly decreasing in published rank."""
    total_score = method.total_score
    lst = sorted(lst, key=lambda c: c.rank)
    mshare = {c.rank: rng.uniform(0.25, 0.48) for c in lst}
    for r in rng.sample(range(1, 101), 7):  # at least seven with more mobile than desktop traffic
        mshare[r] = rng.uniform(0.55, 0.72)
    fixed_t: dict[int, float] = {}
    for _ in range(8):
        for c in lst:
            _set_traffic(c, fixed_t.get(c.rank, TRAFFIC_MIN), mshare[c.rank])
            c.truth["rd_expense"] = 0.0
            c.truth["social_responsibility"] = 0.0
            if not c.exchange:
                c.truth["users"] = USERS_MIN
        base = total_score(table(lst + others))
        q = {c.rank: float(base[c.company_id]) - (15 * _score(fixed_t[c.rank]) if c.rank in fixed_t else 0.0)
             for c in lst}
        tw = {c.rank: ((_score(fixed_t[c.rank]),) * 2 if c.rank in fixed_t else _window(c.rank)) for c in lst}
        lo, hi = {}, {}
        for c in lst:
            r, (tl, th) = c.rank, tw[c.rank]
            extra = (0.3, 9.7) if not c.exchange else (0.0, 0.0)
            lo[r] = q[r] + 15 * tl + 20 * 0.01 + 0.15 * SR_STEPS[-1] + extra[0]
            hi[r] = q[r] + 15 * th + 20 * 0.40 + 0.15 * SR_STEPS[0] + extra[1]
        low = {101: -1e9}
        for r in range(100, 0, -1):
            low[r] = max(lo[r], low[r + 1] + MARGIN)
        def plan(lam: float) -> tuple[dict, dict]:
            target, sol, prev = {}, {}, 1e9
            for r in range(1, 101):
                up = min(hi[r], prev - MARGIN)
                if up < low[r]:
                    culprit = max(range(r, 101), key=lambda x: lo[x] + (x - r) * MARGIN)
                    raise ValueError(f"calibration infeasible at rank {r}: needs {low[r]:.2f} (set by rank "
                                     f"{culprit}), at most {up:.2f}")
                target[r] = min(max(lo[r] + lam * (hi[r] - lo[r]), low[r]), up)
                prev = target[r]
            for c in lst:
                best = _solve(target[c.rank] - q[c.rank], tw[c.rank], not c.exchange, 0.1135)
                if best is None:
                    raise ValueError(f"calibration: no split of the knobs at rank {c.rank}")
                sol[c.rank] = best
            return target, sol

        def rd_mean(sol: dict) -> float:
            return sum(s[2] for s in sol.values()) / 100

        a_, b_ = 0.05, 0.95  # where the targets sit in their windows: moves the mean R&D ratio
        for _ in range(25):
            mid = (a_ + b_) / 2
            if rd_mean(plan(mid)[1]) > 0.1136:
                b_ = mid
            else:
                a_ = mid
        target, sol = plan((a_ + b_) / 2)
        # the list's mean R&D ratio: move R&D where the continuous knobs can take the difference
        for _ in range(12):
            mean = sum(s[2] for s in sol.values()) / 100
            delta = 0.1136 - mean
            if abs(delta) < 0.0002:
                break
            for c in lst:
                r = c.rank
                want = min(max(sol[r][2] + 3 * delta, 0.01), 0.40)
                alt = _solve(target[r] - q[r], tw[r], not c.exchange, want)
                if alt is not None and (alt[2] - sol[r][2]) * delta > 0 and abs(alt[2] - sol[r][2]) <= abs(want - sol[r][2]) + 1e-12:
                    sol[r] = alt
        for c in lst:
            _, sr, rd, t, u = sol[c.rank]
            c.truth["social_responsibility"] = float(sr)
            c.truth["compliance_incidents"] = (100 - sr) // 10
            c.truth["rd_expense"] = rd * c.truth["revenue"]
            _set_traffic(c, _traffic(t), mshare[c.rank])
            if u is not None:
                c.truth["users"] = float(round(_linv(u, USERS_MIN, USERS_MAX)))
                c.truth["users_prior"] = float(round(c.truth["users"] / (1.1 + 0.4 * mshare[c.rank])))
        # the report's concentration: the five and the next fifteen largest by traffic are scaled to
        # 54% and 30% of the list's traffic (repeated: scaling can move a company across the border)
        tr = {c.rank: c.truth["traffic_desktop"] + c.truth["traffic_mobile"] for c in lst}
        new = concentrate(tr, SHARE_TOP5, SHARE_TOP20, lambda t: sorted(t, key=lambda r: -t[r]))
        if all(abs(new[r] / tr[r] - 1) < 1e-6 for r in tr):
            break
        fixed_t = new
    mean = sum(c.truth["rd_expense"] / c.truth["revenue"] for c in lst) / len(lst)
    if not 0.1131 <= mean <= 0.1145:
        raise ValueError(f"calibration: mean R&D ratio {mean:.4f} off the report's 11.3%")
    final = total_score(table(lst + others))
    scores = [float(final[c.company_id]) for c in lst]
    gaps = [a - b for a, b in zip(scores, scores[1:])]
    best_other = max(float(final[c.company_id]) for c in others) if others else -1
    return {"min_gap": min(gaps), "last_list_score": scores[-1], "best_other_score": best_other,
            "ordered": min(gaps) > 0.05 and scores[-1] > best_other + 0.5}
