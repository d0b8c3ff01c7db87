"""The EastMoney quote feed of the demo world: daily klines up to the market-value date and the
stock snapshot (total shares) per listed company (list companies, and the listed synthetic
candidates of worlds larger than 300). Some tickers are suspended on the
market-value date (停牌): the last close before it applies (a trap)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from mirror.world import calendar
from mirror.world.indicators import VENUE
from mirror.world.registry import Company


def secid(c: Company) -> str:
    if c.exchange == "SSE":
        return f"1.{c.ticker}"
    if c.exchange == "SZSE":
        return f"0.{c.ticker}"
    if c.exchange == "HKEX":
        return f"116.{c.ticker}"
    return f"{105 if c.exchange == 'NASDAQ' else 106}.{c.ticker}"


def write_market(root: Path, listed: list[Company], mv_date: date, rng: random.Random, *,
                 suspend: bool = True) -> list[dict]:
    """``suspend``: one ticker per venue (the second by id) is suspended on the market-value date."""
    traps = []
    by_venue: dict[str, list[Company]] = {}
    for c in sorted(listed, key=lambda c: c.company_id):
        by_venue.setdefault(VENUE[c.exchange], []).append(c)
    suspended = {v[1].company_id for v in by_venue.values() if len(v) > 1} if suspend else set()
    for c in listed:
        venue = VENUE[c.exchange]
        days = [d for d in calendar.days(mv_date - timedelta(days=120), mv_date) if calendar.trading_day(d, venue)]
        if c.company_id in suspended:
            days = days[: -rng.randint(2, 4)]
            traps.append({"company_id": c.company_id, "name": c.legal_name, "kind": "market_value_date_not_trading_day",
                          "ticker": c.ticker, "last_trading_day": days[-1].isoformat(),
                          "handling": f"no trading on {mv_date} (suspended since {days[-1] + timedelta(days=1)}): the last "
                                      f"close before it ({days[-1]}, {c.truth['close']:.2f}) applies"})
        close = c.truth["close"]
        path = [close]
        for _ in days[1:]:
            path.append(round(max(path[-1] / (1 + rng.gauss(0, 0.02)), 0.5), 2))
        path = path[::-1]
        lines = []
        for i, d in enumerate(days):
            cl = path[i]
            op = round(cl * (1 + rng.uniform(-0.01, 0.01)), 2)
            hi, lo = round(max(op, cl) * 1.012, 2), round(min(op, cl) * 0.988, 2)
            vol = rng.randint(20000, 900000)
            lines.append(f"{d.isoformat()},{op:.2f},{cl:.2f},{hi:.2f},{lo:.2f},{vol},{vol * cl * 100:.2f},"
                         f"{(hi - lo) / cl * 100:.2f}")
        sid = secid(c)
        out = root / "market"
        (out / "kline").mkdir(parents=True, exist_ok=True)
        (out / "stock").mkdir(parents=True, exist_ok=True)
        (out / "kline" / f"{sid}.json").write_text(json.dumps(lines, indent=0) + "\n", encoding="utf-8")
        (out / "stock" / f"{sid}.json").write_text(json.dumps(
            {"f57": c.ticker, "f58": c.short_name or c.brands.split("、")[0], "f84": c.truth["total_shares"],
             "f116": "-", "f117": "-"},
            ensure_ascii=False) + "\n", encoding="utf-8")
    return traps
