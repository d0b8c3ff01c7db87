"""Delivered CSV files of the inbox (docs/CONTRACTS.md), validated cell by cell.

Each reader returns an ``ExtractResult`` (extractors.result) whose ``rows`` hold a record per valid
row (with its 1-based ``source_row``, the header being row 1) and whose ``errors`` hold an error
per invalid cell naming the file, the row and column and the cause. A file whose header is not the expected one gives one error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from extractors.numbers import parse_cell_number
from extractors.result import ExtractResult
from top100 import vocab
from top100.errors import NumberFormatError
from top100.records import ErrorRow, IntegrityRecord, LicenceRecord, TrafficRecord

NAME = "delivered"
VERSION = "1.1.0"
MAX_BYTES = 50_000_000

LICENCE_COLUMNS = ("licence_number", "licence_type", "holder_name", "company_id", "valid_from", "valid_until", "status")
TRAFFIC_COLUMNS = ("company_id", "fiscal_year", "desktop", "mobile")
INTEGRITY_COLUMNS = ("company_id", "record_date", "kind", "disqualifying", "description")
LISTING_COLUMNS = ("company_id", "exchange", "ticker", "ads_ratio")
# listings.csv with the SEC filer's CIK as of the fiscal year (issue 17): the same columns and cik
LISTING_COLUMNS_CIK = LISTING_COLUMNS + ("cik",)
# and an unlisted candidate whose IPO is under review (its 预披露 prospectus is searched on CNINFO)
LISTING_COLUMNS_IPO = LISTING_COLUMNS_CIK + ("ipo_in_progress",)
LICENCE_STATUSES = ("valid", "revoked", "expired", "suspended", "cancelled")


class CellError(ValueError):
    pass


def _company(v: str) -> str:
    try:
        return vocab.check_company_id(v.strip())
    except ValueError as exc:
        raise CellError(str(exc)) from exc


def _opt_company(v: str) -> str | None:
    return _company(v) if v.strip() else None


MAX_TEXT_CHARS = 2_000  # a name, licence number or description; a longer cell is refused


def _text(v: str) -> str:
    if len(v) > MAX_TEXT_CHARS:
        raise CellError(f"a cell of {len(v)} characters (limit {MAX_TEXT_CHARS})")
    if not v.strip():
        raise CellError("empty")
    return v.strip()


def _iso(v: str) -> str:
    try:
        return date.fromisoformat(v.strip()).isoformat()
    except ValueError as exc:
        raise CellError(f"{v!r} is not a date (YYYY-MM-DD)") from exc


def _year(v: str) -> int:
    if not v.strip().isdigit() or not 1990 <= int(v) <= 2100:
        raise CellError(f"{v!r} is not a year")
    return int(v)


def _amount(v: str) -> float:
    try:
        n = parse_cell_number(v)
    except NumberFormatError as exc:
        shown = v if len(v) <= 40 else v[:40] + f"… ({len(v)} characters)"
        raise CellError(f"{shown!r} is not a number ({getattr(exc, 'cause', exc)})") from exc
    if n is None or n < 0:
        raise CellError(f"{v!r} is not a non-negative number")
    return float(n)


def _bool(v: str) -> bool:
    s = v.strip().lower()
    if s in ("true", "1", "yes", "y", "是"):
        return True
    if s in ("false", "0", "no", "n", "否"):
        return False
    raise CellError(f"{v!r} is not true/false")


def _enum(enum) -> Callable[[str], str]:
    def check(v: str) -> str:
        if v.strip() not in [e.value for e in enum]:
            raise CellError(f"{v!r} is not one of {', '.join(e.value for e in enum)}")
        return v.strip()
    return check


def _status(v: str) -> str:
    if v.strip().lower() not in LICENCE_STATUSES:
        raise CellError(f"{v!r} is not one of {', '.join(LICENCE_STATUSES)}")
    return v.strip().lower()


def _opt(fn: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda v: fn(v) if v.strip() else None


def _ratio(v: str) -> float:
    x = _amount(v)
    if x <= 0:
        raise CellError(f"{v!r} is not a positive ratio")
    return x


NUL = b"\0"
MAX_RECORD_BYTES = 65_536  # one row; a longer one is refused before csv sees it (csv stops the file at 131,072)
REFUSED_KINDS = ("UnreadableRow", "DeliveredFileError")  # a row (or the file) not used; DuplicateRow was used


def records(data: bytes) -> Iterator[tuple[int, int, bytes | None, str | None]]:
    """(row number, byte offset, the row's bytes, None) per record of a CSV file, or
    (row, offset, the row's first bytes, cause) where a record cannot be delimited (longer than MAX_RECORD_BYTES,
    an unclosed quote). A record ends at a line break outside quotes; a doubled quote inside a
    quoted field keeps the count even, and no byte of a UTF-8 or GBK multi-byte character is a
    quote or a line break, so splitting bytes this way never cuts a character. Hand-written:
    csv reads text, so one undecodable row or one oversized field stops it for the whole file."""
    n, pos, size = 1, 0, len(data)
    while pos < size:
        start, quotes, end = pos, 0, pos
        while True:
            nl = data.find(b"\n", end)
            stop = size if nl < 0 else nl + 1
            quotes += data.count(b'"', end, stop)
            end = stop
            if quotes % 2 == 0 or end >= size:
                break
        if quotes % 2:
            yield n, start, data[start:start + 512], ("a quote opened in this row is never closed: the rest of the "
                                                      f"file ({end - start} bytes) cannot be read")
            return
        if end - start > MAX_RECORD_BYTES:
            yield n, start, data[start:start + 512], f"a row of {end - start} bytes (limit {MAX_RECORD_BYTES}): refused"
        else:
            yield n, start, data[start:end], None
        pos, n = end, n + 1


def _guess_company(raw: bytes, columns: tuple[str, ...]) -> str | None:
    """The company an unreadable row concerns, where its (ASCII) id cell survives a lossy decode:
    only to say whose check could not run, never to use the row."""
    try:
        cells = next(csv.reader([raw.decode("utf-8", errors="replace").rstrip("\r\n")]))
        return vocab.check_company_id(cells[columns.index("company_id")].strip())
    except (csv.Error, StopIteration, IndexError, ValueError):
        return None


def _read(path: Path | str, columns: tuple[str, ...], checks: dict[str, Callable[[str], Any]],
          build: Callable[[dict[str, Any], int], Any], row_check: Callable[[dict[str, Any]], str | None] | None = None,
          key: tuple[str, ...] | None = None, name: str | None = None) -> ExtractResult:
    path = Path(path)
    result = ExtractResult()
    name = name or path.name

    def err(cause: str, row: int | None = None, column: str | None = None, company: str | None = None,
            kind: str = "DeliveredFileError", offset: int | None = None) -> None:
        cell = f"row {row}" + (f", column {column}" if column else "") if row else None
        if offset is not None and cell:
            cell += f", byte {offset}"
        result.errors.append(ErrorRow(stage="extract", kind=kind, reason=cause, company_id=company,
                                      document=name, cell=cell))
    try:
        data = path.read_bytes()
    except OSError as exc:
        err(f"cannot read the file: {exc}")
        return result
    if len(data) > MAX_BYTES:
        err(f"file of {len(data)} bytes exceeds {MAX_BYTES}")
        return result
    bom = data.startswith(b"\xef\xbb\xbf")
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    for n, offset, raw, problem in records(data[3:] if bom else data):
        offset += 3 if bom else 0
        if problem is None and b"\0" in raw:
            problem = f"a NUL byte at byte offset {offset + raw.index(NUL)} (binary data, not text)"
        if problem is None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start:exc.start + 4].hex(" ")
                problem = f"not UTF-8 text at byte offset {offset + exc.start} (bytes {bad}; another encoding?)"
        cells = None
        if problem is None:
            try:
                parsed = list(csv.reader(io.StringIO(text, newline="")))
            except csv.Error as exc:
                problem = f"not a CSV row at byte offset {offset} ({exc})"
            else:
                if len(parsed) != 1:
                    problem = f"not one CSV row at byte offset {offset}"
                else:
                    cells = parsed[0]
        if problem is not None:
            if n == 1:
                err(f"header unreadable: {problem}", row=1, offset=offset)
                return result
            err(problem if "byte offset" in problem else f"{problem} (byte offset {offset})", row=n, offset=offset,
                kind="UnreadableRow", company=_guess_company(raw, columns))
            continue
        if n == 1:
            header = cells
            if tuple(h.strip() for h in header) != columns:
                err(f"header is {header!r}, expected {', '.join(columns)}", row=1)
                return result
            continue
        rows.append((n, cells))
    if header is None:
        err(f"header is None, expected {', '.join(columns)}", row=1)
        return result
    valid: list[tuple[int, dict[str, Any]]] = []
    for n, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            err(f"{len(cells)} cells, expected {len(columns)}", row=n)
            continue
        row: dict[str, Any] = {}
        ok = True
        company = cells[columns.index("company_id")].strip() or None
        for col, raw in zip(columns, cells):
            try:
                row[col] = checks[col](raw)
            except CellError as exc:
                err(f"{col}: {exc}", row=n, column=col, company=company)
                ok = False
        if ok and row_check is not None:
            problem = row_check(row)
            if problem:
                err(problem, row=n, company=company)
                ok = False
        if ok:
            valid.append((n, row))
    for n, row in _unique(valid, key or columns, err):
        result.rows.append(build(row, n))
    return result


def _unique(valid: list[tuple[int, dict[str, Any]]], key: tuple[str, ...], err: Callable[..., None]
            ) -> list[tuple[int, dict[str, Any]]]:
    """Rows with a repeated key (by default the whole row): an identical repeat is reported and ignored (the first is
    used); rows that disagree are all reported and none is used (which one is right is not
    ours to guess)."""
    groups: dict[tuple, list[tuple[int, dict[str, Any]]]] = {}
    for n, row in valid:
        groups.setdefault(tuple(row[k] for k in key), []).append((n, row))
    keep = []
    for k, rows in groups.items():
        first_n, first = rows[0]
        what = ", ".join(f"{c}={v}" for c, v in zip(key, k))
        company = first.get("company_id")
        if len(rows) == 1:
            keep.append(rows[0])
        elif all(r == first for _, r in rows[1:]):
            keep.append(rows[0])
            for n, _ in rows[1:]:
                err(f"duplicate row: repeats row {first_n} ({what}); ignored", row=n, company=company, kind="DuplicateRow")
        else:
            numbers = ", ".join(str(n) for n, _ in rows)
            for n, _ in rows:
                err(f"conflicting rows {numbers} for {what}: none used", row=n, company=company)
    return sorted(keep, key=lambda nr: nr[0])


def read_licences(path: Path | str, name: str | None = None) -> ExtractResult:
    """licence_registry.csv -> LicenceRecord rows."""
    checks = {"licence_number": _text, "licence_type": _enum(vocab.LicenceType), "holder_name": _text,
              "company_id": _opt_company, "valid_from": _iso, "valid_until": _iso, "status": _status}

    def row_check(r: dict) -> str | None:
        if r["valid_from"] > r["valid_until"]:
            return f"valid_from {r['valid_from']} is after valid_until {r['valid_until']}"
        return None
    return _read(path, LICENCE_COLUMNS, checks, lambda r, n: LicenceRecord(**r, source_row=n), row_check, name=name)


def read_traffic(path: Path | str, name: str | None = None) -> ExtractResult:
    """traffic.csv -> TrafficRecord rows (daily visits, 万次)."""
    checks = {"company_id": _company, "fiscal_year": _year, "desktop": _amount, "mobile": _amount}
    return _read(path, TRAFFIC_COLUMNS, checks, lambda r, n: TrafficRecord(**r, source_row=n),
                 key=("company_id", "fiscal_year"), name=name)


def read_integrity(path: Path | str, name: str | None = None) -> ExtractResult:
    """integrity.csv -> IntegrityRecord rows."""
    checks = {"company_id": _company, "record_date": _iso, "kind": _text, "disqualifying": _bool,
              "description": lambda v: _text(v) if v.strip() else ""}
    return _read(path, INTEGRITY_COLUMNS, checks, lambda r, n: IntegrityRecord(**r, source_row=n), name=name)


def _cik(v: str) -> int:
    """A CIK: 1 to 10 digits (leading zeros allowed, "CIK" prefix tolerated)."""
    text = v.strip().upper().removeprefix("CIK")
    if not text.isdigit() or len(text) > 10 or int(text) == 0:
        raise CellError(f"cik {v!r} is not 1 to 10 digits")
    return int(text)


def _listing_columns(path: Path | str) -> tuple[str, ...]:
    """The columns listings.csv declares: the four of old, with cik, or with cik and
    ipo_in_progress (any other header is refused by _read, naming the columns expected)."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096).decode("utf-8-sig", "replace")
    except OSError:
        return LISTING_COLUMNS  # _read reports the unreadable file
    header = [h.strip() for h in first.strip().split(",")]
    for columns in (LISTING_COLUMNS_IPO, LISTING_COLUMNS_CIK):
        if header == list(columns):
            return columns
    return LISTING_COLUMNS


def read_listings(path: Path | str, name: str | None = None) -> ExtractResult:
    """listings.csv -> dicts company_id, exchange, ticker, ads_ratio (None where not listed) and,
    when the header has them, cik (the SEC filer as of the fiscal year; None where not given) and
    ipo_in_progress (true for an unlisted candidate whose IPO is under review; false if blank)."""
    checks = {"company_id": _company, "exchange": _opt(_enum(vocab.Exchange)), "ticker": lambda v: _text(v) if v.strip() else None,
              "ads_ratio": _opt(_ratio), "cik": _opt(_cik), "ipo_in_progress": lambda v: _bool(v) if v.strip() else False}
    columns = _listing_columns(path)

    def row_check(r: dict) -> str | None:
        if r["exchange"] and not r["ticker"]:
            return f"listed on {r['exchange']} without a ticker"
        if r["ticker"] and not r["exchange"]:
            return f"ticker {r['ticker']} without an exchange"
        if r["ads_ratio"] is not None and r["exchange"] not in ("NYSE", "NASDAQ"):
            return "ads_ratio is only for US listings"
        if r.get("cik") is not None and r["exchange"] not in ("NYSE", "NASDAQ"):
            return "cik is only for US listings (the SEC filer)"
        if r.get("ipo_in_progress") and r["exchange"]:
            return "ipo_in_progress is only for a candidate not listed yet"
        return None
    return _read(path, columns, checks, lambda r, n: dict(r), row_check, key=("company_id", "exchange"), name=name)
