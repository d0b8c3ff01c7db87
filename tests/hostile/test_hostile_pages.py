"""Every page escapes what companies supplied, Data Docs included (issue 16): script payloads in
every supplied field, each page opened in headless Chromium from disk with no network, and no
payload ran.

The small year of tests/expectations/verify_world.py through verify, load (DuckDB), score and
report, with payloads in a legal name, a brand list, a licence number, a ticker, an integrity
record's kind and description, a form's file name and a delivered row's cause. A payload that
runs marks the page (``data-pwned`` on <html>); one that stayed text shows as its own
characters. Checked on the Data Docs index and a validation page that lists the licence number,
the audit index, company pages and the report."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "expectations"))

import verify_world as world

from top100.config import Settings
from top100.jsonl import read_jsonl, write_jsonl

pytestmark = pytest.mark.browser


def _mark(how: str) -> str:
    return f"document.documentElement.setAttribute('data-pwned','{how}')"


IMG = f'<img src=x onerror="{_mark("img")}">'
SCRIPT = f"<script>{_mark('script')}</script>"
SVG = f"<svg/onload={_mark('svg').replace(' ', '')}>"
LINK = f'<a href="javascript:{_mark("link")}" id="lure">点我</a>'
ATTR_DQ = f'" autofocus onfocus="{_mark("attr-dq")}" x="'
ATTR_SQ = f"' autofocus onfocus='{_mark('attr-sq')}' x='"
PAYLOADS = {
    ("C01", "legal_name"): f"甲网络{IMG}{ATTR_DQ}",
    ("C03", "brands"): f"丙{SCRIPT}、{LINK}",
    ("C06", "licence_number"): f"京ICP证{IMG}号",  # malformed: listed among the unexpected values in Data Docs
    ("C16", "ticker"): f"SIXT{ATTR_SQ}",
    ("C04", "legal_name"): f"丁{SVG}",
}
INTEGRITY_KIND = f"严重失信{ATTR_DQ}"
INTEGRITY_TEXT = f"列入名单{IMG}{SCRIPT}"
FORM_FILE = f"C15{IMG}.xlsx"  # C15's second form: its conflict finding names the file


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from expectations.verify import run_verify
    from scoring.report import build_report
    from scoring.run import score_year
    from warehouse.engine import connect
    from warehouse.load import load_year
    from warehouse.runs import start_run

    out = tmp_path_factory.mktemp("pages")
    paths = world.build(out)
    declared = list(read_jsonl(paths.declared))
    for r in declared:
        new = PAYLOADS.get((r["company_id"], r["field"]))
        if new is not None:
            r["value"] = r["raw"] = new
    write_jsonl(paths.declared, declared)
    import json

    cands = json.loads(paths.candidates.read_text(encoding="utf-8"))
    for c in cands:  # the ticker of listings.csv, which the candidates carry
        if c["company_id"] == "C16":
            c["ticker"] = PAYLOADS[("C16", "ticker")]
    paths.candidates.write_text(json.dumps(cands, ensure_ascii=False), encoding="utf-8")
    integrity = list(read_jsonl(paths.integrity))
    for r in integrity:
        if r["company_id"] == "C14":
            r["kind"], r["description"] = INTEGRITY_KIND, INTEGRITY_TEXT
    write_jsonl(paths.integrity, integrity)
    docs = list(read_jsonl(paths.documents))
    c15 = [d for d in docs if d.get("company_id") == "C15"]
    c15[-1]["url"] = f"file://declarations/{FORM_FILE}"
    docs.append({"source": "inbox", "url": "file://integrity.csv", "company_id": None, "doc_type": "integrity",
                 "fiscal_year": world.YEAR, "title": "integrity.csv", "published_at": None, "sha256": "cd" * 32,
                 "size": 1, "fetched_at": "2015-03-01T00:00:00+00:00"})
    write_jsonl(paths.documents, docs)
    write_jsonl(paths.extract_errors, [{"stage": "extract", "kind": "UnreadableRow", "company_id": "C13",
                                        "document": "integrity.csv", "url": "file://integrity.csv",
                                        "cell": "row 9, byte 300", "reason": f"not UTF-8 text near {SCRIPT}"}])
    settings = Settings(out_dir=out, year=world.YEAR, warehouse_url=f"duckdb:///{out}/w.duckdb")
    run_verify(settings, paths)
    engine = connect(settings.warehouse)
    try:
        run_id = start_run(engine, "annual", {"year": world.YEAR}, "test")
        load_year(engine, paths, run_id)
        score_year(settings, engine, world.YEAR, run_id)
        index = build_report(settings, engine, world.YEAR, run_id)
    finally:
        engine.dispose()
    return paths, index


RAN = [
    re.compile(r"<html[^>]*\bdata-pwned"),  # a payload's script or handler ran
    re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=[^>]*pwned", re.I),  # an element carries a payload's handler
    re.compile(r"<script\b[^>]*>[^<]*pwned", re.I),  # a payload became a script element
    # a javascript: link; but not the inert "javascript:void(0)" of bootstrap-table's own pagination,
    # which runs in the Data Docs pages now that their scripts are served offline (issue 18)
    re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*javascript:(?!void\(0\)[\"'\s>])", re.I),
]


def _check(dom: str, page: Path, shown: list[str]) -> None:
    assert "<body" in dom, page
    for pat in RAN:
        m = pat.search(dom)
        assert m is None, f"{page.name}: {dom[max(0, m.start() - 200):m.end() + 200]}"
    for text in shown:  # the payload is on the page as its own characters
        assert text in dom, f"{page.name}: {text!r} not shown as text"


def esc(s: str) -> str:
    """As Chromium serialises text: & < > escaped, quotes as they are."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_data_docs_index_and_the_licence_validation_page(site, browser_dom):
    paths, _ = site
    index = paths.data_docs / "index.html"
    _check(browser_dom(index, budget_ms=3000), index, [])
    licence = next(paths.data_docs.glob("validations/licence/**/*.html"))
    _check(browser_dom(licence, budget_ms=3000), licence, [esc(PAYLOADS[("C06", "licence_number")])])
    raw = licence.read_text(encoding="utf-8")
    assert "onerror=" not in re.sub(r"&lt;.*?&gt;", "", raw)  # only as escaped text in the file itself


def test_the_audit_index_and_company_pages(site, browser_dom):
    paths, _ = site
    index = paths.audit / "index.html"
    _check(browser_dom(index), index, [esc(PAYLOADS[("C01", "legal_name")]), esc(INTEGRITY_TEXT), esc(FORM_FILE)])
    pages = {
        "C01": [esc(PAYLOADS[("C01", "legal_name")])], "C03": [esc(PAYLOADS[("C03", "brands")])],
        "C04": [esc(PAYLOADS[("C04", "legal_name")])], "C06": [esc(PAYLOADS[("C06", "licence_number")])],
        "C14": [esc(INTEGRITY_KIND), esc(INTEGRITY_TEXT)], "C15": [esc(FORM_FILE)],
        "C16": [esc(PAYLOADS[("C16", "ticker")])], "C13": [esc(SCRIPT)],
    }
    for cid, shown in pages.items():
        page = paths.audit / f"company-{cid}.html"
        _check(browser_dom(page), page, shown)


def test_the_report(site, browser_dom):
    _, index = site
    _check(browser_dom(index), index, [esc(PAYLOADS[("C01", "legal_name")]), esc(PAYLOADS[("C03", "brands")])])
