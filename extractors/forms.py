"""Declaration forms (申报表, xlsx) read by field code and validated cell by cell.

The layout is top100.form_template's: the template id in A1, the fiscal year in A2, headers in
row 3, then one row per field with its code in column A (rows are found by code, never by
number). Each cell is checked against its field's kind (text, id, enum of top100.vocab, date,
bool, int, money with a unit, count); an error names the file, the cell and the cause. A file
that is not the template gives one error. ``read_form`` returns an ``ExtractResult`` whose ``declared`` are
the validated cells (extractors.read adds the money and count cells as facts). Formulas are refused where values belong (a form
states figures, it does not compute them), and the zip is measured before openpyxl opens it.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from extractors.numbers import check_finite, parse_cell_number, to_float
from extractors.result import ExtractResult
from top100 import form_template as T
from top100 import vocab
from top100.errors import DeclarationError, NumberFormatError
from top100.records import DeclaredFact, ErrorRow

NAME = "forms"
VERSION = "1.1.0"


@dataclass(frozen=True)
class FormSettings:
    max_file_bytes: int = 5_000_000
    max_uncompressed_bytes: int = 50_000_000  # all parts together, before openpyxl inflates them
    max_ratio: float = 200.0  # uncompressed / compressed, per part and overall (zip bombs compress ~1000:1)
    max_parts: int = 500
    # a part this small may compress better than max_ratio (an empty sheet of styles): it cannot inflate far
    ratio_floor_bytes: int = 64_000
    # the template has about 30 rows and 5 columns; a form reaching beyond these is refused
    # from the sheets' XML before openpyxl lays out a single cell
    max_rows: int = 1_000
    max_cols: int = 26
    max_text_chars: int = 2_000  # a name, brand list or licence number; longer is not a form's cell


def _err(name: str, cause: str, cell: str | None = None, company: str | None = None) -> ErrorRow:
    return ErrorRow(stage="extract", kind="DeclarationError", reason=cause, company_id=company, document=name, cell=cell)


def check_zip(data: bytes, settings: FormSettings) -> None:
    """Refuse what is not an xlsx zip, or would inflate beyond the limits."""
    if len(data) > settings.max_file_bytes:
        raise DeclarationError(f"file of {len(data)} bytes exceeds {settings.max_file_bytes}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DeclarationError("not an xlsx file (not a zip archive)") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.max_parts:
            raise DeclarationError(f"xlsx has {len(infos)} parts (limit {settings.max_parts})")
        total = sum(i.file_size for i in infos)
        if total > settings.max_uncompressed_bytes:
            raise DeclarationError(f"xlsx would inflate to {total} bytes (limit {settings.max_uncompressed_bytes}): refused")
        # every part, however small, and the whole: 48 parts just under a per-part size floor
        # inflate as far as one big one
        for i in infos:
            if i.file_size > settings.ratio_floor_bytes and i.file_size / max(i.compress_size, 1) > settings.max_ratio:
                raise DeclarationError(f"xlsx part {i.filename!r} compresses {i.file_size / max(i.compress_size, 1):.0f}:1"
                                       " (a zip bomb?): refused")
        packed = sum(i.compress_size for i in infos)
        if total > settings.ratio_floor_bytes and total / max(packed, 1) > settings.max_ratio:
            raise DeclarationError(f"xlsx parts together compress {total / max(packed, 1):.0f}:1 ({packed} bytes "
                                   f"inflate to {total}; a zip bomb?): refused")
        if "[Content_Types].xml" not in zf.namelist():
            raise DeclarationError("not an xlsx file (no [Content_Types].xml)")
        # a form is data: a workbook carrying code (xlsm, VBA) is refused, never opened further
        macros = [n for n in zf.namelist() if n.lower().endswith(("vbaproject.bin", "vbaprojectsignature.bin"))]
        types = zf.read("[Content_Types].xml")[:200_000]
        if macros or b"macroEnabled" in types:
            part = macros[0] if macros else "[Content_Types].xml (macroEnabled)"
            raise DeclarationError(f"macro-enabled workbook ({part}): refused; the form must be the .xlsx "
                                   "template without macros")
        for i in infos:
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                check_extent(zf, i.filename, settings)


_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row|dimension)\b[^>]*?\b(?:r|ref)="([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?"')


_NUMERIC_CELL = re.compile(rb'<(?:\w+:)?c\b(?=[^>]*\br="([A-Z]+\d+)")(?![^>]*\bt="(?!n")[^"]*")[^>]*>\s*'
                           rb'<(?:\w+:)?v>([^<]{0,64})</(?:\w+:)?v>')
_STORED_NUMBER = re.compile(rb"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


_ROW_ELEMENT = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL_ELEMENT = re.compile(rb"<(?:\w+:)?c[\s>/]")


def check_extent(zf: zipfile.ZipFile, part: str, settings: FormSettings) -> None:
    """Refuse a sheet whose dimension, rows or cells reach beyond the limits, by streaming its XML
    (a 6 KB form with one cell at row 1,048,576 would otherwise cost openpyxl seconds and
    hundreds of MB). Hand-written scan: openpyxl offers no bounded read of a sheet's extent."""
    tail = b""
    rows = cells = 0
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            buf = tail + chunk
            # rows and cells counted as elements too: a writer may leave out their r="A1" references
            # (a 1.5 MB sheet of 300,000 such rows passed the reference check); a match wholly in
            # the carried tail was counted with the chunk before
            rows += sum(1 for m in _ROW_ELEMENT.finditer(buf) if m.end() > len(tail))
            cells += sum(1 for m in _CELL_ELEMENT.finditer(buf) if m.end() > len(tail))
            if rows > settings.max_rows:
                raise DeclarationError(f"sheet {part} has more than {settings.max_rows} rows: refused")
            if cells > settings.max_rows * settings.max_cols:
                raise DeclarationError(f"sheet {part} has more than {settings.max_rows * settings.max_cols} cells: refused")
            for m in _CELL_REF.finditer(buf):
                for letters, digits in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
                    if digits and int(digits) > settings.max_rows:
                        raise DeclarationError(f"sheet {part} reaches row {int(digits)} (limit {settings.max_rows}):"
                                               " refused")
                    if letters and _col_number(letters) > settings.max_cols:
                        raise DeclarationError(f"sheet {part} reaches column {letters.decode()} "
                                               f"(limit {settings.max_cols} columns): refused")
            for m in _NUMERIC_CELL.finditer(buf):
                if not _STORED_NUMBER.match(m.group(2)):
                    raise DeclarationError(cell=m.group(1).decode(), cause=f"cell {m.group(1).decode()} stores {m.group(2).decode(errors='replace')!r} "
                                           "as a number: not a number, the workbook is malformed")
            tail = buf[-256:]


def read_form(path: Path | str | bytes, sha256: str | None = None, *, settings: FormSettings | None = None) -> ExtractResult:
    settings = settings or FormSettings()
    if isinstance(path, (bytes, bytearray)):
        data, name = bytes(path), None
    else:
        data, name = Path(path).read_bytes(), Path(path).name
    digest = sha256 or hashlib.sha256(data).hexdigest()
    name = name or digest[:12]
    result = ExtractResult()
    try:
        check_zip(data, settings)
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except DeclarationError as exc:
        result.errors.append(_err(name, exc.cause, cell=exc.cell))
        return result
    except Exception as exc:  # openpyxl's many parse errors: the file is not a readable workbook
        result.errors.append(_err(name, f"not a readable xlsx workbook ({type(exc).__name__}: {exc})"))
        return result
    try:
        _read(wb, name, digest, result)
    except Exception as exc:  # a malformed workbook that openpyxl opened but cannot lay out
        result.declared.clear()
        result.errors.append(_err(name, f"not a readable declaration form ({type(exc).__name__}: {_short(str(exc))})"))
    finally:
        wb.close()
    return result


def _read(wb, name: str, digest: str, result: ExtractResult) -> None:
    if T.SHEET not in wb.sheetnames or wb[T.SHEET]["A1"].value != T.TEMPLATE_ID:
        result.errors.append(_err(name, f"not the declaration form template: sheet {T.SHEET!r} with "
                                        f"{T.TEMPLATE_ID!r} in A1 is missing", cell="A1"))
        return
    ws = wb[T.SHEET]
    year = ws["A2"].value
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        result.errors.append(_err(name, f"fiscal year in A2 must be a year, found {year!r}", cell="A2"))
        return
    headers = tuple((ws.cell(T.HEADER_ROW, c).value or "") for c in range(1, len(T.HEADERS) + 1))
    if headers != T.HEADERS:
        result.errors.append(_err(name, f"row {T.HEADER_ROW} headers are {headers}, expected {T.HEADERS}",
                                  cell=f"A{T.HEADER_ROW}"))
        return
    rows: dict[str, int] = {}
    for r in range(T.FIRST_FIELD_ROW, ws.max_row + 1):
        code = ws.cell(r, 1).value
        if code is None or str(code).strip() == "":
            continue
        code = str(code).strip()
        if code not in T.FIELD_BY_CODE:
            result.errors.append(_err(name, f"unknown field code {code!r}", cell=f"A{r}"))
        elif code in rows:
            result.errors.append(_err(name, f"field {code!r} appears twice (rows {rows[code]} and {r})", cell=f"A{r}"))
        else:
            rows[code] = r
    for f in T.FIELDS:
        if f.code not in rows:
            result.errors.append(_err(name, f"field {f.code!r} ({f.label}) is missing"))
    company = None
    if "company_id" in rows:
        cell = ws.cell(rows["company_id"], 3)
        try:
            company = vocab.check_company_id(str(cell.value).strip() if cell.value is not None else "")
        except ValueError as exc:
            result.errors.append(_err(name, str(exc), cell=cell.coordinate))
    if company is None:
        return  # nothing can be attributed to a company (the cause is reported above)
    for f in T.FIELDS:
        r = rows.get(f.code)
        if r is None:
            continue
        unit_cell = ws.cell(r, 5)
        cols = (3, 4) if f.two_years else (3,)
        for col in cols:
            cell = ws.cell(r, col)
            fy = year if col == 3 else year - 1
            try:
                fact = _validate(f, cell, unit_cell, company, digest, fy)
            except DeclarationError as exc:
                result.errors.append(_err(name, f"{f.code} ({f.label}): {exc.cause}", cell=cell.coordinate, company=company))
                continue
            except (ArithmeticError, ValueError, TypeError, OverflowError) as exc:  # no single cell stops the form
                result.errors.append(_err(name, f"{f.code} ({f.label}): cannot be read ({type(exc).__name__}: "
                                                f"{_short(str(exc))})", cell=cell.coordinate, company=company))
                continue
            if fact is not None:
                result.declared.append(fact)


def _validate(f: T.FormField, cell, unit_cell, company: str, digest: str, fy: int) -> DeclaredFact | None:
    v = cell.value
    # leading blanks are stripped from text below, so " =X" would become the formula-like "=X"
    if cell.data_type == "f" or (isinstance(v, str) and v.lstrip().startswith("=")):
        raise DeclarationError(f"a formula ({v!r}) where a value belongs")
    raw = "" if v is None else (v.isoformat() if isinstance(v, (date, datetime)) else str(v))
    empty = v is None or (isinstance(v, str) and not v.strip())
    kind = f.kind
    optional = kind.startswith("optional_")
    base = kind.removeprefix("optional_")
    unit = scale = None
    if empty:
        if optional or base in ("money", "count"):
            return None  # not declared: an absent figure, not an invalid one
        raise DeclarationError("empty")
    value: Any
    if isinstance(v, str) and len(v) > _TEXT_LIMIT:
        raise DeclarationError(f"a cell of {len(v)} characters (limit {_TEXT_LIMIT}): refused")
    if base == "text":
        value = str(v).strip()
    elif base == "id":
        try:
            value = vocab.check_company_id(str(v).strip())
        except ValueError as exc:
            raise DeclarationError(str(exc)) from exc
    elif base.startswith("enum:"):
        enum = getattr(vocab, base.split(":", 1)[1])
        allowed = [e.value for e in enum]
        if str(v).strip() not in allowed:
            raise DeclarationError(f"{v!r} is not one of {', '.join(allowed)}")
        value = str(v).strip()
    elif base == "date":
        value = _date(v)
    elif base == "bool":
        value = _bool(v)
    elif base == "int":
        if _number(v) > 1_000_000:
            raise DeclarationError(f"{v!r} is out of range for a count of events")
        value = int(_number(v))
        if value != _number(v) or value < 0:
            raise DeclarationError(f"{v!r} is not a non-negative whole number")
    elif base in ("money", "count"):
        units = T.MONEY_UNITS if base == "money" else T.COUNT_UNITS
        u = str(unit_cell.value).strip() if unit_cell.value is not None else ""
        if u not in units:
            raise DeclarationError(f"unit {u!r} in {unit_cell.coordinate} is not one of {', '.join(units)}")
        number = _number(v)
        if base == "count" and (number < 0 or number != int(number)):
            raise DeclarationError(f"{v!r} is not a whole, non-negative count")
        unit, scale = u, float(units[u])
        try:
            value = to_float(check_finite(number * Decimal(units[u]), f"{v} {u}"))
        except NumberFormatError as exc:
            raise DeclarationError(_cause(exc)) from exc
    else:  # pragma: no cover - the template defines the kinds
        raise DeclarationError(f"unknown field kind {kind!r}")
    return DeclaredFact(company_id=company, form_sha256=digest, field=f.code, fiscal_year=fy, value=value,
                        unit=unit, scale=scale, cell=cell.coordinate, raw=raw)


_TEXT_LIMIT = FormSettings().max_text_chars


def _short(v: str, n: int = 40) -> str:
    return v if len(v) <= n else v[:n] + f"… ({len(v)} characters)"


def _cause(exc: Exception) -> str:
    return getattr(exc, "cause", None) or str(exc)


def _number(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise DeclarationError(f"{v!r} is a boolean where a number belongs")
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        try:
            check_finite(v)
        except NumberFormatError as exc:
            raise DeclarationError(exc.cause if hasattr(exc, "cause") else str(exc)) from exc
        return Decimal(repr(v))
    if isinstance(v, str):
        try:
            n = parse_cell_number(v)
        except NumberFormatError as exc:
            raise DeclarationError(f"text {_short(v)!r} where a number belongs: {_cause(exc)}") from exc
        if n is None:
            raise DeclarationError(f"a dash {v!r} where a number belongs")
        return n
    raise DeclarationError(f"{type(v).__name__} {v!r} where a number belongs")


def _date(v: Any) -> str:
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    try:
        return date.fromisoformat(str(v).strip()).isoformat()
    except ValueError as exc:
        raise DeclarationError(f"{v!r} is not a date (YYYY-MM-DD)") from exc


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().upper()
    if s in T.TRUE_WORDS:
        return True
    if s in T.FALSE_WORDS:
        return False
    raise DeclarationError(f"{v!r} is not 是/否")
