"""What the failure-class tests read off a real document: one page's words, and the facts of the
whole document keyed by (metric, fiscal year)."""

from __future__ import annotations

from pathlib import Path

import extractors
from extractors.layout import TextPass


def page_words(path: Path, n: int):
    tp = TextPass(path.read_bytes(), path.name)
    try:
        return tp.words(n)
    finally:
        tp.close()


def facts_by_key(path: Path):
    result = extractors.read(None, path, company_id="C0001")
    return {(f.metric, f.fiscal_year): f for f in result.facts}, result
