"""The score stage: read the year from the warehouse, rank, write the ranking mart and CSVs.

Reads only through the warehouse's named reads (``warehouse.reads.metrics_wide``, ``findings``,
``companies``) and writes through ``warehouse.marts.write_ranking``; everything in between is
the pure functions of scoring.rank and scoring.index.

Files written under ``out/<year>/``:
- ``ranking.csv``: rank, company_id, name (legal name), brands, total_score;
- ``eligibility.csv``: every company of the pool, eligible or the reason it is not;
- ``sensitivity.csv`` (``sensitivity_year``): per company the range of ranks under perturbed weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.config import ScoringConfig
from scoring.csvout import write_csv
from scoring.rank import rank_pool, ranking_rows
from scoring.sensitivity import SensitivityResult, sensitivity
from top100.records import RankingRow
from top100.year import YearContext, YearNotAvailable, load_year

COMPANY_COLUMNS = ("legal_name", "brands", "province", "business_type", "exchange", "ticker",
                   "group_parent_id", "eligible", "excluded_reason", "self_operated_ecommerce")


@dataclass
class YearScore:
    pool: pd.DataFrame  # metrics_wide joined with clean.company, indexed by company_id
    findings: pd.DataFrame
    eligibility: pd.DataFrame
    ranked: pd.DataFrame  # every eligible company, scored and ordered
    rows: list[RankingRow]
    config: ScoringConfig
    # growth: the prior year from the warehouse where it holds last year (scoring.growth)
    prior_source: str = "this year's prior-year column"
    growth_findings: list = field(default_factory=list)
    context: YearContext | None = None  # the year scored (top100.year): its facts and its files


def build_pool(metrics_wide: pd.DataFrame, companies: pd.DataFrame) -> pd.DataFrame:
    """metrics_wide with the company columns it lacks taken from clean.company; a company with no
    metrics at all is kept (it will be excluded as below the floor, with that reason)."""
    metrics = metrics_wide.copy()
    if "company_id" not in metrics.columns:
        metrics = metrics.reset_index()
    company_rows = companies.copy()
    if "company_id" not in company_rows.columns:
        company_rows = company_rows.reset_index()
    take = ["company_id", *[c for c in COMPANY_COLUMNS if c in company_rows.columns and c not in metrics.columns]]
    pool = metrics.merge(company_rows[take], on="company_id", how="outer") if len(company_rows) else metrics
    pool["company_id"] = pool["company_id"].astype(str)
    return pool.sort_values("company_id", kind="mergesort").set_index("company_id", drop=False)


def year_context(settings: Any, year: YearContext | int) -> YearContext:
    """The year (top100.year): the context given, else a bare fiscal year read from its file and
    placed in ``settings.out_dir`` (top100.year.year_for)."""
    if isinstance(year, YearContext):
        return year
    evaluation = getattr(settings, "evaluation", None)
    return load_year(int(year), getattr(evaluation, "dir", None)).at(Path(settings.out_dir))


def fiscal_year_of(year: YearContext | int) -> int:
    return year.fiscal_year if isinstance(year, YearContext) else int(year)


def require_year(engine: Any, year: int) -> None:
    """A year that is not in the warehouse (or has no companies there) is refused: nothing is
    scored or written (the command exits 3)."""
    from warehouse import reads

    if year not in set(reads.years(engine)):
        loaded = ", ".join(str(y) for y in reads.years(engine)) or "none"
        raise YearNotAvailable(f"fiscal year {year} is not in the warehouse (years loaded: {loaded}); "
                               f"run `top100 run --year {year}` (or its load stage) first; nothing written")


def compute(settings: Any, engine: Any, year: YearContext | int) -> YearScore:
    """Everything the score and report stages need for one year (its context, or a bare fiscal
    year: see ``year_context``), read from the warehouse."""
    from warehouse import reads

    year_given, year = year, fiscal_year_of(year)
    require_year(engine, year)  # before the year's file is read: a year not loaded is refused first
    ctx = year_context(settings, year_given)
    config = ScoringConfig.from_year(ctx, settings)
    pool = build_pool(reads.metrics_wide(engine, year), reads.companies(engine, year))
    if pool.empty:
        raise YearNotAvailable(f"fiscal year {year}: the warehouse holds no companies for it; nothing written")
    prior_source, growth_findings = "this year's prior-year column", []
    if year - 1 in set(reads.years(engine)):
        from scoring.growth import apply_prior, cross_check

        last, growth_findings = cross_check(reads.metrics_long(engine, year), reads.metrics_long(engine, year - 1), year)
        if last:
            pool = apply_prior(pool, last)
            prior_source = f"warehouse, fiscal year {year - 1}"
    findings = reads.findings(engine, year)
    elig, ranked = rank_pool(pool, findings, config)
    rows = ranking_rows(ranked, pool, year, config)
    return YearScore(pool, findings, elig, ranked, rows, config, prior_source, growth_findings, ctx)


def write_ranking_csv(path: Path, rows: list[RankingRow]) -> int:
    return write_csv(path, ["rank", "company_id", "name", "brands", "total_score"],
                     ([r.rank, r.company_id, r.name, r.brands, r.total_score] for r in rows))


def write_eligibility_csv(path: Path, pool: pd.DataFrame, elig: pd.DataFrame, ranked: pd.DataFrame) -> int:
    rank = ranked["rank"] if "rank" in ranked else pd.Series(dtype="int64")
    score = ranked["total_score"] if "total_score" in ranked else pd.Series(dtype="float64")

    def rows():
        for cid, e in elig.iterrows():
            r = rank.get(cid)
            s = score.get(cid)
            yield [cid, pool.at[cid, "legal_name"] if "legal_name" in pool else "",
                   bool(e["eligible"]), e["excluded_reason"] or "",
                   None if r is None else int(r), None if s is None else round(float(s), 6)]

    return write_csv(path, ["company_id", "name", "eligible", "excluded_reason", "score_rank", "total_score"],
                     rows())


def score_year(settings: Any, engine: Any, year: YearContext | int, run_id: str) -> list[RankingRow]:
    """Rank the year (its context, or a bare fiscal year), write marts.ranking and
    out/<year>/ranking.csv; return the list."""
    from warehouse import marts

    year_score = compute(settings, engine, year)
    marts.write_ranking(engine, year_score.context.fiscal_year, year_score.rows, run_id)
    paths = year_score.context.paths
    write_ranking_csv(paths.ranking_csv, year_score.rows)
    write_eligibility_csv(paths.root / "eligibility.csv", year_score.pool, year_score.eligibility, year_score.ranked)
    write_csv(paths.root / "growth_findings.csv",  # last year's figure against this year's prior-year columns
              ["company_id", "kind", "metric", "column", "warehouse", "this_year", "message"],
              ([f["company_id"], f["kind"], f["metric"], f["column"], f["warehouse"], f["this_year"], f["message"]]
               for f in year_score.growth_findings))
    return year_score.rows


def sensitivity_year(settings: Any, engine: Any, year: YearContext | int, n: int | None = None,
                     seed: int | None = None) -> SensitivityResult:
    """``top100 score --sensitivity N``: N weight draws (scoring.sensitivity, which reads nothing);
    reads the year (read-only) and writes out/<year>/sensitivity.csv."""
    year_score = compute(settings, engine, year)
    res = sensitivity(year_score.ranked, year_score.config, n=n, seed=seed)
    if "legal_name" in year_score.pool:
        res.names = {str(k): str(v) for k, v in year_score.pool["legal_name"].items() if isinstance(v, str)}
    paths = year_score.context.paths
    cols = ["company_id", "name", *res.per_company.columns]
    write_csv(paths.root / "sensitivity.csv", cols,
              ([cid, res.names.get(str(cid), ""), *[r[c] for c in res.per_company.columns]]
               for cid, r in res.per_company.iterrows()))
    return res
