"""Generate the demo world for one fiscal year, deterministically from a seed.

``generate(out_dir, seed=N)`` writes the layout of docs/CONTRACTS.md ("The demo world"):
world.json (every truth figure with its provenance), expected_findings.json (the planted
defects and traps), inbox/ (declaration forms and the delivered CSVs) and sources/ (what the
public hosts answer, in their real shapes). The same seed gives byte-identical files.

Size. ``candidates`` (at least 300) = the 100 list companies + synthetic candidates. The
300-candidate world is the demo's and is pinned (its known-answer tests). Beyond 300, public
documents grow with the candidates: one in four of the extra candidates (``registry.LISTED_SHARE``;
all extras score lower, role ``lower_score``) is an SZSE-listed synthetic company with a fictitious
code (block ``29xxxx``) and short name, its FY annual report PDF on CNINFO and its quote in the
market mirror. The 300 world has 42 report PDFs + 35 companyfacts = 77 public documents the
extract stage reads (73 after the superseded and cancelled reports are left out), 0.24-0.26 per
candidate; each listed synthetic company adds one, 0.25 per extra candidate: 1,000 candidates
have 77 + 175, 3,000 have 77 + 675. They get no trap and no defect, their declared figures are
those of their reports, and their market values are small (1.05-2.5 times the list's smallest,
indicators.synthetic_market_values), so neither the ranking nor the expected findings change.
Everything about them is drawn from its own random streams (``listed-<seed>``,
``listed-market-<seed>``, ``listed-sources-<seed>``).
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path

from mirror.world import calendar, defects, figures, fy2013, indicators
from mirror.world.calibrate import calibrate
from mirror.world.registry import Company, build_registry

MARKET_VALUE_DATE = date(2015, 6, 25)
# the valuation date of each fiscal year the generator covers (evaluation/<list year>.toml)
YEARS = {2014: MARKET_VALUE_DATE, fy2013.YEAR: fy2013.MARKET_VALUE_DATE}
ELIGIBLE_SYNTHETIC = ("lower_score", "anchor")


def _fx(year: int) -> list[dict]:
    series = calendar.fx_series(date(year - 1, 1, 1), MARKET_VALUE_DATE)
    for r in series:  # trap: no HKD/CNY parity published on the market-value date
        if r["date"] == MARKET_VALUE_DATE.isoformat():
            r["HKD/CNY"] = "---"
    return series


def build(seed: int, year: int = 2014, candidates: int = 300) -> tuple[list[Company], dict]:
    """The registry with every truth figure, calibrated; and the world's facts (fx, dates).
    Fiscal 2014 (the 2015 list) and fiscal 2013 (the 2014 list, built from the FY2014 world of
    the same seed and size: mirror.world.fy2013)."""
    if year not in YEARS:
        raise ValueError(f"the demo world covers fiscal years {' and '.join(map(str, sorted(YEARS)))} "
                         f"(the {' and '.join(str(y + 1) for y in sorted(YEARS))} lists), not {year}")
    if year == fy2013.YEAR:
        companies14, _ = build(seed, 2014, candidates)
        return fy2013.build(seed, candidates, companies14)
    fx = _fx(year)
    usd = {y: calendar.fx_average(fx, "USD/CNY", y) for y in (year - 1, year)}
    fx_mv = {"CNY": 1.0, "USD": calendar.fx_on(fx, "USD/CNY", MARKET_VALUE_DATE.isoformat())[1],
             "HKD": calendar.fx_on(fx, "HKD/CNY", MARKET_VALUE_DATE.isoformat())[1]}
    last_error = None
    for attempt in range(40):  # a few seeds' draws leave a margin out of its band: draw again
        companies = build_registry(seed, candidates)
        rng = random.Random(f"figures-{seed}-{attempt}")
        lst = sorted((c for c in companies if not c.synthetic), key=lambda c: c.rank)
        others = [c for c in companies if c.synthetic]
        try:
            figures.internet_revenue(lst, rng, usd[year - 1], usd[year])
            figures.growth(lst, rng)
            figures.profit(lst, rng, usd[year], usd[year - 1])
            indicators.staff_users(lst, rng)
            indicators.market_values(lst, rng, fx_mv)
            indicators.synthetic(others, lst, rng)
            indicators.synthetic_market_values(others, lst, random.Random(f"listed-market-{seed}"))
            pool = [c for c in others if c.role in ELIGIBLE_SYNTHETIC]
            cal = calibrate(lst, pool, rng)
            if not cal["ordered"]:
                raise ValueError(f"calibration left the order broken: {cal}")
            for c in others:  # duplicates declare the original's figures
                if "duplicate_of" in c.truth:
                    orig = next(o for o in lst if o.company_id == c.truth["duplicate_of"])
                    keep = c.truth["duplicate_of"]
                    c.truth = {k: v for k, v in orig.truth.items() if k not in ("close", "total_shares", "market_value")}
                    c.truth.update(duplicate_of=keep, users=1.0e7, users_prior=8.0e6)
            break
        except ValueError as exc:
            last_error = exc
    else:
        raise RuntimeError(f"seed {seed}: no calibrated world after 40 draws: {last_error}")
    facts = {"fx": fx, "usd_avg": usd, "fx_mv": fx_mv, "calibration": cal, "attempt": attempt}
    return companies, facts


def generate(out_dir: Path, *, seed: int, year: int = 2014, candidates: int = 300,
             max_pdfs: int | None = None) -> Path:
    """Write the world under ``out_dir`` (replaced if it exists) and return it.
    ``max_pdfs`` limits the number of PDF documents (tests); None writes all of them."""
    from mirror.world import sources

    out_dir = Path(out_dir)
    if out_dir.exists():  # only ever replace a previous world, never some other folder
        if any(out_dir.iterdir()) and not (out_dir / "world.json").is_file():
            raise FileExistsError(f"{out_dir} exists and is not a generated world (no world.json): not replacing it")
        shutil.rmtree(out_dir)
    companies, facts = build(seed, year, candidates)
    tag = "" if year == 2014 else f"{year}-"  # each year's own random streams (FY2014's as they always were)
    rng = random.Random(f"defects-{tag}{seed}")
    if year == fy2013.YEAR:  # the leavers that joined a group in 2014 (mirror.world.fy2013)
        by_id = {c.company_id: c for c in companies}
        joins = tuple((c.rank, by_id[c.group_parent_id].rank, c.joined_group_on)
                      for c in sorted(companies, key=lambda c: c.company_id) if c.rank and c.joined_group_on)
        findings, traps, edits = defects.plan(companies, rng, year=year, joins=joins)
    else:
        findings, traps, edits = defects.plan(companies, rng)
    inbox = out_dir / "inbox"
    inbox.mkdir(parents=True)
    defects.write_declarations(inbox, companies, year, edits, random.Random(f"forms-{tag}{seed}"))
    defects.write_delivered(inbox, companies, year, random.Random(f"delivered-{tag}{seed}"))
    traps += sources.write_sources(out_dir / "sources", companies, facts, year, YEARS[year],
                                   random.Random(f"sources-{tag}{seed}"), max_pdfs=max_pdfs,
                                   listed_rng=random.Random(f"listed-sources-{tag}{seed}"))
    findings.sort(key=lambda f: (f["company_id"], f["check"], f["metric"], f["kind"]))
    traps.sort(key=lambda t: (t.get("company_id") or "", t["kind"], json.dumps(t, sort_keys=True, ensure_ascii=False)))
    _dump(out_dir / "expected_findings.json", {"seed": seed, "fiscal_year": year, "findings": findings, "traps": traps})
    _dump(out_dir / "world.json", world_json(companies, facts, seed, year))
    return out_dir


def world_json(companies: list[Company], facts: dict, seed: int, year: int) -> dict:
    lst = sorted((c for c in companies if c.rank), key=lambda c: c.rank)
    rows = []
    for c in companies:
        truth = {k: v for k, v in sorted(c.truth.items()) if isinstance(v, (int, float, str, bool)) or v is None}
        rows.append({
            "company_id": c.company_id, "legal_name": c.legal_name, "brands": c.brands,
            "published_rank": c.rank, "synthetic": c.synthetic,
            "role": c.role, "excluded_reason": None if c.role in ("list", "lower_score", "anchor") else c.role,
            "business_type": c.business_type, "province": c.province, "exchange": c.exchange,
            "ticker": c.ticker, "ticker_source": c.ticker_src, "cik": c.cik, "ads_ratio": c.ads_ratio,
            "reporting_currency": c.currency, "self_operated_ecommerce": c.self_op,
            "licence_type": c.licence_type, "licence_number": c.licence_number,
            "group_parent_id": c.group_parent_id, "joined_group_on": c.joined_group_on,
            "network_in_mainland": c.network_in_mainland, "business_in_mainland": c.business_in_mainland,
            "truth": truth, "provenance": dict(sorted(c.provenance.items())),
        })
    out = {
        "seed": seed, "fiscal_year": year, "market_value_date": YEARS[year].isoformat(),
        "list_year": year + 1, "source": "2015 年中国互联网企业 100 强 (mirror/data/top100_2015.tsv); figures "
        "real where mirror/data/real_figures.csv names them, otherwise generated",
        "rules": {
            "fx_flows": "mean CFETS central parity of the fiscal year", "fx_stocks": "CFETS parity on the date, "
            "else the last published before it", "ecommerce": "internet revenue = revenue - cost of goods; "
            "without cost: revenue × median gross margin of the other self-operated e-commerce companies",
            "social_responsibility": "100 - 10 per declared incident (max 5) - 20 per integrity record - 30 if not tax compliant",
            "top_n_shares": "top 5 / top 10 by internet revenue", "margins": "unweighted mean of operating profit / revenue",
        },
        "expected_ranking": [c.company_id for c in lst],
        "published_figures": figures.summary(lst),
        "calibration": facts["calibration"],
        "companies": rows,
    }
    if year == fy2013.YEAR:
        out["source"] = ("the FY2014 world of the same seed one year earlier (mirror/world/fy2013.py) and what the "
                         "2015 report states about the previous list (evaluation/2014.toml)")
        out["published_rank_source"] = ("generated: the 2014 list's order is not among our sources; "
                                        "published_rank is the order calibrated from the generator's method")
        out["published_figures"] = {**out["published_figures"], **fy2013.summary(lst)}
        out["entrants"] = facts["entrants"]  # on the 2015 list, not on this one: why
        out["leavers"] = [c.company_id for c in lst if c.synthetic]  # on this list, not a 2015 candidate
    return out


def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
