"""The year-end share count of real A-share and HK annual reports (extractors.share_capital, issue
17 item 4), against counts read by hand off the page: ``total_shares`` in tests/corpus/truth/*.json
and, for the read-only shared fixtures, the table below (read the same way)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import cn_annual, hk_annual, share_capital
from extractors.layout import TextPass
from extractors.result import ExtractResult, Origin

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SHARED = ROOT.parent / "shared" / "fixtures" / "real"

# read by hand off the page text (2026-12-07): the 股份变动情况表's 三、股份总数, 本次变动后 数量
SHARED_TRUTH = {
    "cn_annual/sz300418_kunlun_wanwei_2016_annual_report.pdf": dict(value=1127152504, page=79, as_of="2016-12-31"),
    "cn_annual/sh600250_nanfang_2014_annual_report.pdf": dict(value=258692460, page=31, as_of="2014-12-31"),
    # 股份变动情况表: 报告期内，公司股份总数及股本结构未发生变化 (page 36); page 118's 股本 note prints
    # 股份总数 520,005,000.00 under 单位：元 (share capital at par): never a count
    "cn_annual/sh603333_mingxing_cable_2014_annual_report.pdf": dict(missing=True),
}


def _cases():
    out = []
    for tf in sorted((CORPUS / "truth").glob("*.json")):
        truth = json.loads(tf.read_text(encoding="utf-8"))
        if "total_shares" not in truth:
            continue
        kind = "hkex" if tf.stem.startswith("hk") else "cn_annual"
        out.append(pytest.param(CORPUS / "pdf" / kind / truth["document"], truth["total_shares"], id=tf.stem))
    for rel, truth in SHARED_TRUTH.items():
        out.append(pytest.param(SHARED / "pdf" / rel, truth, id=Path(rel).stem))
    return out


def _extract(pdf: Path):
    if pdf.parent.name == "hkex":
        return hk_annual.extract(pdf, company_id="c")
    return cn_annual.extract(pdf, company_id="c")


@pytest.mark.parametrize("pdf,truth", _cases())
def test_year_end_share_count(pdf: Path, truth: dict) -> None:
    assert pdf.exists(), f"{pdf}: a document with hand-read truth is missing from the corpus"
    result = _extract(pdf)
    got = [f for f in result.facts if f.metric == "total_shares"]
    errors = [e for e in result.errors if "total_shares" in e.reason]
    if truth.get("missing"):
        assert not got, f"no count is printed, but one came out: {got}"
        assert not errors
        return
    assert len(got) == 1, got
    fact = got[0]
    assert fact.value == truth["value"]
    assert fact.page == truth["page"]
    assert fact.period_end == truth["as_of"]
    assert not fact.conflict and not errors, errors
    assert fact.currency == "" and fact.bbox and fact.raw and fact.label
    for c in truth.get("corroborations", []):  # every second place read by hand is read and agrees
        assert any(r["page"] == c["page"] and r["agrees"] for r in fact.corroborations), (c, fact.corroborations)
    assert fact.single_source == (not fact.corroborations)


def _pages(pdf: Path) -> list[tuple[int, str]]:
    tp = TextPass(pdf.read_bytes(), pdf.name)
    try:
        return [(n, tp.text(n)) for n in range(1, tp.n_pages + 1)]
    finally:
        tp.close()


def _read(pdf: Path, pages, market: str, fy: int, end: str) -> ExtractResult:
    result = ExtractResult()
    share_capital.add_share_count(pdf.read_bytes(), pages, market=market, fiscal_year=fy, year_end=end,
                                  origin=Origin("0" * 64, "annual_report", "c", "t", "v"), result=result,
                                  name=pdf.name)
    return result


def test_two_places_disagreeing_is_a_conflict_never_a_pick() -> None:
    """Baike 2024 prints 413,657,598 in its share table (page 142) and in two sentences (pages 2
    and 80); one sentence altered to another figure must give a conflict naming both pages."""
    pdf = CORPUS / "pdf" / "cn_annual" / "sh688276_baike_2024_annual_report.pdf"
    pages = [(n, t.replace("413,657,598", "413,567,598") if n == 80 else t) for n, t in _pages(pdf)]
    result = _read(pdf, pages, "cn", 2024, "2024-12-31")
    (fact,) = [f for f in result.facts if f.metric == "total_shares"]
    assert fact.conflict
    assert [c["agrees"] for c in fact.corroborations if c["page"] == 80] == [False]
    (err,) = [e for e in result.errors if e.kind == "ReadingsConflict"]
    assert "page 142" in err.reason and "page 80" in err.reason and "413,567,598" in err.reason


def test_a_summary_without_the_section_gives_no_count() -> None:
    """A summary (摘要) prints no share table; a sentence dated to another day is not read."""
    pdf = CORPUS / "pdf" / "cn_annual_summary" / "sz300347_taige_2024_annual_report_summary.pdf"
    result = cn_annual.extract(pdf, company_id="c")
    assert not [f for f in result.facts if f.metric == "total_shares"]
    assert not [e for e in result.errors if "total_shares" in e.reason]


def test_a_sentence_dated_another_day_is_not_the_year_end_count() -> None:
    """Shitou 2025 prints 截至2026年4月21日，公司总股本259,106,368股 (page 2): not the year end's."""
    pdf = CORPUS / "pdf" / "cn_annual" / "sh688169_shitou_keji_2025_annual_report.pdf"
    result = _read(pdf, [(n, t) for n, t in _pages(pdf) if n < 10], "cn", 2025, "2025-12-31")
    assert not result.facts and not result.errors


def test_the_row_gives_its_count_after_the_change_not_before() -> None:
    """本次变动前 数量, 比例, the changes, 本次变动后 数量, 比例: the last count of the row."""
    rows = share_capital.table_rows(_lines(["三、股份总数", "1,000,000", "100", "200,000", "200,000", "1,200,000",
                                            "100"]))
    assert [r[1] for r in rows] == ["1,200,000"]
    assert share_capital.table_rows(_lines(["一、有限售条件股份", "1,000,000", "100"])) == []


def _lines(cells: list[str]):
    from extractors.layout import Line, PageLines, Word

    words, x = [], 50.0
    for c in cells:
        words.append(Word(c, x, x + 6 * len(c), 100, 110))
        x += 6 * len(c) + 30
    return PageLines(1, [Line(1, words, 100, 110)])
