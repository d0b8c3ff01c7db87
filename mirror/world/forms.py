"""Declaration forms (申报表): one xlsx per candidate, exactly top100/form_template.py.

Byte-deterministic: openpyxl stamps the save time into docProps/core.xml and every zip entry,
so the workbook is written to memory and re-zipped with fixed times and fixed properties.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from top100.form_template import FIELDS, FIRST_FIELD_ROW, HEADER_ROW, HEADERS, MONEY_UNITS, SHEET, TEMPLATE_ID

FIXED = datetime(2015, 3, 31, 9, 0, 0)
_ZIP_TIME = (2015, 3, 31, 9, 0, 0)


def write_form(path: Path, year: int, values: dict, prior: dict, units: dict) -> None:
    """``values``/``prior``: field code -> cell value as it must appear (numbers already in the
    printed unit); ``units``: field code -> unit text for column E."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = TEMPLATE_ID
    ws["A2"] = year
    for i, h in enumerate(HEADERS, 1):
        ws.cell(row=HEADER_ROW, column=i, value=h)
    for i, f in enumerate(FIELDS):
        row = FIRST_FIELD_ROW + i
        ws.cell(row=row, column=1, value=f.code)
        ws.cell(row=row, column=2, value=f.label)
        v = values.get(f.code)
        ws.cell(row=row, column=3, value=v if v is not None else None)
        if f.two_years:
            pv = prior.get(f.code)
            ws.cell(row=row, column=4, value=pv)
            ws.cell(row=row, column=5, value=units.get(f.code))
    wb.properties.creator = "top100 demo world"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    _rezip(buf.getvalue(), path)


def _rezip(data: bytes, path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            body = src.read(name)
            if name == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>2015-03-31T09:00:00Z\g<2>", body)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    path.write_bytes(out.getvalue())


def money_cell(value_yuan: float | None, unit: str) -> float | None:
    """A money amount in 元 as printed in ``unit`` (万元 with 2 decimals, 元 whole)."""
    if value_yuan is None:
        return None
    v = value_yuan / MONEY_UNITS[unit]
    return round(v, 2) if unit != "元" else float(round(v))
