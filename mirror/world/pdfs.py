"""Text PDFs in the layout of real annual reports, drawn with reportlab.

A-share reports (年度报告) use the CID font STSong-Light so that the text extracts; the layout
follows the real reports: a cover with 公司代码/公司简称, a 目录 that names the main table (a trap
for a parser that stops at the first mention), 主要会计数据和财务指标 with 本年/上年/本年比上年增减
and 单位：元 币种：人民币, the employee section (在职员工的数量合计), R&D in the MD&A, then the
合并利润表 followed by the 母公司利润表 (a distractor). Hong Kong reports are English, with amounts
in RMB'000 or HK$'000. ``invariant=1`` makes the bytes depend only on the content.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
CN = "STSong-Light"
W, H = A4


def yuan(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.2f}"


def pct(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "-"
    return f"{(a / b - 1) * 100:.2f}"


class Doc:
    def __init__(self, path: Path, title: str, font: str = CN):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setAuthor("top100 demo world (generated)")
        self.c.setCreator("top100 mirror")
        self.font = font
        self.y = H - 60
        self.page = 1
        self.footer = title

    def _foot(self) -> None:
        self.c.setFont(self.font, 8)
        self.c.drawCentredString(W / 2, 30, f"{self.footer}  {self.page}")

    def new_page(self) -> None:
        self._foot()
        self.c.showPage()
        self.page += 1
        self.y = H - 60

    def text(self, s: str, size: float = 10.5, x: float = 60, gap: float = 6) -> None:
        if self.y < 80:
            self.new_page()
        self.c.setFont(self.font, size)
        self.c.drawString(x, self.y, s)
        self.y -= size + gap

    def centre(self, s: str, size: float = 16) -> None:
        self.c.setFont(self.font, size)
        self.c.drawCentredString(W / 2, self.y, s)
        self.y -= size + 10

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 9) -> None:
        """A ruled table; numbers right-aligned in their cell."""
        x0 = 50
        rh = size + 8
        need = rh * (len(rows) + 1) + 10
        if self.y - need < 60:
            self.new_page()
        top = self.y + size + 2
        allrows = [header] + rows
        for i, row in enumerate(allrows):
            x = x0
            for j, cell in enumerate(row):
                self.c.setFont(self.font, size)
                if j == 0 or i == 0:
                    self.c.drawString(x + 3, self.y, cell)
                else:
                    self.c.drawRightString(x + widths[j] - 3, self.y, cell)
                x += widths[j]
            self.y -= rh
        bottom = self.y + size + 2
        self.c.setLineWidth(0.5)
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        for k in range(len(allrows) + 1):
            yy = top - k * rh
            self.c.line(x0, yy, xs[-1], yy)
        for xx in xs:
            self.c.line(xx, top, xx, bottom)
        self.y -= 8

    def filler(self, lines: list[str], pages: int = 1) -> None:
        for _ in range(pages):
            for ln in lines:
                self.text(ln)
            self.new_page()

    def save(self) -> None:
        self._foot()
        self.c.showPage()
        self.c.save()


_BOILER = [
    "本公司董事会、监事会及董事、监事、高级管理人员保证年度报告内容的真实、准确、完整，",
    "不存在虚假记载、误导性陈述或重大遗漏，并承担个别和连带的法律责任。",
    "本报告为演示用途生成的文件（虚构数据，仅营业收入等标明为真实数据者取自公开资料）。",
]


def cn_annual_report(path: Path, *, code: str, short: str, name: str, year: int, f: dict, revised: str = "") -> None:
    """``f``: revenue, revenue_prior, operating_cost(_prior), operating_profit(_prior), net_profit(_prior),
    rd_expense, employees_total, total_assets; amounts in 元."""
    title = f"{short}{year}年年度报告{revised}"
    d = Doc(path, title)
    d.y = H - 120
    d.text(f"公司代码：{code}                                公司简称：{short}", 11)
    d.y -= 120
    d.centre(name, 20)
    d.centre(f"{year} 年年度报告{revised}", 22)
    d.y -= 200
    d.centre(f"{year + 1} 年 3 月", 12)
    d.new_page()
    d.centre("目录", 16)
    toc = ["第一节 重要提示、目录和释义 ........ 1", "第二节 公司简介 ........ 4",
           "第三节 会计数据和财务指标摘要（主要会计数据和财务指标） ........ 5",
           "第四节 管理层讨论与分析 ........ 6", "第五节 重要事项 ........ 8",
           "第八节 董事、监事、高级管理人员和员工情况 ........ 9", "第十一节 财务报告（合并利润表） ........ 10"]
    for t in toc:
        d.text(t, 11, gap=10)
    d.new_page()
    d.centre("第一节 重要提示、目录和释义", 14)
    d.filler(_BOILER)
    d.centre("第二节 公司简介", 14)
    d.text(f"公司的中文名称：{name}")
    d.text(f"股票简称：{short}    股票代码：{code}")
    d.filler(["公司主要从事互联网信息服务及相关业务。"])
    d.centre("第三节 会计数据和财务指标摘要", 14)
    d.text("一、主要会计数据和财务指标", 12)
    d.text("公司是否需追溯调整或重述以前年度会计数据：否", 9)
    d.text("单位：元 币种：人民币", 9, x=380)
    np_attr = f["net_profit"]
    rows = [
        ["营业收入", yuan(f["revenue"]), yuan(f["revenue_prior"]), pct(f["revenue"], f["revenue_prior"])],
        ["归属于上市公司股东的净利润", yuan(np_attr), yuan(f["net_profit_prior"]), pct(np_attr, f["net_profit_prior"])],
        ["归属于上市公司股东的扣除非经常性损益的净利润", yuan(np_attr * 0.96), yuan(f["net_profit_prior"] * 0.95),
         pct(np_attr * 0.96, f["net_profit_prior"] * 0.95)],
        ["经营活动产生的现金流量净额", yuan(f["revenue"] * 0.18), yuan(f["revenue_prior"] * 0.16), "-"],
        ["总资产", yuan(f["revenue"] * 2.1), yuan(f["revenue_prior"] * 2.0), "-"],
    ]
    d.table(["主要会计数据", f"{year}年", f"{year - 1}年", "本年比上年增减(%)"], rows, [200, 105, 105, 85], 8)
    d.new_page()
    d.centre("第四节 管理层讨论与分析", 14)
    d.text(f"报告期内，公司实现营业收入{yuan(f['revenue'])}元，营业利润{yuan(f['operating_profit'])}元。")
    d.text("研发投入情况", 12)
    d.table(["项目", f"{year}年"], [["研发投入金额（元）", yuan(f["rd_expense"])],
                                   ["研发投入占营业收入比例（%）", f"{f['rd_expense'] / f['revenue'] * 100:.2f}"]], [250, 150])
    d.new_page()
    d.centre("第五节 重要事项", 14)
    d.filler(["报告期内公司无重大诉讼、仲裁事项。", "报告期内公司无重大关联交易。"])
    d.centre("第八节 董事、监事、高级管理人员和员工情况", 14)
    d.text("五、公司员工情况", 12)
    d.table(["项目", "人数"], [["母公司在职员工的数量", f"{int(f['employees_total'] * 0.4)}"],
                            ["主要子公司在职员工的数量", f"{f['employees_total'] - int(f['employees_total'] * 0.4)}"],
                            ["在职员工的数量合计", f"{int(f['employees_total'])}"]], [250, 150])
    d.new_page()
    d.centre("第十一节 财务报告", 14)
    d.text("合并利润表", 13)
    d.text(f"{year}年1—12月", 9)
    d.text("单位：元 币种：人民币", 9, x=380)
    _income(d, f, 1.0)
    d.new_page()
    d.text("母公司利润表", 13)
    d.text(f"{year}年1—12月", 9)
    d.text("单位：元 币种：人民币", 9, x=380)
    _income(d, f, 0.37)
    d.new_page()
    d.centre("财务报表附注（节选）", 13)
    d.filler(["本财务报表以持续经营为基础编制。", "本公司以人民币为记账本位币。"])
    d.text("（本报告完）")
    d.save()


def _income(d: Doc, f: dict, k: float) -> None:
    op, opp = f["operating_profit"] * k, f["operating_profit_prior"] * k
    rev, revp = f["revenue"] * k, f["revenue_prior"] * k
    cost, costp = f["operating_cost"] * k, f["operating_cost_prior"] * k
    exp_ = rev - cost - op
    expp = revp - costp - opp
    rows = [
        ["一、营业总收入", yuan(rev), yuan(revp)], ["其中：营业收入", yuan(rev), yuan(revp)],
        ["二、营业总成本", yuan(cost + exp_), yuan(costp + expp)], ["其中：营业成本", yuan(cost), yuan(costp)],
        ["销售费用", yuan(exp_ * 0.4), yuan(expp * 0.4)], ["管理费用", yuan(exp_ * 0.6), yuan(expp * 0.6)],
        ["三、营业利润（亏损以“－”号填列）", yuan(op), yuan(opp)],
        ["四、利润总额（亏损总额以“－”号填列）", yuan(op * 1.04), yuan(opp * 1.04)],
        ["五、净利润（净亏损以“－”号填列）", yuan(f["net_profit"] * k), yuan(f["net_profit_prior"] * k)],
    ]
    d.table(["项目", "本期发生额", "上期发生额"], rows, [230, 130, 130], 8)


def hk_annual_report(path: Path, *, code: str, name: str, year: int, f: dict, currency: str) -> None:
    """English annual report; ``f`` amounts in the reporting currency's units (not thousands)."""
    unit = "RMB'000" if currency == "CNY" else "HK$'000"
    d = Doc(path, f"{name} Annual Report {year}", font="Helvetica")
    d.y = H - 200
    d.centre(name.upper(), 18)
    d.centre(f"(Stock Code: {code})", 12)
    d.centre(f"ANNUAL REPORT {year}", 22)
    d.new_page()
    d.centre("CONTENTS", 14)
    for t in ("Financial Highlights ... 2", "Management Discussion and Analysis ... 3",
              "Consolidated Statement of Profit or Loss ... 5"):
        d.text(t, 11, gap=10)
    d.new_page()
    d.centre("FINANCIAL HIGHLIGHTS", 14)
    k = lambda v: f"{v / 1000:,.0f}" if v >= 0 else f"({-v / 1000:,.0f})"  # noqa: E731
    d.text(f"({unit})", 9, x=420)
    d.table(["", f"{year}", f"{year - 1}"], [["Revenue", k(f["revenue"]), k(f["revenue_prior"])],
                                            ["Operating profit", k(f["operating_profit"]), k(f["operating_profit_prior"])]],
            [230, 130, 130])
    d.new_page()
    d.centre("MANAGEMENT DISCUSSION AND ANALYSIS", 14)
    d.text(f"Research and development expenses for the year amounted to {unit} {k(f['rd_expense'])}.")
    d.text(f"As at 31 December {year}, the Group had {int(f['employees_total']):,} full-time employees.")
    d.new_page()
    d.centre("CONSOLIDATED STATEMENT OF PROFIT OR LOSS", 13)
    d.text(f"For the year ended 31 December {year}", 9)
    d.text(f"({unit})", 9, x=420)
    rows = [["Revenue", k(f["revenue"]), k(f["revenue_prior"])],
            ["Cost of revenue", k(-f["operating_cost"]), k(-f["operating_cost_prior"])],
            ["Gross profit", k(f["revenue"] - f["operating_cost"]), k(f["revenue_prior"] - f["operating_cost_prior"])],
            ["Research and development expenses", k(-f["rd_expense"]), k(-f["rd_expense"] * 0.8)],
            ["Operating profit", k(f["operating_profit"]), k(f["operating_profit_prior"])],
            ["Profit before income tax", k(f["operating_profit"] * 1.03), k(f["operating_profit_prior"] * 1.03)],
            ["Profit for the year", k(f["net_profit"]), k(f["net_profit_prior"])]]
    d.table(["", "Note", f"{year}", f"{year - 1}"][:1] + [f"{year}", f"{year - 1}"], rows, [230, 130, 130])
    d.save()


def cn_prospectus(path: Path, *, code: str, short: str, name: str, year: int, f: dict) -> None:
    """招股说明书 (excerpt): the 主要财务数据 of the last three years."""
    d = Doc(path, f"{short}首次公开发行股票并在创业板上市招股说明书")
    d.y = H - 200
    d.centre(name, 18)
    d.centre("首次公开发行股票并在创业板上市招股说明书", 16)
    d.new_page()
    d.centre("第十节 财务会计信息与管理层分析", 14)
    d.text("一、合并利润表主要数据", 12)
    d.text("单位：元", 9, x=420)
    rows = [["营业收入", yuan(f["revenue"]), yuan(f["revenue_prior"]), yuan(f["revenue_prior"] * 0.8)],
            ["营业利润", yuan(f["operating_profit"]), yuan(f["operating_profit_prior"]), yuan(f["operating_profit_prior"] * 0.8)]]
    d.table(["项目", f"{year}年度", f"{year - 1}年度", f"{year - 2}年度"], rows, [130, 120, 120, 120])
    d.save()
