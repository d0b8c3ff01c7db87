"""`top100 extract <file> --json`, the prospectus reader and the provenance image."""

from __future__ import annotations

import json
import subprocess
import sys

from extract_synth import Grid, Text, make_pdf
import extractors
from extractors import prospectus
from extractors.command import main
from extractors.provenance import render_box


def test_extract_json_on_a_real_report(real, capsys):
    pdf = real / "pdf" / "cn_annual" / "sh603339_sifang_2019_annual_report.pdf"
    assert main([str(pdf), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    rev = next(r for r in rows if r["metric"] == "revenue" and r["fiscal_year"] == 2019)
    assert {k: rev[k] for k in ("value", "currency", "page", "label", "raw", "unit")} == {
        "value": 1175301034.32, "currency": "CNY", "page": 5, "label": "营业收入", "raw": "1,175,301,034.32", "unit": "元"}
    assert {r["metric"] for r in rows} >= {"revenue", "operating_cost", "operating_profit", "rd_expense",
                                             "employees_total", "total_assets", "net_profit_attributable"}


def test_extract_text_output_and_errors(tmp_path, capsys):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert main([str(p), "--type", "annual_report"]) == 3
    err = capsys.readouterr().err
    assert "empty.pdf" in err and "zero-byte" in err


def test_command_starts_without_heavy_libraries(real):
    """The command imports no orchestration, validation, warehouse or dataframe library."""
    pdf = real / "pdf" / "cn_annual_summary" / "sz301096_baicheng_2023_annual_report_summary.pdf"
    code = ("import sys; from extractors.command import main; rc = main([sys.argv[1], '--json']); "
            "heavy = [m for m in ('prefect', 'great_expectations', 'scrapy', 'sqlalchemy', 'pandas') if m in sys.modules];"
            "print(heavy, file=sys.stderr); sys.exit(rc if not heavy else 3)")
    out = subprocess.run([sys.executable, "-c", code, str(pdf)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    # the main table's 3 metrics x 3 years, and the head count of a sentence dated to the year's end
    # (p11: 截至 2023 年 12 月 31 日，公司共有 1,747 名员工), read once and said so
    assert len(facts) == 10
    (staff,) = [f for f in facts if f["metric"] == "employees_total"]
    assert staff["value"] == 1747 and staff["page"] == 11 and staff["single_source"] is True


def test_prospectus_from_a_text_conversion(real):
    path = real / "txt" / "sz300184_wuhan_liyuan_prospectus_2010_pdf2jsonl.txt"
    result = prospectus.extract_pages(prospectus.read_pdf2jsonl(path), sha256="0" * 64, name=path.name)
    facts = {(f.metric, f.fiscal_year): f for f in result.facts}
    assert facts[("revenue", 2009)].value == 170552894.14 and facts[("revenue", 2009)].page == 21
    assert facts[("revenue", 2008)].value == 135734454.31 and facts[("revenue", 2007)].value == 90580709.45
    assert facts[("operating_profit", 2009)].value == 23186211.30
    assert ("revenue", 2010) not in facts  # 2010年1-6月 is a half year, not a fiscal year


def test_extract_command_reads_the_text_conversion(real, capsys):
    path = real / "txt" / "sz300184_wuhan_liyuan_prospectus_2010_pdf2jsonl.txt"
    assert main([str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["metric"], r["fiscal_year"], r["value"], r["page"]) for r in rows} >= {
        ("revenue", 2009, 170552894.14, 21), ("revenue", 2008, 135734454.31, 21), ("revenue", 2007, 90580709.45, 21),
        ("operating_profit", 2009, 23186211.30, 21)}


def test_prospectus_pdf(tmp_path):
    p = make_pdf(tmp_path / "ipo.pdf", [
        [Text(150, 100, "示例信息技术股份有限公司 首次公开发行股票招股说明书", 12)],
        [Text(60, 60, "三、发行人主要财务数据及财务指标"), Text(60, 80, "(二)利润表主要数据"), Text(60, 100, "(单位：元)"),
         Grid(40, 110, [110, 100, 100, 100, 100], [
             ["项目", "2013年1-6月", "2012年度", "2011年度", "2010年度"],
             ["营业收入", "114,569,948.43", "170,552,894.14", "135,734,454.31", "90,580,709.45"],
             ["营业利润", "15,300,092.60", "23,186,211.30", "18,177,016.01", "(13,929.62)"]])]])
    result = extractors.read(None, p)
    facts = {(f.metric, f.fiscal_year): f for f in result.facts}
    assert result.errors == [] and facts[("revenue", 2012)].value == 170552894.14
    assert facts[("operating_profit", 2010)].value == -13929.62 and facts[("revenue", 2012)].doc_type == "prospectus"


def test_render_box_draws_the_value(real, tmp_path):
    from PIL import Image

    pdf = real / "pdf" / "cn_annual" / "sh603333_mingxing_cable_2014_annual_report.pdf"
    fact = next(f for f in extractors.read(None, pdf).facts if f.metric == "revenue" and f.fiscal_year == 2014)
    png = render_box(pdf, fact.page, fact.bbox, tmp_path / "box.png", resolution=72)
    img = Image.open(png).convert("RGB")
    x0, top, x1, bottom = fact.bbox
    reds = sum(1 for x in range(int(x0) - 3, int(x1) + 4) for y in (int(top) - 3, int(bottom) + 3)
               if 0 <= x < img.width and 0 <= y < img.height and img.getpixel((x, y))[0] > 180
               and img.getpixel((x, y))[1] < 90)
    assert reds > (x1 - x0)  # the box's top and bottom edges are drawn in red around the value
