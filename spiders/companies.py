"""The candidates a crawl covers: ``-a companies=<candidates.json>`` or a comma list of tickers.

candidates.json (docs/CONTRACTS.md): ``[{"company_id", "legal_name", "exchange", "ticker",
"ads_ratio", "cik", "ipo_in_progress"}]``
(``cik``: the SEC filer as of the fiscal year; ``ipo_in_progress``: optional, true for an unlisted
candidate whose IPO is under review). A comma list (``600519,000001,00700,NYSE:BABA``) names listings
directly; the exchange is inferred from the code's shape unless given as ``EXCHANGE:TICKER``,
and the ticker is the company id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from top100.vocab import Exchange, check_company_id

_HK = re.compile(r"^\d{1,5}$")
_A = re.compile(r"^\d{6}$")
_US = re.compile(r"^[A-Za-z][A-Za-z.\-]{0,9}$")


@dataclass(frozen=True)
class Company:
    company_id: str
    exchange: str | None
    ticker: str | None
    ads_ratio: float | None = None
    cik: int | None = None
    name: str = ""
    ipo_in_progress: bool = False  # unlisted, declares an IPO under way: its 预披露 prospectus is searched


def infer(token: str) -> Company:
    exchange, _, ticker = token.rpartition(":")
    ticker = ticker.strip()
    if exchange:
        exchange = Exchange(exchange.strip().upper()).value
    elif _A.match(ticker):
        exchange = "SSE" if ticker.startswith(("6", "9")) else "SZSE"
    elif _HK.match(ticker):
        exchange, ticker = "HKEX", ticker.zfill(5)
    elif _US.match(ticker):
        exchange, ticker = "NASDAQ", ticker.upper()
    else:
        raise ValueError(f"cannot tell the exchange of ticker {token!r}; write EXCHANGE:TICKER")
    return Company(check_company_id(ticker.replace(".", "-")), exchange, ticker)


def load(arg: str | None, default_file: Path) -> list[Company]:
    """Companies from a candidates file, a comma list, or (no argument) ``default_file``."""
    path = Path(arg) if arg else default_file
    if arg and not path.is_file() and not arg.endswith(".json"):
        return [infer(token) for token in arg.split(",") if token.strip()]
    if not path.is_file():
        raise FileNotFoundError(f"candidates file {path} does not exist")
    rows = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for index, row in enumerate(rows):
        try:
            exchange = Exchange(row["exchange"]).value if row.get("exchange") else None
            out.append(Company(
                company_id=check_company_id(row["company_id"]), exchange=exchange,
                ticker=str(row["ticker"]).strip() if row.get("ticker") else None,
                ads_ratio=float(row["ads_ratio"]) if row.get("ads_ratio") else None,
                cik=int(str(row["cik"]).upper().removeprefix("CIK")) if row.get("cik") else None,
                name=str(row.get("legal_name") or ""), ipo_in_progress=row.get("ipo_in_progress") is True,
            ))
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: candidate {index}: {exc}") from exc
    return out
