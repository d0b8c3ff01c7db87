"""The hostile and broken input corpus (issue 10), written at test time: nothing large is
committed, and every file is made the way an attacker or a broken exporter would make it.

Each maker writes one file into a folder and returns its path. ``PDFS``, ``FORMS`` and
``DELIVERED`` list them with what the one error about each must say.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from top100 import form_template as T


# --- PDFs ---------------------------------------------------------------------------------------
def _report_pdf(path: Path, pages: int = 3, **kw) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, **kw)
    for n in range(pages):
        c.drawString(72, 760, f"2014 Annual Report page {n + 1}")
        c.drawString(72, 740, "Revenue 1,234,567")
        c.showPage()
    c.save()
    return path


def zero_byte_pdf(d: Path) -> Path:
    p = d / "zero.pdf"
    p.write_bytes(b"")
    return p


def truncated_pdf(d: Path) -> Path:
    whole = _report_pdf(d / "whole.tmp").read_bytes()
    p = d / "truncated.pdf"
    p.write_bytes(whole[: len(whole) // 2])
    return p


def encrypted_pdf(d: Path) -> Path:
    return _report_pdf(d / "encrypted.pdf", encrypt="owner-only-secret")


def image_only_pdf(d: Path) -> Path:
    p = d / "image_only.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    for _ in range(2):
        for i in range(30):
            c.rect(50 + i * 10, 100 + i * 15, 200, 8, fill=1)
        c.showPage()
    c.save()
    return p


def _assemble(objs: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


HUGE_PAGES = 200_000


def huge_page_count_pdf(d: Path) -> Path:
    """200 000 pages in 2 MB: one page object with text, referenced 200 000 times from the page
    tree. A reader that walks every page never ends; the worker's time limit must stop it."""
    content = b"BT /F1 12 Tf 72 760 Td (2014 Annual Report) Tj 0 -20 Td (Revenue 1,234,567) Tj ET"
    kids = b" ".join(b"3 0 R" for _ in range(HUGE_PAGES))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % HUGE_PAGES,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    p = d / "huge_pages.pdf"
    p.write_bytes(_assemble(objs))
    return p


NEST_DEPTH = 100_000


def deeply_nested_pdf(d: Path) -> Path:
    """A page whose resources hold an array nested 100 000 deep: a recursive parser overflows its
    stack; a careful one stops at its depth limit."""
    nested = b"[" * NEST_DEPTH + b"]" * NEST_DEPTH
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Deep " + nested + b" >> /Annots " + nested + b" >>",
    ]
    p = d / "deeply_nested.pdf"
    p.write_bytes(_assemble(objs))
    return p


def inflating_pdf(d: Path, mb: int = 300) -> Path:
    """A page whose content stream inflates from about 0.3 MB to ``mb`` MB (a decompression bomb):
    reading its text needs that memory; the worker's memory limit must stop it."""
    import zlib

    raw = b"BT /F1 12 Tf 72 760 Td (2014 Annual Report) Tj ET\n" + b" " * (mb * 1_000_000)
    packed = zlib.compress(raw, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    p = d / "inflating.pdf"
    p.write_bytes(_assemble(objs))
    return p


# --- declaration forms (xlsx) ---------------------------------------------------------------------
GOOD = {
    "company_id": "C0042", "legal_name": "示例网络科技股份有限公司", "brands": "示例", "province": "beijing",
    "business_type": "ecommerce", "exchange": None, "ticker": None, "licence_type": "ICP",
    "licence_number": "京ICP证030173号", "licence_valid_until": "2017-05-01", "group_parent_id": None,
    "joined_group_on": None, "network_in_mainland": "是", "business_in_mainland": "是",
    "self_operated_ecommerce": "否", "tax_compliant": "是", "compliance_incidents": 0,
    "revenue": (12345.67, 10000.5, "万元"), "internet_revenue": (9000, 8000, "万元"),
    "operating_cost": (5000, 4000, "万元"), "operating_profit": (1208, 300, "万元"), "net_profit": (900, 250, "万元"),
    "rd_expense": (1200, 1100, "万元"), "employees_total": (829, 700, "人"), "users": (None, None, "万人"),
}


def row_of(code: str) -> int:
    return [f.code for f in T.FIELDS].index(code) + T.FIRST_FIELD_ROW


def write_form(path: Path, values: dict | None = None, raw: dict | None = None) -> Path:
    """The template filled with GOOD (and ``values`` over it); ``raw`` sets cells as given
    (a formula string stays a formula)."""
    values = {**GOOD, **(values or {})}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = T.SHEET
    ws["A1"], ws["A2"] = T.TEMPLATE_ID, 2014
    for c, h in enumerate(T.HEADERS, start=1):
        ws.cell(T.HEADER_ROW, c, h)
    for f in T.FIELDS:
        r = row_of(f.code)
        ws.cell(r, 1, f.code)
        ws.cell(r, 2, f.label)
        v = values.get(f.code)
        if isinstance(v, tuple):
            for col, x in zip((3, 4, 5), v):
                ws.cell(r, col, x)
        else:
            # text as text: openpyxl would store "=..." as a formula; a hostile exporter can store
            # it as a string, which is what a name that merely looks like a formula is
            cell = ws.cell(r, 3, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"
    for ref, v in (raw or {}).items():
        ws[ref] = v
    wb.save(path)
    return path


def formula_form(d: Path) -> Path:
    r = row_of("revenue")
    return write_form(d / "formula.xlsx", raw={f"C{r}": f"=D{r}*2"})


def macro_form(d: Path) -> Path:
    """A macro-enabled workbook (xlsm): the template's cells plus a VBA project."""
    plain = write_form(d / "plain.tmp").read_bytes()
    p = d / "macro.xlsm"
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub\n")
    return p


def zip_bomb_form(d: Path) -> Path:
    """A sheet part that inflates to 80 MB from about 80 KB."""
    p = d / "zip_bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/worksheets/sheet1.xml", b"<c>" + b"0" * 80_000_000 + b"</c>")
    return p


def text_in_numeric_form(d: Path) -> Path:
    return write_form(d / "text_number.xlsx", {"revenue": ("一亿两千万", 10000.5, "万元")})


def wrong_date_form(d: Path) -> Path:
    return write_form(d / "wrong_date.xlsx", {"licence_valid_until": "05/01/2017"})


def path_company_form(d: Path) -> Path:
    return write_form(d / "path_id.xlsx", {"company_id": "../../etc/passwd"})


# --- delivered CSV files --------------------------------------------------------------------------
def _csv(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def traffic_text_in_number(d: Path) -> Path:
    return _csv(d, "traffic_text.csv", "company_id,fiscal_year,desktop,mobile\nC0001,2014,很多,12.5\n")


def integrity_wrong_date(d: Path) -> Path:
    return _csv(d, "integrity_date.csv", "company_id,record_date,kind,disqualifying,description\n"
                                          "C0001,25/06/2015,tax,否,late filing\n")


def traffic_duplicate_row(d: Path) -> Path:
    return _csv(d, "traffic_dup.csv", "company_id,fiscal_year,desktop,mobile\n"
                                      "C0001,2014,10.5,12.5\nC0002,2014,1,2\nC0001,2014,10.5,12.5\n")


def traffic_conflicting_rows(d: Path) -> Path:
    return _csv(d, "traffic_conflict.csv", "company_id,fiscal_year,desktop,mobile\n"
                                           "C0001,2014,10.5,12.5\nC0001,2014,99,12.5\nC0002,2014,1,2\n")
