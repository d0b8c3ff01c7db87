"""Pages of a PDF as words with positions, found fast and read carefully.

Two passes, because a page's words with their boxes cost far more than its text:
1. ``TextPass.text`` reads page texts with pypdfium2 (about 2 ms a page; lazily, page by page,
   so a caller stops as soon as it has found its sections);
2. the careful pass reads only the chosen pages as words grouped into lines, with boxes and
   rules, for the table readers (extractors.tables, extractors.hk_tables). By default
   (``engine="pdfium"`` in the readers' settings) ``TextPass.words`` builds them from pypdfium2's
   character boxes (about 10 ms a page); ``words_of_pages`` is the other engine
   (``engine="pdfplumber"``, 60-90 ms a page), kept to compare with (benchmarks/bench_extract.py):
   both give the table readers the same words and rules.

Unreadable documents (zero bytes, not a PDF, encrypted, truncated, image-only, text that comes
out as ``(cid:…)`` glyph ids) raise DocumentUnreadable with the reason.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from top100.errors import DocumentUnreadable
from top100.pdfium import PDFIUM


@dataclass(eq=False)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(eq=False)
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
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # horizontal rules (y, x0, x1)
    vrules: list[tuple[float, float, float]] = field(default_factory=list)  # vertical rules (x, top, bottom)


def merge_rules(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Horizontal edges at the same height joined into spans (ruled tables draw one per cell)."""
    out: list[list[float]] = []
    for y, x0, x1 in sorted(edges):
        if out and abs(out[-1][0] - y) <= 1.0 and x0 <= out[-1][2] + 4:
            out[-1][2] = max(out[-1][2], x1)
        else:
            out.append([y, x0, x1])
    return [tuple(r) for r in out]


def group_lines(page: int, words: list[Word], y_tol: float = 2.0) -> list[Line]:
    """Words whose tops are within ``y_tol`` points, or whose boxes share most of their height
    (a CJK word beside digits in another font: see _char_lines), form one line, left to right."""
    lines: list[Line] = []
    first: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if lines:
            top, bottom = first[-1]
            overlap = min(bottom, w.bottom) - max(top, w.top)
            shorter = max(min(bottom - top, w.bottom - w.top), 0.1)
            if abs(w.top - top) <= y_tol or overlap >= 0.7 * shorter:
                lines[-1].words.append(w)
                lines[-1].bottom = max(lines[-1].bottom, w.bottom)
                continue
        lines.append(Line(page, [w], w.top, w.bottom))
        first.append((w.top, w.bottom))
    for ln in lines:
        ln.words.sort(key=lambda w: w.x0)
    return lines


def _char_lines(chars: list[tuple]) -> list[list[tuple]]:
    """Characters grouped into lines, each line left to right.

    A glyph joins the line above it when their boxes share most of their height: the same top,
    a glyph of a smaller font box lying within the line's height (a kerned capital 'T' of
    'Total' set in another font starts 2-3 points lower), or the CJK glyphs of a mixed line
    (``2025 年 12 月 31 日``: the Chinese font's box sits 2-3 points lower than the digits')."""
    lines: list[list[tuple]] = []
    boxes: list[tuple[float, float]] = []  # (top, bottom) of each line's first glyph
    for c in sorted(chars, key=lambda c: (round(c[0], 1), c[1])):
        if lines:
            top, bottom = boxes[-1]
            overlap = min(bottom, c[3]) - max(top, c[0])
            shorter = max(min(bottom - top, c[3] - c[0]), 0.1)
            if abs(c[0] - top) <= 2.0 or (c[0] >= top - 0.5 and c[3] <= bottom + 0.5) or overlap >= 0.7 * shorter:
                lines[-1].append(c)
                continue
        lines.append([c])
        boxes.append((c[0], c[3]))
    return [sorted(ln, key=lambda c: c[1]) for ln in lines]


_FIGURE_CHARS = set("0123456789,.")


def _unmirror_brackets(line: list[tuple]) -> None:
    """A figure set in a right-to-left paragraph has its brackets mirrored: '(85,659)' in logical
    order is drawn with the ')' glyph on the left and '(' on the right, so a line sorted left to
    right reads ')85,659(' (Chinese reports set in InDesign with RTL paragraphs). A run of figure
    characters with ')' touching its left and '(' touching its right is given back as '(…)', the
    closing bracket joined to the figure (the text layer's space before it is stream order)."""
    k = 0
    while k < len(line):
        if line[k][4] != ")":
            k += 1
            continue
        j = k + 1
        while j < len(line) and line[j][4] in _FIGURE_CHARS and line[j][1] - line[j - 1][2] <= 1.5 \
                and not (j > k + 1 and line[j][5]):
            j += 1
        if j - k >= 2 and line[k + 1][4].isdigit() and j < len(line) and line[j][4] == "(" \
                and line[j][1] - line[j - 1][2] <= 1.5 and line[j - 1][4].isdigit():
            t, x0, x1, b, _, sp = line[k]
            line[k] = (t, x0, x1, b, "(", sp)
            t, x0, x1, b, _, _ = line[j]
            line[j] = (t, x0, x1, b, ")", False)
            k = j + 1
            continue
        k += 1


# --- the fast pass ------------------------------------------------------------------------------


def check_header(data: bytes, name: str) -> None:
    if not data:
        raise DocumentUnreadable("zero-byte file", document=name)
    if b"%PDF-" not in data[:1024]:
        raise DocumentUnreadable("not a PDF (no %PDF- header)", document=name)
    if b"%%EOF" not in data[-65536:]:  # the trailer of the last (incremental) section
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
        with PDFIUM:
            try:
                self._pdf = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                msg = str(exc)
                if "password" in msg.lower():
                    raise DocumentUnreadable("encrypted PDF (a password is needed to open it)", document=name) from exc
                raise DocumentUnreadable(f"PDF cannot be opened: {msg}", document=name) from exc
            self.n_pages = len(self._pdf)
        if self.n_pages == 0:
            self.close()
            raise DocumentUnreadable("PDF has no pages", document=name)
        self._texts: dict[int, str] = {}

    def text(self, page: int) -> str:
        """The text of a 1-based page."""
        if page not in self._texts:
            with PDFIUM:
                p = self._pdf[page - 1]
                tp = p.get_textpage()
                try:
                    self._texts[page] = tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
                finally:
                    tp.close()
                    p.close()
        return self._texts[page]

    def words(self, page: int) -> PageLines:
        """Words with boxes (top-left origin, like pdfplumber) and horizontal rules of a page.

        Built from pdfium's character boxes: a word ends at a space, a line change or a gap
        wider than 1.5 points, as pdfplumber's extract_words(x_tolerance=1.5) does."""
        import pypdfium2.raw as pdfium_c

        with PDFIUM:
            p = self._pdf[page - 1]
            tp = p.get_textpage()
            try:
                height = p.get_height()
                n = tp.count_chars()
                text = tp.get_text_range(0, n) if n else ""
                if len(text) != n:  # characters outside the BMP: read one by one to keep indexes aligned
                    text = "".join(tp.get_text_range(i, 1)[:1] or " " for i in range(n))
                chars = []  # (top, x0, x1, bottom, ch, space before) by loose boxes (font ascent/descent, advance)
                space = False
                for i, ch in enumerate(text[:n]):
                    if ch.isspace() or ch in "\ufffe\x00":
                        space = True  # a printed or generated space ends the word
                        continue
                    left, bottom, right, top = tp.get_charbox(i, loose=True)
                    if right - left <= 0 and top - bottom <= 0:
                        continue
                    chars.append((height - top, left, right, height - bottom, ch, space))
                    space = False
                words: list[Word] = []
                for line in _char_lines(chars):
                    _unmirror_brackets(line)
                    cur: list = []
                    for t, x0, x1, b, ch, spaced in line:
                        if cur and (spaced or x0 - cur[2] > 1.5 or x0 < cur[2] - 4 - (x1 - x0)):
                            words.append(Word(cur[0], cur[1], cur[2], cur[3], cur[4]))
                            cur = []
                        if cur:
                            cur[0] += ch
                            cur[2], cur[3], cur[4] = max(cur[2], x1), min(cur[3], t), max(cur[4], b)
                        else:
                            cur = [ch, x0, x1, t, b]
                    if cur:
                        words.append(Word(cur[0], cur[1], cur[2], cur[3], cur[4]))
                edges, vedges = [], []
                for obj in p.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
                    left, bottom, right, top = obj.get_bounds()
                    if top - bottom > 2:  # a vertical line, or the sides of a cell-sized rectangle
                        vedges.append((left, height - top, height - bottom))
                        if right - left > 2:
                            vedges.append((right, height - top, height - bottom))
                    if right - left <= 2:
                        continue
                    edges.append((height - top, left, right))
                    if top - bottom > 2:
                        edges.append((height - bottom, left, right))
            finally:
                tp.close()
                p.close()
        if words and sum("(cid:" in w.text for w in words) > len(words) / 4:
            raise DocumentUnreadable("text comes out as (cid:…) glyph ids; it cannot be read", document=self.name, page=page)
        return PageLines(page, group_lines(page, words), rules=merge_rules(edges), vrules=vedges)

    def check_readable(self, sample: int = 12) -> None:
        """Image-only and glyph-id text are told apart from real text on the first pages."""
        pages = range(1, min(self.n_pages, sample) + 1)
        text = "".join(self.text(p) for p in pages)
        visible = re.sub(r"\s+", "", text)
        if visible and _bad_text_share(visible) > 0.3:
            raise DocumentUnreadable(
                "text comes out as glyph ids ((cid:…) without a ToUnicode map); it cannot be read",
                document=self.name, page=1,
            )
        if len(visible) < 10 * len(pages) and len(visible) < 200:
            raise DocumentUnreadable(
                f"no text layer on the first {len(pages)} pages (image-only or scanned PDF)", document=self.name, page=1
            )

    def close(self) -> None:
        with PDFIUM:
            self._pdf.close()


# --- the careful pass by pdfplumber (engine="pdfplumber"; the default is TextPass.words) --------


def words_of_pages(data: bytes, pages: list[int], name: str) -> dict[int, PageLines]:
    """Words grouped into lines for the given 1-based pages, by pdfplumber (the readers' other
    engine: ``engine="pdfplumber"``); pages closed after use."""
    import pdfplumber

    out: dict[int, PageLines] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n in sorted(set(pages)):
            if not 1 <= n <= len(pdf.pages):
                continue
            page = pdf.pages[n - 1]
            try:
                raw = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
                edges = [(e["top"], e["x0"], e["x1"]) for e in page.horizontal_edges if e["x1"] - e["x0"] > 2]
                vedges = [(e["x0"], e["top"], e["bottom"]) for e in page.vertical_edges if e["bottom"] - e["top"] > 2]
            finally:
                page.close()
            words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw]
            if words and sum("(cid:" in w.text for w in words) > len(words) / 4:
                raise DocumentUnreadable(
                    "text comes out as (cid:…) glyph ids; it cannot be read", document=name, page=n
                )
            out[n] = PageLines(n, group_lines(n, words), rules=merge_rules(edges), vrules=vedges)
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


# --- page furniture -----------------------------------------------------------------------------


def _furniture_key(text: str) -> str:
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"\d+", "#", s)


# an amount as a statement prints it (1,234 or 12.34): running headers and footers never carry one,
# while a statement's last row (五、净利润 ...) may end this page and, with other figures, the next
# statement's page too (合并利润表 then 母公司利润表): the same text but for its digits
_AMOUNT = re.compile(r"\d,\d{3}|\d\.\d{2}(?!\d)")


def strip_furniture(pl: PageLines, neighbour_texts: tuple[str, ...] | list[str], edge: int = 2) -> PageLines:
    """The page without its running header and footer (company name + 年度报告全文, page x of
    y): a line among the first or last ``edge`` of the page that the page before or after also
    prints among its first or last lines (digits aside). Such lines are page furniture: they
    never start, end or label a table. Pages without neighbours are returned as they are."""
    keys: set[str] = set()
    for text in neighbour_texts:
        rows = [ln for ln in text.split("\n") if ln.strip()]
        keys.update(_furniture_key(r) for r in rows[:edge + 1] + rows[-(edge + 1):])
    # page numbers (69 / 269, - 12 -, 第 3 页 共 9 页) repeat in form, not in text
    numbers = {k for k in keys if re.fullmatch(r"[#/\-—–第页共]+", k) and "#" in k}
    keys = {k for k in keys if len(k.replace("#", "")) >= 4} | numbers
    if not keys or len(pl.lines) <= 2 * edge:
        return pl
    n = len(pl.lines)
    drop = {i for i in list(range(edge)) + list(range(n - edge, n)) if _furniture_key(pl.lines[i].text) in keys
            and (_furniture_key(pl.lines[i].text) not in numbers or i in (0, n - 1))
            and not _AMOUNT.search(pl.lines[i].text)}
    if not drop:
        return pl
    return PageLines(pl.page, [ln for i, ln in enumerate(pl.lines) if i not in drop], pl.synthetic, pl.rules,
                     pl.vrules)
