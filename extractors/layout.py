"""Pages of a PDF as words with positions, found fast and read carefully.

Two passes, because pdfplumber costs 60-90 ms a page and pypdfium2 about 2 ms:
1. ``TextPass`` reads page texts with pypdfium2 (lazily, page by page, so a caller stops
   as soon as it has found its sections);
2. ``words_of_pages`` opens only the chosen pages with pdfplumber and returns their words
   grouped into lines, with boxes, for the table reader (extractors.tables).

Unreadable documents (zero bytes, not a PDF, encrypted, truncated, image-only, text that comes
out as ``(cid:…)`` glyph ids) raise DocumentUnreadable with the reason.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from top100.errors import DocumentUnreadable


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    page: int  # 1-based
    words: list[Word]
    top: float = 0.0
    bottom: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class PageLines:
    page: int
    lines: list[Line] = field(default_factory=list)
    synthetic: bool = False  # positions come from text order, not from the page (pdf2jsonl text)


def group_lines(page: int, words: list[Word], y_tol: float = 2.0) -> list[Line]:
    """Words whose tops are within ``y_tol`` points form one line, left to right."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if lines and abs(w.top - lines[-1].top) <= y_tol:
            lines[-1].words.append(w)
            lines[-1].bottom = max(lines[-1].bottom, w.bottom)
        else:
            lines.append(Line(page, [w], w.top, w.bottom))
    for ln in lines:
        ln.words.sort(key=lambda w: w.x0)
    return lines


# --- the fast pass ------------------------------------------------------------------------------


def check_header(data: bytes, name: str) -> None:
    if not data:
        raise DocumentUnreadable("zero-byte file", document=name)
    if b"%PDF-" not in data[:1024]:
        raise DocumentUnreadable("not a PDF (no %PDF- header)", document=name)
    if b"%%EOF" not in data[-2048:]:
        raise DocumentUnreadable("truncated PDF (no %%EOF trailer at the end)", document=name)


def _bad_text_share(text: str) -> float:
    """Share of characters that are glyph ids rather than text (private use, controls, U+FFFD)."""
    if not text:
        return 0.0
    bad = sum(1 for c in text if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc") and c not in "\r\n\t")
    return bad / len(text)


class TextPass:
    """Page texts by pypdfium2, read on demand and cached; the document stays open until close()."""

    def __init__(self, data: bytes, name: str) -> None:
        import pypdfium2 as pdfium

        check_header(data, name)
        self.name = name
        try:
            self._pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            msg = str(exc)
            if "password" in msg.lower():
                raise DocumentUnreadable("encrypted PDF (a password is needed to open it)", document=name) from exc
            raise DocumentUnreadable(f"PDF cannot be opened: {msg}", document=name) from exc
        self.n_pages = len(self._pdf)
        if self.n_pages == 0:
            raise DocumentUnreadable("PDF has no pages", document=name)
        self._texts: dict[int, str] = {}

    def text(self, page: int) -> str:
        """The text of a 1-based page."""
        if page not in self._texts:
            p = self._pdf[page - 1]
            tp = p.get_textpage()
            try:
                self._texts[page] = tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            finally:
                tp.close()
                p.close()
        return self._texts[page]

    def bookmarks(self) -> list[tuple[str, int]]:
        """(title, 1-based page) of each bookmark whose destination is known."""
        out = []
        for b in self._pdf.get_toc(max_depth=4):
            dest = b.get_dest()
            idx = dest.get_index() if dest is not None else None
            if idx is not None:
                out.append((b.get_title() or "", idx + 1))
        return out

    def check_readable(self, sample: int = 12) -> None:
        """Image-only and glyph-id text are told apart from real text on the first pages."""
        pages = range(1, min(self.n_pages, sample) + 1)
        text = "".join(self.text(p) for p in pages)
        visible = re.sub(r"\s+", "", text)
        if len(visible) < 20 * len(pages) / 4 and len(visible) < 200:
            raise DocumentUnreadable(
                f"no text layer on the first {len(pages)} pages (image-only or scanned PDF)", document=self.name, page=1
            )
        if _bad_text_share(visible) > 0.3:
            raise DocumentUnreadable(
                "text comes out as glyph ids ((cid:…) without a ToUnicode map); it cannot be read",
                document=self.name, page=1,
            )

    def close(self) -> None:
        self._pdf.close()


# --- the careful pass ---------------------------------------------------------------------------


def words_of_pages(data: bytes, pages: list[int], name: str) -> dict[int, PageLines]:
    """Words grouped into lines for the given 1-based pages, by pdfplumber; pages closed after use."""
    import pdfplumber

    out: dict[int, PageLines] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n in sorted(set(pages)):
            if not 1 <= n <= len(pdf.pages):
                continue
            page = pdf.pages[n - 1]
            try:
                raw = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
            finally:
                page.close()
            words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw]
            if words and sum("(cid:" in w.text for w in words) > len(words) / 4:
                raise DocumentUnreadable(
                    "text comes out as (cid:…) glyph ids; it cannot be read", document=name, page=n
                )
            out[n] = PageLines(n, group_lines(n, words))
    return out


def lines_from_cells(page: int, rows: list[list[str]]) -> PageLines:
    """Synthetic lines from text rows (a pdf2jsonl conversion): each cell a word, x by position.

    Empty cells are dropped; positions only keep the order, so the table reader maps values to
    columns by order (``synthetic=True``)."""
    pl = PageLines(page, synthetic=True)
    for i, cells in enumerate(rows):
        words = [Word(c.strip(), 100.0 * j, 100.0 * j + 90, 12.0 * i, 12.0 * i + 10)
                 for j, c in enumerate(cells) if c and c.strip()]
        if words:
            pl.lines.append(Line(page, words, 12.0 * i, 12.0 * i + 10))
    return pl
