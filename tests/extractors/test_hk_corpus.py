"""Real HK annual reports against values read off their pages by hand (tests/corpus/truth/).

One test per document, metric and year (value to the dollar, page, year), then one per HK failure
class on a real page that shows it. The truth was read from the page text, never from our output.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import extractors
from extractors import hk_annual, hk_facts, hk_pages
from extractors.hk_employees import find_employees
from extractors.hk_statements import metric_of, readings
from extractors.hk_tokens import cn_year
from extractors.layout import TextPass

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("corpus_accuracy", ROOT / "benchmarks" / "corpus_accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("corpus_accuracy", accuracy)  # its dataclass looks its module up
_spec.loader.exec_module(accuracy)
CORPUS = ROOT / "tests" / "corpus"
SHARED = ROOT.parent / "shared" / "fixtures" / "real" / "pdf" / "hkex"
TRUTHS = sorted((CORPUS / "truth").glob("hk*.json"))
CAPITAL_VC = CORPUS / "pdf" / "hkex" / "hk02324_capital_vc_2021_annual_report.pdf"
_CACHE: dict[str, object] = {}


def _path(document: str) -> Path:
    for base in (CORPUS / "pdf" / "hkex", SHARED):
        if (base / document).is_file():
            return base / document
    pytest.skip(f"{document} is in ../shared/fixtures (not beside this clone)")


def _extract(document: str):
    if document not in _CACHE:
        _CACHE[document] = extractors.read(None, _path(document), company_id="C0001")
    return _CACHE[document]


def _cases():
    for t in TRUTHS:
        truth = json.loads(t.read_text(encoding="utf-8"))
        for f in truth["facts"]:
            yield pytest.param(truth["document"], f, id=f"{t.stem}-{f['metric']}-{f['fiscal_year']}")


@pytest.mark.parametrize("document,fact", list(_cases()))
def test_hk_fact_as_read_by_hand(document, fact):
    """Read right (the hand-read value on its page or a page the truth lists as printing it too),
    or refused with a reason (a conflict, an error naming the metric); never wrong, never a
    silent gap. The judgement of benchmarks/corpus_accuracy.py."""
    result = _extract(document)
    verdict = accuracy.judge(result, fact)
    assert verdict.outcome in ("right", "refused"), (
        f"{verdict.outcome}: {verdict.detail}; errors {[(e.kind, e.reason) for e in result.errors][:4]}")
    tables = _table_pages(document)
    if verdict.outcome == "right" and fact.get("corroborated_by_page") in tables and fact["page"] in tables:
        # a second place the reader reads (a statement or the five-year summary) confirms it
        f = next(f for f in result.facts if (f.metric, f.fiscal_year) == (fact["metric"], fact["fiscal_year"]))
        assert fact["corroborated_by_page"] in [f.page] + [c["page"] for c in f.corroborations]
        assert f.conflict is False and f.single_source is False


def _table_pages(document: str) -> set[int]:
    """The pages of the statements and the five-year summary, as the truth file records them."""
    truth = next(json.loads(t.read_text(encoding="utf-8")) for t in TRUTHS
                 if json.loads(t.read_text(encoding="utf-8"))["document"] == document)
    pages: set[int] = set()
    for name, table in (truth.get("tables") or {}).items():
        if name in ("income_statement", "balance_sheet", "five_year_summary") and isinstance(table, dict):
            pages |= {table["page"]} if "page" in table else set()
            pages |= set(table.get("pages", []))
    return pages


def test_hk_corpus_is_mostly_read_and_never_wrong():
    """Over every HK document with truth: no wrong value at all, and at least 95% of the hand-read
    facts read right (measured 2026-12-07: 369 of 372 and 36 of 39 of the last four added)."""
    counts = {"right": 0, "wrong": 0, "refused": 0, "missing": 0}
    for t in TRUTHS:
        truth = json.loads(t.read_text(encoding="utf-8"))
        result = _extract(truth["document"])
        for fact in truth["facts"]:
            counts[accuracy.judge(result, fact).outcome] += 1
    total = sum(counts.values())
    assert counts["wrong"] == 0 and counts["missing"] <= 0.02 * total, counts
    assert counts["right"] >= 0.95 * total, counts


@pytest.mark.parametrize("truth", TRUTHS, ids=[t.stem for t in TRUTHS])
def test_hk_document_reads_nothing_else_wrong(truth):
    """No fact the hand-reading did not find for a metric it covers (a wrong year or row)."""
    t = json.loads(truth.read_text(encoding="utf-8"))
    result = _extract(t["document"])
    wanted = {(f["metric"], f["fiscal_year"]): f["value"] for f in t["facts"]}
    metrics = {m for m, _ in wanted}
    for f in result.facts:
        if f.metric in metrics and (f.metric, f.fiscal_year) in wanted:
            assert Decimal(repr(f.value)) == Decimal(wanted[(f.metric, f.fiscal_year)])
    if not t["facts"]:  # a document with nothing to read says so, with a page
        assert not [f for f in result.facts if f.metric != "employees_total"]
        assert result.errors and any(e.page for e in result.errors)


# --- failure classes, each on a real page ----------------------------------------------------------


def _page(n: int):
    tp = TextPass(CAPITAL_VC.read_bytes(), CAPITAL_VC.name)
    try:
        return tp.text(n), tp.words(n)
    finally:
        tp.close()


def test_capitals_title_with_chinese_title_beside_and_30_september_year_end():
    # p51: CONSOLIDATED STATEMENT OF PROFIT OR LOSS AND OTHER COMPREHENSIVE INCOME / 綜合損益及其他全面收益表
    facts = {(f.metric, f.fiscal_year): f for f in _extract(CAPITAL_VC.name).facts}
    f = facts[("revenue", 2021)]
    assert f.page == 51 and f.period_end == "2021-09-30" and facts[("revenue", 2020)].period_end == "2020-09-30"
    assert f.currency == "HKD" and f.scale == 1.0 and f.unit == "HK$"  # dollars, kept as printed


def test_wrapped_bilingual_label_under_an_attribution():
    # p51: 'Profit (loss) and total comprehensive / income (expense) for the year / attributable to
    # equity holders / of the Company' with the Chinese label beside and the figures on the last line
    _, pl = _page(51)
    rs, _ = readings(pl)
    got = {(r.metric, r.year): r.raw for r in rs}
    assert got[("net_profit_attributable", 2021)] == "62,724,232"
    assert got[("net_profit_attributable", 2020)] == "(105,482,955)"
    assert got[("operating_profit", 2021)] == "64,391,336"  # 'Operating gain (loss)'
    assert metric_of("Expected credit loss on deposits and other receivables, net of reversal") is None


def test_five_year_summary_read_for_the_years_it_prints_and_as_corroboration():
    # p137: headers 'Year ended / 30 September / 2021' on several lines, 截至二零二一年九月三十日止年度
    facts = {(f.metric, f.fiscal_year): f for f in _extract(CAPITAL_VC.name).facts}
    assert facts[("revenue", 2017)].value == -514825909 and facts[("revenue", 2017)].page == 137
    assert facts[("revenue", 2017)].single_source is True
    r21 = facts[("revenue", 2021)]
    assert r21.page == 51 and [c["page"] for c in r21.corroborations] == [137] and r21.conflict is False
    assert r21.corroborations[0]["raw"] == "76,705,162" and len(r21.corroborations[0]["bbox"]) == 4


def test_letter_spaced_traditional_chinese_staff_sentence():
    # p21: '於 二 零 二 一 年 九 月 三 十 日，本 集 團 有13名僱員' (one glyph per word)
    text, _ = _page(21)
    zh = text[text.index("人力資源"):text.index("Human Resources")]
    assert find_employees(zh)[0][:2] == (2021, "13")
    assert cn_year("二零二一年") == 2021


def test_staff_sentence_naming_two_dates_gives_each_count_its_year():
    counts = find_employees("The Group employed approximately 1,200 staff as at 31 March 2022 (31 March 2021: 1,050).")
    assert [(y, n) for y, n, _ in counts] == [(2022, "1,200"), (2021, "1,050")]
    counts = find_employees("As at 31 December 2021, the Group had 2,345 employees, compared to 2,100 as at 31 December 2020.")
    assert [(y, n) for y, n, _ in counts] == [(2021, "2,345"), (2020, "2,100")]
    counts = find_employees("As at 31 March 2022 and 31 March 2021, the Group had 95 and 88 full-time staff respectively.")
    assert [(y, n) for y, n, _ in counts] == [(2022, "95"), (2021, "88")]
    counts = find_employees("於二零二四年十二月三十一日，本集團共有約1,200名員工（二零二三年：1,100名）。")
    assert [(y, n) for y, n, _ in counts] == [(2024, "1,200"), (2023, "1,100")]


def test_statement_and_summary_disagreeing_is_a_conflict_with_both_pages():
    """The real readings of p51 and p137, one of them altered as a misprint would: the fact is
    marked, and an error row names both pages and values."""
    from extractors.result import ExtractResult, Origin

    found = {}
    for n in (51, 137):
        for r in readings(_page(n)[1])[0]:
            found.setdefault((r.metric, r.year), []).append(("statement" if n == 51 else "summary", r))
    kind, summary = found[("profit_before_tax", 2021)][1]
    summary.raw, summary.value = "62,742,232", Decimal("62742232")
    result = ExtractResult()
    hk_facts.decide({("profit_before_tax", 2021): found[("profit_before_tax", 2021)]},
                      Origin("0" * 64, "hk_annual_report", "C1", "hk_annual", "t"), result, "x.pdf", (9, 30))
    (fact,) = result.facts
    assert fact.conflict is True and fact.value == 62724232
    (err,) = result.errors
    assert err.kind == "ReadingsConflict" and "page 51" in err.reason and "page 137" in err.reason
    assert "62,724,232" in err.reason and "62,742,232" in err.reason


def test_fund_report_without_company_statements_is_an_error_not_an_empty_result():
    result = _extract("hk03073_spdr_ftse_greater_china_etf_2021_annual_report.pdf")
    assert result.errors and all(e.page for e in result.errors if e.kind == "TableNotFound")


def test_segment_columns_take_the_total_or_are_refused(tmp_path):
    from extract_synth import Grid, Text, make_pdf

    def doc(head2):
        return make_pdf(tmp_path / f"seg{len(head2)}.pdf", [
            [Text(60, 60, "Example Holdings Limited Annual Report 2024 Stock Code: 9999")],
            [Text(60, 60, "CONSOLIDATED STATEMENT OF PROFIT OR LOSS", 12),
             Text(60, 80, "For the year ended 31st March 2024"),
             Grid(30, 100, [150, 70, 70, 70, 70, 70, 70], [
                 ["", "2024", "2024", "2024", "2023", "2023", "2023"],
                 ["", "Retail", "Online", head2, "Retail", "Online", head2],
                 ["", "S$'000", "S$'000", "S$'000", "S$'000", "S$'000", "S$'000"],
                 ["Revenue", "1,000", "2,000", "3,000", "900", "1,800", "2,700"],
                 ["Loss from operations", "(100)", "(200)", "(300)", "(90)", "(180)", "(270)"],
                 ["Loss and total comprehensive expense for the year", "(110)", "(220)", "(330)", "(99)", "(198)",
                  "(297)"]], ruled=False)]])

    facts = {(f.metric, f.fiscal_year): f for f in hk_annual.extract(doc("Total")).facts}
    assert facts[("revenue", 2024)].value == 3_000_000 and facts[("revenue", 2023)].value == 2_700_000
    assert facts[("revenue", 2024)].currency == "SGD" and facts[("revenue", 2024)].unit == "S$'000"
    assert facts[("operating_profit", 2024)].value == -300_000
    assert facts[("net_profit", 2023)].value == -297_000
    assert facts[("revenue", 2024)].period_end == "2024-03-31"
    refused = hk_annual.extract(doc("Other"))
    assert not [f for f in refused.facts if f.metric == "revenue"]
    assert any("heads 3 columns" in e.reason and e.page == 2 for e in refused.errors)


def test_traditional_chinese_cover_and_singapore_dollars_take_the_hk_path(tmp_path):
    """年度報告 becomes 年度报告 once simplified: the cover is judged as printed, so a traditional
    HK report in S$ is not sent down the A-share path; an A-share cover still is."""
    from extract_synth import Text, make_pdf

    from extractors import sniff

    hk = make_pdf(tmp_path / "hk.pdf", [[Text(150, 200, "新加坡控股有限公司 二零二四年年度報告", 14),
                                          Text(150, 230, "（於開曼群島註冊成立之有限公司）"), Text(150, 250, "S$'000")]])
    assert sniff(hk.read_bytes()) == "hk_annual_report"
    a = make_pdf(tmp_path / "a.pdf", [[Text(200, 200, "示例股份有限公司 2024年年度报告", 14), Text(200, 230, "股票代码：600999")]])
    assert sniff(a.read_bytes()) == "annual_report"


def test_annual_results_announcement_is_read_for_its_statements(tmp_path):
    from extract_synth import Grid, Text, make_pdf

    path = make_pdf(tmp_path / "results.pdf", [
        [Text(60, 60, "EXAMPLE HOLDINGS LIMITED (Stock Code: 9999)"),
         Text(60, 80, "ANNUAL RESULTS ANNOUNCEMENT FOR THE YEAR ENDED 31 MARCH 2025"),
         Text(60, 110, "CONSOLIDATED STATEMENT OF PROFIT OR LOSS", 12),
         Grid(40, 130, [220, 50, 90, 90], [
             ["", "", "2025", "2024"], ["", "Notes", "HK$'000", "HK$'000"],
             ["Revenue", "4", "12,345", "11,000"], ["Loss before tax", "6", "(1,234)", "(900)"],
             ["Loss for the year", "", "(1,300)", "(950)"]], ruled=False)]])
    result = extractors.read(None, path)
    facts = {(f.metric, f.fiscal_year): f for f in result.facts}
    assert facts[("revenue", 2025)].value == 12_345_000 and facts[("revenue", 2025)].period_end == "2025-03-31"
    assert facts[("profit_before_tax", 2024)].value == -900_000 and facts[("net_profit", 2025)].value == -1_300_000


def test_extract_command_prints_the_corroborations(capsys):
    from extractors.command import main

    assert main(["--json", str(CAPITAL_VC)]) == 0
    rows = json.loads(capsys.readouterr().out)
    (r,) = [x for x in rows if x["metric"] == "total_assets" and x["fiscal_year"] == 2018]
    assert r["value"] == 751497253 and r["page"] == 137 and r["single_source"] is True and r["corroborations"] == []
    (r,) = [x for x in rows if x["metric"] == "profit_before_tax" and x["fiscal_year"] == 2021]
    assert r["page"] == 51 and r["corroborations"][0]["page"] == 137 and r["conflict"] is False


def test_extract_command_fails_on_an_empty_result(monkeypatch, capsys, tmp_path):
    import extractors
    from extractors.command import main
    from extractors.result import ExtractResult

    monkeypatch.setattr(extractors, "read", lambda *a, **k: ExtractResult())
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    assert main([str(tmp_path / "x.pdf")]) == 3
    assert "x.pdf: no figure could be read from this document" in capsys.readouterr().err


def test_year_centred_over_two_segments_and_a_total(tmp_path):
    """Six columns under two spanning years: the total column of each year, never a segment's."""
    from extract_synth import Text, make_pdf

    xs = [250, 310, 370, 440, 500, 560]  # right edges of the six columns
    def right(x, y, s):
        return Text(x - 5.5 * len(s), y, s)  # right-aligned figures and names (about 5.5 pt a glyph)
    page = [Text(60, 50, "CONSOLIDATED STATEMENT OF PROFIT OR LOSS 綜合損益表", 12),
            Text(60, 68, "FOR THE YEAR ENDED 30TH SEPTEMBER 2024"),
            Text(295, 90, "2024"), Text(485, 90, "2023")]
    for x, name in zip(xs, ["Hong Kong", "PRC", "Total"] * 2):
        page.append(right(x, 106, name))
    for x in xs:
        page.append(right(x, 120, "US$'000"))
    rows = [("Revenue", ["800", "200", "1,000", "700", "150", "850"]),
            ("(Loss)/profit before tax", ["(50)", "10", "(40)", "30", "(5)", "25"])]
    for k, (label, vals) in enumerate(rows):
        page.append(Text(60, 140 + 18 * k, label))
        for x, v in zip(xs, vals):
            page.append(right(x, 140 + 18 * k, v))
    path = make_pdf(tmp_path / "span.pdf", [[Text(60, 60, "Example Limited Annual Report 2024 Stock Code: 9999")], page])
    result = hk_annual.extract(path)
    facts = {(f.metric, f.fiscal_year): f for f in result.facts}
    assert facts[("revenue", 2024)].value == 1_000_000 and facts[("revenue", 2023)].value == 850_000, result.errors
    assert facts[("profit_before_tax", 2024)].value == -40_000 and facts[("profit_before_tax", 2023)].value == 25_000
    assert facts[("revenue", 2024)].currency == "USD" and facts[("revenue", 2024)].period_end == "2024-09-30"


def test_letter_spaced_chinese_numeral_year_headers(tmp_path):
    from extract_synth import Grid, Text, make_pdf

    path = make_pdf(tmp_path / "spaced.pdf", [
        [Text(200, 200, "示例控股有限公司 二零二五年年報", 14), Text(200, 230, "股份代號：1999")],
        [Text(150, 60, "綜合損益表", 12), Text(200, 80, "截至二零二五年三月三十一日止年度"),
         Grid(40, 100, [220, 50, 90, 90], [
             ["", "", "二 零 二 五 年", "二 零 二 四 年"],
             ["", "附註", "人民幣千元", "人民幣千元"],
             ["收入", "5", "5,000", "4,000"],
             ["除稅前溢利", "7", "900", "800"]], ruled=False)]])
    facts = {(f.metric, f.fiscal_year): f for f in hk_annual.extract(path).facts}
    assert facts[("revenue", 2025)].value == 5_000_000 and facts[("revenue", 2025)].currency == "CNY"
    assert facts[("profit_before_tax", 2024)].value == 800_000
    assert facts[("revenue", 2024)].period_end == "2024-03-31"


def test_total_assets_identity_on_the_real_pages_and_when_a_part_is_misread():
    """Capital VC: total assets (p137) = total liabilities (p137) + net assets (p52), read as
    printed; a misread part is an IdentityViolated error and marks the fact."""
    from extractors.result import ExtractResult, Origin

    found = {}
    for n, kind in ((52, "statement"), (137, "summary")):
        for r in readings(_page(n)[1])[0]:
            found.setdefault((r.metric, r.year), []).append((kind, r))
    assert {("_total_equity", 2021), ("_total_liabilities", 2021), ("total_assets", 2021)} <= set(found)
    origin = Origin("0" * 64, "hk_annual_report", "C1", "hk_annual", "t")
    ok = ExtractResult()
    hk_facts.decide(found, origin, ok, "x.pdf", (9, 30))
    hk_facts.identities(found, ok, "x.pdf", "C1")
    assert not ok.errors and not any(f.conflict for f in ok.facts)
    equity = found[("_total_equity", 2020)][0][1]
    equity.raw, equity.value = "484,670,719", Decimal("484670719")  # two digits swapped
    bad = ExtractResult()
    hk_facts.decide(found, origin, bad, "x.pdf", (9, 30))
    hk_facts.identities(found, bad, "x.pdf", "C1")
    (err,) = bad.errors
    assert err.kind == "IdentityViolated" and "489,783,797" in err.reason and "page 52" in err.reason
    assert {(f.metric, f.fiscal_year) for f in bad.facts if f.conflict} == {("total_assets", 2020)}


def test_staff_sentence_run_into_its_heading_keeps_its_bracketed_comparison():
    # Apollo Future Mobility p7: the heading has no full stop, so the sentence starts with 'Remuneration'
    counts = find_employees("Employees and Remuneration Policies\nAs at 30 September 2021, the Group had 193 "
                            "(2020: 204) employees. In addition to basic salary, employees are entitled")
    assert [(y, n) for y, n, _ in counts] == [(2021, "193"), (2020, "204")]
    assert find_employees("Employees and Remuneration Policies\nThe remuneration of employees was in line "
                          "with market trend (2020: same).") == []


def test_equity_shareholders_attribution_and_its_continuing_split():
    # Fullshare p70: the attribution, then the same figure split into continuing / discontinued
    assert metric_of("(Loss)/profit for the year attributable to: – Equity shareholders of the Company") == \
        "net_profit_attributable"
    assert metric_of("(Loss)/profit for the year attributable to equity shareholders of the Company arises from: "
                     "– Continuing operations") is None


def test_one_profit_line_to_owners_is_the_net_profit_only_without_nci():
    from extractors.hk_statements import Reading

    def r(metric, label, value):
        return ("statement", Reading(46, metric, label, str(value), Decimal(value), 2019, (0, 0, 1, 1), "HK$'000"))

    line = "Loss for the year attributable to owners of the Company"
    found = {("net_profit_attributable", 2019): [r("net_profit_attributable", line, -79047)]}
    hk_facts.whole_profit_to_owners(found)
    assert [x.value for _, x in found[("net_profit", 2019)]] == [Decimal(-79047)]
    with_nci = {("net_profit_attributable", 2019): [r("net_profit_attributable", line, -79047)],
                ("_nci", 2019): [r("_nci", "Non-controlling interests", 500)]}
    hk_facts.whole_profit_to_owners(with_nci)
    assert ("net_profit", 2019) not in with_nci
    owners_row = {("net_profit_attributable", 2019): [r("net_profit_attributable", "Owners of the Company", -1)]}
    hk_facts.whole_profit_to_owners(owners_row)
    assert ("net_profit", 2019) not in owners_row


def test_unmapped_glyphs_are_measured_per_page():
    assert hk_pages.unmapped_share("收\ufffd 21,718,371 " * 40) > 0.05
    assert hk_pages.unmapped_share("Revenue 21,718,371 " * 40) == 0.0
