"""One test per failure class met on real reports never seen before (issue 14), each on a real page
that shows it. The values were read off the page text by hand (tests/corpus/truth/); the tests
check the class of layout is handled by structure, not the document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractors.hk_employees import find_employees
from extractors.hk_statements import readings
from extractors.hk_tables import read_tables
from extractors.hk_tokens import head_unit
from extractors.labels import en_metric
from extractors.layout import TextPass
from real_pages import facts_by_key as _facts
from real_pages import page_words as _page

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "pdf"
HK = CORPUS / "hkex"
CN = CORPUS / "cn_annual"


def test_unit_in_millions_with_a_curly_apostrophe_is_read_not_taken_as_units():
    # Tencent p130: RMB’Million over the columns (read as RMB once: every figure a million times small)
    rs, tables = readings(_page(HK / "hk00700_tencent_2025_annual_report.pdf", 130))
    assert tables[0].unit.scale == Decimal(1_000_000) and tables[0].unit.currency == "CNY"
    unit, printed, error = head_unit(["RMB’Mil"])
    assert unit is None and "RMB'Mil" in printed and "not read" in error  # a scale word it does not know


def test_unlabelled_total_under_a_heading_is_read_because_its_sum_confirms_it():
    # Tencent p130: 'Revenues' over four lines of business, then the total with its note number only
    rs, _ = readings(_page(HK / "hk00700_tencent_2025_annual_report.pdf", 130))
    got = {(r.metric, r.year): r for r in rs}
    assert got[("revenue", 2025)].raw == "751,766" and "total of the 4 lines above" in got[("revenue", 2025)].label


def test_attribution_of_total_comprehensive_income_is_not_the_profit_attributable():
    # Tencent p131: 'Total comprehensive income for the year' then 'Attributable to: Equity holders'
    rs, _ = readings(_page(HK / "hk00700_tencent_2025_annual_report.pdf", 131))
    assert not [r for r in rs if r.metric == "net_profit_attributable"]
    rs, _ = readings(_page(HK / "hk00700_tencent_2025_annual_report.pdf", 130))
    assert {r.raw for r in rs if r.metric == "net_profit_attributable"} == {"224,842", "194,073"}


def test_convenience_translation_column_is_set_aside_and_said_so():
    # Baidu p244 (US GAAP): 2023 2024 2025 over 'RMB RMB RMB US$'
    rs, tables = readings(_page(HK / "hk09888_baidu_2025_annual_report.pdf", 244))
    assert [c.year for c in tables[0].columns] == [2023, 2024, 2025]
    assert any("convenience" in n and "USD" in n for n in tables[0].notes)
    assert {r.raw for r in rs if (r.metric, r.year) == ("revenue", 2025)} == {"129,079"}


def test_scale_stated_as_a_phrase_above_the_columns():
    # Li Auto p78: '(All amounts in thousands, except for share and per share data)', 'RMB' per column
    facts, _ = _facts(HK / "hk02015_li_auto_2025_annual_report.pdf")
    assert facts[("revenue", 2025)].value == 112_312_511_000 and facts[("revenue", 2025)].currency == "CNY"


def test_a_page_of_two_tables_gives_each_its_own_head():
    # Baidu p14: the results (five years, RMB and US$) above the balance-sheet data with its own head
    tables = read_tables(_page(HK / "hk09888_baidu_2025_annual_report.pdf", 14))
    assert len(tables) == 2 and all(t.unit and t.unit.scale == Decimal(1_000_000) for t in tables)
    rs, _ = readings(_page(HK / "hk09888_baidu_2025_annual_report.pdf", 14))
    got = {(r.metric, r.year): r.raw for r in rs}
    assert got[("revenue", 2021)] == "124,493" and got[("total_assets", 2025)] == "449,157"


def test_us_gaap_labels_and_the_other_side_of_the_balance_sheet():
    assert en_metric("Operating income (loss)") == "operating_profit"
    assert en_metric("Income before income taxes") == "profit_before_tax"
    assert en_metric("Net income attributable to JD.com, Inc.’s ordinary shareholders") == "net_profit_attributable"
    assert en_metric("Less: net income (loss) attributable to noncontrolling interests") == "_nci"
    assert en_metric("Total liabilities, redeemable noncontrolling interests and equity") == "_total_liabilities_and_equity"
    assert en_metric("Total comprehensive income attributable to owners of the Company") is None
    facts, result = _facts(HK / "hk09888_baidu_2025_annual_report.pdf")
    assert facts[("total_assets", 2025)].conflict is False  # assets = the other side's total (mezzanine equity)
    assert not [e for e in result.errors if e.kind == "IdentityViolated"]


def test_respectively_lists_of_counts_and_dates():
    counts = find_employees("We had approximately 39,800, 35,900 and 33,500 full time employees as of December 31, "
                            "2023, 2024 and 2025, respectively.")
    assert [(y, n) for y, n, _ in counts] == [(2023, "39,800"), (2024, "35,900"), (2025, "33,500")]
    # a rule about companies is not the company's head count
    assert find_employees("a limited liability company with more than 300 employees shall have an employee "
                          "representative in its board of directors") == []


def test_rd_stated_only_in_a_note_sentence_is_read_once_and_said_so():
    facts, _ = _facts(HK / "hk00700_tencent_2025_annual_report.pdf")
    f = facts[("rd_expense", 2025)]
    assert f.value == 85_747_000_000 and f.page == 199 and f.single_source is True
    assert facts[("rd_expense", 2024)].value == 70_686_000_000


def test_year_and_its_suffix_printed_on_two_baselines():
    # 寒武纪 p102: '2025' above '年度' in the income statement's header
    facts, _ = _facts(CN / "sh688256_hanwuji_2025_annual_report.pdf")
    assert facts[("operating_profit", 2025)].page == 102


def test_digits_and_cjk_of_one_header_line_in_two_fonts():
    # 上汽 p65: '2025 12 31' and '年 月 日' boxes 2 points apart: one header, the balance sheet read
    facts, result = _facts(CN / "sh600104_shangqi_jituan_2025_annual_report.pdf")
    assert not [e for e in result.errors if e.kind == "TableNotFound"]
    assert any(c["source"] == "balance" for c in facts[("total_assets", 2025)].corroborations) or \
        facts[("total_assets", 2025)].page == 65


def test_operating_revenue_preferred_over_total_operating_revenue():
    # 上汽 p5: the main table prints 营业总收入 (with the finance company's interest) above 营业收入
    facts, _ = _facts(CN / "sh600104_shangqi_jituan_2025_annual_report.pdf")
    assert facts[("revenue", 2025)].raw == "646,152,101,889.30"


def test_bse_template_main_figures_staff_table_and_wrapped_signs():
    # 诺思兰德: 第三节 会计数据和财务指标; 员工总计 180 42 29 193 (期初/新增/减少/期末); the minus of
    # 归属于上市公司股东的净利润 printed on the label's line, its digits on the next
    facts, _ = _facts(CN / "bj920047_nuosilande_2025_annual_report.pdf")
    assert facts[("employees_total", 2025)].value == 193 and facts[("employees_total", 2024)].value == 180
    assert facts[("net_profit_attributable", 2023)].value == pytest.approx(-48_134_821.42)
    assert facts[("revenue", 2023)].value == pytest.approx(59_675_141.95)


# --- held-back HK set of 2026-12-07 (second round): classes met on first contact ------------------

EB_ZH = HK / "hk01856_ernest_borel_2019_annual_report_zh.pdf"
FS_ZH = HK / "hk00607_fullshare_2014_annual_report_zh.pdf"


def test_brackets_mirrored_by_a_right_to_left_paragraph_are_read_as_negative_figures():
    # Ernest Borel 2019 (traditional Chinese) p46: the text layer puts ')' left of the digits and
    # '(' right of them ('(78,739)' drawn in an RTL paragraph); left to right it read ')78,739 ('
    rs, _ = readings(_page(EB_ZH, 46))
    got = {(r.metric, r.year): r for r in rs}
    assert got[("profit_before_tax", 2019)].raw == "(78,739)" and got[("profit_before_tax", 2019)].value == -78739
    assert got[("profit_before_tax", 2018)].raw == "(96,346)"


def test_chinese_statement_page_whose_text_runs_figures_before_labels_is_found():
    # the same page's plain text reads '171,806 141,518 6 收入' (figures first): still an income page
    from extractors.hk_pages import page_kind

    tp = TextPass(EB_ZH.read_bytes(), EB_ZH.name)
    try:
        assert page_kind(tp.text(46), None) == "income"
        assert page_kind(tp.text(111), None) == "summary"
    finally:
        tp.close()


def test_chinese_one_line_profit_to_owners_is_both_the_profit_and_the_owners_share():
    # p46: '本公司擁有人應佔年度虧損 (79,047)' is the only profit line (no non-controlling interests)
    facts, _ = _facts(EB_ZH)
    assert facts[("net_profit_attributable", 2019)].value == Decimal(-79047000)
    assert facts[("net_profit", 2019)].value == Decimal(-79047000)
    assert facts[("net_profit", 2018)].page == 46


def test_owners_share_split_into_continuing_and_discontinued_lines_is_read_from_their_sum():
    # Fullshare 2014 (Chinese) p46: '本公司擁有人應佔年內虧損及全面開支總額：' over 持續經營業務 and
    # 已終止經營業務, then their unlabelled sum; the non-controlling interests' block below is not it
    rs, _ = readings(_page(FS_ZH, 46))
    got = {(r.metric, r.year): r for r in rs}
    assert got[("net_profit_attributable", 2014)].raw == "(1,109,654)"
    assert got[("net_profit_attributable", 2013)].raw == "(241,746)"
    assert got[("net_profit", 2013)].raw == "(233,380)"  # not the continuing operations' (201,338)


def test_chinese_staff_sentence_given_back_to_front_by_the_text_layer_is_read_in_printed_order():
    # Ernest Borel 2019 (Chinese) p13: the plain text reads '名雇员減少231日的31月12年2018較截至,
    # 名全职雇员211本集团共有'; read from the words in position order, with the comparison's own date
    facts, _ = _facts(EB_ZH)
    assert facts[("employees_total", 2019)].value == 211 and facts[("employees_total", 2018)].value == 231
    # '較截至2018年12月31日的231名': the date after the count belongs to the compared count
    got = find_employees("截至2019年12月31日，本集團共有211名全職僱員，較截至2018年12月31日的231名僱員減少8.7%。")
    assert [(y, c) for y, c, _ in got] == [(2019, "211"), (2018, "231")]


WUXI = HK / "hk02359_wuxi_apptec_2025_annual_report.pdf"


def test_columns_headed_by_dates_and_grouped_continuing_discontinued_total_read_the_total():
    # WuXi AppTec 2025 p117: 'Continuing Operations  Discontinued Operations  Total' over pairs of
    # columns headed '31/12/2025 31/12/2024'; the Total pair is the statement's figure
    from extractors.hk_tokens import word_year

    assert word_year("31/12/2025") == 2025 and word_year("2025-03-31") == 2025 and word_year("31/13/2025") is None
    rs, tables = readings(_page(WUXI, 117))
    got = {(r.metric, r.year): r for r in rs}
    assert got[("revenue", 2025)].raw == "45,456,166"  # not continuing 43,420,824
    assert got[("profit_before_tax", 2024)].raw == "11,441,027"  # not continuing 13,306,871 (Restated)
    assert got[("rd_expense", 2025)].raw == "(1,119,453)"
    assert not [e for t in tables for e in t.errors]


def test_summary_titles_of_other_lengths_and_words():
    # Ernest Borel 2014 p97 'Four Years Financial Summary'; WuXi AppTec p38 'Five-Year Statistics'
    from extractors.hk_pages import page_kind

    for path, n in ((HK / "hk01856_ernest_borel_2014_annual_report.pdf", 97), (WUXI, 38)):
        tp = TextPass(path.read_bytes(), path.name)
        try:
            assert page_kind(tp.text(n), None) == "summary"
        finally:
            tp.close()
    facts, _ = _facts(HK / "hk01856_ernest_borel_2014_annual_report.pdf")
    assert facts[("total_assets", 2014)].value == Decimal(902261000) and facts[("total_assets", 2014)].page == 97
    assert facts[("revenue", 2011)].value == Decimal(489089000)


def test_margin_text_and_page_number_below_a_table_are_not_a_column():
    # Ernest Borel 2015 (Chinese) p101 (the page alone, cut from the report): the running title
    # '2015 年年報' set vertically down the right margin and the page number '100' sit under the
    # last year's column; as a column of their own they made 2011 head two columns (refused)
    rs, tables = readings(_page(HK / "hk01856_ernest_borel_2015_annual_report_zh_p101_extract.pdf", 1))
    got = {(r.metric, r.year): r.raw for r in rs}
    assert got[("total_assets", 2011)] == "477,404" and got[("total_assets", 2015)] == "861,455"
    assert not [e for t in tables for e in t.errors]


def test_label_with_a_box_drawing_slash_and_a_year_ended_in_april():
    # Fullshare (then 匯多利) 2009 (Chinese), year ended 30 April 2009: the summary's
    # '除稅前溢利╱（虧損）' (U+2571, not '/') is profit before tax; 綜合收益表 is the statement
    from extractors.hk_statements import metric_of

    assert metric_of("除稅前溢利╱（虧損）") == "profit_before_tax" and metric_of("年內溢利╱（虧損）") == "net_profit"
    facts, _ = _facts(HK / "hk00607_fullshare_2009_annual_report_zh.pdf")
    assert facts[("profit_before_tax", 2007)].value == Decimal(-684258000)
    assert facts[("revenue", 2009)].value == Decimal(53437000) and facts[("revenue", 2009)].page == 22
    assert facts[("employees_total", 2008)].value == 5


def test_note_reference_glued_to_the_label_is_not_part_of_it():
    # Fullshare 2019 p68: the text layer gives 'Revenue 6.7(i)' as one label (note 6.7(i) beside it);
    # unread, the statement's revenue was missing and the five-year summary's stood alone
    from extractors.hk_statements import metric_of

    assert metric_of("Revenue 6.7(i)") == "revenue" and metric_of("Net impairment losses 3(iv)") is None
    rs, _ = readings(_page(HK / "hk00607_fullshare_2019_annual_report.pdf", 68))
    assert {(r.metric, r.year): r.raw for r in rs}[("revenue", 2019)] == "11,163,103"
