"""The seven figures of the report, drawn from this run's list with matplotlib (Agg, no pyplot).

The labels and units are always Chinese, so they need a CJK font: Noto Sans CJK (Debian's
fonts-noto-cjk, installed by ``scripts/system-deps.sh``, which ``make demo`` and ``make test`` run)
is looked up through matplotlib's font manager. A font installed after matplotlib wrote its font
cache is not in that cache: the system font folders are then searched and the font added. With no
CJK font at all the report stage stops with a message naming the package to install, rather than
drawing boxes or falling back to English ids.
Each chart also returns its data (bins and counts), which the report prints under the image.
Figure 4's caption in the report says 2013 while its text is about 2014 (METHOD.md section 6);
ours is drawn from, and titled with, the fiscal year being evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; we never do, but a caller might
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from top100.vocab import BUSINESS_TYPE_ZH, EXCHANGE_GROUP, PROVINCE_ZH, BusinessType

YI = 1e8
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans SC",
                "WenQuanYi Zen Hei", "SimHei")


CJK_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy-zenhei", "simhei")


def _known_cjk() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FAMILIES if f in names), None)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None. matplotlib's cached font list is
    refreshed from the system folders when it lacks one (the font was installed after the cache
    was written: matplotlib never rescans on its own)."""
    found = _known_cjk()
    if found is None:
        for path in font_manager.findSystemFonts():
            name = Path(path).name.lower()
            if any(h in name or h in name.replace("-", "") for h in CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file: skip it
                    continue
        found = _known_cjk()
        if found is not None:  # write the refreshed list, so the next process need not rescan
            try:
                cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
                font_manager.json_dump(font_manager.fontManager, str(cache))
            except Exception:  # a read-only cache folder only costs the rescan next time
                pass
    return found


def require_cjk_font() -> str:
    found = cjk_font()
    if found is None:
        from top100.errors import ScoringError

        raise ScoringError("no CJK font for the charts' Chinese labels: install one with "
                           "`bash scripts/system-deps.sh --fonts` (Debian's fonts-noto-cjk)")
    return found


@dataclass
class Chart:
    number: int
    filename: str
    title: str
    labels: list[str]
    values: list[float]
    secondary: list[float] | None = None  # figure 4: revenue per type
    unit: str = "家"
    extra: dict = field(default_factory=dict)


def _bins(values: pd.Series, edges: list[float], labels: list[str]) -> list[float]:
    v = values.dropna().to_numpy(dtype="float64")
    idx = np.digitize(v, edges, right=False)  # 0 .. len(edges): strictly below the first edge is 0
    return [float((idx == i).sum()) for i in range(len(labels))]


def _num(m: pd.DataFrame, c: str) -> pd.Series:
    return pd.to_numeric(m[c], errors="coerce") if c in m.columns else pd.Series(np.nan, index=m.index)


def chart_data(members: pd.DataFrame, year: int, zh: bool) -> list[Chart]:
    t = (lambda a, b: a) if zh else (lambda a, b: b)
    rev = _num(members, "internet_revenue")
    charts = []
    lab1 = [t("2-5亿", "0.2-0.5bn"), t("5-10亿", "0.5-1bn"), t("10-50亿", "1-5bn"), t("50-100亿", "5-10bn"),
            t("100亿以上", ">10bn")]
    charts.append(Chart(1, "figure1_revenue.png",
                        t(f"图 1 互联网百强 {year} 年互联网业务收入分布情况", f"Figure 1 Internet revenue, {year}"),
                        lab1, _bins(rev / YI, [5, 10, 50, 100], lab1)))
    # values below 2 亿 fall into the first bin: there are none on a correct list
    growth = rev / _num(members, "internet_revenue_prior").where(lambda s: s > 0) - 1
    lab2 = [t("负增长", "<0%"), "0-20%", "20-50%", "50-100%", t("100%以上", ">100%")]
    charts.append(Chart(2, "figure2_growth.png",
                        t(f"图 2 互联网百强 {year} 年营收增长率分布情况", f"Figure 2 Revenue growth, {year}"),
                        lab2, _bins(growth, [0, 0.2, 0.5, 1.0], lab2)))
    exch = members["exchange"] if "exchange" in members.columns else pd.Series(None, index=members.index)
    group = exch.map(lambda e: EXCHANGE_GROUP.get(e) if isinstance(e, str) else None)
    lab3 = [t("沪深", "Shanghai/Shenzhen"), t("香港", "Hong Kong"), t("美国", "NYSE/NASDAQ")]
    charts.append(Chart(3, "figure3_listings.png",
                        t("图 3 互联网百强中上市公司在各上市地的企业数量分布", "Figure 3 Listed companies by venue"),
                        lab3, [float((group == g).sum()) for g in ("A-share", "Hong Kong", "US")]))
    btype = members["business_type"].astype("string") if "business_type" in members.columns else \
        pd.Series(pd.NA, index=members.index)
    types = [bt for bt in BusinessType]
    charts.append(Chart(4, "figure4_business_types.png",
                        t(f"图 4 不同业务类型的公司数量和 {year} 年营收总额",
                          f"Figure 4 Companies and revenue by business type, {year}"),
                        [t(BUSINESS_TYPE_ZH[bt], bt.value) for bt in types],
                        [float((btype == bt.value).sum()) for bt in types],
                        secondary=[float(rev[btype == bt.value].sum() / YI) for bt in types]))
    op = _num(members, "operating_profit")
    lab5 = [t("亏损", "loss"), t("0-1亿", "0-0.1bn"), t("1-10亿", "0.1-1bn"), t("10-100亿", "1-10bn"),
            t("100亿以上", ">10bn")]
    charts.append(Chart(5, "figure5_profit.png",
                        t(f"图 5 互联网百强 {year} 年营业利润分布情况", f"Figure 5 Operating profit, {year}"),
                        lab5, _bins(op / YI, [0, 1, 10, 100], lab5)))
    denom = _num(members, "revenue").where(lambda s: s > 0).fillna(rev.where(rev > 0))
    lab6 = [t("负", "<0%"), "0-10%", "10-20%", "20-40%", t("40%以上", ">40%")]
    charts.append(Chart(6, "figure6_margin.png",
                        t(f"图 6 互联网百强 {year} 年营业利润率分布情况", f"Figure 6 Operating margin, {year}"),
                        lab6, _bins(op / denom, [0, 0.1, 0.2, 0.4], lab6)))
    prov = members["province"].astype("string").dropna() if "province" in members.columns else pd.Series([])
    counts = prov.value_counts()
    order = sorted(counts.index, key=lambda p: (-counts[p], p))
    charts.append(Chart(7, "figure7_provinces.png",
                        t("图 7 互联网百强总部所在省份分布", "Figure 7 Headquarters by province"),
                        [t(PROVINCE_ZH.get(p, p), p) for p in order], [float(counts[p]) for p in order]))
    return charts


def _draw(chart: Chart, path: Path, font: str | None, zh: bool) -> None:
    fig = Figure(figsize=(7.5, 4.2), dpi=110)
    ax = fig.add_subplot()
    x = np.arange(len(chart.labels))
    bars = ax.bar(x, chart.values, color="#c0392b" if chart.number in (1, 5) else "#2f6f9f")
    ax.bar_label(bars, labels=[f"{v:.0f}" for v in chart.values], fontsize=8)
    ax.set_xticks(x, chart.labels, rotation=30 if len(chart.labels) > 6 else 0, ha="right" if len(chart.labels) > 6 else "center",
                  fontsize=8)
    ax.set_ylabel("企业数量（家）" if zh else "companies")
    if chart.secondary is not None:
        ax2 = ax.twinx()
        ax2.plot(x, chart.secondary, color="#e67e22", marker="o")
        ax2.set_ylabel("互联网业务收入（亿元）" if zh else "internet revenue (100 M CNY)")
    ax.set_title(chart.title, fontsize=10)
    ax.spines[["top"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})  # no version stamp: reproducible bytes


def make_charts(members: pd.DataFrame, out_dir: Path, year: int) -> list[Chart]:
    """Draw the seven figures into ``out_dir``; return their data."""
    out_dir.mkdir(parents=True, exist_ok=True)
    font = require_cjk_font()
    zh = True
    charts = chart_data(members, year, zh)
    style = {"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(style):
        for chart in charts:
            _draw(chart, out_dir / chart.filename, font, zh)
    return charts
