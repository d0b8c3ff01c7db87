"""The demo year with a hostile data supplier's inbox (issue 16), end to end, once.

The demo world of the default seed, its inbox then attacked the way tests/hostile/ does file by
file, here all at once and varied: a company inflating every figure and its head count by
10^4, a second form claiming another company's id (named to sort last), a non-finite number
stored as a number, a footnote mark in a figure, a script payload as a legal name and as a form's
file name, a form reaching row 1,048,000, a workbook of many small parts that inflate together,
integrity.csv with a BOM, a row in GBK and a field over the csv module's limit,
licence_registry.csv with a row in GBK, traffic.csv with Infinity in a count. The targets are
fictitious candidates ranked 120-180 in the clean run, the GBK integrity row that of a company
disqualified by it.

The year still ranks 100 (the clean run's 100), exits 3, names every bad input in the error
files, runs nothing, ranks none of the companies whose checks failed or could not run, and every
other company's findings are the clean run's."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from demo_harness import run_demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

MONEY_OR_COUNT = ("revenue", "internet_revenue", "operating_cost", "operating_profit", "net_profit", "rd_expense",
                  "employees_total", "users")
PAYLOAD = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\">"
FILE_PAYLOAD = "<svg onload=alert(7)>.xlsx"


def _eligibility(year_dir: Path) -> dict[str, dict]:
    with (year_dir / "eligibility.csv").open(encoding="utf-8", newline="") as fh:
        return {r["company_id"]: r for r in csv.DictReader(fh)}


def _edit(path: Path, change) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    change(ws, rows)
    wb.save(path)


def _patch_xml(path: Path, cell: str, stored: bytes) -> None:
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for i in src.infolist():
            data = src.read(i.filename)
            if i.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'(<c r="' + cell.encode() + rb'"[^>]*>)<v>[^<]*</v>', rb"\1<v>" + stored + rb"</v>",
                                  data)
                assert n == 1, cell
            dst.writestr(i, data)
    src.close()
    path.write_bytes(buf.getvalue())


def _attack(inbox: Path, clean: dict[str, dict]) -> dict[str, str]:
    """Write the hostile inbox over the generated one; returns target company -> what was done."""
    eligible = sorted((r for r in clean.values() if r["eligible"] == "true" and r["score_rank"]),
                      key=lambda r: int(r["score_rank"]))
    with (inbox / "listings.csv").open(encoding="utf-8", newline="") as fh:
        listed = {r["company_id"] for r in csv.DictReader(fh)}
    # unlisted: no public figure to fall back on or to correct a unit against
    pool = [r["company_id"] for r in eligible if 120 <= int(r["score_rank"]) <= 180 and r["company_id"] not in listed]
    inflate, claimed, infinite, footnote, named, no_integrity, no_licence, no_traffic = pool[:8]
    disqualified = next(cid for cid, r in sorted(clean.items())
                        if "integrity_disqualifying" in (r["excluded_reason"] or ""))
    forms = inbox / "declarations"

    def times(ws, rows):
        for code in MONEY_OR_COUNT:
            for col in (3, 4):
                v = ws.cell(rows[code], col).value
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.cell(rows[code], col).value = v * 10_000
    _edit(forms / f"{inflate}.xlsx", times)
    # a second form for another company's id, with other figures, named to sort last
    intruder = forms / "zzzz-final.xlsx"
    intruder.write_bytes((forms / f"{claimed}.xlsx").read_bytes())
    _edit(intruder, lambda ws, rows: setattr(ws.cell(rows["revenue"], 3), "value",
                                             (ws.cell(rows["revenue"], 3).value or 0) * 3 + 1))
    revenue_row = {}
    _edit(forms / f"{infinite}.xlsx", lambda ws, rows: revenue_row.setdefault("r", rows["revenue"]))
    _patch_xml(forms / f"{infinite}.xlsx", f"C{revenue_row['r']}", b"-1E+400")
    _edit(forms / f"{footnote}.xlsx", lambda ws, rows: setattr(
        ws.cell(rows["revenue"], 3), "value", f"{int(ws.cell(rows['revenue'], 3).value):,}⁴"))
    _edit(forms / f"{named}.xlsx", lambda ws, rows: setattr(ws.cell(rows["legal_name"], 3), "value",
                                                            PAYLOAD + "网络有限公司"))
    # the same declaration sent again under a hostile file name (a label, which is not read, differs)
    (forms / FILE_PAYLOAD).write_bytes((forms / f"{named}.xlsx").read_bytes())
    _edit(forms / FILE_PAYLOAD, lambda ws, rows: setattr(ws.cell(rows["legal_name"], 2), "value", "企业名称（重报）"))
    # and byte for byte once more: read once, the copy named in the errors
    (forms / "copy.xlsx").write_bytes((forms / FILE_PAYLOAD).read_bytes())
    far = forms / "far.xlsx"
    far.write_bytes((forms / f"{pool[9]}.xlsx").read_bytes())
    _edit(far, lambda ws, rows: setattr(ws.cell(1_048_000, 3), "value", 1))
    good = zipfile.ZipFile(forms / f"{pool[10]}.xlsx")
    with zipfile.ZipFile(forms / "padded.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for i in good.infolist():
            z.writestr(i.filename, good.read(i.filename))
        for n in range(60):
            z.writestr(f"xl/media/image{n}.emf", b"\0" * 700_000)
    # integrity.csv: a BOM, the disqualified company's row in GBK, a description over 131,072 characters
    lines = (inbox / "integrity.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    out = bytearray(b"\xef\xbb\xbf")
    for line in lines:
        gbk = line.startswith(disqualified + ",") and "true" in line
        out += line.encode("gbk" if gbk else "utf-8")
    out += f'{no_integrity},2014-04-01,警示,false,"{"很长的说明" * 30_000}"\n'.encode()
    (inbox / "integrity.csv").write_bytes(bytes(out))
    # licence_registry.csv: one company's row in GBK (its licence number is Chinese)
    lines = (inbox / "licence_registry.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (inbox / "licence_registry.csv").write_bytes(b"".join(
        line.encode("gbk" if f",{no_licence}," in line else "utf-8") for line in lines))
    # traffic.csv: Infinity in a count
    lines = (inbox / "traffic.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (inbox / "traffic.csv").write_text("".join(
        re.sub(r"^(\w+,\d+,)[^,]+", r"\1Infinity", line) if line.startswith(no_traffic + ",") else line
        for line in lines), encoding="utf-8")
    return {inflate: "inflate", claimed: "claimed", infinite: "infinite", footnote: "footnote", named: "named",
            no_integrity: "no_integrity", no_licence: "no_licence", no_traffic: "no_traffic",
            disqualified: "disqualified"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, demo_run):
    from mirror.generate import generate
    from top100.config import Settings

    tmp = tmp_path_factory.mktemp("hostile-year")
    defaults = Settings()
    world = generate(tmp / "out" / "demo-world" / "2014", seed=defaults.demo.seed, year=2014,
                     candidates=defaults.demo.candidates)
    clean = _eligibility(demo_run.year_dir)
    targets = _attack(world / "inbox", clean)
    run = run_demo(tmp)
    return run, targets, clean


def _errors(run) -> list[dict]:
    rows = []
    for stage in ("collect", "extract", "verify"):
        p = run.year_dir / stage / "errors.jsonl"
        rows += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _findings(year_dir: Path) -> list[dict]:
    p = year_dir / "verify" / "findings.jsonl"
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_year_ranks_the_clean_hundred_and_exits_3(hostile, demo_run):
    run, targets, _ = hostile
    assert run.returncode == 3, run.stdout[-3000:] + run.stderr[-3000:]
    ranking = run.ranking()
    clean = demo_run.ranking()
    assert len(ranking) == 100
    assert [r["company_id"] for r in ranking] == [r["company_id"] for r in clean]
    assert not set(targets) & {r["company_id"] for r in ranking}


def test_every_bad_input_is_named(hostile):
    run, targets, _ = hostile
    by = {v: k for k, v in targets.items()}
    errors = _errors(run)

    def named(pred) -> list[dict]:
        return [e for e in errors if pred(e)]
    assert named(lambda e: e.get("company_id") == by["infinite"] and "not a finite number" in e["reason"]
                 and re.fullmatch(r"C\d+", e.get("cell") or ""))
    assert named(lambda e: e.get("company_id") == by["footnote"] and "SUPERSCRIPT FOUR" in e["reason"])
    assert named(lambda e: e.get("document") == "far.xlsx" and "reaches row 1048000" in e["reason"])
    assert named(lambda e: e.get("document") == "padded.xlsx" and "a zip bomb?" in e["reason"])
    assert named(lambda e: e.get("document") == "copy.xlsx" and e["kind"] == "DuplicateFile"
                 and FILE_PAYLOAD in e["reason"])
    assert named(lambda e: e.get("document") == "integrity.csv" and e.get("company_id") == by["disqualified"]
                 and "not UTF-8" in e["reason"] and ", byte " in (e.get("cell") or ""))
    assert named(lambda e: e.get("document") == "integrity.csv" and e.get("company_id") == by["no_integrity"]
                 and "bytes (limit" in e["reason"])
    assert named(lambda e: e.get("document") == "licence_registry.csv" and e.get("company_id") == by["no_licence"]
                 and "not UTF-8" in e["reason"])
    assert named(lambda e: e.get("document") == "traffic.csv" and e.get("company_id") == by["no_traffic"]
                 and (e.get("cell") or "").endswith("column desktop") and "is not a number" in e["reason"])


def test_nobody_whose_check_failed_or_could_not_run_is_ranked(hostile):
    run, targets, _ = hostile
    by = {v: k for k, v in targets.items()}
    findings = {(f["company_id"], f["kind"]): f for f in _findings(run.year_dir)}
    assert findings[(by["inflate"], "implausible_figure")]["severity"] == "ERROR"
    conflict = findings[(by["claimed"], "declaration_conflict")]
    assert f"{by['claimed']}.xlsx" in conflict["message"] and "zzzz-final.xlsx" in conflict["message"]
    assert (by["no_integrity"], "integrity_check_not_run") in findings
    assert (by["disqualified"], "integrity_check_not_run") in findings
    lic = findings[(by["no_licence"], "licence_check_not_run")]
    assert "not a finding about this company's licence" in lic["message"]
    assert (by["no_licence"], "licence_not_in_registry") not in findings
    elig = _eligibility(run.year_dir)
    for cid in ("inflate", "claimed", "infinite", "footnote", "no_integrity", "no_licence", "disqualified"):
        assert elig[by[cid]]["eligible"] == "false", cid
    report = (run.year_dir / "report" / "index.html").read_text(encoding="utf-8")
    # the report counts the companies excluded so: the two integrity rows' and the registry row's companies
    assert 'id="checks-not-run">3 of them because a check could not run' in report


def test_every_other_company_is_judged_as_in_the_clean_run(hostile, demo_run):
    run, targets, _ = hostile
    touched = set(targets)
    got = {(f["company_id"], f["check"], f["kind"]) for f in _findings(run.year_dir) if f["company_id"] not in touched}
    want = {(f["company_id"], f["check"], f["kind"]) for f in _findings(demo_run.year_dir)
            if f["company_id"] not in touched}
    assert got == want


@pytest.mark.browser
def test_nothing_supplied_ran_in_any_page(hostile, browser_dom):
    run, targets, _ = hostile
    named = next(k for k, v in targets.items() if v == "named")
    pages = [run.year_dir / "audit" / "index.html", run.year_dir / "audit" / f"company-{named}.html",
             run.year_dir / "report" / "index.html"]
    for page in pages:
        dom = browser_dom(page)
        assert not re.search(r"<html[^>]*data-pwned", dom), page
        assert not re.search(r"<(img|svg)\b[^>]*\bon(error|load)=", dom), page
    company = browser_dom(pages[1])
    assert "&lt;img src=x onerror=" in company and "&lt;svg onload=alert(7)&gt;.xlsx" in company


def test_the_inbox_page_names_every_refused_file(hostile):
    """Issue 18: the audit site's inbox page lists each hostile file as refused, with its cause."""
    import lxml.html

    run, _, _ = hostile
    doc = lxml.html.fromstring((run.year_dir / "audit" / "inbox.html").read_text(encoding="utf-8"))
    rows = {}
    for tr in doc.xpath('//table[@id="inbox"]/tbody/tr'):
        cells = [td.text_content().strip() for td in tr.xpath("./td")]
        rows[cells[0]] = cells
    for name, cause in (("declarations/far.xlsx", "reaches row 1048000"), ("declarations/padded.xlsx", "zip bomb"),
                        ("declarations/copy.xlsx", "the same bytes as")):
        assert rows[name][3] == "refused" and cause in rows[name][4], rows.get(name)
    assert rows[f"declarations/{FILE_PAYLOAD}"][3].startswith("used")
    assert rows["integrity.csv"][3].startswith("used (with") and "not UTF-8" in rows["integrity.csv"][4]
