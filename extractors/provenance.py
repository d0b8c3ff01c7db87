"""A page image with a value's box drawn, for an auditor (``top100 explain --png``, audit site)."""

from __future__ import annotations

from pathlib import Path

from top100.errors import DocumentUnreadable
from top100.pdfium import PDFIUM

NAME = "provenance"
VERSION = "1.0.0"


def render_box(pdf_path: Path | str, page_number: int, bbox: list[float] | tuple[float, ...] | None,
               out_png: Path | str, resolution: int = 110) -> Path:
    """Write page ``page_number`` (1-based) of the PDF as a PNG with ``bbox`` (x0, top, x1, bottom
    in PDF points, as in Fact.bbox) outlined in red. Returns the PNG path."""
    import pdfplumber

    out = Path(out_png)
    with pdfplumber.open(str(pdf_path), pages=[page_number]) as pdf:
        if not pdf.pages:
            raise DocumentUnreadable(f"the PDF has no page {page_number}", document=Path(pdf_path).name)
        page = pdf.pages[0]
        try:
            with PDFIUM:  # pdfplumber draws the page with PDFium (top100.pdfium)
                img = page.to_image(resolution=resolution)
            if bbox:
                x0, top, x1, bottom = bbox
                pad = 2
                img.draw_rect((x0 - pad, top - pad, x1 + pad, bottom + pad), fill=(255, 0, 0, 40),
                              stroke=(220, 0, 0), stroke_width=2)
            out.parent.mkdir(parents=True, exist_ok=True)
            img.save(str(out), format="PNG")
        finally:
            page.close()
    return out
