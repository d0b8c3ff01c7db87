"""The rows of `top100 sql`, printed without trusting them: text, TSV, CSV or JSON.

Warehouse cells hold what companies supplied. On the way to a terminal nothing is interpreted:
no rich markup (``4399[/x]`` prints as written), every control or format character (ESC, BEL,
C1 controls, bidi overrides, line and paragraph separators) shown as a ``\\xNN`` / ``\\uNNNN``
escape and backslashes doubled, so what is printed is unambiguous and inert; CSV cells go
through top100.csvsafe (formula injection). Nothing is truncated or squeezed to a width: a pipe
gets every row and every character. The text table is hand-written (a few lines) because rich's
tables wrap and crop to the console width and interpret markup, which is what must not happen.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from top100.csvsafe import neutralise

FORMATS = ("text", "tsv", "csv", "json")
_UNSAFE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE


def escape(text: str, *, extra: str = "") -> str:
    """Control/format characters as \\xNN or \\uNNNN, backslashes doubled (and `extra` chars)."""
    if not any(_unsafe(c) or c == "\\" or c in extra for c in text):
        return text
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif _unsafe(c) or c in extra:
            n = ord(c)
            out.append(f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")
        else:
            out.append(c)
    return "".join(out)


def one_line(message: str) -> str:
    """An error message for the terminal: its first line, escaped."""
    first = message.strip().splitlines()[0] if message.strip() else message
    return escape(first)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)


def _width(text: str) -> int:
    # East Asian wide characters take two columns (company names are mostly Chinese)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 0 if unicodedata.combining(c) else 1
               for c in text)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    header = [escape(str(c)) for c in columns]
    cells = [[escape(_plain(v)) for v in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    numeric = [bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - _width(v))
            parts.append(pad + v if numeric[i] else v + pad)
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)] if header else []
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def write(stream: IO[str], columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "text") -> None:
    if fmt == "text":
        stream.write(text_table(columns, rows))
    elif fmt == "tsv":
        # tabs and newlines in a cell are escaped (\x09, \x0a), so a row is one line of fields
        stream.write("\t".join(escape(str(c)) for c in columns) + "\n")
        for r in rows:
            stream.write("\t".join(escape(_plain(v)) for v in r) + "\n")
    elif fmt == "csv":
        w = csv.writer(stream, lineterminator="\n")
        w.writerow([neutralise(escape(str(c))) for c in columns])
        for r in rows:
            w.writerow([v if _is_number(v) else neutralise(escape(_plain(v))) for v in r])
    elif fmt == "json":
        text = json.dumps([dict(zip(columns, (_json_value(v) for v in r))) for r in rows], ensure_ascii=False)
        # json escapes C0 controls itself; C1 controls, bidi overrides and separators too, here
        # (they can only occur inside strings, where \uNNNN is valid JSON)
        stream.write("".join(f"\\u{ord(c):04x}" if _unsafe(c) and ord(c) < 0x10000 else c for c in text) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
