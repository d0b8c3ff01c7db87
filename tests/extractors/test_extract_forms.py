"""Declaration forms: read by field code, every cell validated, errors name file, cell and cause."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

import extractors
from extractors.forms import FormSettings, read_form
from top100 import form_template as T

GOOD = {
    "company_id": "C0042", "legal_name": "示例网络科技股份有限公司", "brands": "示例、样本", "province": "beijing",
    "business_type": "ecommerce", "exchange": "SSE", "ticker": "600999", "licence_type": "ICP",
    "licence_number": "京ICP证030173号", "licence_valid_until": date(2017, 5, 1), "group_parent_id": None,
    "joined_group_on": None, "network_in_mainland": "是", "business_in_mainland": "是",
    "self_operated_ecommerce": "否", "tax_compliant": "是", "compliance_incidents": 0,
    "revenue": (12345.67, 10000.5, "万元"), "internet_revenue": (9000, 8000, "万元"),
    "operating_cost": (5000, 4000, "万元"), "operating_profit": (-1208, 300, "万元"), "net_profit": (900, 250, "万元"),
    "rd_expense": (1200, 1100, "万元"), "employees_total": (829, 700, "人"), "users": (None, None, "万人"),
}


def write_form(path, values=None, *, order=None, template_id=T.TEMPLATE_ID, year=2014, extra=None):
    values = {**GOOD, **(values or {})}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = T.SHEET
    ws["A1"], ws["A2"] = template_id, year
    for c, h in enumerate(T.HEADERS, start=1):
        ws.cell(T.HEADER_ROW, c, h)
    fields = order or [f.code for f in T.FIELDS]
    for r, code in enumerate(fields, start=T.FIRST_FIELD_ROW):
        f = T.FIELD_BY_CODE.get(code)
        ws.cell(r, 1, code)
        ws.cell(r, 2, f.label if f else code)
        v = values.get(code)
        if isinstance(v, tuple):
            ws.cell(r, 3, v[0])
            ws.cell(r, 4, v[1])
            ws.cell(r, 5, v[2])
        else:
            ws.cell(r, 3, v)
    for (cell, v) in (extra or {}).items():
        ws[cell] = v
    wb.save(path)
    return path


def _row_of(code, order=None):
    return (order or [f.code for f in T.FIELDS]).index(code) + T.FIRST_FIELD_ROW


def test_valid_form(tmp_path):
    r = read_form(write_form(tmp_path / "C0042.xlsx"), "ab" * 32)
    assert r.errors == []
    got = {(d.field, d.fiscal_year): d for d in r.declared}
    rev = got[("revenue", 2014)]
    assert (rev.value, rev.unit, rev.scale, rev.cell, rev.company_id) == (123456700.0, "万元", 10000.0,
                                                                          f"C{_row_of('revenue')}", "C0042")
    assert got[("revenue", 2013)].value == 100005000.0 and got[("revenue", 2013)].cell == f"D{_row_of('revenue')}"
    assert got[("operating_profit", 2014)].value == -12080000.0
    assert got[("licence_valid_until", 2014)].value == "2017-05-01"
    assert got[("self_operated_ecommerce", 2014)].value is False
    assert got[("employees_total", 2014)].value == 829
    assert ("users", 2014) not in got and ("group_parent_id", 2014) not in got


def test_rows_are_found_by_field_code_not_by_row_number(tmp_path):
    order = [f.code for f in T.FIELDS][::-1]
    r = read_form(write_form(tmp_path / "rev.xlsx", order=order))
    assert r.errors == []
    rev = next(d for d in r.declared if d.field == "revenue" and d.fiscal_year == 2014)
    assert rev.cell == f"C{_row_of('revenue', order)}"


def test_not_the_template_gives_one_error(tmp_path):
    r = read_form(write_form(tmp_path / "other.xlsx", template_id="SOMETHING-ELSE"))
    assert r.declared == [] and len(r.errors) == 1
    assert r.errors[0].cell == "A1" and "not the declaration form template" in r.errors[0].reason
    assert r.errors[0].document == "other.xlsx"


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_bytes(b"name,revenue\nx,1\n")
    r = read_form(p)
    assert len(r.errors) == 1 and "not an xlsx" in r.errors[0].reason


@pytest.mark.parametrize("field,value,cause", [
    ("revenue", ("约一亿", 1, "万元"), "text '约一亿' where a number belongs"),
    ("revenue", (1, 1, "美元"), "unit '美元'"),
    ("province", "atlantis", "is not one of"),
    ("licence_valid_until", "2017/13/01", "is not a date"),
    ("tax_compliant", "maybe", "is not 是/否"),
    ("compliance_incidents", 1.5, "non-negative whole number"),
    ("employees_total", (829.5, 700, "人"), "whole, non-negative count"),
    ("legal_name", None, "empty"),
])
def test_invalid_cells_are_named(tmp_path, field, value, cause):
    r = read_form(write_form(tmp_path / "bad.xlsx", {field: value}))
    errs = [e for e in r.errors if e.cell == f"C{_row_of(field)}"]
    assert len(errs) == 1 and cause in errs[0].reason and field in errs[0].reason, r.errors
    assert errs[0].document == "bad.xlsx" and errs[0].company_id == "C0042"
    assert not any(d.field == field and d.fiscal_year == 2014 for d in r.declared)
    assert any(d.field == "net_profit" for d in r.declared)  # the rest of the form is still read


def test_formula_refused(tmp_path):
    row = _row_of("revenue")
    r = read_form(write_form(tmp_path / "f.xlsx", extra={f"C{row}": f"=D{row}*2"}))
    (e,) = [e for e in r.errors if e.cell == f"C{row}"]
    assert "formula" in e.reason


def test_missing_and_unknown_field_codes(tmp_path):
    order = [f.code for f in T.FIELDS if f.code != "rd_expense"] + ["bogus_field"]
    r = read_form(write_form(tmp_path / "m.xlsx", order=order))
    reasons = " | ".join(e.reason for e in r.errors)
    assert "'rd_expense'" in reasons and "is missing" in reasons and "unknown field code 'bogus_field'" in reasons


def test_invalid_company_id_stops_attribution(tmp_path):
    r = read_form(write_form(tmp_path / "id.xlsx", {"company_id": "../../etc"}))
    assert r.declared == [] and len(r.errors) == 1 and r.errors[0].cell == f"C{_row_of('company_id')}"


def test_zip_bomb_refused_before_openpyxl(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    p = tmp_path / "bomb.xlsx"
    p.write_bytes(buf.getvalue())
    r = read_form(p)
    assert len(r.errors) == 1 and "refused" in r.errors[0].reason


def test_form_through_the_dispatcher(tmp_path):
    r = extractors.read(None, write_form(tmp_path / "C0042.xlsx"))
    facts = {(f.metric, f.fiscal_year): f for f in r.facts}
    assert facts[("revenue", 2014)].value == 123456700.0 and facts[("revenue", 2014)].currency == "CNY"
    assert facts[("employees_total", 2014)].value == 829 and r.errors == []


def test_oversized_file_refused(tmp_path):
    r = read_form(write_form(tmp_path / "big.xlsx"), settings=FormSettings(max_file_bytes=1000))
    assert r.declared == [] and len(r.errors) == 1 and "exceeds" in r.errors[0].reason
