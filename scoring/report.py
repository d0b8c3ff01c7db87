"""The annual report: ``out/<year>/report/index.html``, its seven charts and a PDF of it.

``build_report`` reads the year from the warehouse (through scoring.run.compute, i.e. the named
reads), computes the statistics of section 二, draws the figures, compares every published
figure with ours, checks the report against itself, runs the sensitivity analysis, and renders
one Jinja2 template with autoescape on: everything a company supplied (names, brands, reasons)
is escaped. The page carries a Content-Security-Policy that runs only its own inline script
(by hash), which marks ``<body data-images-loaded="all">`` once every image has loaded.

The PDF is printed by headless Chromium (``--print-to-pdf``) when a chromium binary is on the
PATH; otherwise reportlab draws the ranking and the figures (the page says which).
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from scoring.charts import make_charts
from scoring.config import DIMENSION_ZH, Dimension
from scoring.published import CONTRADICTED, _fmt, consistency_checks, formatted, side_by_side
from scoring.published import side_by_side_text  # noqa: F401  (``top100 report`` prints it from here)
from scoring.lastyear import LastYear, last_year
from scoring.published import published_figures
from scoring.reference import global_top30
from scoring.run import YearScore, compute, year_context
from scoring.sensitivity import sensitivity
from scoring.stats import Stat, as_dict, list_statistics
from top100.vocab import COMPANY_ID_RE
from top100.year import YearContext, load_year

IMAGE_CHECK_JS = (
    "(function(){function check(){var imgs=document.images,ok=imgs.length>0;"
    "for(var i=0;i<imgs.length;i++){if(!(imgs[i].complete&&imgs[i].naturalWidth>0)){ok=false;}}"
    "document.body.setAttribute('data-image-count',String(imgs.length));"
    "document.body.setAttribute('data-images-loaded',ok?'all':'missing');}"
    "window.addEventListener('load',check);})();"
)
FIGURE_KEYS = ("name", "value", "unit", "published", "published_text", "difference", "within_tolerance")


@dataclass
class ReportOutput:
    html: Path
    pdf: Path | None
    pdf_method: str
    stats: list[Stat]
    figures: list[dict]  # side by side, in the shape of marts.write_report_figures (+ comparator)
    checks: list[dict]
    top30: pd.DataFrame
    sensitivity_summary: dict = field(default_factory=dict)


def _env() -> Environment:
    return Environment(loader=PackageLoader("scoring", "templates"),
                       autoescape=select_autoescape(["html", "j2"], default=True),
                       trim_blocks=False, lstrip_blocks=False)


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


def members_frame(year_score: YearScore) -> pd.DataFrame:
    """The list's companies in rank order: company columns, metrics, rank and total_score."""
    ids = [r.company_id for r in year_score.rows]
    m = year_score.pool.loc[ids].copy()
    m["rank"] = [r.rank for r in year_score.rows]
    m["total_score"] = [r.total_score for r in year_score.rows]
    return m


# what the report states about last year's list (scoring.lastyear computes it from the warehouse):
# the figure's name here is previous_<name of the statistic>
PREVIOUS = ("province_count", "province_hunan", "central_western_count", "traffic_top5_share", "traffic_top20_share")
STATEMENTS = tuple(f"previous_{k}" for k in PREVIOUS)
# figures that need last year's list: not evaluated (n/a) when it is not in the warehouse
NEEDS_LAST_YEAR = ("previous_list_total", "growth_vs_previous_list", *STATEMENTS)


def compute_report_data(year_score: YearScore, *, previous_total: float | None, previous_source: str,
                        sensitivity_draws: int | None = None, ctx: Any = None,
                        last: LastYear | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain data (no files written). ``ctx`` is the year
    (top100.year.YearContext: reference data, published figures); ``last`` last year's list
    from the warehouse (scoring.lastyear), which, when given, decides the previous total."""
    fallback = False
    if last is not None:
        if last.available:
            previous_total, previous_source = last.previous_total, last.reason
        else:
            fallback = last.fallback_total is not None
            previous_total = last.fallback_total
            previous_source = (f"{last.reason}; fallback, stated and not reproduced: {last.fallback_source}"
                               if fallback else last.reason)
    members = members_frame(year_score)
    info = ctx.reference.information_consumption if ctx is not None else None
    stats = list_statistics(members, previous_list_total=previous_total, previous_source=previous_source,
                            information_consumption=info.value if info else None)
    table1 = ctx.reference.global_top30 if ctx is not None else None
    top30 = global_top30(members, table1)
    if table1 is not None:
        stats.append(Stat("global_top30_list_members", float(top30["on_list"].sum()), "count",
                          "list members in the global top 30 by market value", None, "上市与市值 Listings and market value"))
        stats.append(Stat("global_top10_list_members", float(top30.head(10)["on_list"].sum()), "count",
                          "list members in the global top 10", None, "上市与市值 Listings and market value"))
    if last is not None and last.available:  # last year's list, as the warehouse holds it
        units = {st.name: st.unit for st in stats}
        for k in PREVIOUS:
            stats.append(Stat(f"previous_{k}", last.previous.get(k), units.get(k, "count"),
                              f"last year's list: {k} ({last.reason})", None, "与上年度百强 Against last year's list"))
    computed = as_dict(stats)
    figures = side_by_side(computed, published_figures(ctx) if ctx is not None else None)
    # never shown as reproduced without last year's list (a total given by the caller is its own)
    unknown = NEEDS_LAST_YEAR if last is not None and not last.available else STATEMENTS if last is None else ()
    for f in figures:
        if f["name"] in unknown:
            f.update(value=None, difference=None, within_tolerance=None)
    checks = consistency_checks(computed, ctx) if ctx is None or (ctx.published and ctx.published.report) else []
    sens = sensitivity(year_score.ranked, year_score.config, n=sensitivity_draws)
    return {"members": members, "stats": stats, "computed": computed, "figures": figures,
            "checks": checks, "top30": top30, "sensitivity": sens, "last": last, "fallback": fallback,
            "previous_source": previous_source}


def render_report(year_score: YearScore, report_dir: Path, *, year: int, run_id: str, previous_total: float | None = None,
                  previous_source: str = "", market_value_date: date | str | None = None, pdf: bool = True,
                  sensitivity_draws: int | None = None, ctx: Any = None, last: LastYear | None = None) -> ReportOutput:
    """Write index.html, the charts and report.pdf into ``report_dir``. ``ctx``: the year's facts
    (read from the year file when not given); ``last``: last year's list (scoring.lastyear)."""
    if ctx is None:
        ctx = load_year(year)
    market_value_date = market_value_date or ctx.valuation_date
    data = compute_report_data(year_score, previous_total=previous_total, previous_source=previous_source,
                               sensitivity_draws=sensitivity_draws, ctx=ctx, last=last)
    previous_source = data["previous_source"]
    report_dir.mkdir(parents=True, exist_ok=True)
    charts = make_charts(data["members"], report_dir, year)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    method = "printed by headless Chromium" if (pdf and chromium) else "drawn with reportlab"
    html = report_dir / "index.html"
    _write_html(html, year_score, data, charts, year=year, run_id=run_id, previous_source=previous_source,
                market_value_date=str(market_value_date), pdf_method=method, ctx=ctx)
    pdf_path = report_dir / "report.pdf"
    if pdf:
        if chromium and not _chromium_pdf(chromium, html, pdf_path):
            method = "drawn with reportlab (Chromium failed to print)"
            _write_html(html, year_score, data, charts, year=year, run_id=run_id, previous_source=previous_source,
                        market_value_date=str(market_value_date), pdf_method=method, ctx=ctx)
            chromium = None
        if not chromium:
            _reportlab_pdf(pdf_path, year_score, charts, report_dir, year)
    return ReportOutput(html, pdf_path if pdf else None, method if pdf else "none", data["stats"],
                        data["figures"], data["checks"], data["top30"], data["sensitivity"].summary)


def _write_html(path: Path, year_score: YearScore, data: dict, charts, *, year: int, run_id: str,
                previous_source: str, market_value_date: str, pdf_method: str, ctx: Any = None) -> None:
    sections: dict[str, list[dict]] = {}
    for s in data["stats"]:
        sections.setdefault(s.section, []).append({**s.to_dict(), "value_fmt": _fmt(s.value, s.unit)})
    figures = [{**formatted(f), "contradicted": CONTRADICTED.get(f["name"])
                if f["within_tolerance"] is False and ctx is not None and ctx.published and ctx.published.report
                else None} for f in data["figures"]]
    checks = [{**c, "value_a_fmt": _fmt(c["value_a"], c["unit"]), "value_b_fmt": _fmt(c["value_b"], c["unit"]),
               "computed_fmt": "" if c["computed"] is None else _fmt(c["computed"], c["unit"])} for c in data["checks"]]
    names = year_score.pool["legal_name"] if "legal_name" in year_score.pool else pd.Series(dtype="object")
    sens = data["sensitivity"]
    per = sens.per_company[sens.per_company["base_rank"] <= year_score.config.top_n]
    sens_rows = [{**r, "name": names.get(cid, "")} for cid, r in per.to_dict("index").items()]
    excluded = [{"company_id": cid, "name": names.get(cid, ""), "reason": e["excluded_reason"]}
                for cid, e in year_score.eligibility[~year_score.eligibility["eligible"]].iterrows()]
    reasons = year_score.eligibility["excluded_reason"].dropna().astype(str).str.split(":").str[0]
    exclusion_counts = reasons.value_counts().sort_index().to_dict()
    # one meaning of "eligible": scored. The audit site counts the companies that passed the four
    # checks; the difference (group members, the revenue floor) is spelt out here
    failed_checks = int(reasons.isin(["verify", "error_finding", "check not run"]).sum())
    audit = path.parent.parent / "audit"  # out/<year>/audit beside out/<year>/report
    audit_pages = {cid: f"../audit/company-{cid}.html" for cid in year_score.eligibility.index.astype(str)
                   if COMPANY_ID_RE.match(cid) and (audit / f"company-{cid}.html").exists()}
    # companies whose licence or integrity check could not run (a delivered row unreadable: issue 16)
    not_run_count = int(year_score.eligibility["excluded_reason"].dropna().astype(str).str.contains("check not run: ").sum())
    page = _env().get_template("report.html.j2").render(
        list_year=year + 1, year=year, run_id=run_id, weights=year_score.config.weights,
        dimensions=year_score.config.dimensions, dimension_labels={d: DIMENSION_ZH[Dimension(d)] for d in year_score.config.dimensions},
        rows=year_score.rows, previous_source=previous_source,
        pdf_method=pdf_method, stat_sections=list(sections.items()), charts=charts,
        top30=data["top30"].to_dict("records"),
        table1=ctx.reference.global_top30 if ctx is not None else None,
        market_value_date=market_value_date, title=ctx.title if ctx is not None else None,
        year_file=ctx.file if ctx is not None else "", last=data["last"], fallback=data["fallback"],
        top30_members=int(data["computed"].get("global_top30_list_members") or 0),
        top10_members=int(data["computed"].get("global_top10_list_members") or 0),
        figures=figures, n_within=sum(1 for f in figures if f["within_tolerance"]),
        n_na=sum(1 for f in figures if f["within_tolerance"] is None),
        prior_source=year_score.prior_source, growth_findings=year_score.growth_findings,
        checks=checks, n_contradictions=sum(1 for c in checks if not c["agree"]),
        sens=sens, sens_rows=sens_rows, pool_size=len(year_score.eligibility),
        eligible_count=int(year_score.eligibility["eligible"].sum()), excluded=excluded,
        exclusion_counts=exclusion_counts, passed_checks=len(year_score.eligibility) - failed_checks, not_run_count=not_run_count,
        audit_pages=audit_pages, indicators=year_score.config.indicators, missing_score=year_score.config.missing_score,
        member_names={r.company_id: r.name for r in year_score.rows},
        revenue_floor=year_score.config.revenue_floor, tie_break=list(year_score.config.tie_break),
        script=IMAGE_CHECK_JS, script_hash=script_hash(IMAGE_CHECK_JS))
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)


def _chromium_pdf(chromium: str, html: Path, pdf: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix="top100-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--allow-file-access-from-files", f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return done.returncode == 0 and pdf.exists() and pdf.stat().st_size > 0


TRUETYPE_CJK = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "NotoSansSC-Regular.ttf", "SourceHanSansSC-Regular.ttf")


def truetype_cjk_font() -> Path | None:
    """A CJK font reportlab can embed (TrueType outlines; Noto Sans CJK is CFF, which it cannot):
    Debian's fonts-wqy-zenhei, installed by scripts/system-deps.sh."""
    from matplotlib import font_manager

    for path in font_manager.findSystemFonts():
        if Path(path).name in TRUETYPE_CJK:
            return Path(path)
    return None


def _reportlab_pdf(pdf: Path, year_score: YearScore, charts, report_dir: Path, year: int) -> None:
    """The fallback (no browser on this machine): the same page, read back from index.html in its
    order (headings, paragraphs, tables, the seven figures), drawn on A4 with an embedded CJK font.
    Reading our own HTML keeps one source of the content for both PDFs."""
    import lxml.html
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    from top100.errors import ScoringError

    font_path = truetype_cjk_font()
    if font_path is None:
        raise ScoringError("no TrueType CJK font to embed in report.pdf: install one with "
                           "`bash scripts/system-deps.sh --fonts` (Debian's fonts-wqy-zenhei)")
    pdfmetrics.registerFont(TTFont("CJK", str(font_path), subfontIndex=0))  # embedded, subset
    base = getSampleStyleSheet()
    body = base["BodyText"].clone("cjk-body", fontName="CJK", fontSize=8.5, leading=11)
    small = body.clone("cjk-small", fontSize=6.5, leading=8)
    heads = {t: base[n].clone(f"cjk-{t}", fontName="CJK") for t, n in (("h1", "Title"), ("h2", "Heading2"), ("h3", "Heading3"))}
    width = A4[0] - 72
    doc = lxml.html.fromstring((report_dir / "index.html").read_text(encoding="utf-8"))
    story: list[Any] = []

    def text(el) -> str:
        return escape(" ".join(el.text_content().split()))

    def table(el) -> None:
        for folded in el.xpath(".//details/*[not(self::summary)]"):  # as printed: a closed <details>
            folded.drop_tree()
        rows = [[Paragraph(text(c), small) for c in tr.xpath("./th|./td")] for tr in el.xpath(".//tr")]
        rows = [r for r in rows if r]
        if not rows:
            return
        n = max(len(r) for r in rows)
        rows = [r + [Paragraph("", small) for _ in range(n - len(r))] for r in rows]
        t = Table(rows, colWidths=[width / n] * n, repeatRows=1)
        t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "CJK"), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.extend([t, Spacer(1, 6)])

    for el in doc.xpath("//body/*"):
        tag = el.tag
        if tag in heads:
            story.append(Paragraph(text(el), heads[tag]))
        elif tag == "p":
            story.append(Paragraph(text(el), body))
        elif tag == "table":
            table(el)
        elif tag == "figure":
            for img in el.xpath(".//img"):
                src = report_dir / Path(img.get("src", "")).name
                if src.exists():
                    story.append(Image(str(src), width=width, height=width * 4.2 / 7.5))
            for cap in el.xpath(".//figcaption"):
                story.append(Paragraph(text(cap), small))
            for t in el.xpath(".//table"):
                table(t)
            story.append(Spacer(1, 6))
    SimpleDocTemplate(str(pdf), pagesize=A4, leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36,
                      title=f"{year + 1} 年中国互联网企业 100 强").build(
        story, canvasmaker=lambda *a, **k: Canvas(*a, **{**k, "initialFontName": "CJK"}))  # no unembedded Helvetica


def warehouse_figures(figures: list[dict]) -> list[dict]:
    """The side-by-side rows in exactly the keys of marts.write_report_figures."""
    return [{k: f[k] for k in FIGURE_KEYS} for f in figures]


def build_report(settings: Any, engine: Any, year: YearContext | int, run_id: str) -> Path:
    """``top100 report --year Y``: out/<year>/report/index.html (and report.pdf); the figures go
    into the warehouse. ``year``: the year's context (top100.year), or a bare fiscal year read
    into one (scoring.run.year_context). Returns the path of index.html."""
    from warehouse import marts

    ctx = year_context(settings, year)
    year_score = compute(settings, engine, ctx)  # refuses a year that is not in the warehouse
    last = last_year(engine, members_frame(year_score), ctx)
    out = render_report(year_score, ctx.paths.report, year=ctx.fiscal_year, run_id=run_id, ctx=ctx, last=last)
    marts.write_report_figures(engine, ctx.fiscal_year, warehouse_figures(out.figures), run_id)
    return out.html
