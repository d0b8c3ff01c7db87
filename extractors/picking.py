"""Choosing the facts out of read tables: first match per metric and year, restated over original."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extractors.layout import PageLines, Word
from extractors.numbers import Unit, find_unit, looks_numeric, normalise, parse_number, parse_unit
from extractors.labels import simplify, unit_in_label
from extractors.tables import Cell, Row, Table
from top100.errors import NumberFormatError, UnitUnknown


@dataclass
class Hit:
    metric: str
    year: int
    row: Row
    cell: Cell
    restated: bool
    ambiguous: bool = False  # two figures under one column: not a reading


def pick(tables: list[Table], names: dict[str, set[str] | tuple[str, ...]], keyfn: Callable[[str], str]) -> list[Hit]:
    """For each metric and year, the first row whose label is one of the metric's names.

    Year columns only (quarters, interim periods, % changes and notes are not facts). Where a
    year is printed restated and original (调整后/调整前), the restated value is kept."""
    found: dict[tuple[str, int], Hit] = {}
    lookup = {n: m for m, ns in names.items() for n in ns}
    # names given in order (a tuple) are preferences: 营业收入 over 营业总收入 (a main table that
    # prints both: the group's total operating revenue includes interest and fee income)
    rank = {n: i for ns in names.values() if isinstance(ns, (tuple, list)) for i, n in enumerate(ns)}
    for t in tables:
        for row in t.rows:
            metric = lookup.get(keyfn(row.label))
            if metric is None:
                continue
            mine = rank.get(keyfn(row.label), 0)
            for k in [k for k, h in found.items() if k[0] == metric and rank.get(keyfn(h.row.label), 0) > mine]:
                del found[k]  # a preferred name's row replaces the readings of a lesser one
            seen: dict[tuple, int] = {}
            for cell in row.cells:
                if cell.column.kind == "year" and cell.value is not None and not cell.raw.strip().endswith("%"):
                    k2 = (cell.column.year, cell.column.restated)
                    seen[k2] = seen.get(k2, 0) + 1
            for cell in row.cells:
                col = cell.column
                if col.kind == "year" and seen.get((col.year, col.restated), 0) > 1 and (metric, col.year) not in found:
                    # two figures under one year column (restated and original, unlabelled):
                    # which is which cannot be told; said, never chosen
                    found[(metric, col.year)] = Hit(metric, col.year, row, cell, False, ambiguous=True)
            for cell in row.cells:
                col = cell.column
                if col.kind != "year" or col.year is None or (cell.value is None and cell.error is None):
                    continue
                k = (metric, col.year)
                prev = found.get(k)
                if prev is None or (prev.row is row and col.restated == "after" and prev.cell.column.restated == "before"):
                    found[k] = Hit(metric, col.year, row, cell, col.restated == "after")
                elif prev.row is row and prev.cell.column.restated == "after" and col.restated == "before":
                    continue
    return list(found.values())


def table_unit(row: Row, default_currency: str | None, carried: Unit | None = None) -> Unit:
    """The unit of a row: inside its label, else in the header band, else just above the table."""
    u = unit_in_label(row.label)
    if u:
        return parse_unit(u, default_currency=default_currency)
    header, hops = row.header, 0
    while header is not None and hops < 4:  # a unit printed once above a statement serves its pages
        found = find_unit(simplify(header.text), default_currency=default_currency)
        if found:
            return found
        for tok in simplify(header.text).split():  # a bare unit word over the columns: 元
            if re.fullmatch(r"(人民币)?(元|千元|万元|百万元|亿元)", tok):
                return parse_unit(tok, default_currency=default_currency)
        for text in reversed(header.above):
            t = normalise(simplify(text))
            found = find_unit(t, default_currency=default_currency)
            if found:
                return found
            if re.fullmatch(r"(人民币)?(元|千元|万元|百万元|亿元)", t):
                return parse_unit(t, default_currency=default_currency)
            tokens = simplify(text).split()
            last = tokens[-1] if tokens else ""
            if len(tokens) > 1 and re.fullmatch(r"(人民币)(元|千元|万元|百万元|亿元)", last):
                # '2025年度      人民币元': the unit at the end of the statement's date line
                return parse_unit(last, default_currency=default_currency)
        if carried is not None and header.page == row.page and len(header.above) <= 3:
            # a table continued at the top of the page (or a second header of it further down):
            # its unit was printed on the page before
            return carried
        header, hops = header.previous, hops + 1
    raise UnitUnknown(f"no unit printed for the table of row {row.label!r}", page=row.page)


@dataclass
class Single:
    label: str
    word: Word
    page: int


def single_values(pages: list[PageLines], wanted: Callable[[str], bool], skip: set[int] | None = None) -> list[Single]:
    """Label-value pairs outside year tables (研发支出合计 3,361,725.80; 在职员工的数量合计 637):
    the one figure on the label's line, or on the next line when the label stands alone."""
    out: list[Single] = []
    for pl in pages:
        lines = pl.lines
        for i, ln in enumerate(lines):
            if skip and id(ln) in skip:
                continue
            nums = [w for w in ln.words if looks_numeric(w.text)]
            labels = [w for w in ln.words if not looks_numeric(w.text)]
            label = "".join(w.text for w in labels if not nums or w.x0 < nums[0].x0)
            if not wanted(label):
                continue
            if not nums:
                # a label standing alone: its figure on the nearest line above or below (a ruled
                # cell prints the figure a few points off the label's baseline; a label wraps
                # onto a line of its own before its figures), never a line that has a label
                height = max(ln.bottom - ln.top, 6.0)
                cands = []
                for j in (i - 1, i + 1):
                    if not 0 <= j < len(lines) or (skip and id(lines[j]) in skip):
                        continue
                    other = lines[j]
                    fig = [w for w in other.words if looks_numeric(w.text)]
                    if not fig or any(not looks_numeric(w.text) for w in other.words if w.x0 < fig[0].x0):
                        continue
                    gap = abs(other.yc - ln.yc)
                    if j < i and gap > 0.6 * height:
                        continue  # above only when it sits nearly on the label's line
                    cands.append((gap, j, fig))
                if cands:
                    gap, j, fig = min(cands, key=lambda c: c[0])
                    if gap <= 2.0 * height:
                        nums = fig
            if len(nums) == 1:
                out.append(Single(label, nums[0], pl.page))
            # several figures on the label's line are a table row (期初人数 / 本期新增 / 期末人数):
            # which one is the year's is for the table reader to say by its columns, never the first
    return out


def number_of(raw: str):
    v = parse_number(raw)
    if v is None:
        raise NumberFormatError(f"nil where a figure was expected: {raw!r}")
    return v
