"""What the report states, as data, and how this run's figures compare with it.

The figures are data of their list year (``[[published.figures]]`` of evaluation/<list year>.toml,
read through top100.year). Each ``PublishedFigure`` quotes the sentence of the report (section 二
unless said otherwise) that states it. Comparators: ``approx`` (within ``rel_tol``, 1% by default, or ``abs_tol`` where
the report words a figure loosely: 三成, 约三分之一), ``exact`` (counts), ``at_least`` (超过, 至少),
``range`` (接近五成, 近三成, or two statements of one figure: ``lo``..``hi``, ``hi`` defaulting to the value).

``consistency_checks`` recomputes statements that the report makes twice, from its own figures,
and from this run's where a figure exists (METHOD.md section 6): a statement computed twice must
agree, and where it does not the check says so.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


YI = 1e8


@dataclass(frozen=True)
class PublishedFigure:
    name: str  # the scoring.stats name it is compared with
    value: float
    unit: str  # CNY | share | ratio | count
    text: str  # the report's sentence, quoted
    comparator: str = "approx"  # approx | exact | at_least | range
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    lo: float | None = None  # for range: lo <= computed <= hi (hi defaults to value)
    hi: float | None = None

    def check(self, computed: float | None) -> tuple[float | None, bool]:
        """(difference computed - published, within tolerance)."""
        if computed is None:
            return None, False
        diff = computed - self.value
        match self.comparator:
            case "exact":
                ok = abs(diff) < 1e-9
            case "at_least":
                ok = computed >= self.value * (1 - 1e-12)
            case "range":
                lo = self.lo if self.lo is not None else float("-inf")
                ok = lo <= computed <= (self.hi if self.hi is not None else self.value)
            case _:
                ok = abs(diff) <= max(self.rel_tol * abs(self.value), self.abs_tol)
        return diff, bool(ok)


def _from_year(ctx) -> list[PublishedFigure]:
    return [PublishedFigure(**f.model_dump()) for f in ctx.published.figures] if ctx.published else []


def _figures_2015() -> list[PublishedFigure]:
    """The 2015 report's figures, as evaluation/2015.toml ([[published.figures]]) states them."""
    from top100.year import load_year

    return _from_year(load_year(2014))


# the 2015 report's figures (evaluation/2015.toml): the default of side_by_side and the order of
# side_by_side_text
PUBLISHED: list[PublishedFigure] = _figures_2015()
BY_NAME = {p.name: p for p in PUBLISHED}
# the reports whose self-consistency checks are carried here (consistency_checks), by the year
# file's ``published.report``; the figures themselves are the year file's ``[[published.figures]]``
REPORTS = ("2015",)


def published_figures(ctx) -> list[PublishedFigure]:
    """The published figures of the year (top100.year.YearContext ``published``); none when no
    report was published for it."""
    pub = getattr(ctx, "published", None)
    if pub is None:
        return []
    if pub.report is not None and pub.report not in REPORTS:
        raise ValueError(f"{ctx.file}: published.report {pub.report!r} is not one of {', '.join(REPORTS)}")
    return _from_year(ctx)


def side_by_side(computed: dict[str, float | None], published: list[PublishedFigure] | None = None) -> list[dict]:
    """One figure dict per published figure (the shape of marts.write_report_figures):
    name, value, unit, published, published_text, difference, within_tolerance; plus comparator.
    ``published``: the year's figures (published_figures), the 2015 report's by default."""
    rows = []
    for p in (PUBLISHED if published is None else published):
        value = computed.get(p.name)
        diff, ok = p.check(value)
        rows.append({"name": p.name, "value": value, "unit": p.unit, "published": p.value,
                     "published_text": p.text, "difference": diff, "within_tolerance": ok,
                     "comparator": p.comparator})
    return rows


def _fmt(v: float | str | None, unit: str) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if unit == "CNY":
        return f"{v / YI:,.1f} 亿元"
    if unit in ("share", "ratio"):
        return f"{v * 100:.1f}%"
    return f"{v:,.0f}"


def _fmt_diff(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "CNY":
        return f"{v / YI:+,.1f} 亿元"
    if unit in ("share", "ratio"):
        return f"{v * 100:+.1f} pt"
    return f"{v:+,.0f}"


def formatted(row: dict) -> dict:
    """A side-by-side row with its numbers as display text."""
    return {**row, "published_fmt": _fmt(row["published"], row["unit"]),
            "value_fmt": _fmt(row["value"], row["unit"]),
            "difference_fmt": _fmt_diff(row["difference"], row["unit"])}


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _records(figures) -> list[dict]:
    """Figure dicts from a list or from ``warehouse.reads.report_figures`` (NaN read as None)."""
    if hasattr(figures, "to_dict"):
        figures = figures.to_dict("records")
    out = []
    for f in figures:
        f = {k: (None if isinstance(v, float) and v != v else v) for k, v in dict(f).items()}
        # None: not evaluated (the figure needs last year's list, which the warehouse lacks)
        f["within_tolerance"] = None if f.get("within_tolerance") is None else bool(f["within_tolerance"])
        out.append(f)
    return out


def side_by_side_text(figures) -> str:
    """The plain-text table that ``top100 report`` prints (and the README shows); ``figures`` is
    a list of figure dicts or the DataFrame of ``warehouse.reads.report_figures``."""
    order = {p.name: i for i, p in enumerate(PUBLISHED)}  # the report's order, whatever the input's
    figures = sorted(_records(figures), key=lambda f: (order.get(f["name"], len(order)), f["name"]))
    head = ("figure", "published", "this run", "difference", "ok")
    body = []
    for f in figures:
        r = formatted(f)
        mark = ("n/a" if f["within_tolerance"] is None else "yes" if f["within_tolerance"]
                else "NO*" if f["name"] in CONTRADICTED
                else "NO†" if f["name"] in UNREACHABLE else "NO")
        body.append((f["name"], r["published_fmt"], r["value_fmt"], r["difference_fmt"], mark))
    widths = [max(_width(str(x[i])) for x in [head, *body]) for i in range(len(head))]

    def pad(text: str, w: int, left: bool) -> str:
        fill = " " * (w - _width(text))
        return text + fill if left else fill + text

    lines = ["  ".join(pad(str(c), w, i == 0) for i, (c, w) in enumerate(zip(x, widths))).rstrip()
             for x in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    n_ok = sum(1 for f in figures if f["within_tolerance"])
    n_na = sum(1 for f in figures if f["within_tolerance"] is None)
    lines.append(f"{n_ok} of {len(figures) - n_na} within tolerance"
                 + (f"; {n_na} n/a (last year's list is not in the warehouse)" if n_na else "")
                 + ("; * the report contradicts itself here (see the consistency checks)"
                    if any(f["name"] in CONTRADICTED and not f["within_tolerance"] for f in figures) else "")
                 + ("; † cannot hold together with the real figures and the report's other statements"
                    if any(f["name"] in UNREACHABLE and not f["within_tolerance"] for f in figures) else ""))
    return "\n".join(lines)


# Published figures that another statement of the report contradicts: a calibrated run keeps
# the amounts, so these cannot all agree (METHOD.md section 6).
CONTRADICTED = {"profit_above_1bn_share": "profit_share_of_top8"}

# Published figures that cannot hold together with the real FY2014 figures and the report's
# other statements (top 5 = 322.3 bn and nine companies above 10 bn put the top 10 at 64.7% or
# more of 573.5 bn); mirror/data/README.md gives the arithmetic.
UNREACHABLE = {"top10_share": "top 5 = 3223 亿元 and 9 companies above 100 亿元 imply a top-10 share of at least 64.7%"}


def _check(name, a_text, a, b_text, b, *, rel=0.01, abs_tol=0.0, bound=False, note="", computed=None,
           unit="share") -> dict:
    """Statement a against statement b: equal (text), a >= b (``bound``: 超过), or within tolerance."""
    if a is None or b is None:
        agree = False
    elif isinstance(a, str):
        agree = a == b
    elif bound:
        agree = a >= b
    else:
        agree = abs(a - b) <= max(rel * abs(b), abs_tol)
    return {"name": name, "statement_a": a_text, "value_a": a, "statement_b": b_text, "value_b": b,
            "agree": bool(agree), "note": note, "computed": computed, "unit": "text" if isinstance(a, str) else unit}


def consistency_checks(computed: dict[str, float | None] | None = None, ctx=None) -> list[dict]:
    """The 2015 report's statements checked against each other (and this run's figures, where
    given); its table 1 and information-consumption figure come from the year (``ctx``, by
    default evaluation/2015.toml)."""
    if ctx is None:
        from top100.year import load_year

        ctx = load_year(2014)
    table1 = ctx.reference.global_top30
    TABLE1 = [tuple(r) for r in table1.rows] if table1 else []
    TABLE1_DATE = table1.date.isoformat() if table1 else None
    TEXT_MARKET_VALUE_DATE = ctx.valuation_date.isoformat()
    info = ctx.reference.information_consumption
    INFORMATION_CONSUMPTION_2014 = info.value if info else float("nan")
    c = computed or {}
    pf = {p.name: p.value for p in PUBLISHED}
    table1_members = [r for r in TABLE1 if r[4]]
    type_sum = sum(v for k, v in pf.items() if k.startswith("type_count_"))
    prov_sum = sum(v for k, v in pf.items() if k.startswith("province_") and k != "province_count")
    return [
        _check("top5_share_summary_vs_body", "内容摘要：前五名营收总和超过百强总营收的 40%", 0.40,
               "正文：达到总营收的 56%", 0.56, abs_tol=0.01,
               note="the summary understates the body's share by 16 points; both cannot be the figure",
               computed=c.get("top5_share")),
        _check("top5_share_body_vs_amounts", "3223 亿元 / 5735 亿元", 3223 / 5735, "达到总营收的 56%", 0.56,
               abs_tol=0.005, computed=c.get("top5_share")),
        _check("growth_vs_amounts", "5735 亿元 / 3980 亿元 - 1", 5735 / 3980 - 1, "增加了 44%", 0.44,
               abs_tol=0.005, computed=c.get("growth_vs_previous_list")),
        _check("profit_share_of_top8", "514.7 亿元 / 787 亿元", 514.7 / 787, "占全部营业利润的 85%", 0.85,
               abs_tol=0.005,
               note=(f"85% would need a total of {514.7 / 0.85:.1f} 亿元; the amounts are kept and the share "
                     "is wrong" + (f"; this run: {c['profit_above_1bn_share'] * 100:.1f}%"
                                   if c.get("profit_above_1bn_share") is not None else "")),
               computed=c.get("profit_above_1bn_share")),
        _check("business_type_counts_sum", "9 类业务的企业数之和", type_sum, "百强", 100.0,
               note=f"the nine named types add up to {type_sum:.0f}; the rest are not classified"
               + (f"; this run: {c['type_count_named_sum']:.0f} named, {c.get('type_count_other') or 0:.0f} other"
                  if c.get("type_count_named_sum") is not None else ""),
               computed=c.get("type_count_named_sum"), unit="count"),
        _check("market_value_date", "正文：截至 2015 年 6 月 25 日", TEXT_MARKET_VALUE_DATE,
               "表 1：总市值 (2015 年 6 月 15 日)", TABLE1_DATE,
               note="two valuation dates for one statement; this run values the list on the configured date"),
        _check("mean_margin_definition", "平均营业利润率 10.7%", 0.107, "787 亿元 / 5735 亿元 (weighted)",
               787 / 5735, abs_tol=0.005,
               note="10.7% is not total profit over total revenue (13.7%); it is read as the unweighted "
                    "mean of the companies' margins" + (
                   f"; this run: unweighted {c['mean_margin'] * 100:.1f}%, weighted {c['weighted_margin'] * 100:.1f}%"
                   if c.get("mean_margin") is not None and c.get("weighted_margin") is not None else ""),
               computed=c.get("mean_margin")),
        _check("figure4_caption_year", "图 4 标题：2013 年营收总额", "2013", "正文：2014 年", "2014",
               note="the caption names the wrong year; figure 4 here is drawn from fiscal 2014"),
        _check("summary_guangzhou_vs_guangdong", "内容摘要：北京、上海、广州三地", "广州",
               "正文：广东 16 家", "广东",
               note="the summary names a city (广州) where the body counts a province (广东)"),
        _check("rd_ratio_two_statements", "平均研发支出比例超过 11.3%", 0.113, "平均研发支出占营收比率达到 11%",
               0.11, abs_tol=0.005, computed=c.get("rd_ratio_mean")),
        _check("listing_counts_sum", "23 + 13 + 35", 23 + 13 + 35.0, "共有 71 家", 71.0,
               computed=c.get("listed_count"), unit="count"),
        _check("loss_share_vs_profitable", "100 - 73 家盈利企业", 0.27, "近三成企业存在亏损", 0.30, abs_tol=0.05,
               computed=c.get("loss_share")),
        _check("province_counts_sum", "各省企业数之和", prov_sum, "百强", 100.0, unit="count"),
        _check("big_three_share", "46 + 19 + 16 家", (46 + 19 + 16) / 100, "三地入围企业数量占比超过 80%", 0.80,
               bound=True, computed=c.get("big_three_share")),
        _check("information_consumption_share", "5735 亿元 / 2.8 万亿元", 5735 * YI / INFORMATION_CONSUMPTION_2014,
               "比重达到 20.5%", 0.205, abs_tol=0.0005, computed=c.get("information_consumption_share")),
        _check("ecommerce_over_half", "3078 亿元 / 5735 亿元", 3078 / 5735, "超过一半 (≥ 50%)", 0.5, bound=True,
               computed=c.get("ecommerce_share")),
        _check("table1_members", "表 1 中标注的百强企业", float(len(table1_members)), "12 家企业跻身其中", 12.0,
               computed=c.get("global_top30_list_members"), unit="count"),
        _check("table1_top10_members", "表 1 前 10 名中的百强企业", float(sum(1 for r in table1_members if r[0] <= 10)),
               "其中 4 家入围全球前 10", 4.0, computed=c.get("global_top10_list_members"), unit="count"),
    ]
