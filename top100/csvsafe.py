"""CSV files a spreadsheet may open: text cells neutralised against formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
as a formula by Excel or LibreOffice (OWASP "CSV injection"); it gets a leading apostrophe.
Numbers stay numbers: a negative score is written as ``-1.5``, not ``'-1.5``. Every CSV the
project writes (ranking, eligibility, sensitivity, findings) goes through this one rule.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from top100.jsonl import atomic_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that could run as a formula gets a leading ': anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
              cell: Callable[[Any], Any] = neutralise, lineterminator: str = "\r\n") -> int:
    """Write a UTF-8 CSV (no BOM) atomically, every cell through `cell`; return the row count."""
    n = 0
    with atomic_text(path, newline="") as fh:
        w = csv.writer(fh, lineterminator=lineterminator)
        w.writerow([cell(h) for h in header])
        for row in rows:
            w.writerow([cell(v) for v in row])
            n += 1
    return n
