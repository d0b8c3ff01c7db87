"""CSV files of the scoring stage: numbers stay numbers, None is empty, booleans are
``true``/``false``, and text goes through the project's formula-injection rule
(top100.csvsafe)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Number
from pathlib import Path
from typing import Any

from top100 import csvsafe
from top100.csvsafe import FORMULA_START  # noqa: F401  (re-exported)


def neutralise(value: Any) -> Any:
    """The cell as written: numbers unchanged, None empty, text with a leading ' if it could be a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Number):
        return value
    return csvsafe.neutralise(str(value))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a UTF-8 CSV (no BOM) atomically; return the number of rows."""
    return csvsafe.write_csv(path, header, rows, cell=neutralise)
