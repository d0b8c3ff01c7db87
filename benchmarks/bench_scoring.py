"""Scoring speed: composite index, ranking and the sensitivity analysis (N = 1000) over a
made-up pool of 400 candidates. Prints figures; asserts nothing (the target: N = 1000 in seconds).

    .venv/bin/python benchmarks/bench_scoring.py [pool size] [draws]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.config import ScoringConfig  # noqa: E402
from scoring.rank import rank_pool  # noqa: E402
from scoring.sensitivity import sensitivity  # noqa: E402


def pool(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rev = np.exp(rng.uniform(np.log(1e8), np.log(2e11), n))
    listed = rng.random(n) < 0.5
    return pd.DataFrame({
        "company_id": [f"C{i:05d}" for i in range(n)], "legal_name": "x", "brands": "y",
        "group_parent_id": None, "eligible": True, "internet_revenue": rev, "revenue": rev * 1.2,
        "employees_total": rev / 1e6, "operating_profit": rev * rng.uniform(-0.3, 0.4, n),
        "traffic": rev / 1e5, "market_value": np.where(listed, rev * 5, np.nan),
        "users": np.where(listed, np.nan, rev / 100), "internet_revenue_prior": rev / rng.uniform(0.8, 2.5, n),
        "rd_expense": rev * rng.uniform(0, 0.3, n), "social_responsibility": rng.uniform(50, 100, n)})


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    p = pool(n)
    cfg = ScoringConfig()
    t0 = time.perf_counter()
    _, ranked = rank_pool(p, pd.DataFrame(columns=["company_id", "severity"]), cfg)
    t1 = time.perf_counter()
    res = sensitivity(ranked, cfg, n=draws)
    t2 = time.perf_counter()
    print(f"pool {n}, eligible {len(ranked)}")
    print(f"eligibility + composite + ranking: {(t1 - t0) * 1000:.1f} ms")
    print(f"sensitivity, {draws} draws:          {(t2 - t1) * 1000:.1f} ms")
    print(f"list members staying per draw: {res.summary['stay_min']}-{res.summary['stay_max']}")


if __name__ == "__main__":
    main()
