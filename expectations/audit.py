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

from extractors.provenance import render_box
from top100.paths import YearPaths, raw_path
from top100.csvsafe import neutralise, write_csv  # noqa: F401  (neutralise: re-exported)
from top100.form_template import SHEET as FORM_SHEET  # the declaration form's one sheet
from top100.records import CompanyRow, Finding, MetricRow
from top100.vocab import check_company_id

TEMPLATES = Path(__file__).parent / "templates"
CSV_COLUMNS = ["company_id", "legal_name", "check", "metric", "kind", "severity", "declared", "public",
               "difference", "rule", "status", "correct_value", "message", "expectation"]
PAGE_RESOLUTION = 72  # dpi of the page images: enough to read a table row


def company_page(company_id: str) -> str:
    return f"company-{check_company_id(company_id)}.html"


def _missing(v: Any) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return True
    return str(v) in ("<NA>", "nan", "NaT", "None")


def _num(v: Any) -> str:
    if _missing(v):
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.4g}"


def money(v: Any, currency: str = "CNY") -> str:
    """An amount for people: 228.33 亿元, 4,905.23 万元, 8,000 元 (HK$ and US$ likewise)."""
    if _missing(v) or isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if _missing(v) else str(v)
    unit = {"CNY": "元", "HKD": "港元", "USD": "美元"}.get(str(currency or "CNY").upper(), str(currency))
    a = abs(v)
    if a >= 1e8:
        return f"{v / 1e8:,.2f} 亿{unit}"
    if a >= 1e4:
        return f"{v / 1e4:,.2f} 万{unit}"
    return f"{v:,.0f} {unit}" if a >= 1 or v == 0 else f"{v:,.4g} {unit}"


COUNT_UNITS = {"employees_total": "人", "users": "", "traffic": "", "traffic_mobile": "", "traffic_desktop": ""}


def figure(v: Any, metric: str | None = None, currency: str = "CNY") -> str:
    """A metric's value with its unit: money in 亿元/万元, counts grouped, scores as printed."""
    from top100.vocab import MONEY_METRICS

    if _missing(v):
        return ""
    m = str(metric or "")
    if m in {x.value for x in MONEY_METRICS}:
        return money(v, currency)
    if m in COUNT_UNITS and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:,.0f} {COUNT_UNITS[m]}".strip()
    return _num(v)


def _page(v: Any) -> str:
    return "" if _missing(v) else str(int(v)) if isinstance(v, (int, float)) else str(v)


def _pct(v: Any) -> str:
    return f"{v:+.2%}" if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v) else ""


def pct_plain(v: Any) -> str:
    return f"{v:.2%}" if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v) else ""


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["money"] = money
    env.filters["figure"] = figure
    env.filters["page"] = _page
    return env


def write_findings_csv(path: Path, findings: list[Finding], names: dict[str, str]) -> None:
    def rows():
        for f in findings:
            d = f.to_dict()
            d["legal_name"] = names.get(f.company_id, "")
            yield ["" if d.get(col) is None else d.get(col) for col in CSV_COLUMNS]

    write_csv(path, CSV_COLUMNS, rows(), lineterminator="\n")


def page_images(paths: YearPaths, company_id: str, facts: dict[str, dict], img_dir: Path) -> list[dict]:
    """One PNG per public fact with a page and a box: the PDF page with the value's box drawn
    (extractors.provenance, as ``top100 explain --png`` draws it)."""
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
            render_box(pdf_path, int(page_no), bbox, img_dir / name, resolution=PAGE_RESOLUTION)
            item["src"] = f"img/{name}"
        except Exception as exc:  # an unreadable page is shown as such, the site still builds
            item["note"] = f"page {page_no} of {fact.get('document_sha256')} could not be drawn: {exc}"
        out.append(item)
    return out


def metric_evidence(paths: YearPaths, year_evidence: Any, company_id: str, item: "CompanyAudit",
                    images: dict[str, dict]) -> list[dict]:
    """One row per metric: the value used and a link to each piece of evidence behind it."""
    rows = []
    for m in item.metrics:
        base, prior = (m.metric[:-6], True) if m.metric.endswith("_prior") else (m.metric, False)
        row: dict[str, Any] = {"m": m, "anchor": f"m-{m.metric}", "doc": None, "fact": None, "cell": None,
                               "quote": None, "image": images.get(m.metric)}
        cell = year_evidence.cell(company_id, base, prior)
        if cell is not None:
            row["cell"] = {**cell, "sheet": FORM_SHEET, "form": year_evidence.document(paths, cell.get("form_sha256"))}
        fact = item.facts.get(m.metric)
        if fact:
            row["fact"] = fact
            row["doc"] = year_evidence.document(paths, fact.get("document_sha256"), fact.get("page"))
            row["corroborations"] = [
                {**reading, "href": (row["doc"]["local"] + f"#page={int(reading['page'])}")
                 if row["doc"] and row["doc"]["ext"] == "pdf" and str(reading.get("page") or "").isdigit() else None}
                for reading in (fact.get("corroborations") or []) if isinstance(reading, dict)]
        if base == "market_value":
            row["quote"] = year_evidence.quote(company_id)
            if row["quote"] and fact and fact.get("metric") == "total_shares":  # the annual report's count was used
                row["quote"] = {**row["quote"], "total_shares": fact.get("value"), "shares": {
                    "source": f"annual report, page {fact.get('page')}: {fact.get('label')}", "fallback": False,
                    "as_of": fact.get("period_end"), "filed": None, "snapshot": row["quote"].get("shares")}}
        rows.append(row)
    return rows


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
    from expectations import evidence

    template = _env().get_template("company.html.j2")
    year_evidence = evidence.load(paths)
    out = []
    for item in items:
        company = item.company
        images = page_images(paths, company.company_id, item.facts, paths.audit / "img")
        rows = metric_evidence(paths, year_evidence, company.company_id, item, {i["metric"]: i for i in images})
        documents = {}
        for row in rows:
            for document in (row.get("doc"), (row.get("cell") or {}).get("form")):
                if document:
                    documents[document["sha256"]] = document
        (paths.audit / company_page(company.company_id)).write_text(template.render(
            c=company, findings=item.findings, metrics=item.metrics, rows=rows, images=images,
            documents=list(documents.values()), data_docs_href=data_docs_href), encoding="utf-8")
        out.append({"company_id": company.company_id, "images": sum(1 for i in images if i.get("src")),
                    "notes": [i["note"] for i in images if i.get("note")]})
    return out


def evidence_href(paths: YearPaths, f: Finding) -> str:
    """Where a finding's evidence is, one click away: the boxed page image when one was drawn,
    else the metric's row on the company page (its form cell, document or quote), else the
    company's findings."""
    from top100.vocab import Metric

    page = company_page(f.company_id)
    metric = str(f.metric or "")
    if metric and (paths.audit / "img" / f"{f.company_id}-{metric}.png").exists():
        return f"{page}#img-{metric}"
    if metric in Metric.__members__:
        return f"{page}#m-{metric}"
    return f"{page}#findings"


def write_index(paths: YearPaths, companies: list[CompanyRow], findings: list[Finding], data_docs_href: str,
                inbox_dir: Path | None = None) -> Path:
    """index.html (every finding, linked to its company's page and its evidence), inbox.html and
    findings.csv. Written after the company pages (the links point at their images)."""
    env = _env()
    names = {c.company_id: c.legal_name for c in companies}
    pages = {c.company_id: company_page(c.company_id) for c in companies}
    for f in findings:  # a finding for an id without a company row still gets a page link
        pages.setdefault(f.company_id, company_page(f.company_id))
    sev = Counter(f.severity for f in findings)
    (paths.audit / "index.html").write_text(env.get_template("index.html.j2").render(
        year=paths.year, companies=companies, findings=findings, names=names, pages=pages,
        passed=sum(c.eligible for c in companies), by_severity=sorted(sev.items()),
        checks=sorted({f.check for f in findings}), severities=sorted(sev),
        finding_companies=sorted({f.company_id for f in findings}),
        evidence=[evidence_href(paths, f) for f in findings],
        data_docs_href=data_docs_href), encoding="utf-8")
    write_findings_csv(paths.audit / "findings.csv", findings, names)
    write_inbox(paths, set(pages), inbox_dir)
    return paths.audit / "index.html"


# extract errors that say a whole delivered file was not used (refused from its header or size, the
# same bytes sent twice); a form is refused when not one of its cells was read (declared.jsonl)
WHOLE_FILE_KINDS = ("DeliveredFileError", "UnreadableRow", "DuplicateFile")


def inbox_files(paths: YearPaths, companies: set[str], inbox_dir: Path | None = None) -> list[dict]:
    """Every file of the inbox: used (a document row) or refused (a collect error), with the
    problems found when reading it (extract errors), and a local copy of the used ones."""
    from expectations import evidence
    from top100.jsonl import read_jsonl

    year_evidence = evidence.load(paths)
    # an extract error names its file by the reader's name for it (the form's or CSV's file name),
    # else by sha256, and carries the document's URL: any of them finds the file
    problems: dict[str, list[str]] = {}
    whole: set[str] = set()  # texts of problems that refuse a file whole (no cell, row or page of it used)
    for e in read_jsonl(paths.extract_errors):
        where = f" (cell {e['cell']})" if e.get("cell") else f" (page {e['page']})" if e.get("page") else ""
        text = f"{e.get('kind')}: {e.get('reason')}{where}"
        if e.get("kind") in WHOLE_FILE_KINDS and (not e.get("cell") or str(e["cell"]).split(",")[0] == "row 1"):
            whole.add(text)  # no row, or the header row: the file was refused whole
        for key in dict.fromkeys(str(k) for k in (e.get("url"), e.get("document")) if k):
            problems.setdefault(key, []).append(text)
    forms_read = {str(c.get("form_sha256")) for c in read_jsonl(paths.declared)}  # a form with no cell read: refused
    files = []
    for d in read_jsonl(paths.documents):  # every row: two files with the same bytes are two files
        if d.get("source") != "inbox" or not d.get("sha256"):
            continue
        url = str(d.get("url") or "")
        name = url[len("file://"):] if url.startswith("file://") else (d.get("title") or d["sha256"])
        doc = year_evidence.document(paths, d["sha256"])
        cid = d.get("company_id")
        found = list(dict.fromkeys(p for key in dict.fromkeys(str(k) for k in (url, d["sha256"], d.get("title")) if k)
                                   for p in problems.get(key, [])))
        files.append({"name": name, "kind": d.get("doc_type"), "company_id": cid,
                      "company_href": company_page(cid) if cid in companies else None,
                      "used": not any(p in whole for p in found) and (
                          d.get("doc_type") != "declaration_form" or d["sha256"] in forms_read),
                      "problems": found, "local": doc and doc["local"], "ext": doc and doc["ext"]})
    for e in read_jsonl(paths.collect_errors):
        url = str(e.get("url") or "")
        if e.get("kind") == "CrawlFailed" or (url and not url.startswith("file://")):
            continue  # a source's failure, not an inbox file
        name = str(e.get("document") or url[len("file://"):] or "(inbox)")
        files.append({"name": name, "kind": None, "company_id": e.get("company_id"),
                      "company_href": company_page(e["company_id"]) if e.get("company_id") in companies else None,
                      "used": False, "problems": [f"{e.get('kind')}: {e.get('reason')}"], "local": None, "ext": None})
    seen = {f["name"] for f in files}
    if inbox_dir is not None and Path(inbox_dir).is_dir():  # a file nobody reported is still listed
        for p in sorted(Path(inbox_dir).rglob("*")):
            rel = p.relative_to(inbox_dir).as_posix()
            if p.is_file() and rel not in seen:
                files.append({"name": rel, "kind": None, "company_id": None, "company_href": None, "used": False,
                              "problems": ["not read by the collect stage of this run"], "local": None, "ext": None})
    return sorted(files, key=lambda f: f["name"])


def write_inbox(paths: YearPaths, companies: set[str], inbox_dir: Path | None = None) -> Path:
    out = paths.audit / "inbox.html"
    out.write_text(_env().get_template("inbox.html.j2").render(
        year=paths.year, files=inbox_files(paths, companies, inbox_dir)), encoding="utf-8")
    return out

