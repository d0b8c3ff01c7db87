"""Share counts as of the valuation date, and the delivered market values (issue 17).

- ``from_companyfacts``: companyfacts' ``dei:EntityCommonStockSharesOutstanding`` (the count a
  filing's cover states, with the date it is stated for): the latest count stated on or before
  the valuation date and filed on or before it (the public record as it stood). The classes of
  one cover (Class A and Class B, the same accession and date) are added.
- ``read_market_values``: ``inbox/market_values.csv`` with ``company_id,date,close,shares,source``
  — the documented alternative where a quote host refuses us (EastMoney's robots.txt disallows its
  API paths), or to state a count the public sources do not give.
- ``robots_rule``: the robots.txt line that refuses a path (Protego, Scrapy's own parser).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from top100.errors import SchemaDrift
from top100.vocab import check_company_id

DEI = "EntityCommonStockSharesOutstanding"
MARKET_VALUES = "market_values.csv"
MARKET_VALUE_COLUMNS = ("company_id", "date", "close", "shares", "source")
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Count:
    shares: float
    as_of: str | None
    filed: str | None
    source: str


def from_companyfacts(data: Any, on: date) -> Count | None:
    """The latest cover count stated and filed on or before ``on``; None when there is none."""
    if not isinstance(data, dict) or not isinstance(data.get("facts"), dict):
        raise SchemaDrift("companyfacts: no 'facts' object")
    concept = (data["facts"].get("dei") or {}).get(DEI)
    if not concept:
        return None
    rows = (concept.get("units") or {}).get("shares")
    if not isinstance(rows, list):
        raise SchemaDrift(f"companyfacts dei:{DEI}: units.shares is not a list")
    day = on.isoformat()
    facts = [fact for fact in rows if isinstance(fact, dict) and str(fact.get("end", "")) <= day
             and str(fact.get("filed", "")) <= day and isinstance(fact.get("val"), (int, float))]
    if not facts:
        return None
    best = max(facts, key=lambda fact: (str(fact["filed"]), str(fact["end"])))
    same = {fact["val"] for fact in facts if fact.get("accn") == best.get("accn") and fact.get("end") == best.get("end")}
    return Count(float(sum(same)), str(best["end"]), str(best["filed"]),
                 f"companyfacts dei:{DEI} {best.get('form') or ''} {best.get('accn') or ''}".strip()
                 + (f" ({len(same)} classes added)" if len(same) > 1 else ""))


@dataclass(frozen=True)
class Delivered:
    company_id: str
    date: str
    close: float
    shares: float
    source: str
    row: int


def read_market_values(path: Path) -> tuple[list[Delivered], list[str]]:
    """The rows of a delivered market_values.csv and the problems of the rows not used (each
    naming the row and the cause)."""
    problems: list[str] = []
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        return [], [f"{path.name}: {len(data)} bytes exceeds {MAX_BYTES}"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path.name}: not UTF-8 text ({exc.reason})"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if tuple(header) != MARKET_VALUE_COLUMNS:
        return [], [f"{path.name}: header is {header!r}, expected {','.join(MARKET_VALUE_COLUMNS)}"]
    out: list[Delivered] = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(MARKET_VALUE_COLUMNS):
            problems.append(f"{path.name} row {line_number}: {len(cells)} cells, expected {len(MARKET_VALUE_COLUMNS)}")
            continue
        company_id, day, close, shares, source = (cell.strip() for cell in cells)
        try:
            check_company_id(company_id)
            date.fromisoformat(day)
            close_price, share_count = float(close.replace(",", "")), float(shares.replace(",", ""))
            if not (close_price > 0 and share_count > 0) or close_price != close_price \
                    or share_count != share_count or close_price == float("inf") or share_count == float("inf"):
                raise ValueError("close and shares must be positive numbers")
            if not source:
                raise ValueError("source is empty (say where the close and the count come from)")
        except ValueError as exc:
            problems.append(f"{path.name} row {line_number}: {exc}")
            continue
        out.append(Delivered(company_id, day, close_price, share_count, source[:200], line_number))
    return out, problems


def robots_rule(robots_txt: str, url_path: str, user_agent: str) -> str | None:
    """The ``Disallow`` line of ``robots_txt`` that refuses ``url_path`` to ``user_agent``, or
    None when the path is allowed. Protego decides; the line is found for the message."""
    from protego import Protego

    parser = Protego.parse(robots_txt)
    if parser.can_fetch(url_path, user_agent):
        return None
    best = None
    for line in robots_txt.splitlines():
        key, _, value = line.partition(":")
        value = value.split("#")[0].strip()
        if key.strip().lower() == "disallow" and value and url_path.startswith(value.rstrip("*").rstrip("$")):
            if best is None or len(value) > len(best):
                best = value
    return f"Disallow: {best}" if best else "a Disallow rule"
