"""The traps seen in real reports, each on a small PDF in the layout of a real report (reportlab,
STSong-Light, as the demo world's generator writes them)."""

from __future__ import annotations

import pytest

from extract_synth import Grid, Text, filler, make_pdf
import extractors
from extractors import cn_annual, hk_annual

W5 = [95, 85, 85, 85, 55, 85]  # label, 2014, 2013 调整后, 2013 调整前, %, 2012


def a_share_report(path, *, unit_line="单位：元 币种：人民币", rd_line=True, ruled=True):
    cover = [Text(200, 200, "示例网络科技股份有限公司", 16), Text(230, 240, "2014年年度报告", 16),
             Text(230, 280, "公司代码：600999    公司简称：示例网络")]
    toc = [Text(250, 40, "2014年年度报告"), Text(60, 100, "目录"),
           Text(60, 130, "第二节 公司简介和主要财务指标 .................................. 3"),
           Text(60, 150, "三、主要会计数据和财务指标 .................................... 3"),
           Text(60, 170, "营业收入 ........................................................ 3")]
    main = [Text(250, 40, "2014年年度报告"), Text(60, 90, "三、近三年主要会计数据和财务指标"),
            Text(60, 110, "（一）主要会计数据"), Text(380, 130, unit_line),
            Grid(40, 140, W5, [
                ["主要会计数据", "2014年", "2013年", "", "本期比上\n年同期增\n减(%)", "2012年"],
                ["", "", "调整后", "调整前", "", ""],
                ["营业收入", "606,905,688.63", "986,776,146.74", "980,000,000.00", "-38.50", "1,154,114,523.68"],
                ["归属于上市公司\n股东的净利润", "(1,208)", "6,467,586.99", "6,400,000.00", "-1,169.9\n7", "-"],
                ["归属于上市公司\n股东的扣除非经\n常性损益的净利\n润", "-63,249,342.33", "5,732,789.06", "5,732,789.06",
                 "不适用", "77,486,481.61"],
            ], ruled=ruled)]
    # the table goes on over the page: the header is repeated, the unit line is not
    cont = [Text(250, 40, "2014年年度报告"),
            Grid(40, 70, W5, [
                ["", "2014年末", "2013年末", "", "本期末比\n上年同期\n末增减（%）", "2012年末"],
                ["", "", "调整后", "调整前", "", ""],
                ["归属于上市公司\n股东的净资产", "1,477,199,225.54", "1,548,443,346.66", "1,548,443,346.66", "-4.60",
                 "1,566,935,999.67"],
                ["总资产", "1,717,640,469.81", "2,023,796,334.40", "2,000,000,000.00", "-15.13", "2,428,870,250.64"],
            ], ruled=ruled),
            Text(60, 330, "（二）分季度主要财务数据"), Text(450, 350, "单位：元"),
            Grid(40, 360, [95, 100, 100, 100, 100], [
                ["", "第一季度", "第二季度", "第三季度", "第四季度"],
                ["营业收入", "111,111,111.11", "222,222,222.22", "133,333,333.33", "140,239,022.97"],
            ], ruled=ruled)]
    employees = [Text(250, 40, "2014年年度报告"), Text(60, 90, "九、公司员工情况"),
                 Grid(60, 110, [260, 120], [["母公司在职员工的数量（人）", "500"], ["主要子公司在职员工的数量（人）", "329"],
                                            ["在职员工的数量合计（人）", "829"], ["当期领取薪酬员工总人数（人）", "900"]],
                      ruled=ruled)]
    rows = [["项目", "附注", "本期发生额", "上期发生额"],
            ["一、营业总收入", "", "60,690.57", "98,677.61"],
            ["其中：营业收入", "六、30", "60,690.57", "98,677.61"],
            ["利息收入", "", "", ""],
            ["二、营业总成本", "", "67,611.33", "98,006.91"],
            ["其中：营业成本", "六、30", "51, 521.10", "77,936.66"],
            ["销售费用", "六、32", "4,745.85", "8,445.25"]]
    if rd_line:
        rows.append(["研发费用", "", "913, 789.00", "800,000.00"])
    rows += [["加：公允价值变动收益（损失以“－”号\n填列）", "", "", ""],
             ["三、营业利润（亏损以“－”号填\n列）", "", "\n-6,762.59", "\n690.83"],
             ["四、利润总额（亏损总额以“－”号填列）", "", "-7,458.43", "788.83"],
             ["五、净利润（净亏损以“－”号填列）", "", "-6,920.11", "646.76"]]
    income = [Text(250, 40, "2014年年度报告"), Text(270, 90, "合并利润表", 12), Text(250, 110, "2014年1—12月"),
              Text(400, 130, "单位：万元 币种：人民币"), Grid(40, 140, [200, 60, 110, 110], rows, ruled=ruled)]
    parent = [Text(250, 40, "2014年年度报告"), Text(270, 90, "母公司利润表", 12), Text(400, 130, "单位：万元 币种：人民币"),
              Grid(40, 140, [200, 60, 110, 110], [["项目", "附注", "本期发生额", "上期发生额"],
                                                 ["一、营业收入", "", "1,111.11", "2,222.22"],
                                                 ["减：营业成本", "", "999.99", "888.88"],
                                                 ["二、营业利润（亏损以“－”号填列）", "", "-5,977.55", "-1.00"]], ruled=ruled)]
    rd = [Text(250, 40, "2014年年度报告"), Text(60, 90, "5 研发支出"), Text(60, 110, "(1) 研发支出情况表"),
          Text(450, 130, "单位：元"),
          Grid(60, 140, [260, 120], [["本期费用化研发支出", "7,000,000.00"], ["研发支出合计", "7,000,000.00"]], ruled=ruled)]
    pages = [cover, toc, main, cont] + filler(2) + [rd, employees] + filler(2) + [income, parent]
    return make_pdf(path, pages)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = a_share_report(tmp_path_factory.mktemp("synth") / "report.pdf")
    return {(f.metric, f.fiscal_year): f for f in cn_annual.extract(path).facts}


@pytest.fixture(scope="module")
def report_unruled(tmp_path_factory):
    path = a_share_report(tmp_path_factory.mktemp("synth") / "report_unruled.pdf", ruled=False)
    return {(f.metric, f.fiscal_year): f for f in cn_annual.extract(path).facts}


def test_trap_toc_page_mentioning_the_main_table_is_skipped(report):
    assert report[("revenue", 2014)].page == 3


@pytest.mark.parametrize("facts", ["report", "report_unruled"])
def test_trap_restated_column_wins_over_original(facts, request):
    f = request.getfixturevalue(facts)
    assert f[("revenue", 2013)].value == 986776146.74 and f[("revenue", 2013)].restated
    assert f[("total_assets", 2013)].value == 2023796334.40


@pytest.mark.parametrize("facts", ["report", "report_unruled"])
def test_trap_wrapped_label_and_parenthesised_negative_and_dash(facts, request):
    f = request.getfixturevalue(facts)
    assert f[("net_profit_attributable", 2014)].value == -1208
    assert f[("net_profit_attributable", 2013)].value == 6467586.99
    assert ("net_profit_attributable", 2012) not in f  # printed as a dash: nothing, not zero


def test_trap_percentage_change_wrapping_onto_next_line_is_not_a_value(report):
    assert all(f.raw not in ("-1,169.9", "7") for f in report.values())


def test_trap_table_continues_on_next_page_without_its_unit_line(report):
    f = report[("total_assets", 2014)]
    assert (f.page, f.value, f.unit) == (4, 1717640469.81, "元")


def test_trap_quarterly_table_is_not_the_annual_one(report):
    assert report[("revenue", 2014)].value == 606905688.63
    assert not any(f.raw == "140,239,022.97" for f in report.values())


def test_trap_unit_in_header_applied_wan_yuan(report):
    f = report[("operating_cost", 2014)]
    assert (f.value, f.unit, f.scale, f.page) == (515211000.0, "万元", 10000.0, 11)


def test_trap_number_split_by_a_space(report):
    assert report[("operating_cost", 2014)].raw.replace(" ", "") == "51,521.10"
    assert report[("rd_expense", 2014)].value == 9137890000.0
    assert report[("rd_expense", 2014)].basis == "income_statement"


def test_trap_value_on_the_line_after_its_label(report):
    assert report[("operating_profit", 2014)].value == -67625900.0
    assert report[("operating_profit", 2013)].value == 6908300.0


def test_trap_parent_company_statement_is_not_consolidated(report):
    assert report[("operating_profit", 2014)].page == 11
    assert not any(f.raw in ("-5,977.55", "1,111.11") for f in report.values())


def test_trap_employees_total_not_paid_headcount(report):
    f = report[("employees_total", 2014)]
    assert (f.value, f.page) == (829, 8)


def test_trap_unit_inside_the_label(tmp_path):
    path = make_pdf(tmp_path / "label_unit.pdf", [
        [Text(230, 60, "2016年年度报告"), Text(60, 80, "股票代码：300999")],
        [Text(60, 90, "六、主要会计数据和财务指标"),
         Grid(40, 110, [150, 100, 100, 80, 100], [
             ["", "2016年", "2015年", "本年比上年增减", "2014年"],
             ["营业收入（千元）", "2,424,670.62", "1,789,140.56", "35.52%", "1,934,145.76"],
             ["归属于上市公司股东的净利润\n（千元）", "531,497.12", "405,288.39", "31.14%", "326,382.27"]])]])
    facts = {(f.metric, f.fiscal_year): f for f in cn_annual.extract(path).facts}
    assert facts[("revenue", 2015)].value == 1789140560.0 and facts[("revenue", 2015)].unit == "千元"
    assert facts[("net_profit_attributable", 2014)].value == 326382270.0


def test_trap_md_and_a_rd_when_no_rd_line(tmp_path):
    path = a_share_report(tmp_path / "no_rd_line.pdf", rd_line=False)
    facts = {(x.metric, x.fiscal_year): x for x in cn_annual.extract(path).facts}
    # R&D is two metrics never mixed: the investment total, and the expensed part (本期费用化研发支出)
    f = facts[("rd_investment", 2014)]
    assert (f.value, f.basis, f.page) == (7000000.0, "rd_investment:研发支出合计", 7)
    e = facts[("rd_expense", 2014)]
    assert (e.value, e.basis, e.page, e.label) == (7000000.0, "mdna:本期费用化研发支出", 7, "本期费用化研发支出")


def test_trap_missing_unit_is_an_error_not_a_guess(tmp_path):
    path = a_share_report(tmp_path / "no_unit.pdf", unit_line="币种：人民币")
    result = cn_annual.extract(path)
    assert not any(f.page == 3 for f in result.facts)  # the main table has no unit: nothing read there
    assert any(e.kind == "UnitUnknown" and e.page == 3 and "营业收入" in e.reason for e in result.errors)
    # the consolidated income statement prints its unit, so its revenue is still read
    assert {f.fiscal_year for f in result.facts if f.metric == "revenue"} == {2014, 2013}


def test_trap_traditional_chinese_hk_report(tmp_path):
    path = make_pdf(tmp_path / "hk_zh.pdf", [
        [Text(200, 200, "示例控股有限公司 二零二一年年報", 14), Text(200, 230, "股份代號：1999")],
        [Text(60, 80, "僱員資料"), Text(60, 100, "於2021年9月30日，本集團共有135名僱員（2020年：85名僱員）。")],
        [Text(150, 60, "綜合損益及其他全面收益表", 12), Text(200, 80, "截至二零二一年九月三十日止年度"),
         Grid(40, 100, [220, 50, 90, 90], [
             ["", "", "二零二一年", "二零二零年"],
             ["", "附註", "千港元", "千港元"],
             ["收益", "5", "223,076", "303,912"],
             ["銷售成本", "", "(202,198)", "(267,884)"],
             ["經營(虧損)/溢利", "", "(24,507)", "11,231"],
             ["除稅前(虧損)/溢利", "7", "(24,853)", "10,925"],
             ["年內(虧損)/溢利", "", "(23,853)", "10,193"],
             ["以下人士應佔年內(虧損)/溢利：", "", "", ""],
             ["本公司擁有人", "", "(21,274)", "10,299"]], ruled=False)]])
    facts = {(f.metric, f.fiscal_year): f for f in hk_annual.extract(path).facts}
    assert facts[("revenue", 2021)].value == 223076000 and facts[("revenue", 2021)].currency == "HKD"
    assert facts[("operating_cost", 2020)].value == 267884000  # a cost is positive
    assert facts[("operating_profit", 2021)].value == -24507000
    assert facts[("net_profit_attributable", 2021)].value == -21274000
    assert facts[("employees_total", 2021)].value == 135 and facts[("employees_total", 2020)].value == 85


def test_dispatcher_sniffs_the_synthetic_report(tmp_path):
    path = a_share_report(tmp_path / "sniff.pdf")
    result = extractors.read(None, path)
    assert result.errors == [] and {f.doc_type for f in result.facts} == {"annual_report"}


@pytest.mark.parametrize("numbers,headers,ruled", [("left", "center", True), ("center", "center", False),
                                                    ("right", "center", False), ("left", "left", False)])
def test_column_alignment_layouts(tmp_path, numbers, headers, ruled):
    """Figures and headers aligned in the ways generated and real tables are: the right year."""
    path = make_pdf(tmp_path / "align.pdf", [
        [Text(230, 60, "2014年年度报告"), Text(60, 80, "股票代码：300999")],
        [Text(60, 90, "三、主要会计数据和财务指标"), Text(450, 100, "单位：元"),
         Grid(40, 110, [130, 110, 110, 70, 110], [
             ["项目", "2014年", "2013年", "本年比上年增减", "2012年"],
             ["营业收入", "829", "1,234,567.89", "-5%", "12"],
             ["其中：互联网业务收入", "800", "", "", ""],
             ["总资产", "-", "7,000.00", "", "(35)"]], numbers=numbers, headers=headers, ruled=ruled)]])
    facts = {(f.metric, f.fiscal_year): f.value for f in cn_annual.extract(path).facts}
    assert facts == {("revenue", 2014): 829, ("revenue", 2013): 1234567.89, ("revenue", 2012): 12,
                     ("internet_revenue", 2014): 800,
                     ("total_assets", 2013): 7000, ("total_assets", 2012): -35}


def test_compact_report_sections_sharing_pages(tmp_path):
    """A short imitation: the main table and the income statement on one page, employees after."""
    path = make_pdf(tmp_path / "compact.pdf", [
        [Text(200, 100, "示例网络科技股份有限公司 2014年年度报告", 14), Text(200, 130, "股票代码：002999")],
        [Text(60, 60, "第二节 主要会计数据和财务指标"), Text(450, 80, "单位：元"),
         Grid(40, 90, [150, 110, 110, 70, 110], [
             ["项目", "2014年", "2013年", "本年比上年增减", "2012年"],
             ["营业收入", "1,000.00", "900.00", "11.11%", "800.00"],
             ["归属于上市公司股东的净利润", "100.00", "90.00", "11.11%", "80.00"],
             ["总资产", "5,000.00", "4,000.00", "25.00%", "3,000.00"]]),
         Text(250, 260, "合并利润表", 12), Text(450, 280, "单位：千元"),
         Grid(40, 290, [200, 60, 110, 110], [
             ["项目", "附注", "本期金额", "上期金额"],
             ["一、营业总收入", "", "1.00", "0.90"],
             ["其中：营业收入", "", "1.00", "0.90"],
             ["其中：营业成本", "", "0.60", "0.50"],
             ["研发费用", "", "0.05", "0.04"],
             ["三、营业利润（亏损以“－”号填列）", "", "0.20", "0.10"]])],
        [Text(60, 60, "母公司利润表"), Grid(40, 80, [200, 110, 110], [["项目", "本期金额", "上期金额"],
                                                                    ["一、营业收入", "9.00", "8.00"]]),
         Text(60, 200, "员工情况"), Grid(40, 220, [260, 120], [["在职员工的数量合计（人）", "1,234"]])]])
    facts = {(f.metric, f.fiscal_year): (f.value, f.page) for f in cn_annual.extract(path).facts}
    assert facts[("revenue", 2012)] == (800.0, 2) and facts[("revenue", 2014)] == (1000.0, 2)
    assert facts[("operating_cost", 2014)] == (600.0, 2) and facts[("operating_cost", 2013)] == (500.0, 2)
    assert facts[("rd_expense", 2013)] == (40.0, 2) and facts[("operating_profit", 2014)] == (200.0, 2)
    assert facts[("employees_total", 2014)] == (1234, 3)
