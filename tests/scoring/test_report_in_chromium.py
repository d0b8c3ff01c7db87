"""The report opened in a real headless Chromium with no network at 1,280 px (links resolve, the seven
charts load, nothing sticks out), its names linked to the audit pages behind them, its PDF on A4
with every font embedded, and its charts in Chinese."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scoring.config import ScoringConfig
from scoring.rank import rank_pool, ranking_rows
from scoring.report import render_report
from scoring.run import YearScore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser_page import Browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("report-chromium")]


@pytest.fixture(scope="module")
def report(tmp_path_factory, make_pool):
    # the fixture, not `from conftest import`: with other test folders collected, the module
    # named conftest is whichever folder's was collected last (tests/mirror's, say)
    synthetic_pool = make_pool
    tmp = tmp_path_factory.mktemp("year")
    pool = synthetic_pool(150, seed=21).set_index("company_id", drop=False)
    findings = pd.DataFrame([{"company_id": "C0004", "severity": "ERROR", "check": "integrity",
                              "kind": "disqualifying_record", "metric": "integrity"}])
    cfg = ScoringConfig()
    elig, ranked = rank_pool(pool, findings, cfg)
    ys = YearScore(pool, findings, elig, ranked, ranking_rows(ranked, pool, 2014, cfg), cfg)
    audit = tmp / "audit"  # the audit pages the report links to (out/<year>/audit)
    audit.mkdir()
    for cid in pool.index:
        (audit / f"company-{cid}.html").write_text(f"<!doctype html><title>{cid}</title>", encoding="utf-8")
    out = render_report(ys, tmp / "report", year=2014, run_id="run-test", previous_total=398e9,
                        previous_source="configured", market_value_date="2015-06-25", pdf=True, sensitivity_draws=50)
    return out, ys


def test_report_offline_at_1280(report, tmp_path):
    out, ys = report
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed: run scripts/system-deps.sh"
    b = Browser(chromium, tmp_path / "profile")
    try:
        page = b.open(out.html)
        assert not page.external and not page.failed, (page.external, page.failed)
        images = page.images()
        assert len(images) == 7 and all(i["ok"] for i in images), images
        assert not page.broken_links(), page.broken_links()
        lay = page.layout()
        assert lay["scrollWidth"] <= lay["innerWidth"] and not lay["overflow"], lay
        # every ranked name links to the company's audit page
        links = page.eval("Array.from(document.querySelectorAll('#ranking-table tbody tr td:nth-child(2) a')).map(a => a.getAttribute('href'))")
        assert links == [f"../audit/company-{r.company_id}.html" for r in ys.rows]
        # the statistics (totals over the list) point at the companies behind them
        assert page.eval("document.querySelectorAll('a.behind[href=\"#ranking\"]').length") > 5
        # one meaning of eligible: the scored companies, the checks' count beside it
        note = page.eval("document.getElementById('eligible-count').innerText")
        assert f"{int(ys.eligibility['eligible'].sum())} eligible" in note and "passed the four checks" in note
    finally:
        b.close()


def test_pdf_is_a4_with_fonts_embedded(report):
    out, _ = report
    assert "Chromium" in out.pdf_method
    info = subprocess.run(["pdfinfo", str(out.pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, info  # A4, not Letter (612 x 792)
    fonts = subprocess.run(["pdffonts", str(out.pdf)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows, fonts
    # columns: name type encoding emb sub uni object ID; "emb" is yes for every font
    assert all("yes" == r[-5] for r in rows), fonts
    # Chromium embeds its glyphs (as Type 3 with a ToUnicode map): the Chinese text is text
    assert all(r[-3] == "yes" for r in rows), fonts  # uni: a ToUnicode map
    text = subprocess.run(["pdftotext", str(out.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "中国互联网企业" in text and "排行榜" in text


def test_charts_are_chinese_with_a_stale_font_cache(tmp_path):
    """A matplotlib cache written before the CJK font was installed (simulated: the font removed
    from the font manager's list) is refreshed from the system folders: the labels stay Chinese."""
    from matplotlib import font_manager

    from scoring import charts

    fm = font_manager.fontManager
    saved = list(fm.ttflist)
    fm.ttflist = [f for f in fm.ttflist if f.name not in charts.CJK_FAMILIES]
    charts.cjk_font.cache_clear()
    try:
        found = charts.cjk_font()  # rescanned from the system folders
        assert found in charts.CJK_FAMILIES and found in {f.name for f in fm.ttflist}
    finally:
        fm.ttflist = saved
        charts.cjk_font.cache_clear()
    data = charts.chart_data(pd.DataFrame({"internet_revenue": [3e8, 2e10], "business_type": ["online_games", "search"],
                                           "province": ["heilongjiang", "beijing"]}), 2014, zh=True)
    labels = [lab for c in data for lab in c.labels]
    for raw in ("online_games", "heilongjiang", "0.2-0.5bn"):
        assert raw not in labels
    assert "2-5亿" in labels and "黑龙江" in labels


def test_without_chromium_the_pdf_has_the_same_content_on_a4_with_fonts_embedded(report, tmp_path, monkeypatch,
                                                                                 make_pool):
    """The fallback PDF (reportlab) reads the same index.html: every section heading, every ranked
    name and the seven figures, on A4, with its CJK font embedded."""
    import scoring.report as rep

    out_chromium, ys = report
    monkeypatch.setattr(rep.shutil, "which", lambda name: None)
    pool = make_pool(150, seed=21).set_index("company_id", drop=False)
    cfg = ScoringConfig()
    findings = pd.DataFrame([{"company_id": "C0004", "severity": "ERROR", "check": "integrity",
                              "kind": "disqualifying_record", "metric": "integrity"}])
    elig, ranked = rank_pool(pool, findings, cfg)
    ys2 = YearScore(pool, findings, elig, ranked, ranking_rows(ranked, pool, 2014, cfg), cfg)
    out = render_report(ys2, tmp_path / "report", year=2014, run_id="run-test", previous_total=398e9,
                        previous_source="configured", market_value_date="2015-06-25", pdf=True, sensitivity_draws=50)
    assert out.pdf_method == "drawn with reportlab"
    info = subprocess.run(["pdfinfo", str(out.pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, info
    fonts = [ln.split() for ln in subprocess.run(["pdffonts", str(out.pdf)], capture_output=True, text=True,
                                                   check=True).stdout.splitlines()[2:] if ln.strip()]
    assert fonts and all(r[-5] == "yes" for r in fonts), fonts  # every font embedded
    text = subprocess.run(["pdftotext", str(out.pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    import lxml.html

    page = lxml.html.fromstring(out.html.read_text(encoding="utf-8"))
    for h2 in page.xpath("//h2"):
        assert "".join(h2.text_content().split()) in flat, h2.text_content()
    for r in ys2.rows:
        assert "".join(r.name.split())[:12] in flat, r.name
    images = subprocess.run(["pdfimages", "-list", str(out.pdf)], capture_output=True, text=True, check=True).stdout
    assert len([ln for ln in images.splitlines()[2:] if ln.strip()]) >= 7
