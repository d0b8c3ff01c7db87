"""Named reads and marts: they return what was loaded; marts replace a year atomically."""

from __future__ import annotations

import math

import numpy as np
import pytest

from top100.errors import WarehouseError
from top100.records import RankingRow
from top100.vocab import Metric
from warehouse import bulk, load, marts, reads, runs


@pytest.fixture
def loaded(open_warehouse, year_files):
    engine = open_warehouse()
    run_id = runs.start_run(engine, "test", {}, "v1")
    load.load_year(engine, year_files(), run_id)
    return engine, run_id


def test_companies_and_metrics_long(loaded):
    engine, run_id = loaded
    companies = reads.companies(engine, 2014)
    assert list(companies["company_id"]) == ["C0001", "C0002", "C0003"]
    row = companies.set_index("company_id").loc["C0002"]
    assert row["legal_name"] == 'Quote "and", comma Ltd' and row["brands"] == ""
    assert row["exchange"] is None and not row["eligible"] and row["excluded_reason"] == "licence_expired"
    assert companies.set_index("company_id").loc["C0003", "legal_name"] == "Line\nbreak 公司"
    long = reads.metrics_long(engine, 2014)
    assert len(long) == 6 and set(long["run_id"]) == {run_id}
    c3 = long[(long.company_id == "C0003") & (long.metric == "market_value")].iloc[0]
    assert c3["value"] == 0.1 + 0.2  # bit for bit through the bulk path
    assert reads.metrics_long(engine, 2013).empty


def test_metrics_wide_one_column_per_metric(loaded):
    engine, _ = loaded
    wide = reads.metrics_wide(engine, 2014).set_index("company_id")
    assert list(wide.index) == ["C0001", "C0002", "C0003"]
    for metric in Metric:
        assert metric.value in wide.columns
    assert {"legal_name", "province", "eligible"} <= set(wide.columns)
    assert wide.loc["C0001", "revenue"] == 4.9052e10
    assert wide.loc["C0001", "internet_revenue_prior"] == 3.1944e10
    assert wide.loc["C0001", "revenue_prior"] == 3.2e10
    assert math.isnan(wide.loc["C0002", "revenue"])  # the value used is missing
    assert math.isnan(wide.loc["C0002", "traffic"])  # no row at all
    assert wide.loc["C0003", "employees_total"] == 27691.0


def test_findings_facts_documents_decode_json(loaded):
    engine, _ = loaded
    findings = reads.findings(engine, 2014).set_index("company_id")
    assert findings.loc["C0001", "declared"] == 4.9e10 and findings.loc["C0001", "correct_value"] == 4.9052e10
    assert findings.loc["C0002", "declared"] == "京ICP证000001号"
    assert findings.loc["C0002", "severity"] == "ERROR"
    facts = reads.facts(engine, 2014, company_id="C0001", metric="revenue")
    assert list(facts["fiscal_year"]) == [2013, 2014]
    assert facts.iloc[1]["bbox"] == [56.5, 300.25, 120.0, 310.75] and facts.iloc[0]["bbox"] is None
    assert bool(facts.iloc[0]["restated"]) is True
    # every other reading of a fact is kept (issue 14): where, as printed, and whether it agrees
    (corr,) = facts.iloc[1]["corroborations"]
    assert (corr["page"], corr["source"], corr["raw"], corr["bbox"]) == (53, "income", "49,052,000",
                                                                        [300.0, 200.0, 360.0, 209.0])
    assert bool(facts.iloc[1]["conflict"]) is (corr["agrees"] is False)
    assert facts.iloc[0]["corroborations"] == [] and not bool(facts.iloc[0]["single_source"])
    assert len(reads.facts(engine, 2014)) == 3
    declared = reads.declared(engine, 2014, "C0001").set_index(["field", "fiscal_year"])
    assert declared.loc[("self_operated_ecommerce", 2014), "value"] is False
    assert declared.loc[("legal_name", 2014), "value"] == "北京百度网讯科技有限公司"
    docs = reads.documents(engine, 2014)
    assert set(docs["sha256"]) == {"a" * 64, "c" * 64}
    assert docs.set_index("sha256").loc["c" * 64, "supersedes"] == "b" * 64
    assert len(reads.stage_table(engine, 2014, "fx_rate")) == 2
    with pytest.raises(KeyError):
        reads.stage_table(engine, 2014, "company")


def ranking_rows(scale: float) -> list[RankingRow]:
    return [
        RankingRow(2014, 1, "C0001", "百度", "百度", 0.9 * scale, {"revenue_scale": 1.0, "growth": float("nan")},
                   {"company_scale": 0.9}),
        RankingRow(2014, 2, "C0003", "腾讯", "微信", 0.7 * scale, {"revenue_scale": np.float32(0.5)},
                   {"company_scale": np.float64(0.4)}),  # numpy scalars, as pandas hands them over
    ]


def test_ranking_and_figures_replace_the_year(loaded, monkeypatch):
    engine, run_id = loaded
    assert marts.write_ranking(engine, 2014, ranking_rows(1.0), run_id) == 2
    marts.write_ranking(engine, 2014, ranking_rows(0.5), run_id)
    ranking = reads.ranking(engine, 2014)
    assert list(ranking["company_id"]) == ["C0001", "C0003"]
    assert list(ranking["total_score"]) == [0.45, 0.35]
    assert ranking.iloc[0]["indicators"] == {"revenue_scale": 1.0, "growth": None}
    assert ranking.iloc[1]["dimensions"] == {"company_scale": 0.4}

    figure = dict(name="companies_listed", value=58.0, unit="家", published=58.0, published_text="58 家",
                  difference=0.0, within_tolerance=True)
    marts.write_report_figures(engine, 2014, [figure], run_id)
    marts.write_report_figures(engine, 2014, [figure | {"value": 57.0, "within_tolerance": False}], run_id)
    figures = reads.report_figures(engine, 2014)
    assert len(figures) == 1 and figures.iloc[0]["value"] == 57.0 and not figures.iloc[0]["within_tolerance"]

    def die(conn, table, data):
        raise RuntimeError("killed during the mart")

    monkeypatch.setattr(bulk, "insert", die)
    with pytest.raises(RuntimeError):
        marts.write_ranking(engine, 2014, ranking_rows(2.0), run_id)
    assert list(reads.ranking(engine, 2014)["total_score"]) == [0.45, 0.35]  # the previous list stands


def test_marts_refuse_bad_input(loaded):
    engine, run_id = loaded
    rows = ranking_rows(1.0)
    with pytest.raises(WarehouseError, match="company C0001, 1 duplicate key"):
        marts.write_ranking(engine, 2014, [rows[0], rows[0]], run_id)
    with pytest.raises(WarehouseError, match="is for 2014, not 2015"):
        marts.write_ranking(engine, 2015, rows, run_id)
    with pytest.raises(WarehouseError, match="report figure 'x': missing unit"):
        marts.write_report_figures(engine, 2014, [dict(name="x", value=1.0, published=None, published_text=None,
                                                       difference=None, within_tolerance=None)], run_id)
    with pytest.raises(WarehouseError, match=r"report figure 'y'.*expects double, got 'many'"):
        marts.write_report_figures(engine, 2014, [dict(name="y", value="many", unit=None, published=None,
                                                       published_text=None, difference=None,
                                                       within_tolerance=None)], run_id)
    assert reads.ranking(engine, 2014).empty


def test_runs_are_recorded(loaded):
    engine, run_id = loaded
    runs.finish_run(engine, run_id, "failed", "ScoringError: no eligible company")
    run = runs.get_run(engine, run_id)
    assert run["outcome"] == "failed" and run["error"].startswith("ScoringError")
    assert run["schema_version"] == "0002" and run["ended_at"] >= run["started_at"]
    assert list(reads.runs(engine)["run_id"]) == [run_id]
    with pytest.raises(WarehouseError, match="an outcome is required"):
        runs.finish_run(engine, run_id, " ")
    with pytest.raises(WarehouseError, match="run missing was never started"):
        runs.finish_run(engine, "missing", "succeeded")


def test_explain_shows_the_corroborations_of_a_loaded_fact(loaded, capsys):
    """`top100 explain` prints, under each fact, the other places of its document that print it
    (or that it was read once), and a conflict."""
    from flows.commands import _explain_readings

    engine, _ = loaded
    facts = reads.facts(engine, 2014, company_id="C0001", metric="revenue")
    _explain_readings(facts.iloc[1])
    out = capsys.readouterr().out
    assert "also page 53 (income) label '营业收入' raw '49,052,000' unit 千元" in out
    if bool(facts.iloc[1]["conflict"]):
        assert "CONFLICT" in out and "DISAGREES" in out
    else:
        assert "agrees" in out and "CONFLICT" not in out
    _explain_readings(facts.iloc[0])
    assert "read in one place of the document only" in capsys.readouterr().out
