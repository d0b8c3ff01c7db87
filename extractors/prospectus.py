"""Prospectuses (招股说明书 / 招股意向书): the selected financial data tables, every year printed.

The table logic runs on positioned words of a PDF's pages or on page texts without positions
(a PDF-to-JSON-lines conversion, whose table rows are lists of cells): ``extract`` reads a PDF,
``extract_pages`` reads pages given as rows of cells, ``read_pdf2jsonl`` loads such a conversion.
Half-year columns (``2010年1-6月``, ``2010-6-30``) are not fiscal years and are skipped.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from extractors.labels import key, simplify
from extractors.layout import PageLines, TextPass, lines_from_cells, words_of_pages
from extractors.picking import number_of, pick, table_unit
from extractors.result import READER_VERSION, ExtractResult, Origin, error_row, load, make_fact
from extractors.tables import read_tables
from top100.errors import DocumentUnreadable, TableNotFound, Top100Error
from top100.vocab import DocType

NAME = "prospectus"
VERSION = f"1.0.0+{READER_VERSION}"

NAMES = {
    "revenue": {"营业收入"},
    "internet_revenue": {"互联网业务收入", "互联网收入"},
    "operating_cost": {"营业成本"},
    "operating_profit": {"营业利润"},
    "profit_before_tax": {"利润总额"},
    "net_profit": {"净利润"},
    "net_profit_attributable": {"归属于母公司所有者的净利润", "归属于母公司股东的净利润", "归属于发行人股东的净利润"},
    "total_assets": {"资产总计", "资产合计", "总资产", "资产总额"},
}
_SECTION = re.compile(r"主要财务数据|财务数据|利润表主要数据|合并利润表|简要合并利润表|主要会计数据")
_REVENUE_ROW = re.compile(r"营业(总)?收入[^\n]{0,20}?-?[\d,]{4,}\.\d{2}")


@dataclass(frozen=True)
class ProspectusSettings:
    currency: str = "CNY"
    pages_per_section: int = 2  # the page holding the section and the one after it
    engine: str = "pdfium"


def is_pdf2jsonl(data: bytes) -> bool:
    """A PDF-to-JSON-lines conversion: each line {"page", "allrow", "type", "inside"}."""
    first = data.lstrip()[:1000].split(b"\n", 1)[0]
    try:
        row = json.loads(first)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(row, dict) and {"page", "type", "inside"} <= set(row)


def read_pdf2jsonl(path: Path | str | bytes) -> list[tuple[int, list[list[str]]]]:
    """Pages of a pdf2jsonl conversion: (page, rows), a row being a table's cells or one text line."""
    pages: dict[int, list[list[str]]] = {}
    text = path.decode("utf-8") if isinstance(path, bytes) else Path(path).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            page, kind, inside = int(row["page"]), row.get("type"), row.get("inside", "")
        except (ValueError, KeyError, TypeError) as exc:
            raise DocumentUnreadable(f"line {n} is not a pdf2jsonl row: {exc}") from exc
        if kind in ("页眉", "页脚"):
            continue  # running headers and page numbers
        if kind == "excel":
            try:
                cells = ast.literal_eval(inside)
            except (ValueError, SyntaxError):
                cells = [inside]
            cells = [str(c) for c in cells] if isinstance(cells, list) else [str(cells)]
        else:
            cells = [inside]
        pages.setdefault(page, []).append(cells)
    return sorted(pages.items())


def _section_pages(texts: dict[int, str], per: int) -> list[list[int]]:
    """Groups of pages that hold selected financial data: a section word and a revenue row."""
    groups: list[list[int]] = []
    for n in sorted(texts):
        t = simplify(texts[n])
        if _SECTION.search(t) and _REVENUE_ROW.search(t) and not any(n in g for g in groups):
            groups.append([p for p in range(n, n + per) if p in texts])
    return groups


def _facts(groups: list[list[PageLines]], origin: Origin, settings: ProspectusSettings, name: str) -> ExtractResult:
    result = ExtractResult()
    chosen: set[tuple[str, int]] = set()
    for group in groups:
        for hit in pick(read_tables(group, None), NAMES, key):
            if (hit.metric, hit.year) in chosen:
                continue
            try:
                fact = make_fact(origin, hit.metric, hit.year, number_of(hit.cell.raw),
                                 table_unit(hit.row, settings.currency), page=hit.row.page, label=hit.row.label,
                                 raw=hit.cell.raw, bbox=None if group[0].synthetic else hit.cell.bbox,
                                 positive=hit.metric == "operating_cost")
            except Top100Error as exc:
                result.errors.append(error_row(exc, document=name, company_id=origin.company_id, page=hit.row.page))
                continue
            chosen.add((hit.metric, hit.year))
            result.facts.append(fact)
    if not result.facts and not result.errors:
        result.errors.append(error_row(TableNotFound("no selected financial data table (营业收入 by year) found"),
                                       document=name, company_id=origin.company_id))
    return result


def extract_pages(pages: list[tuple[int, list[list[str]]]], *, sha256: str, name: str, company_id: str | None = None,
                  settings: ProspectusSettings | None = None) -> ExtractResult:
    """Facts from page texts given as rows of cells (no positions)."""
    settings = settings or ProspectusSettings()
    origin = Origin(sha256, str(DocType.prospectus), company_id, NAME, VERSION)
    texts = {n: "\n".join(" ".join(c for c in row if c) for row in rows) for n, rows in pages}
    by_page = dict(pages)
    groups = [[lines_from_cells(n, by_page[n]) for n in g] for g in _section_pages(texts, settings.pages_per_section)]
    return _facts(groups, origin, settings, name)


def extract(source: Path | str | bytes, *, company_id: str | None = None, sha256: str | None = None,
            settings: ProspectusSettings | None = None) -> ExtractResult:
    settings = settings or ProspectusSettings()
    data, digest, name = load(source, sha256)
    origin = Origin(digest, str(DocType.prospectus), company_id, NAME, VERSION)
    if is_pdf2jsonl(data):  # a text conversion of a prospectus, not the PDF
        try:
            pages_text = read_pdf2jsonl(data)
        except DocumentUnreadable as exc:
            return ExtractResult(errors=[error_row(exc, document=name, company_id=company_id)])
        return extract_pages(pages_text, sha256=digest, name=name, company_id=company_id, settings=settings)
    try:
        tp = TextPass(data, name)
    except Top100Error as exc:
        return ExtractResult(errors=[error_row(exc, document=name, company_id=company_id)])
    try:
        tp.check_readable()
        groups_n: list[list[int]] = []
        for n in range(1, tp.n_pages + 1):  # stop at the first section found: the summary comes first
            if _section_pages({n: tp.text(n)}, 1):
                groups_n = [[p for p in range(n, n + settings.pages_per_section) if p <= tp.n_pages]]
                break
        wanted = sorted({p for g in groups_n for p in g})
        pages = {n: tp.words(n) for n in wanted} if settings.engine == "pdfium" else words_of_pages(data, wanted, name)
    except Top100Error as exc:
        return ExtractResult(errors=[error_row(exc, document=name, company_id=company_id)])
    finally:
        tp.close()
    return _facts([[pages[n] for n in g] for g in groups_n], origin, settings, name)
