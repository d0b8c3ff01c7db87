"""The auditors' site: ``out/<year>/audit/index.html`` (every finding, sortable), a page per
company (its metrics, their sources, the PDF page image with the value's box drawn), and
``findings.csv``.

Everything a company supplied is escaped (Jinja2 autoescape) and, in the CSV, neutralised so
that no cell can run as a formula. File names come from validated company ids only.
"""

from __future__ import annotations

import math
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from top100.paths import YearPaths, raw_path
from top100.pdfium import PDFIUM
from top100.csvsafe import neutralise, write_csv  # noqa: F401  (neutralise: re-exported)
from top100.records import CompanyRow, Finding, MetricRow
from top100.vocab import check_company_id

TEMPLATES = Path(__file__).parent / "templates"
CSV_COLUMNS = ["company_id", "legal_name", "check", "metric", "kind", "severity", "declared", "public",
               "difference", "rule", "status", "correct_value", "message", "expectation"]
PAGE_RESOLUTION = 72  # dpi of the page images: enough to read a table row


def company_page(company_id: str) -> str:
    return f"company-{check_company_id(company_id)}.html"


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.4g}"


def _pct(v: Any) -> str:
    return f"{v:+.2%}" if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v) else ""


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def write_findings_csv(path: Path, findings: list[Finding], names: dict[str, str]) -> None:
    def rows():
        for f in findings:
            d = f.to_dict()
            d["legal_name"] = names.get(f.company_id, "")
            yield ["" if d.get(col) is None else d.get(col) for col in CSV_COLUMNS]

    write_csv(path, CSV_COLUMNS, rows(), lineterminator="\n")


def page_images(paths: YearPaths, company_id: str, facts: dict[str, dict], img_dir: Path) -> list[dict]:
    """One PNG per public fact with a page and a box: the PDF page with the value's box drawn."""
    import pdfplumber

    out = []
    for metric, fact in sorted(facts.items()):
        item = {"metric": metric, "page": fact.get("page"), "label": fact.get("label"), "raw": fact.get("raw"),
                "unit": fact.get("unit"), "doc_type": fact.get("doc_type"), "src": None, "note": None}
        bbox, page_no = fact.get("bbox"), fact.get("page")
        if not bbox or not page_no:
            continue
        try:
            pdf_path = raw_path(paths.raw_store, str(fact.get("document_sha256")))
        except ValueError as exc:
            item["note"] = str(exc)
            out.append(item)
            continue
        if not pdf_path.exists():
            item["note"] = f"document {fact.get('document_sha256')} is not in the raw store"
            out.append(item)
            continue
        name = f"{check_company_id(company_id)}-{metric}.png"
        try:
            with pdfplumber.open(pdf_path) as pdf:
                page = pdf.pages[int(page_no) - 1]
                with PDFIUM:  # pdfplumber draws the page with PDFium (top100.pdfium)
                    im = page.to_image(resolution=PAGE_RESOLUTION)
                im.draw_rect(tuple(bbox), stroke="red", fill=(255, 0, 0, 40), stroke_width=2)
                im.save(img_dir / name, format="PNG")
                page.close()
            item["src"] = f"img/{name}"
        except Exception as exc:  # an unreadable page is shown as such, the site still builds
            item["note"] = f"page {page_no} of {fact.get('document_sha256')} could not be drawn: {exc}"
        out.append(item)
    return out


@dataclass
class CompanyAudit:
    """What one company's audit page shows: the unit the site is mapped over (plain, picklable
    rows, so a shard of these can be rendered in another process or on a Dask worker)."""

    company: CompanyRow
    findings: list[Finding] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    facts: dict[str, dict] = field(default_factory=dict)  # metric -> the public fact compared


def company_items(companies: list[CompanyRow], metrics: list[MetricRow], findings: list[Finding],
                  facts_used: dict[tuple[str, str], dict]) -> list[CompanyAudit]:
    items = {c.company_id: CompanyAudit(c) for c in companies}
    for f in findings:
        if f.company_id in items:
            items[f.company_id].findings.append(f)
    for m in metrics:
        if m.company_id in items:
            items[m.company_id].metrics.append(m)
    for (cid, metric), fact in facts_used.items():
        if cid in items:
            items[cid].facts[metric] = fact
    return list(items.values())


def docs_href(paths: YearPaths, data_docs_index: Path | None) -> str:
    return os.path.relpath(data_docs_index, paths.audit) if data_docs_index else "../data_docs/index.html"


def start_site(paths: YearPaths) -> None:
    """An empty site folder: the pages of an earlier run never mix with this run's."""
    shutil.rmtree(paths.audit, ignore_errors=True)
    (paths.audit / "img").mkdir(parents=True)


def write_company_pages(paths: YearPaths, items: list[CompanyAudit], data_docs_href: str) -> list[dict]:
    """The pages of some companies (page images drawn with pdfplumber: the CPU-heavy part of the
    site). Returns one {company_id, images, notes} per company, for progress and the summary."""
    env = _env()
    tpl = env.get_template("company.html.j2")
    out = []
    for it in items:
        c = it.company
        images = page_images(paths, c.company_id, it.facts, paths.audit / "img")
        (paths.audit / company_page(c.company_id)).write_text(tpl.render(
            c=c, findings=it.findings, metrics=it.metrics, images=images, data_docs_href=data_docs_href),
            encoding="utf-8")
        out.append({"company_id": c.company_id, "images": sum(1 for i in images if i.get("src")),
                    "notes": [i["note"] for i in images if i.get("note")]})
    return out


def write_index(paths: YearPaths, companies: list[CompanyRow], findings: list[Finding], data_docs_href: str) -> Path:
    """index.html (every finding, linked to its company's page) and findings.csv."""
    env = _env()
    names = {c.company_id: c.legal_name for c in companies}
    pages = {c.company_id: company_page(c.company_id) for c in companies}
    for f in findings:  # a finding for an id without a company row still gets a page link
        pages.setdefault(f.company_id, company_page(f.company_id))
    sev = Counter(f.severity for f in findings)
    (paths.audit / "index.html").write_text(env.get_template("index.html.j2").render(
        year=paths.year, companies=companies, findings=findings, names=names, pages=pages,
        eligible=sum(c.eligible for c in companies), by_severity=sorted(sev.items()),
        data_docs_href=data_docs_href), encoding="utf-8")
    write_findings_csv(paths.audit / "findings.csv", findings, names)
    return paths.audit / "index.html"

