"""The report page: escaping, sections, the seven charts; and headless Chromium opening it."""

from __future__ import annotations

import re

import lxml.html
import pytest

from scoring.config import ScoringConfig
from scoring.published import PUBLISHED
from scoring.rank import rank_pool, ranking_rows
from scoring.report import render_report
from scoring.run import YearScore

EVIL_NAME = "<script>alert(1)</script>恶意公司"
EVIL_BRAND = '"><img src=x onerror=alert(2)>'


def _build(tmp_path, pool, pdf=False):
    import pandas as pd

    cfg = ScoringConfig()
    findings = pd.DataFrame([{"company_id": "C0004", "severity": "ERROR", "check": "integrity",
                              "kind": "disqualifying_record", "metric": "integrity"}])
    pool = pool.set_index("company_id", drop=False)
    elig, ranked = rank_pool(pool, findings, cfg)
    rows = ranking_rows(ranked, pool, 2014, cfg)
    ys = YearScore(pool, findings, elig, ranked, rows, cfg)
    return render_report(ys, tmp_path / "report", year=2014, run_id="run-test", previous_total=398e9,
                         previous_source="configured", market_value_date="2015-06-25", pdf=pdf,
                         sensitivity_draws=200), ys


@pytest.fixture
def evil_pool(make_pool):
    pool = make_pool(150, seed=21)
    top = pool["internet_revenue"].idxmax()
    pool.loc[top, "legal_name"] = EVIL_NAME
    pool.loc[top, "brands"] = EVIL_BRAND
    pool.loc[pool.company_id == "C0004", "legal_name"] = "<b>excluded</b>"
    return pool


def test_company_text_is_escaped(tmp_path, evil_pool):
    out, ys = _build(tmp_path, evil_pool)
    page = out.html.read_text(encoding="utf-8")
    assert EVIL_NAME in [r.name for r in ys.rows]
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>excluded" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;恶意公司" in page
    assert "&lt;b&gt;excluded&lt;/b&gt;" in page  # the excluded company is listed, escaped
    assert len(re.findall(r"<script\b", page)) == 1  # only the page's own (hash-allowed) script
    doc = lxml.html.fromstring(page)
    names = [td.text_content() for td in doc.xpath('//table[@id="ranking-table"]/tbody/tr/td[2]')]
    assert len(names) == 100 and EVIL_NAME in names


def test_sections_charts_and_figures(tmp_path, evil_pool):
    out, ys = _build(tmp_path, evil_pool)
    doc = lxml.html.fromstring(out.html.read_text(encoding="utf-8"))
    for section in ("indicators", "ranking-table", "side-by-side-table", "consistency-table", "top30", "sensitivity-table",
                    "excluded-table"):
        assert doc.xpath(f'//table[@id="{section}"]'), section
    imgs = doc.xpath("//img/@src")
    assert len(imgs) == 7
    for src in imgs:
        assert (out.html.parent / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # every published figure is compared with a statistic this run computes
    names = {f["name"] for f in out.figures}
    assert names == {p.name for p in PUBLISHED}
    from scoring.report import STATEMENTS  # last year's list's: not given here (no warehouse), n/a

    assert all(f["value"] is not None for f in out.figures if f["name"] not in STATEMENTS), \
        [f["name"] for f in out.figures if f["value"] is None]
    assert all(f["within_tolerance"] is None for f in out.figures if f["name"] in STATEMENTS)
    assert len(doc.xpath('//table[@id="side-by-side-table"]/tbody/tr')) == len(PUBLISHED)
    assert "disqualifying_record" in out.html.read_text(encoding="utf-8")
    top30 = doc.xpath('//table[@id="top30"]/tbody/tr')
    assert len(top30) == 30
    assert ys.eligibility.loc["C0004", "excluded_reason"].startswith("error_finding")
    assert out.pdf is None and out.pdf_method == "none"


@pytest.mark.browser
def test_chromium_opens_the_report_and_every_image_loads(tmp_path, evil_pool, browser_dom):
    out, ys = _build(tmp_path, evil_pool, pdf=True)
    out_rows = ys.rows
    assert out.pdf.read_bytes()[:5] == b"%PDF-" and "Chromium" in out.pdf_method
    dom = browser_dom(out.html)
    doc = lxml.html.fromstring(dom)
    body = doc.xpath("//body")[0]
    assert body.get("data-image-count") == "7"
    assert body.get("data-images-loaded") == "all"
    rows = doc.xpath('//table[@id="ranking-table"]/tbody/tr')
    assert len(rows) == 100
    assert [c.text_content() for c in rows[0].xpath("td")[:2]] == ["1", out_rows[0].name]
    evil = next(r for r in rows if r.xpath("td")[1].text_content() == EVIL_NAME)
    assert evil.xpath("td")[2].text_content() == EVIL_BRAND
    assert not doc.xpath("//body//img[@src='x']")  # the brand did not become an element


def test_without_chromium_the_pdf_is_drawn_with_reportlab(tmp_path, evil_pool, monkeypatch):
    import scoring.report as report

    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    out, _ = _build(tmp_path, evil_pool, pdf=True)
    assert out.pdf_method == "drawn with reportlab"
    assert out.pdf.read_bytes()[:5] == b"%PDF-" and out.pdf.stat().st_size > 10_000
    assert "drawn with reportlab" in out.html.read_text(encoding="utf-8")


def test_every_total_links_to_the_companies_behind_it(tmp_path, evil_pool):
    """Issue 18: a figure of section 二 opens onto the companies it is computed from, each a link
    to its row of the list (which links to its audit page): the 5 largest revenues in that order,
    the companies above 10 bn, one province's; whole-list figures link to the list."""
    out, ys = _build(tmp_path, evil_pool)
    doc = lxml.html.fromstring(out.html.read_text(encoding="utf-8"))
    rows_ids = {tr.get("id") for tr in doc.xpath('//table[@id="ranking-table"]/tbody/tr')}
    by_name = {}
    for tr in doc.xpath('//table[contains(@class, "stats")]/tbody/tr'):
        by_name[tr.xpath("./td[2]")[0].text_content()] = tr
    stats = {s.name: s for s in out.stats}

    def linked(name):
        return [a.get("href") for a in by_name[name].xpath(".//details//a")]
    top5 = sorted(ys.rows, key=lambda r: -(ys.pool.loc[r.company_id, "internet_revenue"]))[:5]
    assert linked("top5_internet_revenue") == [f"#c-{r.company_id}" for r in top5]
    above = linked("count_revenue_above_10bn")
    assert len(above) == stats["count_revenue_above_10bn"].value and above
    assert all(ys.pool.loc[h[3:], "internet_revenue"] > 1e10 for h in above)
    beijing = linked("province_beijing")
    assert len(beijing) == stats["province_beijing"].value
    assert all(ys.pool.loc[h[3:], "province"] == "beijing" for h in beijing)
    # every link lands on a row of the list; the summary says how many
    for tr in by_name.values():
        for a in tr.xpath(".//details//a"):
            assert a.get("href")[1:] in rows_ids, a.get("href")
        for d in tr.xpath(".//details"):
            assert d.xpath("./summary")[0].text_content().split()[0] == str(len(d.xpath(".//a")))
    assert by_name["list_size"].xpath(".//a")[0].get("href") == "#ranking"
    # the top company's escaped name is a member's label, not markup
    assert EVIL_NAME in [a.text_content() for a in by_name["top5_internet_revenue"].xpath(".//details//a")]
