"""Figures an HK report prints outside its statements' tables: R&D expenses stated only in a
sentence of the notes, an A+H report's R&D investment row translated from the A-share template,
and the staff count (the sentence is found by extractors.hk_employees). Each is read once and
said so (single source: no table prints them).
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors.hk_employees import find_employees
from extractors.hk_facts import CURRENCIES, annotate, period_end
from extractors.labels import simplify
from extractors.layout import PageLines
from extractors.numbers import Unit, parse_number, parse_unit
from extractors.result import ExtractResult, Origin, error_row, make_fact
from top100.errors import TableNotFound, UnitUnknown


RD_WORDS = re.compile(r"(?i)\bR&D\b|research\s+and\s+development")


_MONEY = r"(?P<cur>RMB|HK\$|US\$)\s?(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>million|billion|thousand)?"


_RD_SENTENCE = re.compile(
    r"(?i)(?:year|period)\s+ended\s+\d{1,2}\s+[a-z]+\s+(?P<year>(?:19|20)\d{2})[^.]{0,120}?(?:expenses?|costs?|expenditures?)"
    r"\s+(?:for\s+the\s+purpose\s+of\s+)?(?:R&D|research\s+and\s+development)[^.]{0,40}?(?:of|were|was|amounted\s+to|"
    r"totall?ed)\s+(?:approximately\s+)?" + _MONEY + r"(?:\s*\((?P<prior>(?:19|20)\d{2})\s*:\s*(?P<pcur>RMB|HK\$|US\$)\s?"
    r"(?P<pnum>\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s*(?P<pscale>million|billion|thousand)?\))?")


_SCALES = {"million": 1_000_000, "billion": 1_000_000_000, "thousand": 1000, None: 1}


def read_rd_sentence(texts: dict[int, str], origin: Origin, result: ExtractResult, name: str, years: list[int],
                 year_end: tuple[int, int] | None) -> None:
    """R&D expenses a report states only in a sentence of its notes ('During the year ended 31
    December 2025, the Group had incurred expenses for the purpose of R&D of approximately
    RMB85,747 million (2024: RMB70,686 million)'): read once, for the year the sentence names
    and the bracketed prior year, and said so (single source: no table prints them)."""
    for page, text in sorted(texts.items()):
        flat = re.sub(r"\s+", " ", text)
        m = _RD_SENTENCE.search(flat)
        if not m:
            continue
        label = flat[max(0, m.start() - 20):m.end()].strip()[:300]
        pairs = [(int(m.group("year")), m.group("cur"), m.group("num"), m.group("scale"))]
        if m.group("prior"):
            pairs.append((int(m.group("prior")), m.group("pcur"), m.group("pnum"), m.group("pscale")))
        for year, cur, num, scale in pairs:
            unit = Unit(f"{cur} {scale or ''}".strip(), Decimal(_SCALES[scale.lower() if scale else None]),
                        CURRENCIES[cur.upper()])
            fact = make_fact(origin, "rd_expense", year, Decimal(num.replace(",", "")), unit, page=page, label=label,
                             raw=f"{cur}{num} {scale or ''}".strip(), bbox=None, period_end=period_end(year, year_end))
            annotate(fact, [], conflict=False)
            result.facts.append(fact)
        return


# an A+H report's R&D table, translated from the A-share template: 'Total R&D investment
# 5,730,120,190' under 'Unit: Yuan Currency: RMB'
_RD_INVESTMENT_ROW = re.compile(r"(?im)^\s*total\s+(?:R&D|research\s+and\s+development)\s+investment\s+"
                                r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?)\s*$")


_UNIT_LINE = re.compile(r"(?i)unit\s*:\s*(yuan|rmb\s*'?000|thousand\s+yuan|ten\s+thousand\s+yuan|rmb)\b")


def read_rd_investment_row(texts: dict[int, str], origin: Origin, result: ExtractResult, name: str, fy: int,
                       year_end: tuple[int, int] | None) -> None:
    """R&D investment (capitalised part included) of the year from its one row, where the report
    prints the A-share R&D table in English with its unit above it; read once, said so."""
    for page, text in sorted(texts.items()):
        m = _RD_INVESTMENT_ROW.search(text)
        if not m:
            continue
        unit_m = None
        for u in _UNIT_LINE.finditer(text[:m.start()]):
            unit_m = u
        if unit_m is None:
            result.errors.append(error_row(UnitUnknown(
                f"rd_investment {fy}: 'Total R&D investment {m.group(1)}' has no unit line above it"),
                document=name, company_id=origin.company_id, page=page))
            return
        word = re.sub(r"\s+", " ", unit_m.group(1).lower())
        scale = {"yuan": 1, "rmb": 1, "thousand yuan": 1000, "ten thousand yuan": 10000}.get(word, 1000)
        unit = Unit(unit_m.group(0), Decimal(scale), "CNY")
        fact = make_fact(origin, "rd_investment", fy, Decimal(m.group(1).replace(",", "")), unit, page=page,
                         label="Total R&D investment", raw=m.group(1), bbox=None, period_end=period_end(fy, year_end))
        annotate(fact, [], conflict=False)
        result.facts.append(fact)
        return


def read_employees(found: tuple[int, str], pl: PageLines | None, fy: int | None, origin: Origin,
               result: ExtractResult, name: str, year_end: tuple[int, int] | None) -> None:
    page, text = found
    counts = find_employees(text)
    if not counts:
        return
    for year, raw, label in counts:
        if year is None:
            year = fy
        if year is None:
            result.errors.append(error_row(TableNotFound("employees found but no year for them"),
                                           document=name, company_id=origin.company_id, page=page))
            continue
        value = parse_number(raw)
        fact = make_fact(origin, "employees_total", year, value or Decimal(0), parse_unit("人"),
                         page=page, label=label, raw=raw, bbox=_find_word(pl, raw))
        annotate(fact, [], conflict=False)
        result.facts.append(fact)


def _find_word(pl: PageLines | None, raw: str):
    """The box of the printed number (first occurrence on the page's lines that mention staff)."""
    if pl is None:
        return None
    for ln in pl.lines:
        text = simplify(ln.text).lower()
        if "employ" in text or "staff" in text or "雇员" in text or "员工" in text or "(20" in text:
            for w in ln.words:
                if re.sub(r"[^\d,]", "", w.text) == raw:
                    return (w.x0, w.top, w.x1, w.bottom)
    return None
