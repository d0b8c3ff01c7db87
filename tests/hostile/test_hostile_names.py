"""Names a company supplies, on the way out (issue 10): `<script>`, `=HYPERLINK(...)`, `@SUM` and
`../../etc/passwd` end up escaped in the audit and report HTML, neutralised in findings.csv and
ranking.csv, and never become a file name. Also: a candidate whose document the collect stage
could not fetch is a finding with the URL and the cause, and the company is incomplete.

One run of verify, load (DuckDB), score and report on the small year of
tests/expectations/verify_world.py, with hostile names given to ranked companies and two collect
errors added."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "expectations"))

import verify_world as world

from top100.config import Settings
from top100.jsonl import read_jsonl, write_jsonl

SCRIPT = "<script>alert('r')</script>甲网络"
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
PATH_NAME = "../../etc/passwd"
RENAMED = {("C01", "legal_name"): SCRIPT, ("C03", "brands"): DDE, ("C04", "legal_name"): PATH_NAME}
SCRIPT_URL = "http://127.0.0.1:9/finalpage/<script>alert('u')</script>.PDF"
MISSING_URL = "http://127.0.0.1:9/finalpage/2015-03-20/1200000404.PDF"
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from expectations.verify import run_verify
    from scoring.report import build_report
    from scoring.run import score_year
    from warehouse.engine import connect
    from warehouse.load import load_year
    from warehouse.runs import start_run

    out = tmp_path_factory.mktemp("hostile")
    paths = world.build(out)
    declared = list(read_jsonl(paths.declared))
    for r in declared:
        new = RENAMED.get((r["company_id"], r["field"]))
        if new is not None:
            r["value"] = r["raw"] = new
    write_jsonl(paths.declared, declared)
    write_jsonl(paths.collect_errors, [
        {"stage": "collect", "kind": "HttpError", "reason": "HTTP 404", "company_id": "C17", "url": MISSING_URL},
        {"stage": "collect", "kind": "BlockedPage", "reason": "HTML where a PDF was expected: '<script>x</script>'",
         "company_id": "C02", "url": SCRIPT_URL},
        {"stage": "collect", "kind": "CrawlFailed", "reason": "crawl fx exited with 1"},  # names no company
    ])
    settings = Settings(out_dir=out, year=world.YEAR, warehouse_url=f"duckdb:///{out}/w.duckdb")
    summary = run_verify(settings, paths)
    engine = connect(settings.warehouse)
    try:
        run_id = start_run(engine, "annual", {"year": world.YEAR}, "test")
        load_year(engine, paths, run_id)
        rows = score_year(settings, engine, world.YEAR, run_id)
        index = build_report(settings, engine, world.YEAR, run_id)
    finally:
        engine.dispose()
    return paths, summary, rows, index


def test_a_missing_document_is_a_finding_and_the_company_is_incomplete(year):
    paths, summary, rows, _ = year
    findings = [f for f in read_jsonl(paths.findings) if f["kind"] == "document_missing"]
    assert sorted(f["company_id"] for f in findings) == ["C02", "C17"]  # the crawl failure names nobody
    c17 = next(f for f in findings if f["company_id"] == "C17")
    assert c17["severity"] == "ERROR" and MISSING_URL in c17["message"] and "HTTP 404" in c17["message"]
    companies = {c["company_id"]: c for c in read_jsonl(paths.companies)}
    assert companies["C17"]["eligible"] is False
    assert companies["C17"]["excluded_reason"] == f"incomplete: {MISSING_URL}: HttpError: HTTP 404"
    assert summary.excluded["C17"].startswith("incomplete: ")
    ranked = {r.company_id for r in rows}
    assert "C17" not in ranked and "C02" not in ranked  # not ranked on the figures that remain
    assert {"C01", "C03", "C04", "C16"} <= ranked  # nothing else changes


def test_the_hostile_companies_are_ranked_under_their_supplied_names(year):
    _, _, rows, _ = year
    names = {r.company_id: (r.name, r.brands) for r in rows}
    assert names["C01"][0] == SCRIPT and names["C03"][1] == DDE and names["C04"][0] == PATH_NAME


def test_audit_and_report_html_escape_every_supplied_string(year):
    paths, _, _, index = year
    pages = [p for d in (paths.audit, paths.report) for p in d.rglob("*") if p.suffix in (".html", ".svg")]
    assert index in pages and len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(" not in text and "<script>x</script>" not in text, page
    assert "&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt;甲网络" in index.read_text(encoding="utf-8")
    c02 = (paths.audit / "company-C02.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;u&#39;)&lt;/script&gt;" in c02 or "&lt;script&gt;alert(&#x27;u&#x27;)" in c02


def test_csv_cells_cannot_run_as_formulas(year):
    paths, _, _, _ = year
    with (paths.audit / "findings.csv").open(encoding="utf-8", newline="") as fh:
        findings = list(csv.reader(fh))[1:]
    with paths.ranking_csv.open(encoding="utf-8", newline="") as fh:
        ranking = {r["company_id"]: r for r in csv.DictReader(fh)}
    assert any(c.startswith("'=HYPERLINK(") for r in findings for c in r)
    assert ranking["C03"]["brands"] == "'" + DDE
    assert ranking["C01"]["name"] == SCRIPT and ranking["C04"]["name"] == PATH_NAME  # text, inert in a sheet
    for c in [c for r in findings for c in r] + [c for r in ranking.values() for c in r.values()]:
        if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not _number(c)):
            pytest.fail(f"a CSV cell could run as a formula: {c!r}")


def test_supplied_names_never_become_paths(year):
    paths, _, _, _ = year
    root = paths.root.parent
    for p in root.rglob("*"):
        assert SAFE_NAME.match(p.name), p
        assert p.resolve().is_relative_to(root.resolve()), p
        assert "passwd" not in p.name
    assert not (root / "etc").exists() and not (paths.root / "etc").exists()


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
