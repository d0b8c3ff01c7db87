"""Every hand-read fact of the A-share corpus (tests/corpus) is read right, or refused with a reason.

One test per document, metric and year, parametrised from tests/corpus/truth/*.json whose PDF is
under tests/corpus/pdf/cn_annual*/. The extractor (its public API, `extractors.read`) must either
emit that metric and year with the hand-read value (within the rounding of the unit it is printed
in) on the hand-read page or on a page the truth lists as corroborating it, or say it cannot: a
reading marked as a conflict, or an error row naming the metric or refusing the document. A wrong
value with neither is always a failure, and so is a silent gap. The judgement is the one of
benchmarks/corpus_accuracy.py, which prints the same counts over the whole corpus.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"

_spec = importlib.util.spec_from_file_location("corpus_accuracy", ROOT / "benchmarks" / "corpus_accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("corpus_accuracy", accuracy)  # its dataclass looks its module up
_spec.loader.exec_module(accuracy)


def _documents() -> list[tuple[Path, Path]]:
    out = []
    for tf in sorted((CORPUS / "truth").glob("*.json")):
        truth = json.loads(tf.read_text(encoding="utf-8"))
        hits = [p for d in sorted((CORPUS / "pdf").glob("cn_annual*")) for p in d.glob(truth["document"])]
        if hits:
            out.append((tf, hits[0]))
    return out


DOCUMENTS = _documents()
_RESULTS: dict[Path, object] = {}


def _extract(pdf: Path):
    if pdf not in _RESULTS:
        import extractors

        _RESULTS[pdf] = extractors.read(None, pdf, company_id="C0001", sha256=None)
    return _RESULTS[pdf]


def _cases():
    for tf, pdf in DOCUMENTS:
        truth = json.loads(tf.read_text(encoding="utf-8"))
        for fact in truth["facts"]:
            traits = "-".join(t for t in fact.get("traits", []))
            tid = "-".join(x for x in [tf.stem, fact["metric"], str(fact["fiscal_year"]), traits] if x)
            yield pytest.param(pdf, truth, fact, id=tid)


def test_the_corpus_is_there():
    """At least 26 A-share documents with hand-read truth, each matching its recorded sha256."""
    import hashlib

    assert len(DOCUMENTS) >= 26, [t.name for t, _ in DOCUMENTS]
    for tf, pdf in DOCUMENTS:
        truth = json.loads(tf.read_text(encoding="utf-8"))
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == truth["sha256"], pdf.name
        assert truth["facts"], f"{tf.name}: no hand-read facts"


@pytest.mark.parametrize("pdf,truth,fact", list(_cases()))
def test_fact_right_or_refused(pdf, truth, fact):
    result = _extract(pdf)
    verdict = accuracy.judge(result, fact)
    assert verdict.outcome in ("right", "refused"), (
        f"{verdict.outcome}: {verdict.detail}; hand-read {fact['value_as_printed']} {fact.get('unit_printed', '')} "
        f"p{fact['page']} ({fact.get('label')}); errors {[(e.kind, e.reason) for e in result.errors][:5]}")


def test_corpus_is_mostly_read_and_never_wrong():
    """Over every A-share document with truth: no wrong value, at least 96% read right."""
    counts = {"right": 0, "wrong": 0, "refused": 0, "missing": 0}
    for _tf, pdf in DOCUMENTS:
        truth = json.loads(_tf.read_text(encoding="utf-8"))
        result = _extract(pdf)
        for fact in truth["facts"]:
            counts[accuracy.judge(result, fact).outcome] += 1
    total = sum(counts.values())
    assert counts["wrong"] == 0 and counts["missing"] <= 0.02 * total, counts
    assert counts["right"] >= 0.96 * total, counts


def test_judge_tells_wrong_from_right():
    """The judgement itself: a value off by more than the printed rounding, unflagged, is wrong."""
    from types import SimpleNamespace as NS

    fact = {"metric": "revenue", "fiscal_year": 2024, "value": 585461786.23, "page": 6,
            "value_as_printed": "585,461,786.23", "unit_printed": "元", "label": "营业收入",
            "corroborations": [{"page": 60, "agrees": True}]}
    f = dict(metric="revenue", fiscal_year=2024, superseded=False, raw="x", unit="元")
    right = NS(facts=[NS(**f, value=585461786.23, page=60)], errors=[])
    wrong = NS(facts=[NS(**f, value=565403410.11, page=6)], errors=[])
    flagged = NS(facts=[NS(**f, value=565403410.11, page=6, conflict=True)], errors=[])
    refused = NS(facts=[], errors=[NS(kind="TableNotFound", reason="p6: 营业收入 row not read", cell=None)])
    assert accuracy.judge(right, fact).outcome == "right"
    assert accuracy.judge(wrong, fact).outcome == "wrong"
    assert accuracy.judge(flagged, fact).outcome == "refused"
    assert accuracy.judge(refused, fact).outcome == "refused"
    assert accuracy.judge(NS(facts=[], errors=[]), fact).outcome == "missing"
    wan = dict(fact, value=585461800.0, value_as_printed="58,546.18", unit_printed="万元")
    assert accuracy.judge(right, wan).outcome == "right"  # 58,546.18 万元 covers ±50 元


@pytest.mark.parametrize("tf,pdf", DOCUMENTS, ids=[t.stem for t, _ in DOCUMENTS])
def test_no_silent_empty_document(tf, pdf):
    """A real annual report or summary yields facts, or an error saying why it yields none."""
    result = _extract(pdf)
    assert result.facts or result.errors, f"{pdf.name}: no facts and no error"


@pytest.mark.parametrize("tf,pdf", DOCUMENTS, ids=[t.stem for t, _ in DOCUMENTS])
def test_nothing_emitted_where_nothing_is_printed(tf, pdf):
    """Where the document prints no such figure (truth `missing`), nothing is emitted for it unflagged."""
    truth = json.loads(tf.read_text(encoding="utf-8"))
    result = _extract(pdf)
    for gap in truth.get("missing", []):
        got = [f for f in result.facts if f.metric == gap["metric"] and f.fiscal_year == gap["fiscal_year"]
               and not f.superseded and not getattr(f, "conflict", False)]
        assert not got, f"{gap['metric']} {gap['fiscal_year']} is not printed ({gap['reason']}) but came out: {got}"


@pytest.mark.parametrize("tf,pdf", DOCUMENTS, ids=[t.stem for t, _ in DOCUMENTS])
def test_no_distractor_taken(tf, pdf):
    """Look-alikes (parent-company statement, quarterly tables, 调整前 columns, headcount of the
    parent, 营业总收入) are not taken as the fact: no emitted fact carries a distractor's figure on
    the distractor's page, unless that figure is also a true fact's."""
    truth = json.loads(tf.read_text(encoding="utf-8"))
    true_raw = {f["value_as_printed"] for f in truth["facts"]}
    result = _extract(pdf)
    for d in truth.get("distractors", []):
        if d["value_as_printed"] in true_raw:
            continue
        taken = [f for f in result.facts if f.page == d["page"] and f.raw.strip("()-") == d["value_as_printed"].strip("()-")
                 and not f.superseded]
        assert not taken, f"distractor taken ({d['what']}, p{d['page']}): {taken}"
