"""The score and report stages against the real warehouse (DuckDB file): named reads in,
marts and files out, last year's list total taken from the warehouse when it is there."""

from __future__ import annotations

import csv
import math
import os

import pytest

from top100.config import Settings
from top100.jsonl import write_jsonl
from top100.paths import YearPaths
from top100.records import CompanyRow, Finding, MetricRow

METRICS = ("internet_revenue", "employees_total", "operating_profit", "traffic", "traffic_mobile",
           "traffic_desktop", "market_value", "users", "internet_revenue_prior", "revenue", "rd_expense",
           "social_responsibility")


def _text(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def write_year(out_dir, year, pool, findings=()):
    paths = YearPaths(out_dir, year)
    companies, metrics = [], []
    for r in pool.to_dict("records"):
        companies.append(CompanyRow(
            company_id=r["company_id"], fiscal_year=year, legal_name=r["legal_name"], brands=r["brands"],
            province=r["province"], business_type=r["business_type"], exchange=_text(r["exchange"]),
            ticker=None, group_parent_id=_text(r["group_parent_id"]), licence_type="ICP", licence_number=None,
            self_operated_ecommerce=False))
        for m in METRICS:
            v = r[m]
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                metrics.append(MetricRow(r["company_id"], year, m, float(v), "declared", None, float(v), None, None,
                                         "declared_only", "declared_only"))
    write_jsonl(paths.companies, companies)
    write_jsonl(paths.metrics, metrics)
    write_jsonl(paths.findings, list(findings))
    return paths


PG_BASE = os.environ.get("TOP100_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request, tmp_path):
    """A DuckDB file, or a fresh PostgreSQL database (the warehouse uses named schemas, so a
    search_path schema cannot isolate it), dropped afterwards."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'top100.duckdb'}"
        return
    yield request.getfixturevalue("pg_db_url")


@pytest.mark.browser
def test_score_and_report_through_the_warehouse(tmp_path, make_pool, warehouse_url):
    from warehouse import reads
    from warehouse.engine import connect
    from warehouse.load import load_year
    from warehouse.runs import start_run

    from scoring.report import build_report, side_by_side_text
    from scoring.run import score_year, sensitivity_year

    out = tmp_path / "out"
    settings = Settings(out_dir=out, warehouse_url=warehouse_url)
    engine = connect(settings.warehouse)
    try:
        run = start_run(engine, "test", {}, "test")
        prev = make_pool(130, seed=2)
        load_year(engine, write_year(out, 2013, prev), run)
        rows_2013 = score_year(settings, engine, 2013, run)
        pool = make_pool(150, seed=3)
        pool.loc[pool.company_id == "C0007", "legal_name"] = "=cmd|' /C calc'!A0"
        bad = Finding("C0001", 2014, "licence", "licence_number", "licence_expired", "ERROR", "expired")
        load_year(engine, write_year(out, 2014, pool, [bad]), run)

        rows = score_year(settings, engine, 2014, run)
        assert [r.rank for r in rows] == list(range(1, 101))
        assert "C0001" not in {r.company_id for r in rows}
        stored = reads.ranking(engine, 2014)
        assert stored["company_id"].tolist() == [r.company_id for r in rows]
        with (out / "2014" / "ranking.csv").open(encoding="utf-8") as fh:
            table = list(csv.DictReader(fh))
        assert [t["company_id"] for t in table] == [r.company_id for r in rows]
        assert all(not t["name"].startswith("=") for t in table)
        with (out / "2014" / "eligibility.csv").open(encoding="utf-8") as fh:
            elig = {e["company_id"]: e for e in csv.DictReader(fh)}
        assert len(elig) == 150 and elig["C0001"]["excluded_reason"].startswith("error_finding")

        index = build_report(settings, engine, 2014, run)
        assert index == out / "2014" / "report" / "index.html"
        assert (index.parent / "report.pdf").read_bytes()[:5] == b"%PDF-"
        figures = reads.report_figures(engine, 2014)
        fig = figures.set_index("name")
        prev_total = sum(prev.set_index("company_id").loc[[r.company_id for r in rows_2013], "internet_revenue"])
        assert fig.loc["previous_list_total", "value"] == pytest.approx(prev_total)
        assert "warehouse, fiscal year 2013" in index.read_text(encoding="utf-8")
        # last year's list from the warehouse: entrants, leavers and rank moves by company
        import lxml.html

        doc = lxml.html.fromstring(index.read_text(encoding="utf-8"))
        now, before = {r.company_id: r.rank for r in rows}, {r.company_id: r.rank for r in rows_2013}
        cell = lambda table: [tr.xpath("td[2]")[0].text_content() for tr in doc.xpath(f'//table[@id="{table}"]/tbody/tr')]
        assert cell("entrants") == sorted(set(now) - set(before), key=now.get)
        assert cell("leavers") == sorted(set(before) - set(now), key=before.get)
        moves = doc.xpath('//table[@id="rank-moves"]/tbody/tr')
        assert len(moves) == len(set(now) & set(before)) > 0
        first = moves[0].xpath("td")
        cid = first[3].text_content()
        assert int(first[1].text_content()) == before[cid] and int(first[2].text_content()) == before[cid] - now[cid]
        # growth against the warehouse's FY2013 figures: the two random years disagree, each a finding
        with (out / "2014" / "growth_findings.csv").open(encoding="utf-8") as fh:
            growth = list(csv.DictReader(fh))
        assert growth and {g["kind"] for g in growth} == {"inconsistent"}  # the forms' prior column
        assert "Growth uses the prior year from: warehouse, fiscal year 2013" in index.read_text(encoding="utf-8")
        assert fig.loc["growth_vs_previous_list", "value"] == pytest.approx(
            fig.loc["total_internet_revenue", "value"] / prev_total - 1)
        text = side_by_side_text(figures)
        assert "total_internet_revenue" in text and "within tolerance" in text

        res = sensitivity_year(settings, engine, 2014, n=100, seed=1)
        assert res.summary["draws"] == 100 and "sensitivity: 100 draws" in res.text
        assert (out / "2014" / "sensitivity.csv").exists()
    finally:
        engine.dispose()
