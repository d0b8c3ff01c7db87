"""Failure classes met on the third held-back set of A-share reports (FY2025, first contact
measured before any change), one test each on the real page that shows it. Values were read
off the page text by hand (tests/corpus/truth/); the tests check the class of layout is handled
by structure, not by the document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from extractors.corroborate import Reading, Readings, identities
from real_pages import facts_by_key as _facts
from real_pages import page_words as _page
from extractors.numbers import parse_unit
from extractors.tables import read_tables

CN = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "pdf" / "cn_annual"
BANK = CN / "sz000001_pingan_yinhang_2025_annual_report.pdf"


def _cells(page, label: str) -> dict[int, str]:
    for t in read_tables([page], 2025):
        for r in t.rows:
            if r.label == label:
                return {c.column.year: c.raw for c in r.cells}
    return {}


def test_scope_heading_over_the_year_columns_is_not_a_column():
    # 平安银行 FY2025 p116 and p120: 本集团 printed once, above and between 2025年… and 2024年…;
    # as a column it cut the current year short of its own figures (5,925,777 then dropped)
    page = _page(BANK, 116)
    tables = read_tables([page], 2025)
    assert not [c for t in tables if t.header for c in t.header.columns if c.text == "本集团"]
    assert _cells(page, "资产总计") == {2025: "5,925,777", 2024: "5,769,270"}
    assert _cells(_page(BANK, 120), "六、净利润") == {2025: "42,633", 2024: "44,508"}


def test_bank_statements_give_the_group_not_the_bank_alone():
    # the bank-only balance sheet (银行资产负债表, 本行, p118: 5,852,096) follows the group's:
    # the current year's 资产总计 is the group's 5,925,777, read twice and agreeing
    facts, result = _facts(BANK)
    ta = facts[("total_assets", 2025)]
    assert ta.value == Decimal("5925777000000") and not ta.conflict
    assert {c["page"] for c in ta.corroborations} == {116}
    assert facts[("net_profit", 2025)].value == Decimal("42633000000")


def test_bank_attributable_profit_labelled_for_the_bank():
    # 平安银行 p17: 归属于本行股东的净利润 (the bank's wording of 归属于上市公司股东的净利润)
    facts, _ = _facts(BANK)
    assert facts[("net_profit_attributable", 2025)].value == Decimal("42633000000")
    assert facts[("net_profit_attributable", 2024)].value == Decimal("44508000000")


def _r(metric: str, raw: str, positive: bool = False) -> Reading:
    n = Decimal(raw.replace(",", "").replace("(", "-").replace(")", ""))
    return Reading(metric, 2024, n, parse_unit("元", default_currency="CNY"), 110, metric, raw, None, "income",
                   positive=positive)


def test_negative_non_operating_expense_is_a_reversal_that_adds():
    # 金山办公 FY2025 p110, 2024 column: 营业外支出 -5,455,007.28 (a reversal):
    # 1,741,049,069.31 + 3,918,649.74 + 5,455,007.28 = 1,750,422,726.33, printed as 利润总额
    rs = Readings()
    for r in (_r("operating_profit", "1,741,049,069.31"), _r("_non_operating_income", "3,918,649.74"),
              _r("_non_operating_expense", "-5,455,007.28", positive=True), _r("profit_before_tax", "1,750,422,726.33")):
        rs.add(r)
    assert identities(rs) == []
    # and the bracketed amount taken off (a bank's (281)) still holds, while a wrong total does not
    rs = Readings()
    for r in (_r("operating_profit", "51,408"), _r("_non_operating_income", "32"),
              _r("_non_operating_expense", "(281)", positive=True), _r("profit_before_tax", "51,159")):
        rs.add(r)
    assert identities(rs) == []
    rs = Readings()
    for r in (_r("operating_profit", "51,408"), _r("_non_operating_income", "32"),
              _r("_non_operating_expense", "(281)", positive=True), _r("profit_before_tax", "51,200")):
        rs.add(r)
    assert [m for m, *_ in identities(rs)] == ["profit_before_tax"]


def test_real_report_with_a_negative_non_operating_expense_is_not_refused():
    facts, result = _facts(CN / "sh688111_jinshan_bangong_2025_annual_report.pdf")
    pbt = facts[("profit_before_tax", 2024)]
    assert abs(float(pbt.value) - 1750422726.33) < 0.005 and not pbt.conflict
    assert not [e for e in result.errors if "IdentityViolated" in str(getattr(e, "kind", ""))]


SHYH = CN / "sh601229_shanghai_yinhang_2025_annual_report.pdf"


def test_combined_statement_titles_are_the_consolidated_statements():
    # 上海银行 p158/p161: 合并资产负债表和资产负债表, 合并利润表和利润表 (group and bank in one table);
    # also 合并及公司利润表 / 合并及母公司利润表; never the parent's own 母公司利润表
    from extractors.cn_sections import _consolidated_title

    assert _consolidated_title("合并利润表和利润表", "利润表") == "合并利润表和利润表"
    assert _consolidated_title("合并及母公司利润表", "利润表") == "合并及母公司利润表"
    assert _consolidated_title("合并资产负债表和资产负债表", "资产负债表") == "合并资产负债表和资产负债表"
    assert _consolidated_title("母公司利润表", "利润表") is None
    assert _consolidated_title("合并利润表和利润表", "资产负债表") is None


def test_unit_stated_as_a_phrase_under_the_statement_title():
    # 上海银行 p161: (除另有标明外，所有金额均以人民币千元列示)
    from extractors.numbers import find_unit

    u = find_unit("(除另有标明外，所有金额均以人民币千元列示)", default_currency="CNY")
    assert u is not None and u.scale == Decimal(1000) and u.currency == "CNY"


def test_group_and_parent_columns_side_by_side_give_the_groups_figures_only():
    # 上海银行 p161: 本集团 2025年 2024年 | 本行 2025年 2024年: each year printed twice; the bank's
    # columns (51,690,062 ...) are set aside, the group's read; p160 also prints the title's date
    # (2025年12月31日) in the header band, above 本集团 / 本行
    assert _cells(_page(SHYH, 161), "一、营业收入") == {2025: "54,761,019", 2024: "52,985,550"}
    assert _cells(_page(SHYH, 160), "股东权益合计") == {2025: "256,525,640", 2024: "254,656,734"}
    facts, result = _facts(SHYH)
    ta = facts[("total_assets", 2025)]
    assert ta.raw == "3,308,751,732" and not ta.conflict
    assert [(c["page"], c["raw"]) for c in ta.corroborations] == [(158, "3,308,751,732")]
    np_ = facts[("net_profit", 2025)]
    assert np_.raw == "24,172,207" and [c["page"] for c in np_.corroborations] == [162]
    assert not [e for e in result.errors if "two figures" in e.reason]
