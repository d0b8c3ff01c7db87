"""Property: any main-figures table laid out as real and generated reports lay them out (units,
alignments, rules, wrapped labels, negative styles, a % column) reads back to the exact values."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract_synth import Grid, Text, make_pdf
from extractors import cn_annual

UNITS = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000}
amount = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("9999999999.99"), places=2,
                     allow_nan=False, allow_infinity=False)


def printed(d: Decimal, paren: bool) -> str:
    body = f"{abs(d):,.2f}"
    return (f"({body})" if paren else f"-{body}") if d < 0 else body


layouts = st.sampled_from([("right", "left", True), ("right", "center", True), ("left", "center", True),
                           ("center", "center", True), ("right", "left", False), ("right", "center", False),
                           ("center", "center", False), ("left", "left", False)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(amount, amount, amount), min_size=3, max_size=3), st.sampled_from(sorted(UNITS)),
       layouts, st.booleans(), st.booleans(), st.booleans(), st.integers(2, 3))
def test_tables_read_back_exactly(tmp_path_factory, values, unit, layout, paren, wrap, pct, n_years):
    numbers, headers, ruled = layout
    years = [2014, 2013, 2012][:n_years]
    head = ["项目"] + [f"{y}年" for y in years[:2]] + (["本年比上年增减"] if pct else []) + [f"{y}年" for y in years[2:]]
    labels = ["营业收入", "归属于上市公司\n股东的净利润" if wrap else "归属于上市公司股东的净利润", "总资产"]
    rows = []
    for label, vals in zip(labels, values):
        cells = [printed(v, paren) for v in vals[:n_years]]
        rows.append([label] + cells[:2] + (["12.50%"] if pct else []) + cells[2:])
    widths = [150] + [100] * (len(head) - 1)
    path = make_pdf(tmp_path_factory.mktemp("prop") / "t.pdf", [
        [Text(230, 60, "2014年年度报告"), Text(60, 80, "公司代码：600999")],
        [Text(60, 90, "三、主要会计数据和财务指标"), Text(420, 105, f"单位：{unit} 币种：人民币"),
         Grid(40, 115, widths, [head] + rows, numbers=numbers, headers=headers, ruled=ruled)]])
    facts = {(f.metric, f.fiscal_year): f for f in cn_annual.extract(path).facts}
    for metric, vals in zip(["revenue", "net_profit_attributable", "total_assets"], values):
        for year, v in zip(years, vals):
            f = facts[(metric, year)]
            assert Decimal(repr(f.value)) == v * UNITS[unit], (metric, year, f.raw, f.unit)
            assert f.page == 2 and f.unit == unit
    assert len(facts) == 3 * n_years


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(amount, amount), min_size=4, max_size=4), layouts, st.booleans(),
       st.sampled_from(["HK$'000", "RMB'000", "HK$’000"]))
def test_hk_statements_read_back_exactly(tmp_path_factory, values, layout, notes, unit):
    from extractors import hk_annual

    numbers, headers, ruled = layout
    labels = ["Revenue", "Cost of sales", "Operating (loss)/profit", "(Loss)/profit before tax"]
    head = [["", "", "2021", "2020"], ["", "Notes" if notes else "", unit, unit]]
    rows = [[label, str(i + 5) if notes else "", printed(a, True), printed(b, True)]
            for i, (label, (a, b)) in enumerate(zip(labels, values))]
    path = make_pdf(tmp_path_factory.mktemp("prop") / "hk.pdf", [
        [Text(60, 60, "Example Holdings Limited Annual Report 2021")],
        [Text(60, 60, "Consolidated Statement of Profit or Loss", 12), Text(60, 80, "For the year ended 31 March 2021"),
         Grid(40, 100, [200, 50, 100, 100], head + rows, numbers=numbers, headers=headers, ruled=ruled)]])
    facts = {(f.metric, f.fiscal_year): f for f in hk_annual.extract(path).facts}
    for metric, (a, b) in zip(["revenue", "operating_cost", "operating_profit", "profit_before_tax"], values):
        for year, v in ((2021, a), (2020, b)):
            expected = abs(v) if metric == "operating_cost" else v
            assert Decimal(repr(facts[(metric, year)].value)) == expected * 1000, (metric, year)
    assert facts[("revenue", 2020)].period_end == "2020-03-31"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(amount, amount, amount, amount), min_size=3, max_size=3), layouts, st.booleans(),
       st.booleans())
def test_restated_columns_read_back_exactly(tmp_path_factory, values, layout, pct, wrap):
    """2013 split into 调整后/调整前 under one header cell: the restated value is the 2013 fact."""
    numbers, headers, ruled = layout
    head = [["主要会计数据", "2014年", "2013年", ""] + (["本期比上\n年同期增\n减(%)"] if pct else []) + ["2012年"],
            ["", "", "调整后", "调整前"] + ([""] if pct else []) + [""]]
    labels = ["营业收入", "归属于上市公司\n股东的净利润" if wrap else "归属于上市公司股东的净利润", "总资产"]
    rows = [[label, printed(a, False), printed(b, False), printed(c, False)] + (["-1.5"] if pct else [])
            + [printed(d, False)] for label, (a, b, c, d) in zip(labels, values)]
    widths = [140] + [85] * (len(head[0]) - 1)  # the label column holds the longest label
    path = make_pdf(tmp_path_factory.mktemp("prop") / "r.pdf", [
        [Text(230, 60, "2014年年度报告"), Text(60, 80, "公司代码：600999")],
        [Text(60, 90, "一、报告期末公司近三年主要会计数据和财务指标"), Text(420, 105, "单位：元 币种：人民币"),
         Grid(15, 115, widths, head + rows, numbers=numbers, headers=headers, ruled=ruled)]])
    facts = {(f.metric, f.fiscal_year): f for f in cn_annual.extract(path).facts}
    for metric, (a, b, _c, d) in zip(["revenue", "net_profit_attributable", "total_assets"], values):
        assert [Decimal(repr(facts[(metric, y)].value)) for y in (2014, 2013, 2012)] == [a, b, d], metric
        assert facts[(metric, 2013)].restated
