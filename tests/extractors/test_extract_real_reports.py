"""Every hand-read fact of the real reports comes out exactly (to the cent), on the right page.

One test per document, metric and year, parametrised from ../shared/fixtures/real/truth/*.json;
the test id names the document, metric, year and the trap the fact stands for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"

TRUTH = sorted((REAL / "truth").glob("*.json")) if REAL.is_dir() else []


def _traps(fact: dict, truth: dict) -> list[str]:
    note = " ".join(str(fact.get(k, "")) for k in ("note", "column", "label", "value_as_printed"))
    traps = []
    if "调整后" in note or "restated" in note:
        traps.append("restated-over-original")
    if "wraps" in note or "ruled-cell" in json.dumps(fact.get("verification", {})):
        traps.append("wrapped-label")
    if "line after" in note:
        traps.append("value-on-next-line")
    if "page after" in note:
        traps.append("table-continues-next-page")
    if fact["value"] < 0 or str(fact.get("value_as_printed", "")).startswith("("):
        traps.append("negative-or-parentheses")
    if fact["metric"] == "rd_expense" and fact.get("label") != "研发费用":
        traps.append("rd-from-mdna")
    if "comparative" in note or "上年" in note or "上期" in note:
        traps.append("prior-year-column")
    if re.search(r"资产总额|（元）|（人）", note):
        traps.append("unit-or-variant-in-label")
    if truth.get("currency") == "HKD" and fact["metric"] != "employees_total":
        traps.append("hk-thousands")
    if any(d.get("label") == fact.get("label") or d.get("why", "").startswith("quarterly") for d in truth.get("distractors", [])):
        traps.append("distractor-nearby")
    return traps


def _cases():
    for tf in TRUTH:
        truth = json.loads(tf.read_text(encoding="utf-8"))
        short = "_".join(Path(truth["document"]).stem.split("_")[:3])
        for fact in truth["facts"]:
            tid = "-".join([short, fact["metric"], str(fact["fiscal_year"])] + _traps(fact, truth))
            yield pytest.param(truth["document"], truth["sha256"], fact, id=tid)


def metric_of(fact: dict) -> str:
    """R&D is two metrics never mixed (issue 14): a hand-read R&D amount whose label is not the
    expensed 研发费用 (研发投入金额 / 研发支出合计 of the MD&A) is ``rd_investment``."""
    if fact["metric"] == "rd_expense" and fact.get("label") not in ("研发费用", "研究与开发费用"):
        return "rd_investment"
    return fact["metric"]


@pytest.mark.parametrize("document,sha256,fact", list(_cases()))
def test_fact_exact_on_page(extracted, document, sha256, fact):
    result = extracted(document)
    metric = metric_of(fact)
    got = [f for f in result.facts if f.metric == metric and f.fiscal_year == fact["fiscal_year"]
           and not f.superseded]
    assert len(got) == 1, f"{len(got)} facts for {fact['metric']} {fact['fiscal_year']}: {got}; errors {result.errors}"
    f = got[0]
    assert f.value == fact["value"], f"value {f.value!r} (printed {f.raw!r} {f.unit}), expected {fact['value']!r}"
    assert f.page == fact["page"], f"page {f.page}, expected {fact['page']} ({f.label!r})"
    # provenance: the value as printed, its label, unit, box and the reader
    assert f.document_sha256 == sha256
    assert f.raw.replace("(", "").replace(")", "").lstrip("-") in str(fact["value_as_printed"]).replace("(", "").replace(")", "")
    assert f.label and f.unit and f.extractor and f.extractor_version
    assert f.bbox is not None and f.bbox[0] < f.bbox[2] and f.bbox[1] < f.bbox[3]
    if fact["metric"] == "rd_expense":  # where R&D came from is said in basis
        expected = "income_statement" if metric == "rd_expense" else "rd_investment"
        assert f.basis and f.basis.startswith(expected), f"basis {f.basis!r}, expected {expected}"


@pytest.mark.parametrize("tf", TRUTH, ids=[t.stem for t in TRUTH])
def test_pdfplumber_engine_agrees(extracted, tf):
    """The careful pass by pdfplumber reads the same facts as the pdfium pass."""
    truth = json.loads(tf.read_text(encoding="utf-8"))
    fast = {(f.metric, f.fiscal_year): (f.value, f.page) for f in extracted(truth["document"]).facts}
    slow = {(f.metric, f.fiscal_year): (f.value, f.page) for f in extracted(truth["document"], "pdfplumber").facts}
    for fact in truth["facts"]:
        k = (metric_of(fact), fact["fiscal_year"])
        assert slow.get(k) == fast.get(k) == (fact["value"], fact["page"]), k


@pytest.mark.parametrize("tf", TRUTH, ids=[t.stem for t in TRUTH])
def test_no_errors_and_no_distractor(extracted, tf):
    truth = json.loads(tf.read_text(encoding="utf-8"))
    result = extracted(truth["document"])
    assert result.errors == []
    taken = {f.raw for f in result.facts}
    for d in truth.get("distractors", []):
        if d["value_as_printed"] in taken:
            # a distractor's figure may equal a true fact's figure (e.g. restated 2012 assets) but
            # then it must have been taken from the fact's own page
            pages = {f.page for f in result.facts if f.raw == d["value_as_printed"]}
            assert d["page"] not in pages, f"distractor taken: {d}"


def test_periods_of_the_facts(extracted):
    """Period ends: the HK group's year ends on 30 September; A-share years are calendar years."""
    hk = {(f.metric, f.fiscal_year): f for f in extracted("hk01741_ri_ying_2021_annual_report.pdf").facts}
    assert hk[("revenue", 2020)].period_end == "2020-09-30"
    cn = {(f.metric, f.fiscal_year): f for f in extracted("sh600250_nanfang_2014_annual_report.pdf").facts}
    assert (cn[("revenue", 2013)].period_start, cn[("revenue", 2013)].period_end) == ("2013-01-01", "2013-12-31")
    assert cn[("total_assets", 2014)].period_start is None


@pytest.mark.parametrize("tf", TRUTH, ids=[t.stem for t in TRUTH])
def test_same_facts_without_the_first_pages(real, tmp_path, tf):
    """Nothing hangs on page numbers or on the cover: with the first three pages cut off (cover,
    contents, the company page of some), the type is still told from the content and every fact
    on a later page comes out the same, three pages earlier."""
    import pypdfium2 as pdfium

    import extractors

    truth = json.loads(tf.read_text(encoding="utf-8"))
    cut = 3
    (original,) = (real / "pdf").rglob(truth["document"])
    src = pdfium.PdfDocument(str(original))
    short = pdfium.PdfDocument.new()
    short.import_pages(src, pages=list(range(cut, len(src))))
    path = tmp_path / "short.pdf"
    short.save(str(path))
    short.close()
    src.close()
    result = extractors.read(None, path)
    assert result.errors == []
    got = {(f.metric, f.fiscal_year): (f.value, f.page) for f in result.facts if not f.superseded}
    want = {(metric_of(f), f["fiscal_year"]): (f["value"], f["page"] - cut) for f in truth["facts"] if f["page"] > cut}
    assert want and {k: got.get(k) for k in want} == want
