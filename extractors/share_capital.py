"""The total share count of an A-share or HK annual report, as of its fiscal year end (issue 17,
item 4): what a market value on the valuation date uses where no filing dated on or before the
date gives a count (expectations.market_value has the order).

One fact per document, metric ``total_shares`` (ordinary shares, all classes; currency empty),
with its provenance (page, label, raw text, box) and ``period_end`` = the date the count is
stated for. Every place that prints the count is read and compared (extractors.corroborate):
two places agreeing corroborate it, two disagreeing make a ``ReadingsConflict`` error and the
fact ``conflict`` (never a silent pick).

A-share reports (年度报告), in this order of trust:
- ``share_table``: the 股份变动情况表 / 普通股股本结构 of 第X节 股份变动及股东情况: the row 三、股份总数
  (or 股份总数 / 总股本), its 本次变动后 / 期末 数量 (the last count of the row; the 比例 columns
  are percentages). Read only where the table's unit is 股 / 万股 / 亿股: the notes' 股本 table
  prints a 股份总数 row too, in 元 (share capital at par), which is never a count.
- ``basic_info``: 普通股总股本（股） (北交所 reports' 公司基本情况), 期末总股本 of the main-figures
  table (the first figure: the year's), with the unit its label or table prints (股 / 万股).
- ``sentence``: a sentence that dates its count to the year's end: 截至2023年12月31日，公司总股本为
  125,619.78万股 (or 截至报告期末，公司总股本为…). A sentence dated otherwise (the day of the profit
  distribution) is not read.

HK reports:
- ``share_note``: the share capital note's issued and fully paid count: ``Issued and fully paid:
  18,760,717,230 ordinary shares of HK$0.025 each`` (the statement date's), or its movement
  table's ``At 31 December 2023  636,763,934  269,500`` line below ``Issued and fully paid``
  (the first figure, under ``Number of shares``; a label of dates ``At 1 January 2021, 31
  December 2021 and 31 December 2022`` counts for its last date; the count column's unit from
  the unit line above: a bare ``'000`` before the money's ``HK$'000`` is thousands of shares, no
  unit line is an error).
- ``sentence``: ``based on 636,763,934 Shares in issue as at 31 December 2023``, ``on the basis
  of N shares of the Company in issue as at ...``, ``the number of issued Shares as at ... (i.e.
  N shares)`` (the directors' report; read where the date is the fiscal year end).
An exact count is the fact before one printed in thousands (which then corroborates it).

A report that prints none of these gives no fact and no error (a summary, 摘要, need not print
it); a figure found in a place above whose unit cannot be told is an error naming the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from extractors.corroborate import Reading, Readings, decide
from extractors.labels import simplify
from extractors.layout import TextPass
from extractors.numbers import Unit
from extractors.result import ExtractResult, Origin, error_row
from top100.errors import UnitUnknown

METRIC = "total_shares"
# bump when what this module reads changes: part of cn_annual's and hk_annual's VERSION
VERSION = "s3"

SHARES = {"股": Unit("股", Decimal(1), None), "万股": Unit("万股", Decimal(10_000), None),
          "亿股": Unit("亿股", Decimal(100_000_000), None), "shares": Unit("shares", Decimal(1), None)}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), 1)}

# ---- A shares ---------------------------------------------------------------------------------

_CN_SECTION = re.compile(r"股份变动情况|股本变动情况|普通股股本结构")
_CN_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(?P<u>亿股|万股|股|百万元|千元|万元|亿元|元)")
_CN_BASIC = re.compile(r"^\s*(?P<label>(?:普通股)?(?:期末)?总股本\s*[（(]\s*(?P<u>股|万股|亿股)\s*[)）]|期末总股本(?:\s*[（(]\s*"
                       r"(?P<u2>股|万股|亿股)\s*[)）])?)\s*(?P<raw>" + _NUM + r")(?:\s|$)")
_CN_SENTENCE = re.compile(r"(?:截至(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日|截至(?:本)?报告期(?:期)?末)[，,]?(?:公司|本公司)(?:的)?(?:总股本|股份总数)"
                          r"(?:为|是)?[（(]?(?P<raw>" + _NUM + r")(?P<u>亿股|万股|股)")



def line_starts(lines: list[str]) -> list[int]:
    """Where each line starts in the text they were split from (one newline after each)."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return starts

def _last_count(tokens: list[str]) -> str | None:
    """The row's last count: the 本次变动后 / 期末 数量 (its 比例 follows it, a percentage ≤ 100)."""
    for t in reversed(tokens):
        if t.startswith(("-", "+")) or t.endswith("%"):  # a change, a percentage
            continue
        if Decimal(t.replace(",", "")) > 1000:
            return t
    return None


_ROW_LABELS = ("三、股份总数", "三、普通股股份总数", "股份总数", "普通股股份总数", "总股本", "三、总股本")
_FIGURE = re.compile(r"[-－+＋]?[\d,]+(?:\.\d+)?%?|[-－—]")


def _sq(text: str) -> str:
    return re.sub(r"\s+", "", simplify(text))


def table_rows(pl) -> list[tuple[str, str, list[float], int]]:
    """(label, raw, box, line index) of the share table's 股份总数 rows on a page (``PageLines``):
    the row's figures by column, a figure wrapped inside its cell (``108,919,`` over ``903``) or
    a label wrapped over lines (``三、股份`` over ``总数``) joined by position."""
    out = []
    lines = pl.lines
    for i, line in enumerate(lines):
        words = [w for w in line.words if not _FIGURE.fullmatch(w.text)]
        if not words:
            continue
        x_label = words[0].x0
        label = _sq("".join(w.text for w in words if w.x0 < x_label + 60))
        if not label or not (label.startswith("三、") or label.startswith("股份总数") or label.startswith("总股本")
                             or label.startswith("普通股")) or not any(t.startswith(label) for t in _ROW_LABELS):
            continue
        band = [line]
        j = i + 1
        while j < len(lines) and j <= i + 3 and label not in _ROW_LABELS:  # a label wrapped over lines
            texts = [w for w in lines[j].words if not _FIGURE.fullmatch(w.text)]
            more = _sq("".join(w.text for w in texts))
            if not any(t.startswith(label + more) for t in _ROW_LABELS) or any(w.x0 > x_label + 60 for w in texts):
                break
            label += more
            band.append(lines[j])
            j += 1
        if label not in _ROW_LABELS:
            continue
        # a figure wrapped in its cell prints on lines of figures only, above or below the label's
        # line (a cell's text is centred): such a line belongs to the row whose labelled line is nearest
        labelled = [ln for ln in lines if any(not _FIGURE.fullmatch(w.text) for w in ln.words)]
        for k in range(max(0, i - 3), min(len(lines), j + 3)):
            ln = lines[k]
            if ln in band or any(not _FIGURE.fullmatch(w.text) for w in ln.words):
                continue
            nearest = min(labelled, key=lambda o: abs(o.yc - ln.yc))
            if nearest in band:
                band.append(ln)
        figures = sorted((w for ln in band for w in ln.words if _FIGURE.fullmatch(w.text) and w.x0 > x_label + 20),
                         key=lambda w: w.x0)
        columns: list[list] = []
        for w in figures:
            col = next((c for c in columns if w.x0 <= c[1] and w.x1 >= c[0]), None)
            if col is None:
                columns.append([w.x0, w.x1, [w]])
            else:
                col[0], col[1] = min(col[0], w.x0), max(col[1], w.x1)
                col[2].append(w)
        cells = []
        for x0, x1, ws in sorted(columns, key=lambda c: c[0]):
            ws = sorted(ws, key=lambda w: w.top)
            raw = "".join(w.text for w in ws).replace("－", "-")
            box = [min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws)]
            cells.append((raw, box))
        raw = _last_count([c[0].replace("＋", "+") for c in cells if re.fullmatch(r"[-+＋]?(?:" + _NUM + r")%?", c[0])])
        if raw is not None:
            box = next(b for r, b in reversed(cells) if r == raw)
            out.append((label, raw, box, i))
    return out


def _unit_in(text: str) -> str | None:
    units = _CN_UNIT_LINE.findall(text)
    return units[-1] if units else None


def cn_readings(pages: Iterable[tuple[int, str]], fy: int | None, year_end: str | None,
                result: ExtractResult, name: str, company_id: str | None, data: bytes = b"") -> list[Reading]:
    """Every reading of the year-end share count of an A-share report (see the module's list)."""
    found: list[Reading] = []
    if fy is None:
        return found
    end = year_end or f"{fy}-12-31"
    previous = ""
    table_pages: list[tuple[int, str, str]] = []
    for page, text in pages:
        if "股" not in text:
            previous = ""
            continue
        text = simplify(text)
        flat = re.sub(r"\s+", "", text)
        if (_CN_SECTION.search(text) or _CN_SECTION.search(previous)) and ("股份总数" in flat or "总股本" in flat):
            table_pages.append((page, text, previous))
        previous = text
        lines = text.splitlines()
        starts = line_starts(lines)
        for i, line in enumerate(lines):
            b = _CN_BASIC.match(line)
            if b:
                unit = b.group("u") or b.group("u2") or "股"
                found.append(Reading(METRIC, fy, Decimal(b.group("raw").replace(",", "")), SHARES[unit], page,
                                     b.group("label").strip(), b.group("raw"),
                                     (_nth(text, b.group("raw"), starts[i] + b.start("raw")),), "basic_info"))
        for s in _CN_SENTENCE.finditer(flat):
            on = f"{s.group('y')}-{int(s.group('m')):02d}-{int(s.group('d')):02d}" if s.group("y") else end
            if on != end:
                continue
            found.append(Reading(METRIC, fy, Decimal(s.group("raw").replace(",", "")), SHARES[s.group("u")], page,
                                 s.group(0)[:s.start("raw") - s.start()], s.group("raw"),
                                 (_nth(flat, s.group("raw"), s.start("raw")),), "sentence"))
    if table_pages and data:
        tp = TextPass(data, name)
        try:
            for page, text, previous in table_pages:
                pl = tp.words(page)
                for label, raw, box, i in table_rows(pl):
                    above = "\n".join(ln.text for ln in pl.lines[:i])
                    unit = _unit_in(above) or _unit_in(previous)
                    if unit in SHARES:
                        found.append(Reading(METRIC, fy, Decimal(raw.replace(",", "")), SHARES[unit], page, label,
                                             raw, box, "share_table"))
                    elif unit is None:
                        result.errors.append(error_row(UnitUnknown(
                            f"total_shares {fy}: {label} {raw} on page {page}: the table prints no unit (股 / 万股), "
                            "the count is not read", page=page), document=name, company_id=company_id))
                    # a unit in 元: the 股本 (share capital at par), not a count
        finally:
            tp.close()
    order = {"share_table": 0, "basic_info": 1, "sentence": 2}
    return sorted(found, key=lambda r: (order[r.source], r.page))


# ---- HK ---------------------------------------------------------------------------------------

_DATE_EN = (r"(?:(?P<d1>\d{1,2})\s*(?P<m1>[A-Z][a-z]+)\s*,?\s*(?P<y1>(?:19|20)\d{2})"
            r"|(?P<m2>[A-Z][a-z]+)\s*(?P<d2>\d{1,2})\s*,\s*(?P<y2>(?:19|20)\d{2}))")
_HK_SENTENCE = re.compile(r"(?i:based\s+on|total\s+number\s+of)\s+(?:the\s+total\s+number\s+of\s+)?(?P<raw>"
                          + _NUM + r")\s+(?:ordinary\s+)?(?i:shares)\s+in\s+issue\s+as\s+(?:at|of)\s+" + _DATE_EN)
# "calculated on the basis of 5,240,344,044 shares of the Company in issue as at 31 December 2022";
# "based on the number of issued Shares as at 31 December 2019 (i.e. 347,437,000 shares)"
_HK_SENTENCE_OF = re.compile(r"(?i:on\s+the\s+basis\s+of)\s+(?P<raw>" + _NUM + r")\s+(?i:shares)\s+(?i:of\s+the\s+"
                             r"Company\s+)?(?i:in\s+issue)\s+as\s+(?:at|of)\s+" + _DATE_EN)
_HK_SENTENCE_IE = re.compile(r"(?i:number\s+of\s+(?:the\s+)?issued\s+shares|number\s+of\s+shares\s+in\s+issue)\s+as\s+"
                             r"(?:at|of)\s+" + _DATE_EN + r"\s*\(\s*(?i:i\.e\.)\s*(?P<raw>" + _NUM + r")\s+(?i:shares)\s*\)")
_HK_ISSUED = re.compile(r"(?i:issued\s+and\s+fully\s+paid)\s*[:：]?\s*(?P<raw>" + _NUM
                        + r")\s+(?i:ordinary\s+shares)\s+of\s+(?:HK|US)\$")
_HK_ISSUED_HEAD = re.compile(r"(?i)issued\s+and\s+fully\s+paid\s*[:：]?\s*(?:已發行及繳足\s*[:：]?)?\s*$")
_HK_AT = re.compile(r"^\s*(?i:balance\s+)?(?i:at|as\s+at)\s+(?P<dates>.*?)\s+(?P<raw>\d{1,3}(?:,\d{3})+)(?:\s|$)")
_HK_DATE = re.compile(_DATE_EN)
_THOUSANDS = re.compile(r"[’'‘`]000")
_MONEY_THOUSANDS = re.compile(r"(?:HK\$|US\$|RMB|\$)\s*[’'‘`]000")


def _note_unit(lines: list[str], head: int) -> Unit | None:
    """The unit of the share capital note's count column, from the unit line above its Authorised
    / Issued blocks: a bare ``'000`` first (before the money's ``HK$'000``) is thousands of shares;
    a money unit alone leaves the count in shares. None where no unit line is found."""
    for j in range(head - 1, max(-1, head - 25), -1):
        line = lines[j]
        if not _THOUSANDS.search(line):
            continue
        first = _THOUSANDS.search(line)
        money = _MONEY_THOUSANDS.search(line)
        if money and money.start() <= first.start() - 1 and money.end() >= first.end():
            return SHARES["shares"]  # the first '000 is the money's
        return Unit("'000 shares", Decimal(1000), None)
    return None


def _iso(m: re.Match) -> str | None:
    day, month, year = (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("y1") else \
        (m.group("d2"), m.group("m2"), m.group("y2"))
    mm = _MONTHS.get(month.lower())
    return f"{year}-{mm:02d}-{int(day):02d}" if mm else None


def hk_readings(pages: Iterable[tuple[int, str]], fy: int | None, year_end: str | None) -> list[Reading]:
    """Every reading of the year-end share count of an HK report (see the module's list)."""
    found: list[Reading] = []
    if fy is None or year_end is None:
        return found
    for page, text in pages:
        low = text.lower()
        if "in issue" not in low and "fully paid" not in low and "issued shares" not in low:
            continue
        lines = text.splitlines()
        starts = line_starts(lines)
        for i, line in enumerate(lines):
            m = _HK_ISSUED.search(line)
            if m:
                found.append(Reading(METRIC, fy, Decimal(m.group("raw").replace(",", "")), SHARES["shares"], page,
                                     "Issued and fully paid", m.group("raw"),
                                     (_nth(text, m.group("raw"), starts[i] + m.start("raw")),), "share_note"))
            elif _HK_ISSUED_HEAD.search(line):
                unit = _note_unit(lines, i)
                k = i
                while k < min(len(lines) - 1, i + 12):
                    k += 1
                    nxt, offset = lines[k], starts[k]
                    if re.match(r"^\s*(?i:balance\s+)?(?i:at|as\s+at)\s", nxt) and k + 1 < len(lines) \
                            and not re.search(r"\d,\d{3}", nxt):  # a label of dates wrapped over two lines
                        nxt = nxt.rstrip() + " " + lines[k + 1].strip()
                        offset = starts[k + 1] - len(lines[k].rstrip()) - 1
                        k += 1
                    at = _HK_AT.match(nxt)
                    dates = list(_HK_DATE.finditer(at.group("dates"))) if at else []
                    if not dates or _iso(dates[-1]) != year_end:
                        continue
                    if unit is None:
                        raise UnitUnknown(f"total_shares {fy}: {nxt.strip()[:80]} on page {page}: the share capital "
                                          "note prints no unit line above its count ('000 or a money unit)", page=page)
                    found.append(Reading(METRIC, fy, Decimal(at.group("raw").replace(",", "")), unit, page,
                                         f"Issued and fully paid: {nxt[:at.start('raw')].strip()}", at.group("raw"),
                                         (_nth(text, at.group("raw"), offset + at.start("raw")),), "share_note"))
                    break
        flat = re.sub(r"\s+", " ", text)
        for s in (*_HK_SENTENCE.finditer(flat), *_HK_SENTENCE_OF.finditer(flat), *_HK_SENTENCE_IE.finditer(flat)):
            if _iso(s) == year_end:
                found.append(Reading(METRIC, fy, Decimal(s.group("raw").replace(",", "")), SHARES["shares"], page,
                                     f"Shares in issue as at {year_end}", s.group("raw"),
                                     (_nth(flat, s.group("raw"), s.start("raw")),), "sentence"))
    order = {"share_note": 0, "sentence": 1}
    # an exact count first: a note in thousands of shares corroborates a sentence's exact figure
    return sorted(found, key=lambda r: (r.unit.scale, order[r.source], r.page))


# ---- both -------------------------------------------------------------------------------------

def _nth(text: str, raw: str, at: int) -> int:
    """How many times ``raw`` is printed in ``text`` before offset ``at`` (to find its box)."""
    return text[:at].count(raw)


def _boxes(data: bytes, wanted: list[tuple[int, str, int]]) -> list[list[float] | None]:
    """The box (x0, top, x1, bottom in points) of the ``nth`` printing of ``raw`` on ``page``, for
    each (page, raw, nth) (None where the text search does not find it). Under the PDFium lock,
    every object closed here."""
    import pypdfium2 as pdfium

    from top100.pdfium import PDFIUM

    out: list[list[float] | None] = []
    with PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except Exception:  # a box is provenance, never a reason to lose the figure
            return [None] * len(wanted)
        try:
            for page, raw, nth in wanted:
                out.append(_box_on(doc, page, raw, nth))
        finally:
            doc.close()
    return out


def _box_on(doc, page: int, raw: str, nth: int) -> list[float] | None:
    try:
        pg = doc[page - 1]
    except Exception:
        return None
    tp = searcher = None
    try:
        height = pg.get_height()
        tp = pg.get_textpage()
        searcher = tp.search(raw, match_case=True, match_whole_word=False)
        hit = searcher.get_next()
        for _ in range(nth):
            hit = searcher.get_next() if hit is not None else None
        if hit is None:
            return None
        start, count = hit
        boxes = [tp.get_charbox(k) for k in range(start, start + count)]
        x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
        bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
        return [round(x0, 2), round(height - top, 2), round(x1, 2), round(height - bottom, 2)]
    except Exception:
        return None
    finally:
        if searcher is not None:
            searcher.close()
        if tp is not None:
            tp.close()
        pg.close()


def add_share_count(data: bytes, pages: Iterable[tuple[int, str]], *, market: str,
                    fiscal_year: int | None, year_end: str | None, origin: Origin, result: ExtractResult,
                    name: str) -> None:
    """Read the report's year-end share count (``market``: "cn" or "hk") into ``result``: one
    fact ``total_shares`` dated ``year_end`` (ISO) with every other reading as its
    corroborations, a conflict error where two disagree; nothing where the report prints none.
    ``pages``: (page number, text) of the pages to look at, in order (the reader's own text pass)."""
    if fiscal_year is None:
        return
    try:
        if market == "cn":
            found = cn_readings(pages, fiscal_year, year_end, result, name, origin.company_id, data)
        else:
            found = hk_readings(pages, fiscal_year, year_end)
    except Exception as exc:  # the other facts of the document stand without it
        result.errors.append(error_row(exc, document=name, company_id=origin.company_id))
        return
    if not found:
        return
    readings = Readings()
    searched = iter(_boxes(data, [(r.page, r.raw, r.bbox[0] if r.bbox else 0) for r in found
                                  if not (r.bbox and len(r.bbox) == 4)]))
    for r in found:
        box = r.bbox if r.bbox and len(r.bbox) == 4 else next(searched)
        readings.add(Reading(r.metric, r.year, r.number, r.unit, r.page, r.label, r.raw,
                             box or (None, r.page, r.raw), r.source))
    for rs in readings.by_key.values():
        for r in rs:  # a figure whose box was not found keeps none (the page and text still say where)
            if r.bbox and r.bbox[0] is None:
                r.bbox = None
    end = year_end or (f"{fiscal_year}-12-31" if fiscal_year else None)
    decide(readings, origin, result, name, lambda metric, year: (None, end))
