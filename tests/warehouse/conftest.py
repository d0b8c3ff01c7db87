"""Warehouse fixtures: every test runs on DuckDB and on PostgreSQL, against a small year.

The warehouse uses named schemas (raw, staging, clean, marts, meta) on PostgreSQL, so the
shared ``pg_url`` fixture (a schema on the search_path) cannot isolate it: each PostgreSQL test
gets a fresh DATABASE on the test server instead, dropped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from top100.jsonl import write_jsonl
from top100.paths import YearPaths
from top100.records import (
    CompanyRow, DeclaredFact, DocumentRow, ErrorRow, Fact, Finding, FxRate, IntegrityRecord,
    LicenceRecord, MetricRow, Quote, TrafficRecord,
)

PG_BASE = os.environ.get("TOP100_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine_url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'wh' / 'top100.duckdb'}"
    return request.getfixturevalue("pg_db_url")


@pytest.fixture
def open_warehouse(engine_url):
    """connect() with every engine disposed at the end (DuckDB keeps its file open until then)."""
    from warehouse.engine import connect

    engines = []

    def _open(read_only: bool = False) -> sa.Engine:
        engine = connect(engine_url, read_only=read_only)
        engines.append(engine)
        return engine

    yield _open
    for engine in engines:
        engine.dispose()


SHA = ["a" * 64, "b" * 64, "c" * 64]


def sample_year(version: int = 1) -> dict[str, list]:
    """A small year with every row shape, strings chosen to trip CSV and JSON round trips.

    ``version`` changes values (not shapes), to tell one load from the next.
    """
    v = float(version)
    companies = [
        CompanyRow("C0001", 2014, "北京百度网讯科技有限公司", "百度、爱奇艺", "beijing", "general_portal",
                   "NASDAQ", "BIDU", None, "ICP", "京ICP证030173号", False),
        CompanyRow("C0002", 2014, 'Quote "and", comma Ltd', "", "zhejiang", "ecommerce",
                   None, None, "C0001", None, None, True, eligible=False, excluded_reason="licence_expired"),
        CompanyRow("C0003", 2014, "Line\nbreak 公司", "品牌", "guangdong", "online_games",
                   "HKEX", "00700", None, "ICP", "粤B2-20090059", False),
    ]
    metrics = [
        MetricRow("C0001", 2014, "revenue", 4.9052e10 * v, "annual_report", f"{SHA[0]} p.7", 4.9e10, 4.9052e10,
                  -0.00106, "within_tolerance", "agree"),
        MetricRow("C0001", 2014, "internet_revenue_prior", 3.1944e10, "annual_report", None, None, 3.1944e10,
                  None, "public_only", "public_used"),
        MetricRow("C0001", 2014, "revenue_prior", 3.2e10, "declared", None, 3.2e10, None, None,
                  "declared_only", "declared_only"),
        MetricRow("C0002", 2014, "revenue", None, "declared", None, None, None, None, "missing", "missing"),
        MetricRow("C0003", 2014, "employees_total", 27690.0 + v, "hk_annual_report", SHA[2], 27690.0, 27690.0,
                  0.0, "within_tolerance", "agree"),
        MetricRow("C0003", 2014, "market_value", 0.1 + 0.2, "quotes", "HKEX:00700", None, None, None,
                  "derived", "derived"),
    ]
    findings = [
        Finding("C0001", 2014, "accuracy", "revenue", "mismatch", "WARNING", "declared 万元 read as 元",
                declared=4.9e10, public=4.9052e10, difference=-0.00106, rule="r1", expectation="expect_x",
                correct_value=4.9052e10),
        Finding("C0002", 2014, "licence", "licence_number", "licence_expired", "ERROR", "licence expired",
                declared="京ICP证000001号", public="expired 2013-12-31", status="excluded"),
    ]
    facts = [
        Fact("C0001", SHA[0], "annual_report", "revenue", 2014, 4.9052e10 * v, "CNY", 7, "营业收入",
             "49,052,000", "千元", 1000.0, [56.5, 300.25, 120.0, 310.75], "cn_annual", "1.0",
             corroborations=[{"page": 53, "label": "营业收入", "raw": "49,052,000", "bbox": [300.0, 200.0, 360.0, 209.0],
                              "value": 4.9052e10 * v, "unit": "千元", "source": "income", "restated": None,
                              "agrees": v == 1}], conflict=v != 1),
        Fact("C0001", SHA[0], "annual_report", "revenue", 2013, 3.1944e10, "CNY", 7, "营业收入",
             "31,944,000", "千元", 1000.0, None, "cn_annual", "1.0", restated=True),
        Fact(None, SHA[1], "companyfacts", "rd_expense", 2014, 6.98e9, "USD", None, "R&D", "6980",
             "USD millions", 1e6, None, "xbrl", "1.0", basis="rd_investment", period_start="2014-01-01",
             period_end="2014-12-31"),
    ]
    declared = [
        DeclaredFact("C0001", SHA[2], "revenue", 2014, 4.9e10 * v, "万元", 1e4, "C10", "4,900,000"),
        DeclaredFact("C0001", SHA[2], "revenue", 2013, 3.2e10, "万元", 1e4, "D10", "3,200,000"),
        DeclaredFact("C0001", SHA[2], "legal_name", 2014, "北京百度网讯科技有限公司", None, None, "C5", "北京百度网讯科技有限公司"),
        DeclaredFact("C0001", SHA[2], "self_operated_ecommerce", 2014, False, None, None, "C9", "否"),
    ]
    documents = [
        DocumentRow("cninfo", "http://127.0.0.1/finalpage/2015-03-28/1.PDF", "C0001", "annual_report", 2014,
                    "2014年年度报告", "2015-03-28T00:00:00+08:00", SHA[0], 123456, "2026-11-26T05:00:00+00:00",
                    source_id="1200712345", content_type="application/pdf"),
        DocumentRow("inbox", "file://declarations/C0001.xlsx", "C0001", "declaration_form", None, "", None,
                    SHA[2], 9000, "2026-11-26T05:00:01+00:00", supersedes=SHA[1]),
    ]
    return {
        "documents": documents,
        "quotes": [Quote("C0003", "HKEX", "00700", "2015-06-25", "2015-06-24", 169.7 * v, "HKD",
                         9.4e9, None, None, "http://127.0.0.1/api/qt/stock/kline/get?secid=116.00700")],
        "fx": [FxRate("USD/CNY", "2015-06-25", "2015-06-25", 6.1136, "http://127.0.0.1/ags"),
               FxRate("HKD/CNY", "2015-06-25", "2015-06-25", 0.78864, "http://127.0.0.1/ags")],
        "collect_errors": [ErrorRow("collect", "FetchError", "HTTP 503 after 5 retries", company_id="C0002",
                                    url="http://127.0.0.1/x")],
        "facts": facts,
        "declared": declared,
        "licences": [LicenceRecord("京ICP证030173号", "ICP", "北京百度网讯科技有限公司", "C0001", "2013-01-01",
                                   "2018-01-01", "valid", 2)],
        "traffic": [TrafficRecord("C0001", 2014, 12000.5 * v, 30000.0, 2)],
        "integrity": [IntegrityRecord("C0002", "2014-05-01", "penalty", True, "行政处罚; \"quoted\"", 2)],
        "extract_errors": [ErrorRow("extract", "UnitUnknown", "unit not printed", company_id="C0003",
                                    document=SHA[2], page=12)],
        "companies": companies,
        "metrics": metrics,
        "findings": findings,
        "verify_errors": [],
    }


def write_year(out_dir: Path, year: int = 2014, version: int = 1, **override) -> YearPaths:
    """Write the stage files of a sample year under out_dir; returns its YearPaths."""
    paths = YearPaths(out_dir, year)
    rows = sample_year(version) | override
    for name, values in rows.items():
        write_jsonl(getattr(paths, name), values)
    return paths


@pytest.fixture
def year_files(tmp_path) -> Callable[..., YearPaths]:
    return lambda version=1, year=2014, **override: write_year(tmp_path / "out", year, version, **override)
