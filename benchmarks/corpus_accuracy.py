"""Accuracy of the extractors over the hand-read real documents.

Prints, per document and in total, over ../shared/fixtures/real/truth and tests/corpus/truth:
facts hand-read, found right, found wrong, refused with an error, missing silently.

    .venv/bin/python benchmarks/corpus_accuracy.py [--only SUBSTRING] [--json]

A fact is judged by `judge()` (also used by tests/extractors/test_corpus_cn.py):
- right:   a non-superseded fact of that metric and year carries the hand-read value, within the
           rounding of the unit it is printed in, on the hand-read page or on one of the pages the
           truth lists as corroborating it, and no other reading of it disagrees unflagged;
- refused: the fact is not given a value silently: an emitted reading is marked as a conflict, or
           the extractor returned an error row naming the metric (or the document as a whole);
- wrong:   a value (or page) other than the truth's, with neither conflict nor error;
- missing: nothing emitted and no error: a silent gap.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "fixtures" / "real"
CORPUS = ROOT / "tests" / "corpus"

# Chinese labels an error reason may use for a metric (so "营业收入" in a reason names revenue).
METRIC_WORDS = {
    "revenue": ("revenue", "营业收入"),
    "net_profit_attributable": ("net_profit_attributable", "归属于"),
    "net_profit": ("net_profit", "净利润"),
    "operating_profit": ("operating_profit", "营业利润"),
    "profit_before_tax": ("profit_before_tax", "利润总额"),
    "operating_cost": ("operating_cost", "营业成本"),
    "total_assets": ("total_assets", "资产总计", "总资产"),
    "employees_total": ("employees_total", "在职员工"),
    "rd_expense": ("rd_expense", "研发费用"),
    "rd_investment": ("rd_investment", "研发投入"),
}
# error kinds that refuse the whole document (no fact of it can be trusted)
DOCUMENT_ERRORS = ("DocumentUnreadable", "UnsupportedDocument", "NoFacts", "UnknownDocumentType")
_INCOME_METRICS = ("revenue", "operating_profit", "profit_before_tax", "net_profit", "net_profit_attributable",
                   "rd_expense", "operating_cost")
# a table that could not be read refuses the metrics it prints (TableNotFound names the table)
TABLE_WORDS = {
    "主要会计数据": ("revenue", "net_profit_attributable", "total_assets"),
    "合并利润表": _INCOME_METRICS,
    "合并资产负债表": ("total_assets",),
    "profit or loss": _INCOME_METRICS,
    "statements were found": _INCOME_METRICS + ("total_assets",),
    "financial position": ("total_assets",),
}


@dataclass
class Verdict:
    outcome: str  # right | wrong | refused | missing
    detail: str


def tolerance(fact: dict) -> float:
    """Half a unit of the last printed digit, in base units (元): 1,234.56 万元 -> 0.005 * 10,000."""
    printed = str(fact.get("value_as_printed", "")).strip("()-% ")
    decimals = len(printed.split(".", 1)[1]) if "." in printed else 0
    unit = str(fact.get("unit_printed", "元"))
    scale = 1.0
    for word, factor in (("亿", 1e8), ("百万", 1e6), ("万", 1e4), ("千", 1e3), ("'000", 1e3), ("million", 1e6)):
        if word in unit:
            scale = factor
            break
    return float(Decimal("0.5") * Decimal(10) ** -decimals) * scale + 1e-6


def truth_pages(fact: dict) -> set[int]:
    pages = {fact["page"]}
    for c in fact.get("corroborations", []):
        # a second place in the same document; a value in another filing of the company is not a page here
        if c.get("agrees", True) and c.get("page") and not c.get("document") and not c.get("derived"):
            pages.add(c["page"])
    return pages


def _names_metric(err, metric: str) -> bool:
    text = f"{getattr(err, 'kind', '')} {getattr(err, 'reason', '')} {getattr(err, 'cell', '') or ''}"
    if any(w in text for w in METRIC_WORDS.get(metric, (metric,))):
        return True
    if getattr(err, "kind", "") == "TableNotFound":
        named = [m for word, metrics in TABLE_WORDS.items() if word in text for m in metrics]
        return metric in named if named else True  # a table it does not name: the whole document
    return getattr(err, "kind", "") in DOCUMENT_ERRORS


def judge(result, fact: dict) -> Verdict:
    """How the extractor's result stands against one hand-read fact."""
    got = [f for f in result.facts
           if f.metric == fact["metric"] and f.fiscal_year == fact["fiscal_year"] and not f.superseded]
    pages = truth_pages(fact)
    # the rounding allowed is that of the place the value was read from: the truth's page, or a
    # corroborating page that prints it in another unit (e.g. 57,937.45 万元 beside 579,374,501.21 元)
    tols = {fact["page"]: tolerance(fact)}
    for c in fact.get("corroborations", []):
        if c.get("page") in pages and c["page"] not in tols:
            # the hand-read value is itself only known to the rounding of its own page (58,546.18 万元
            # is ±50 元): a reading of an exact corroborating page may differ from it by that much too
            tols[c["page"]] = tolerance(fact) + tolerance(
                {"value_as_printed": c.get("raw", ""), "unit_printed": c.get("unit_printed", "元")})
    flagged = [f for f in got if getattr(f, "conflict", False)]
    errors = [e for e in result.errors if _names_metric(e, fact["metric"])]
    good = [f for f in got if f.page in pages and abs(float(f.value) - float(fact["value"])) <= tols[f.page]]
    bad = [f for f in got if f not in good and not getattr(f, "conflict", False)]
    if good and not bad and not flagged:
        return Verdict("right", f"{good[0].raw} p{good[0].page}")
    if bad and not flagged and not errors:
        b = bad[0]
        return Verdict("wrong", f"{b.value!r} ({b.raw!r} {b.unit}) p{b.page}, expected {fact['value']!r} "
                                f"p{sorted(pages)} ({fact.get('label')})")
    if flagged or errors:
        why = flagged[0] if flagged else errors[0]
        return Verdict("refused", getattr(why, "reason", None) or f"conflict: {why.raw} p{why.page}")
    return Verdict("missing", f"no fact and no error for {fact['metric']} {fact['fiscal_year']}")


def truth_sets(bases: tuple[Path, ...] = (REAL, CORPUS)) -> list[tuple[Path, Path]]:
    """(truth file, pdf directory to find its document in)."""
    out = []
    for base in bases:
        if (base / "truth").is_dir():
            out += [(t, base / "pdf") for t in sorted((base / "truth").glob("*.json"))]
    return out


def find_pdf(pdf_root: Path, document: str) -> Path | None:
    """The document in its own corpus, else in the shared fixtures (a truth file of tests/corpus
    may read another page of a shared document)."""
    for root in (pdf_root, REAL / "pdf"):
        hits = sorted(root.rglob(document))
        if len(hits) == 1:
            return hits[0]
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="only truth files whose name contains this")
    ap.add_argument("--json", action="store_true", help="print the per-document counts as JSON")
    ap.add_argument("--details", action="store_true", help="print every fact that is not right")
    ap.add_argument("--corpus", action="append", type=Path, default=None,
                    help="a folder with truth/ and pdf/ (repeatable; default: the shared fixtures and tests/corpus), "
                         "e.g. a held-back set of documents never used while developing")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from extractors import read

    rows = []
    total = {"facts": 0, "right": 0, "wrong": 0, "refused": 0, "missing": 0}
    for tf, pdf_root in truth_sets(tuple(args.corpus) if args.corpus else (REAL, CORPUS)):
        if args.only not in tf.name:
            continue
        truth = json.loads(tf.read_text(encoding="utf-8"))
        pdf = find_pdf(pdf_root, truth["document"])
        counts = {"facts": len(truth["facts"]), "right": 0, "wrong": 0, "refused": 0, "missing": 0}
        if pdf is None:
            counts["missing"] = counts["facts"]
            rows.append((tf.stem, counts, ["document not found"]))
            continue
        result = read(None, pdf, company_id="C0001", sha256=None)
        notes = []
        for fact in truth["facts"]:
            v = judge(result, fact)
            counts[v.outcome] += 1
            if v.outcome != "right":
                notes.append(f"{v.outcome:7} {fact['metric']} {fact['fiscal_year']}: {v.detail}")
        rows.append((tf.stem, counts, notes))
        for k in total:
            total[k] += counts[k]

    if args.json:
        print(json.dumps({"documents": {s: c for s, c, _ in rows}, "total": total}, indent=1))
        return 0
    w = max([len(s) for s, _, _ in rows] + [10])
    print(f"{'document':<{w}} {'facts':>5} {'right':>5} {'wrong':>5} {'refused':>7} {'missing':>7}")
    for stem, c, notes in rows:
        print(f"{stem:<{w}} {c['facts']:>5} {c['right']:>5} {c['wrong']:>5} {c['refused']:>7} {c['missing']:>7}")
        if args.details:
            for n in notes:
                print("    " + n)
    print(f"{'TOTAL':<{w}} {total['facts']:>5} {total['right']:>5} {total['wrong']:>5} {total['refused']:>7} "
          f"{total['missing']:>7}")
    if total["facts"]:
        print(f"right {total['right'] / total['facts']:.1%}, wrong {total['wrong'] / total['facts']:.1%}, "
              f"refused {total['refused'] / total['facts']:.1%}, missing {total['missing'] / total['facts']:.1%} "
              f"of {total['facts']} hand-read facts in {len(rows)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
