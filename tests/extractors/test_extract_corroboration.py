"""Read twice, decide once (issue 14): every fact is corroborated or says it was read once; a
disagreement is a conflict with an error naming both pages; accounting identities are checks;
R&D is two metrics; no document yields nothing silently. One test per failure class, each on a
real page that shows it, and properties over the whole real corpus.

The corpus: ../shared/fixtures/real/pdf and tests/corpus/pdf (the growing A-share corpus; until
it is merged into this branch it is read from the sibling worktree that builds it).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import extractors
from extractors import cn_annual, cn_mdna, cn_readings, cn_sections, corroborate
from extractors.command import main
from extractors.corroborate import Reading, Readings, identities
from extractors.labels import CN_RD_EXPENSE_MDNA, key
from top100.vocab import Metric

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "fixtures" / "real"
CORPUS = ROOT / "tests" / "corpus"


def _pdfs() -> list[Path]:
    out = sorted((SHARED / "pdf").rglob("*.pdf")) if SHARED.is_dir() else []
    return out + sorted((CORPUS / "pdf").rglob("*.pdf"))


PDFS = _pdfs()
_CACHE: dict[Path, object] = {}


def _extracted(path: Path):
    if path not in _CACHE:
        _CACHE[path] = extractors.read(None, path, company_id="C0001")
    return _CACHE[path]


def corpus_pdf(name: str) -> Path:
    """A document of tests/corpus (issue 14's growing corpus): it must be there, never skipped."""
    hits = sorted((CORPUS / "pdf").rglob(name)) if (CORPUS / "pdf").is_dir() else []
    assert hits, f"{name} is not in {CORPUS}/pdf (the A-share corpus of issue 14 must be merged)"
    return hits[0]


def shared_pdf(name: str) -> Path:
    hits = sorted((SHARED / "pdf").rglob(name))
    assert hits, f"{name} not under {SHARED}/pdf"
    return hits[0]


def facts_of(path: Path) -> dict:
    return {(f.metric, f.fiscal_year): f for f in _extracted(path).facts}


# --- properties over the whole corpus ---------------------------------------------------------


def test_the_corpus_is_there():
    assert len(PDFS) >= 7, PDFS


@pytest.mark.parametrize("path", PDFS, ids=[p.stem for p in PDFS])
def test_every_fact_is_corroborated_or_single_source(path):
    result = _extracted(path)
    for f in result.facts:
        assert bool(f.corroborations) != f.single_source, (f.metric, f.fiscal_year, f.corroborations)
        for c in f.corroborations:
            assert c["page"] and c["label"] and c["raw"] and c["bbox"] and c["source"], c
            assert c["bbox"][0] < c["bbox"][2] and c["bbox"][1] < c["bbox"][3]
        assert f.metric in {m.value for m in Metric}


@pytest.mark.parametrize("path", PDFS, ids=[p.stem for p in PDFS])
def test_no_reading_disagrees_without_a_conflict(path):
    """No fact (the current year's above all) disagrees with another reading of its document
    without ``conflict`` and an error row naming both pages and values (a labelled 调整前 column
    differs on purpose)."""
    result = _extracted(path)
    for f in result.facts:
        for c in f.corroborations:
            close = abs(Decimal(repr(c["value"])) - Decimal(repr(f.value))) <= Decimal("0.01") * Decimal(repr(max(1.0, f.scale)))
            if not c["agrees"] and c["restated"] != "before":
                assert f.conflict, (f.metric, f.fiscal_year, c)
                assert any(e.kind == "ReadingsConflict" and f"page {f.page}" in e.reason and f"page {c['page']}"
                           in e.reason and c["raw"] in e.reason and f.raw in e.reason for e in result.errors)
            elif c["agrees"]:
                assert close or f.scale > 1 or c["unit"] != f.unit, (f.metric, f.fiscal_year, c)


@pytest.mark.parametrize("path", PDFS, ids=[p.stem for p in PDFS])
def test_no_document_yields_zero_facts_without_an_error(path):
    result = _extracted(path)
    assert result.facts or result.errors
    fy = max((f.fiscal_year for f in result.facts), default=None)
    current = {f.metric for f in result.facts if f.fiscal_year == fy}
    assert {"revenue", "net_profit_attributable", "total_assets"} <= current or result.errors, current


@pytest.mark.parametrize("path", [p for p in PDFS if "hk" not in p.parts[-2]], ids=lambda p: p.stem)
def test_r_and_d_is_two_metrics_never_mixed(path):
    for f in _extracted(path).facts:
        if f.metric == "rd_expense":
            assert key(f.label) in CN_RD_EXPENSE_MDNA and (f.basis == "income_statement" or f.basis.startswith("mdna"))
        if f.metric == "rd_investment":
            assert f.basis.startswith("rd_investment:") and key(f.label) in cn_mdna.RD_INVESTMENT_STRONG + ("研发支出",)


# --- read twice: the sources of one fact --------------------------------------------------------


def test_revenue_is_read_from_the_main_table_and_the_income_statement():
    f = facts_of(shared_pdf("sh603339_sifang_2019_annual_report.pdf"))
    rev = f[("revenue", 2019)]
    assert (rev.page, rev.raw, rev.single_source, rev.conflict) == (5, "1,175,301,034.32", False, False)
    # the income statement, and the MD&A's analysis of the statement lines (利润表及现金流量表相关科目变动分析表)
    assert [(c["page"], c["source"], c["raw"], c["agrees"]) for c in rev.corroborations] == \
        [(63, "income", "1,175,301,034.32", True), (11, "mdna", "1,175,301,034.32", True)]
    cost = f[("operating_cost", 2019)]
    assert (cost.page, [(c["page"], c["source"], c["agrees"]) for c in cost.corroborations]) == (63, [(11, "mdna", True)])
    # total assets: the main table, and the balance sheet's 资产总计
    ta = f[("total_assets", 2019)]
    assert [(c["page"], c["source"], c["label"]) for c in ta.corroborations] == [(60, "balance", "资产总计")]
    # R&D expense: the income statement's 研发费用, and the MD&A's expense table
    rd = f[("rd_expense", 2019)]
    assert (rd.page, rd.basis) == (64, "income_statement")
    assert [(c["page"], c["source"], c["agrees"]) for c in rd.corroborations] == [(11, "mdna", True)]
    # employees: 在职员工的数量合计, and the 合计 of the staff's professional composition (专业构成)
    emp = f[("employees_total", 2019)]
    assert (emp.page, emp.raw) == (52, "1,406")
    assert [(c["source"], c["raw"], c["agrees"]) for c in emp.corroborations] == [("mdna_composition", "1,406", True)]
    # a figure printed once says so: the oldest year of the main table
    assert f[("revenue", 2017)].single_source and not f[("revenue", 2017)].corroborations


def test_a_disagreement_is_a_conflict_naming_both_pages(monkeypatch):
    """The real readings of a report with the income statement's 2019 revenue misread (a column
    taken for another): the fact is marked, and an error row names both pages and values."""
    real_decide = cn_annual.decide

    def misread(readings, *a, **k):
        r = readings.first("revenue", 2019, "income")
        r.number = r.number * 10
        r.raw = "11,753,010,343.20"
        return real_decide(readings, *a, **k)

    monkeypatch.setattr(cn_annual, "decide", misread)
    result = cn_annual.extract(shared_pdf("sh603339_sifang_2019_annual_report.pdf"))
    rev = {(f.metric, f.fiscal_year): f for f in result.facts}[("revenue", 2019)]
    assert rev.conflict and rev.value == 1175301034.32 and not rev.corroborations[0]["agrees"]
    (err,) = [e for e in result.errors if e.kind == "ReadingsConflict"]
    assert "page 5" in err.reason and "page 63" in err.reason
    assert "1,175,301,034.32" in err.reason and "11,753,010,343.20" in err.reason and err.page == 5


def test_a_labelled_restatement_is_not_a_conflict():
    """A reading from a 调整前 (original) column may differ from the restated one: no conflict."""
    from extractors.numbers import parse_unit

    yuan = parse_unit("元", default_currency="CNY")
    rs = Readings()
    rs.add(Reading("revenue", 2021, Decimal("15544401735.35"), yuan, 3, "营业收入", "15,544,401,735.35", (1, 1, 2, 2),
                   "main", restated="after"))
    rs.add(Reading("revenue", 2021, Decimal("15319993634.64"), yuan, 7, "营业收入", "15,319,993,634.64", (1, 1, 2, 2),
                   "income", restated="before"))
    rs.add(Reading("revenue", 2022, Decimal("181000.00"), parse_unit("万元", default_currency="CNY"), 3, "营业收入",
                   "181,000.00", (1, 1, 2, 2), "main"))
    rs.add(Reading("revenue", 2022, Decimal("1810000049.99"), yuan, 9, "营业收入", "1,810,000,049.99", (1, 1, 2, 2),
                   "income"))
    from extractors.result import ExtractResult, Origin

    out = ExtractResult()
    corroborate.decide(rs, Origin("x" * 64, "annual_report", None, "cn_annual", "t"), out, "doc.pdf",
                       lambda m, y: (None, None))
    got = {(f.metric, f.fiscal_year): f for f in out.facts}
    assert not got[("revenue", 2021)].conflict and got[("revenue", 2021)].corroborations[0]["restated"] == "before"
    # 万元 with two decimals is exact to 50 元: 1,810,000,049.99 agrees with 181,000.00 万元
    assert got[("revenue", 2022)].corroborations[0]["agrees"] and not out.errors


# --- accounting identities --------------------------------------------------------------------


def test_identities_hold_on_a_real_report_and_fail_on_a_misread_row(monkeypatch):
    """Nanfang 2014 prints every part: 利润总额 = 营业利润 + 营业外收入 − 营业外支出, 净利润 =
    归母 + 少数股东损益, 营业总收入 ≥ 营业收入, 资产总计 = 负债合计 + 所有者权益合计: all hold.
    With the operating profit misread (a row below taken), 利润总额's identity fails."""
    seen: list[Readings] = []
    real_decide = cn_annual.decide

    def spy(readings, *a, **k):
        seen.append(readings)
        return real_decide(readings, *a, **k)

    monkeypatch.setattr(cn_annual, "decide", spy)
    path = shared_pdf("sh600250_nanfang_2014_annual_report.pdf")
    result = cn_annual.extract(path)
    (readings,) = seen
    for part in (corroborate.PART_NONOP_INCOME, corroborate.PART_NONOP_EXPENSE, corroborate.PART_MINORITY,
                 corroborate.PART_TOTAL_REVENUE, corroborate.PART_LIABILITIES, corroborate.PART_EQUITY):
        assert readings.has(part, 2014) and readings.has(part, 2013), part
    assert identities(readings) == [] and not any(e.kind == "IdentityViolated" for e in result.errors)
    assert not any(f.metric.startswith("_") for f in result.facts)  # parts are checks, not facts

    op = readings.first("operating_profit", 2014, "income")
    op.number += Decimal("1000000")
    broken = identities(readings)
    assert [(m, y, p) for m, y, _, p in broken] == [("profit_before_tax", 2014, 53)]
    assert "利润总额 15,695,997.06" in broken[0][2] and "营业外支出" in broken[0][2]


def test_a_violated_identity_marks_the_fact_and_is_an_error(monkeypatch):
    real_decide = cn_annual.decide

    def misread(readings, *a, **k):
        readings.first(corroborate.PART_LIABILITIES, 2014, "balance").number += Decimal("5000.00")
        return real_decide(readings, *a, **k)

    monkeypatch.setattr(cn_annual, "decide", misread)
    result = cn_annual.extract(shared_pdf("sh600250_nanfang_2014_annual_report.pdf"))
    ta = {(f.metric, f.fiscal_year): f for f in result.facts}[("total_assets", 2014)]
    assert ta.conflict
    (err,) = [e for e in result.errors if e.kind == "IdentityViolated"]
    assert "资产总计 2,017,842,397.45" in err.reason and "负债合计" in err.reason


# --- tables that generalise: one failure class per real page ----------------------------------


def test_staggered_header_with_restated_and_change_columns_is_placed_by_x():
    """华润三九 2024 summary p3: ``2023 年末 … 2022 年末`` above ``2024 年末`` (lower), 本年末比上年末增减
    between, then ``调整前 调整后 调整后 调整前 调整后`` (the middle 调整后 is the change column's):
    columns assigned in order would take 2023's original for 2024."""
    f = facts_of(corpus_pdf("sz000999_huarun_sanjiu_2024_annual_report_summary.pdf"))
    assert f[("total_assets", 2024)].raw == "40,081,972,320.77" and not f[("total_assets", 2024)].restated
    assert f[("revenue", 2024)].raw == "27,616,611,772.61"
    assert (f[("revenue", 2023)].raw, f[("revenue", 2023)].restated) == ("24,738,963,319.76", True)
    assert (f[("revenue", 2022)].raw, f[("revenue", 2022)].restated) == ("18,079,461,482.75", True)
    assert (f[("net_profit_attributable", 2024)].raw, f[("net_profit_attributable", 2023)].raw) == \
        ("3,367,888,968.20", "2,852,931,664.85")
    assert all(x.page == 3 for x in f.values())


def test_header_cut_by_a_page_break_and_figures_wrapped_in_their_cells():
    """华润三九 2022 summary: the figures wrap inside narrow cells (``27,122,781,6`` over
    ``99.16``, the label between), and the revenue table's header ends on the next page
    (``调整前 调整后 …`` at the top of p3): 2021's restated (调整后) value, not the original."""
    f = facts_of(corpus_pdf("sz000999_huarun_sanjiu_2022_annual_report_summary.pdf"))
    assert (f[("total_assets", 2022)].raw, f[("total_assets", 2022)].page) == ("27,122,781,699.16", 2)
    assert (f[("total_assets", 2021)].raw, f[("total_assets", 2021)].restated) == ("24,541,900,747.88", True)
    assert f[("total_assets", 2020)].raw == "22,249,799,393.67"
    assert (f[("revenue", 2021)].raw, f[("revenue", 2021)].restated, f[("revenue", 2021)].page) == \
        ("15,544,401,735.35", True, 3)  # not 15,319,993,634.64 (调整前)
    assert f[("net_profit_attributable", 2022)].raw == "2,448,802,103.34"


def test_unit_printed_at_the_foot_of_the_page_before():
    """泰格医药 2023 summary: ``元`` is the last line of p2, the table and its two headers on p3."""
    result = _extracted(corpus_pdf("sz300347_taige_2023_annual_report_summary.pdf"))
    f = {(x.metric, x.fiscal_year): x for x in result.facts}
    assert (f[("revenue", 2023)].raw, f[("revenue", 2023)].unit, f[("revenue", 2023)].page) == \
        ("7,384,039,460.88", "元", 3)
    assert f[("net_profit_attributable", 2021)].value == 2874163020.17
    assert not result.errors


def test_date_headers_in_pieces_and_running_headers_on_a_continued_statement():
    """百诚医药 2023 p114-116: the balance sheet's header prints ``2023 年 12 月 31 日`` in pieces,
    資产总计 sits on the continued p115 under the running header (company + 年度报告全文)."""
    from extractors.layout import TextPass, strip_furniture

    path = shared_pdf("sz301096_baicheng_2023_annual_report.pdf")
    ta = facts_of(path)[("total_assets", 2023)]
    assert [(c["page"], c["source"], c["raw"]) for c in ta.corroborations] == [(115, "balance", "3,669,106,137.11")]
    tp = TextPass(path.read_bytes(), path.name)
    try:
        pl = tp.words(115)
        clean = strip_furniture(pl, (tp.text(114), tp.text(116)))
    finally:
        tp.close()
    assert "年度报告全文" in pl.lines[0].text and not any("年度报告全文" in ln.text for ln in clean.lines)
    assert clean.lines[0].text.startswith("生产性生物资产")


def test_note_columns_are_not_labels():
    """四方 2019's statements print a 附注 column (七、61 ...) between the label and the years."""
    f = facts_of(shared_pdf("sh603339_sifang_2019_annual_report.pdf"))
    for m in ("operating_cost", "operating_profit", "profit_before_tax", "net_profit"):
        assert f[(m, 2019)].page in (63, 64) and not any(ch.isdigit() for ch in key(f[(m, 2019)].label)), f[(m, 2019)]
    from extractors.headers import _NOTE

    assert all(n in _NOTE for n in ("附注", "附注五", "附注七", "注释", "Note", "notes"))
    assert "项目" not in _NOTE


@pytest.mark.parametrize("text,year", [
    ("杭州百诚医药科技股份有限公司\n2023 年年度报告", 2023), ("某某股份有限公司 2019 年度报告", 2019),
    ("2019年年报", 2019), ("二〇一九年年度报告", 2019), ("二零二一年年度報告", 2021),
    ("2 0 1 9 年 年 度 报 告", 2019), ("2019年半年度报告", None), ("2019年第一季度报告", None),
    ("股票代码600250 2014年年度报告", 2014),
])
def test_fiscal_year_from_any_cover_form(text, year):
    assert cn_sections.fiscal_year_of(text) == year


def test_fiscal_year_from_the_statements_headers_when_no_cover(tmp_path, monkeypatch):
    """四方 2019 without its first 8 pages (cover, contents, main figures), and its running header
    not read as a cover: the year comes from the statements' own headers (2019 年度, 2019 年 12 月
    31 日) and the facts stay the same."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(shared_pdf("sh603339_sifang_2019_annual_report.pdf")))
    short = pdfium.PdfDocument.new()
    short.import_pages(src, pages=list(range(8, len(src))))
    path = tmp_path / "no_cover.pdf"
    short.save(str(path))
    short.close()
    src.close()
    monkeypatch.setattr(cn_sections, "fiscal_year_of", lambda text: None)
    tp = cn_sections.TextPass(path.read_bytes(), "no_cover.pdf")
    try:
        assert cn_sections.find_sections(tp, cn_annual.CnAnnualSettings()).fiscal_year is None
    finally:
        tp.close()
    f = {(x.metric, x.fiscal_year): x for x in cn_annual.extract(path).facts}
    assert f[("revenue", 2019)].value == 1175301034.32 and f[("revenue", 2019)].page == 63 - 8
    assert f[("operating_profit", 2018)].value == 215658901.68


# --- no silent empties ------------------------------------------------------------------------


def test_a_document_without_figures_exits_non_zero_with_the_error(tmp_path, capsys):
    """The first three pages of a real report (cover, contents, definitions): no table, no fact:
    an error row, and ``top100 extract`` exits 3 with the error on stderr."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(shared_pdf("sh603339_sifang_2019_annual_report.pdf")))
    short = pdfium.PdfDocument.new()
    short.import_pages(src, pages=[0, 1, 2])
    path = tmp_path / "cover_only.pdf"
    short.save(str(path))
    short.close()
    src.close()
    result = extractors.read(None, path)
    assert result.facts == [] and [e.kind for e in result.errors] == ["TableNotFound"]
    assert main([str(path), "--json"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "cover_only.pdf" in captured.err and "error:" in captured.err


def test_an_hk_report_read_as_an_a_share_report_is_refused_visibly(capsys):
    path = shared_pdf("hk01741_ri_ying_2021_annual_report.pdf")
    assert main([str(path), "--type", "annual_report"]) == 3
    assert "error:" in capsys.readouterr().err


def test_extract_json_prints_the_corroborations(capsys):
    assert main([str(shared_pdf("sh603339_sifang_2019_annual_report.pdf")), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    rev = next(r for r in rows if r["metric"] == "revenue" and r["fiscal_year"] == 2019)
    assert rev["conflict"] is False and rev["single_source"] is False
    assert rev["corroborations"][0]["page"] == 63 and rev["corroborations"][0]["raw"] == "1,175,301,034.32"
    old = next(r for r in rows if r["metric"] == "revenue" and r["fiscal_year"] == 2017)
    assert old["single_source"] is True and old["corroborations"] == []


def test_total_operating_revenue_is_compared_with_its_own_line():
    """A main table printing 营业总收入 (a financial group's total) is compared with the
    statement's 营业总收入, never with its 营业收入 sub-line (a different figure, not a conflict)."""
    from extractors.numbers import parse_unit

    yuan = parse_unit("元", default_currency="CNY")
    rs = Readings()
    rs.add(Reading("revenue", 2020, Decimal("100.00"), yuan, 5, "营业总收入", "100.00", (1, 1, 2, 2), "main"))
    rs.add(Reading("revenue", 2020, Decimal("90.00"), yuan, 50, "其中：营业收入", "90.00", (1, 1, 2, 3), "income"))
    rs.add(Reading("_total_operating_revenue", 2020, Decimal("100.00"), yuan, 50, "一、营业总收入", "100.00",
                   (1, 1, 2, 4), "income"))
    rs.add(Reading("revenue", 2020, Decimal("90.00"), yuan, 11, "营业收入", "90.00", (1, 1, 2, 5), "mdna"))
    cn_readings.same_concept(rs)
    assert [(r.page, r.raw) for r in rs.by_key[("revenue", 2020)]] == [(5, "100.00"), (50, "100.00")]


def test_extract_text_says_how_often_each_fact_was_read(capsys):
    assert main([str(shared_pdf("sh603339_sifang_2019_annual_report.pdf"))]) == 0
    lines = capsys.readouterr().out.splitlines()
    rev = next(ln for ln in lines if ln.startswith("revenue ") and " 2019 " in ln)
    old = next(ln for ln in lines if ln.startswith("revenue ") and " 2017 " in ln)
    assert rev.endswith("read 3x") and old.endswith("read 1x")
