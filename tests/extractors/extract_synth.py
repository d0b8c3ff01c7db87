"""Small PDFs in the layout of real reports, written with reportlab for trap tests.

A page is a list of items: ``Text(x, y, s)`` or ``Grid(x, y, widths, rows)``; a cell's text may
wrap over lines with "\\n"; numbers are right-aligned, labels left-aligned, like real tables.
Chinese text uses the CID font STSong-Light (as the demo world's generator does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
FONT = "STSong-Light"
H = A4[1]


@dataclass
class Text:
    x: float
    y: float  # from the top of the page
    s: str
    size: float = 10


@dataclass
class Grid:
    x: float
    y: float
    widths: list[float]
    rows: list[list[str]]
    size: float = 9
    ruled: bool = True
    line_h: float = 13
    pad: float = 4
    heights: list[int] = field(default_factory=list)  # lines per row (default: the tallest cell)
    numbers: str = "right"  # alignment of figures: right | left | center
    headers: str = "left"  # alignment of other cells right of the label column: left | center


def _draw_grid(c: canvas.Canvas, g: Grid) -> None:
    y = g.y
    total = sum(g.widths)
    if g.ruled:
        c.line(g.x, H - y, g.x + total, H - y)
    for ri, row in enumerate(g.rows):
        n = g.heights[ri] if ri < len(g.heights) else max(len(cell.split("\n")) for cell in row)
        h = n * g.line_h + 2 * g.pad
        x = g.x
        for w, cell in zip(g.widths, row):
            parts = cell.split("\n") if cell else []
            top = y + g.pad + (n - len(parts)) * g.line_h / 2  # centred vertically, like Word tables
            for k, part in enumerate(parts):
                base = H - (top + (k + 1) * g.line_h - 3)
                c.setFont(FONT, g.size)
                figure = bool(re.fullmatch(r"[-()\d,.% ]+", part)) and x > g.x
                how = g.numbers if figure else (g.headers if x > g.x else "left")
                if how == "right":
                    c.drawRightString(x + w - 3, base, part)
                elif how == "center":
                    c.drawCentredString(x + w / 2, base, part)
                else:
                    c.drawString(x + 3, base, part)
            x += w
        y += h
        if g.ruled:
            c.line(g.x, H - y, g.x + total, H - y)
    if g.ruled:
        x = g.x
        for w in [0.0] + list(g.widths):
            x += w
            c.line(x, H - g.y, x, H - y)


def make_pdf(path: Path, pages: list[list[object]], **kw) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, **kw)
    for items in pages:
        for it in items:
            if isinstance(it, Text):
                c.setFont(FONT, it.size)
                c.drawString(it.x, H - it.y, it.s)
            elif isinstance(it, Grid):
                _draw_grid(c, it)
        c.showPage()
    c.save()
    return path


def filler(n: int, title: str = "2014年年度报告") -> list[list[object]]:
    """Pages of prose between the sections."""
    return [[Text(250, 40, title), Text(60, 100, f"第{i + 1}页 公司治理、风险因素与经营情况的说明文字。")] for i in range(n)]
