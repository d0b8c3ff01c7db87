"""The audit site and the Data Docs in a real headless Chromium, with no network at all, at 1,280 px:
every link resolves, every image loads, the findings filter works, nothing sticks out of the window;
the Data Docs draw their validation list from their own copies of GX's scripts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import verify_world as world

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser_page import Browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("sites-chromium")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from expectations.verify import run_verify
    from top100.config import Settings

    import json

    out = tmp_path_factory.mktemp("sites")
    paths = world.build(out)
    # a second reading of C01's revenue on another page (the field another stage adds to facts)
    facts = [json.loads(ln) for ln in paths.facts.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for f in facts:
        if f["company_id"] == "C01" and f["metric"] == "revenue" and f["fiscal_year"] == world.YEAR:
            f["corroborations"] = [{"page": 1, "label": "营业总收入", "raw": "500,000,000.00", "bbox": f["bbox"]}]
    paths.facts.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts), encoding="utf-8")
    # the share count C01's quote used: today's snapshot, a labelled fallback (issue 17 item 4)
    paths.shares.write_text(json.dumps({"company_id": "C01", "requested_date": "2015-06-25", "shares": 1e9,
                                        "as_of": None, "filed": None, "fallback": True, "url": "mirror",
                                        "source": "EastMoney snapshot f84 (today's count, not the valuation "
                                                  "date's: fallback)"}) + "\n", encoding="utf-8")
    run_verify(Settings(out_dir=out, year=world.YEAR), paths)
    return paths


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: run scripts/system-deps.sh")
    b = Browser(chromium, tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


def _sound(opened, *, allow_failed=()):
    assert not opened.external, opened.external  # nothing asked of any host
    failed = [f for f in opened.failed if not any(a in f[0] for a in allow_failed)]
    assert not failed, failed
    bad_images = [i for i in opened.images() if not i["ok"]]
    assert not bad_images, bad_images
    assert not opened.broken_links(), opened.broken_links()
    lay = opened.layout()
    assert lay["scrollWidth"] <= lay["innerWidth"], lay
    assert not lay["overflow"], lay["overflow"]


def test_audit_index_links_filters_and_fits(site, browser):
    page = browser.open(site.audit / "index.html")
    _sound(page)
    assert not page.errors, page.errors
    total = page.eval("document.querySelectorAll('#findings tbody tr').length")
    assert total > 5
    visible = "Array.from(document.querySelectorAll('#findings tbody tr')).filter(r => !r.hidden)"
    # filter by severity: exactly the ERROR rows stay
    n_error = page.eval("Array.from(document.querySelectorAll('#findings tbody tr')).filter(r => r.cells[9].textContent.trim() === 'ERROR').length")
    assert n_error == len(world.EXCLUDED)
    got = page.eval("(() => { const s = document.getElementById('f-severity'); s.value = 'ERROR';"
                    " s.dispatchEvent(new Event('change')); return " + visible + ".map(r => r.cells[9].textContent.trim()); })()")
    assert got == ["ERROR"] * n_error
    assert page.eval("document.getElementById('shown').textContent") == str(n_error)
    # and by check and company together
    got = page.eval("(() => { const s = document.getElementById('f-severity'); s.value = ''; s.dispatchEvent(new Event('change'));"
                    " const c = document.getElementById('f-check'); c.value = 'licence'; c.dispatchEvent(new Event('change'));"
                    " return " + visible + ".map(r => r.cells[2].textContent.trim()); })()")
    assert got and set(got) == {"licence"}
    # sorting by severity puts equal severities together
    page.eval("(() => { const c = document.getElementById('f-check'); c.value = ''; c.dispatchEvent(new Event('change'));"
              " document.querySelectorAll('#findings th')[9].click(); })()")
    order = page.eval("Array.from(document.querySelectorAll('#findings tbody tr')).map(r => r.cells[9].textContent.trim())")
    assert order == sorted(order)
    # every finding links to its evidence; one with a drawn page goes straight to the boxed image
    hrefs = page.eval("Array.from(document.querySelectorAll('#findings a.evidence')).map(a => a.getAttribute('href'))")
    assert len(hrefs) == total
    rows = page.eval("Array.from(document.querySelectorAll('#findings tbody tr')).map(r => [r.cells[0].textContent.trim(), r.cells[3].textContent.trim()])")
    for (cid, metric), href in zip(rows, hrefs):
        drawn = (site.audit / "img" / f"{cid}-{metric}.png").exists()
        assert href.startswith(f"company-{cid}.html#") and (("#img-" in href) == drawn), (cid, metric, href)
    text = page.eval("document.body.innerText")
    assert "passed the four checks" in text and re.search(r"\d+(\.\d+)? (亿|万)元", text) or "亿元" not in text
    assert ".0\n" not in text and "<NA>" not in text
    # the messages' figures are grouped for people ("declared 2,000,000,000 is 10 times ..."),
    # never a bare float ("declared 2000000000.0") or an ungrouped run of digits
    cells = page.eval("Array.from(document.querySelectorAll('#findings tbody tr')).map(r => r.cells[5].innerText + ' | ' + r.cells[6].innerText + ' | ' + r.cells[11].innerText)")
    assert any(re.search(r"\d{1,3}(,\d{3}){2,}", c) for c in cells), cells
    bare = re.compile(r"(?<![\w\u4e00-\u9fff.,])\d{5,}(?![\w])")  # licence numbers (京ICP证030105号) aside
    assert not [c for c in cells if bare.search(c)], [c for c in cells if bare.search(c)][:5]


def test_company_page_evidence(site, browser):
    page = browser.open(site.audit / "company-C01.html")
    _sound(page)
    text = page.eval("document.body.innerText")
    assert "5.00 亿元" in text  # C01's revenue of 500,000,000 元, for people
    assert not re.search(r"500000000\.0(?!\d)", text) and "page <NA>" not in text  # the raw cell "…00" may show
    # the public revenue: the local copy of the PDF (with its extension, at its page) and the boxed page
    local = page.eval("Array.from(document.querySelectorAll('#m-revenue a.local')).map(a => a.getAttribute('href'))")
    assert local and all(re.match(r"docs/[0-9a-f]{64}\.pdf#page=\d+$", h) for h in local), local
    assert (site.audit / local[0].split("#")[0]).read_bytes()[:4] == b"%PDF"
    assert page.eval("document.querySelector('#m-revenue a.boxed').getAttribute('href')") == "#img-revenue"
    assert page.eval("document.querySelector('#img-revenue img').naturalWidth") > 100
    # the corroborating reading, linked to its page of the local copy
    corr = page.eval("Array.from(document.querySelectorAll('#m-revenue .corroboration')).map(d => [d.innerText, d.querySelector('a') && d.querySelector('a').getAttribute('href')])")
    assert corr and "营业总收入" in corr[0][0] and re.match(r"docs/[0-9a-f]{64}\.pdf#page=1$", corr[0][1]), corr
    # the declared revenue: the form, its sheet and cell
    form = page.eval("document.querySelector('#m-revenue .form').innerText")
    assert "申报表" in form and re.search(r"cell C\d+", form)
    # the market value: the quote (date, close, shares), not a dead URL
    quote = page.eval("(document.querySelector('#m-market_value .quote') || {}).innerText || ''")
    assert "close" in quote and "2015-06-2" in quote and "shares" in quote
    assert "shares 1,000,000,000 (EastMoney snapshot f84 (today's count, not the valuation date's: fallback))" in quote
    assert page.eval("document.querySelector('#m-market_value .shares-source.fallback') !== null")


def test_inbox_page(site, browser):
    page = browser.open(site.audit / "inbox.html")
    _sound(page)
    rows = page.eval("document.querySelectorAll('#inbox tbody tr').length")
    assert rows >= len(world.COMPANIES) if hasattr(world, "COMPANIES") else rows > 0


def test_data_docs_offline(site, browser):
    index = site.data_docs / "index.html"
    page = browser.open(index, settle_s=2.5)
    _sound(page)
    assert not page.errors, page.errors
    assert page.eval("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'")
    rows = page.eval("Array.from(document.querySelectorAll('table tbody tr')).map(r => r.innerText)")
    listed = " ".join(rows)
    assert rows and "accuracy" in listed and "licence" in listed, rows[:5]
    assert page.eval("document.querySelector('link[rel~=icon]').href").endswith("static/images/favicon.ico")
    validation = next((site.data_docs / "validations").rglob("*.html"))
    vpage = browser.open(validation, settle_s=1.0)
    assert not vpage.external and not vpage.failed, (vpage.external, vpage.failed)
    # Bootstrap and Popper ran from the site's copies (no integrity hash of the CDN's bytes, no
    # CORS request a file:// page cannot make): the page's own scripts call .modal()
    assert not vpage.errors, vpage.errors
    assert vpage.eval("typeof jQuery.fn.modal === 'function' && typeof Popper === 'function'")
    assert not re.search(r"\b(integrity|crossorigin)=", validation.read_text(encoding="utf-8"))
    assert not vpage.broken_links(), vpage.broken_links()
    assert vpage.eval("document.querySelectorAll('table').length") > 0
