"""How robust the list is to the weights, which the method does not publish (issue 8).

Every weight is multiplied by an independent draw from U(1 - p, 1 + p) (p = 0.20 by default),
N times from a seeded generator; the normalised indicator scores do not depend on the weights,
so each draw's totals are one matrix product: (companies x indicators) @ (indicators x draws).
Ranks per draw come from one stable argsort over the companies in base-rank order, so ties fall
the way the base ranking's tie rule puts them. N = 1000 over a pool of a few hundred takes well
under a second (benchmarks/bench_scoring.py prints the timing).

Per company: the base rank, the best and worst rank over the draws, the 5th/50th/95th
percentiles, and the share of draws in which it is on the list. Overall: per draw, how many of
the base list's companies stay in the list; and how many stay in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.config import ScoringConfig
from scoring.index import score_matrix


@dataclass
class SensitivityResult:
    n: int
    seed: int
    perturbation: float
    top_n: int
    per_company: pd.DataFrame  # index company_id
    stay_counts: np.ndarray  # per draw: how many of the base top_n are still in the top_n
    summary: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)  # company_id -> legal name, for the text

    @property
    def text(self) -> str:
        """What ``top100 score --sensitivity N`` prints: the summary, then the list's rank ranges."""
        s = self.summary
        lines = [
            f"sensitivity: {s['draws']} draws (seed {s['seed']}), every weight x U({1 - self.perturbation:.2f}, "
            f"{1 + self.perturbation:.2f})",
            f"of the {s['list_size']} on the list, {s['stay_min']}-{s['stay_max']} stay per draw "
            f"(mean {s['stay_mean']:.1f}); {s['always_in_list']} in every draw; {s['rank_unchanged']} never move; "
            f"widest range {s['max_rank_spread']} places; {s['ever_in_list_from_outside']} outsiders enter in some draw",
            f"{'rank':>4}  {'best':>4}  {'worst':>5}  {'in list':>7}  company",
        ]
        listed = self.per_company[self.per_company["base_rank"] <= self.top_n]
        for cid, r in listed.iterrows():
            lines.append(f"{int(r['base_rank']):>4}  {int(r['min_rank']):>4}  {int(r['max_rank']):>5}  "
                         f"{r['in_list_share'] * 100:>6.1f}%  {cid} {self.names.get(cid, '')}")
        return "\n".join(lines)


def weight_draws(config: ScoringConfig, n: int, seed: int) -> np.ndarray:
    """(n x indicators) perturbed weights, normalised to sum 1 per draw."""
    weights = np.array(list(config.weights.values()), dtype="float64")
    rng = np.random.default_rng(seed)
    spread = config.sensitivity_perturbation
    draws = weights * rng.uniform(1.0 - spread, 1.0 + spread, size=(n, weights.size))
    return draws / draws.sum(axis=1, keepdims=True)


def draw_ranks(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(companies x draws) ranks, 1 = best; rows of ``scores`` must be in base-rank order."""
    totals = scores @ weights.T  # (companies x draws)
    order = np.argsort(-totals, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[0] + 1)[:, None], axis=0)
    return ranks


def sensitivity(ranked: pd.DataFrame, config: ScoringConfig, n: int | None = None,
                seed: int | None = None) -> SensitivityResult:
    """``ranked``: the composite output of every eligible company, in base-rank order."""
    n = config.sensitivity_draws if n is None else int(n)
    seed = config.sensitivity_seed if seed is None else int(seed)
    if n < 1:
        raise ValueError(f"sensitivity needs at least one draw, got {n}")
    top = config.top_n
    scores = score_matrix(ranked, config)
    ranks = draw_ranks(scores, weight_draws(config, n, seed))
    base = np.arange(1, len(ranked) + 1)
    in_list = ranks <= top
    pct = np.percentile(ranks, [5, 50, 95], axis=1) if len(ranked) else np.zeros((3, 0))
    per = pd.DataFrame({
        "base_rank": base,
        "min_rank": ranks.min(axis=1) if len(ranked) else base,
        "max_rank": ranks.max(axis=1) if len(ranked) else base,
        "p05_rank": pct[0], "median_rank": pct[1], "p95_rank": pct[2],
        "in_list_share": in_list.mean(axis=1) if len(ranked) else base * 0.0,
    }, index=ranked.index)
    per.index.name = "company_id"
    base_list = base <= top
    stay = in_list[base_list].sum(axis=0) if len(ranked) else np.zeros(n, dtype=int)
    listed = per[per["base_rank"] <= top]
    summary = {
        "draws": n, "seed": seed, "perturbation": config.sensitivity_perturbation,
        "list_size": int(base_list.sum()),
        "stay_min": int(stay.min()), "stay_mean": float(stay.mean()), "stay_max": int(stay.max()),
        "always_in_list": int((listed["in_list_share"] == 1.0).sum()),
        "rank_unchanged": int((listed["min_rank"] == listed["max_rank"]).sum()),
        "max_rank_spread": int((listed["max_rank"] - listed["min_rank"]).max()) if len(listed) else 0,
        "ever_in_list_from_outside": int((per.loc[per["base_rank"] > top, "in_list_share"] > 0).sum()),
    }
    return SensitivityResult(n, seed, config.sensitivity_perturbation, top, per, stay, summary)

