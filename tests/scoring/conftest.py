"""Small pools of made-up companies for the scoring tests (no warehouse needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

METRICS = ("internet_revenue", "employees_total", "operating_profit", "traffic", "market_value", "users",
           "internet_revenue_prior", "revenue", "rd_expense", "social_responsibility")


def synthetic_pool(n: int = 150, seed: int = 7) -> pd.DataFrame:
    """A pool with metrics_wide's shape: company columns plus metric columns, one row each."""
    rng = np.random.default_rng(seed)
    rev = np.exp(rng.uniform(np.log(1e8), np.log(2e11), n))
    listed = rng.random(n) < 0.5
    return pd.DataFrame({
        "company_id": [f"C{i:04d}" for i in range(n)],
        "legal_name": [f"公司{i}" for i in range(n)],
        "brands": [f"品牌{i}" for i in range(n)],
        "province": rng.choice(["beijing", "shanghai", "guangdong", "hunan"], n),
        "business_type": rng.choice(["ecommerce", "online_games", "general_portal"], n),
        "exchange": np.where(listed, rng.choice(["SSE", "HKEX", "NASDAQ"], n), None),
        "group_parent_id": None,
        "eligible": True,
        "excluded_reason": None,
        "internet_revenue": rev,
        "revenue": rev * 1.2,
        "employees_total": np.round(rev / 1e6),
        "operating_profit": rev * rng.uniform(-0.3, 0.4, n),
        "traffic": rev / 1e5 * rng.uniform(0.5, 2, n),
        "traffic_mobile": rng.uniform(0, 100, n),
        "traffic_desktop": rng.uniform(0, 100, n),
        "market_value": np.where(listed, rev * rng.uniform(2, 10, n), np.nan),
        "users": np.where(listed, np.nan, rev / 100),
        "internet_revenue_prior": rev / rng.uniform(0.8, 2.5, n),
        "revenue_prior": rev,
        "rd_expense": rev * rng.uniform(0, 0.3, n),
        "social_responsibility": rng.uniform(50, 100, n),
    })


@pytest.fixture
def pool() -> pd.DataFrame:
    return synthetic_pool()


@pytest.fixture(scope="session")  # a plain function: module-scoped fixtures may take it too
def make_pool():
    return synthetic_pool


@pytest.fixture
def no_findings() -> pd.DataFrame:
    return pd.DataFrame(columns=["company_id", "severity", "check", "kind", "metric"])
