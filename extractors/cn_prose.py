"""Figures an A-share report prints in sentences: the staff count of a sentence dated to the
year's end (read once, said so), and any other metric of the year that no table gave but a
sentence prints (an error names it; a sentence has no columns, so it is not read). The pages
after the statements are opened again only for these (``LazyTexts``).
"""

from __future__ import annotations

import re

from extractors.cn_readings import Collector
from extractors.labels import simplify
from extractors.layout import TextPass
from extractors.numbers import parse_unit
from extractors.picking import number_of
from extractors.result import ExtractResult, error_row
from top100.errors import FigureNotRead


class LazyTexts:
    """Page texts in page order, those of the fast pass first; the others read on demand by a
    second text pass over the same bytes, opened on the first page missing and closed after."""

    def __init__(self, data: bytes, name: str, n_pages: int, known: dict[int, str]) -> None:
        self.data, self.name, self.n_pages, self.known = data, name, n_pages, known

    def items(self):
        tp = None
        try:
            for n in range(1, self.n_pages + 1):
                if n not in self.known:
                    tp = tp or TextPass(self.data, self.name)
                    self.known[n] = tp.text(n)
                yield n, self.known[n]
        finally:
            if tp is not None:
                tp.close()


# Metrics a report may print only in a sentence of its MD&A ("研发费用投入166,066,239.06元",
# "利润总额190,905,713.07元", "2024 年度公司研发投入 6.16 亿元"), by the words that name them.
PROSE_LABELS = {"rd_investment": ("研发投入",), "rd_expense": ("研发费用投入", "研发费用"),
                "profit_before_tax": ("利润总额",), "employees_total": ("公司员工", "名员工", "员工总数", "在职员工")}


# a label, a few non-digit characters at most (no clause break), a number, and its unit right after
# it: how a sentence prints a figure (a table row prints its unit above the columns, not after each)
_PROSE = re.compile(r"(?P<label>%s)[^\d，。；;,.、（）()]{0,6}?(?P<raw>-?\d[\d,]*(?:\.\d+)?)(?P<unit>亿元|万元|元|人|名)"
                    % "|".join(sorted({w for ws in PROSE_LABELS.values() for w in ws}, key=len, reverse=True)))


# a head count printed before its noun: 公司共拥有 44,361 名员工
_PROSE_COUNT = re.compile(r"(?:共有|拥有|共计|合计|总数为|总数|有)(?P<raw>\d[\d,]*)(?P<unit>名|人)(?P<label>员工|在职员工|职工)")


def report_prose_figures(texts: "LazyTexts", fy: int | None, result: ExtractResult, name: str,
                   company_id: str | None) -> None:
    """A metric of the year that no table gave but a sentence prints is never missing silently:
    an error names the document, the page, the metric and the sentence's figure, which is not
    read (a sentence has no columns, so its year and scope cannot be checked like a table's)."""
    if fy is None:
        return
    have = {f.metric for f in result.facts if f.fiscal_year == fy}
    for metric, words in PROSE_LABELS.items():
        if metric in have:
            continue
        for page, text in texts.items():
            flat = re.sub(r"\s+", "", text)  # a sentence wraps anywhere, even inside its label
            m = next((m for m in _PROSE.finditer(flat) if m.group("label") in words and
                      (m.group("unit") in ("人", "名")) == (metric == "employees_total")), None)
            if m is None and metric == "employees_total":
                m = _PROSE_COUNT.search(flat)
            if m is None:
                continue
            result.errors.append(error_row(FigureNotRead(
                f"{metric} {fy}: {m.group('label')} {m.group('raw')} {m.group('unit')} is printed in a sentence "
                f"on page {page}, which is not read (no table of the document prints it)", page=page),
                document=name, company_id=company_id))
            break


# a head count in a sentence dated to the year's end: 截至 2023 年 12 月 31 日，公司共有 1,747 名员工;
# 截至报告期期末，公司员工 9,788 人
_DATED_COUNT = re.compile(r"截至(?:本)?报告期(?:期)?末|报告期末|截至(?P<y>(?:19|20)\d{2})年(?:12月31日|末|底)")


_COUNT_IN_SENTENCE = re.compile(r"(?:公司|本公司|集团|本集团)(?:共|总)?(?:有|拥有|计|在职)?(?:员工|职工)?(?:总数|人数|总人数)?(?:为|共|有)?"
                                r"(?P<raw>\d[\d,]*)(?:名|人)(?:员工|职工)?")


def read_dated_head_count(texts: "LazyTexts", fy: int, out: "Collector") -> None:
    """The staff count of a report that prints it only in a sentence dated to the end of the
    year (a summary, 摘要): read once, from the first such sentence, and said so (single source).
    An undated sentence is not read (see report_prose_figures: an error names it)."""
    for page, text in texts.items():
        flat = re.sub(r"\s+", "", simplify(text))
        for sentence in re.split(r"[。；;]", flat):
            date = _DATED_COUNT.search(sentence)
            if not date or (date.group("y") and int(date.group("y")) != fy):
                continue
            m = _COUNT_IN_SENTENCE.search(sentence, date.end())
            if not m or not re.search(r"员工|职工", sentence[m.start():m.end() + 4]):
                continue
            out.add("employees_total", fy, number_of(m.group("raw")), parse_unit("人"), page, sentence[:120],
                    m.group("raw"), None, "mdna_sentence")
            return
