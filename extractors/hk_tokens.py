"""Amounts, years, currencies and units as HK statements and summaries print them.

The tokens of an HK table (extractors.hk_tables reads the table by column position): an amount
as printed (``76,705,162``, ``(52,399,474)``, a dash for nil), a year in a header (``2021``,
``FY2021``, ``2021年(1)``, ``二零二一年``), a column's own currency (``RMB``, ``US$``,
``HK$'000``, ``人民幣千元``) and the unit of a table's head (``(Amounts in millions of
Renminbi)``, ``(RMB'000)``): one scale must be stated; a scale word that is not read, or two
scales, is an error (``head_unit``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors.labels import simplify
from extractors.numbers import Unit


# an amount as printed: 76,705,162  (52,399,474)  223,076  0.18  –  (nil dashes count as zero)
_AMOUNT = re.compile(r"^\(?-?(?:\d{1,3}(?:,\d{3})+|\d{4,}|\d{1,3})(?:\.\d+)?\)?$")


_NIL = {"-", "–", "—", "−", "_", "nil", "Nil"}


# a year as a header prints it: 2021, FY2021, 2021年, 2021(1), 2021*, 2021年(1), (2021)
_YEAR = re.compile(r"^(?:FY)?((?:19|20)\d{2})(?:年)?(?:\(\d{1,2}\)|\([a-z]\)|[*#†]+|[¹²³⁴⁵⁶⁷⁸⁹]+)?$")
_DATE_HEAD = re.compile(r"^(?:(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|1[0-2])[/.]((?:19|20)\d{2})|"
                        r"((?:19|20)\d{2})[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01]))$")


_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}


_CN_YEAR = re.compile(r"^(?:截至)?([〇零○一二三四五六七八九]{4})年")


_CN_YEAR_WORD = re.compile(r"^[〇零○一二三四五六七八九]{4}年(?:度)?$")


# currencies as printed over columns or in a unit phrase -> ISO code
_CURRENCY_TOKENS = {"HK$": "HKD", "HKD": "HKD", "US$": "USD", "USD": "USD", "S$": "SGD", "SGD": "SGD", "RMB": "CNY",
                    "CNY": "CNY", "NT$": "TWD", "A$": "AUD", "MOP": "MOP", "MOP$": "MOP", "MYR": "MYR", "RM": "MYR",
                    "EUR": "EUR", "GBP": "GBP", "JPY": "JPY"}


_CURRENCY_WORDS = [(re.compile(r"(?i)\brenminbi\b|人民币"), "CNY"), (re.compile(r"(?i)hong\s+kong\s+dollars?|港元|港币"), "HKD"),
                   (re.compile(r"(?i)u\.?s\.?\s+dollars?|united\s+states\s+dollars?|美元"), "USD"),
                   (re.compile(r"(?i)singapore\s+dollars?|新加坡元"), "SGD")]


_SCALE_WORDS = {"000": 1000, "thousand": 1000, "thousands": 1000, "million": 10**6, "millions": 10**6, "mn": 10**6,
                "m": 10**6, "billion": 10**9, "billions": 10**9, "bn": 10**9}


_CUR_RE = r"(HK\$|US\$|S\$|NT\$|A\$|MOP\$?|RMB|HKD|USD|SGD|CNY|MYR|EUR|GBP|JPY)"


# a currency token with what follows it: RMB'000, RMB’Million, HK$ thousand, US$ (a bare currency)
# (a word after an apostrophe is the unit's scale, known or not; a word after a space only if it
# is a scale word: 'RMB RMB US$' over three columns is three currencies)
_UNIT_TOKEN = re.compile(rf"(?<![A-Za-z]){_CUR_RE}(?:\s*'\s*([A-Za-z]+|000)(?![A-Za-z$])|(000|mn|m)(?![A-Za-z$])|"
                         r"\s+(000|thousands?|millions?|billions?|mn|bn)(?![A-Za-z$])|(?![A-Za-z]))")


# a scale stated in words: 'in millions of Renminbi', 'Amounts in thousands', '(RMB in thousands)'
_SCALE_PHRASE = re.compile(r"(?i)\bin\s+(thousands|millions|billions)\b")


_CN_UNIT = re.compile(r"(千|百万|百萬)?(港元|港币|港幣|人民币|人民幣|美元|新加坡元)(千元|百万元|百萬元)?|(千元|百万元|百萬元)")


def cn_year(text: str) -> int | None:
    """'二零二一年' / '二〇二一年' / '截至二零二一年' -> 2021."""
    m = _CN_YEAR.match(text.replace(" ", ""))
    if not m:
        return None
    y = int("".join(_CN_DIGITS[c] for c in m.group(1)))
    return y if 1990 <= y <= 2100 else None


def word_year(text: str) -> int | None:
    t = text.strip()
    if t.startswith("(") and t.endswith(")") and _YEAR.match(t[1:-1]):
        t = t[1:-1]
    m = _YEAR.match(t)
    if m:
        return int(m.group(1))
    m = _DATE_HEAD.match(t)  # a column headed by its period's last day: '31/12/2025', '2025-12-31'
    if m:
        return int(m.group(1) or m.group(2))
    return cn_year(t) if _CN_YEAR_WORD.match(t.replace(" ", "")) else None


def is_amount(text: str) -> bool:
    t = text.strip().replace("−", "-")
    return t in _NIL or bool(_AMOUNT.match(t))


def amount_value(text: str) -> Decimal:
    t = text.strip().replace("−", "-")
    if t in _NIL:
        return Decimal(0)
    neg = t.startswith("(") and t.endswith(")") or t.startswith("-")
    v = Decimal(t.strip("()-").replace(",", ""))
    return -v if neg else v


def currency_of_token(text: str) -> str | None:
    """'RMB' / 'US$' / "HK$'000" / '(RMB’000)' / '人民幣千元' -> ISO currency, for a column's own header."""
    t = simplify(text).replace("’", "'").strip("()（） ")
    m = re.fullmatch(rf"(?i){_CUR_RE}(?:\s*'?\s*(?:000|thousands?|millions?|mn|m|billions?|bn))?", t)
    if m:
        return _CURRENCY_TOKENS.get(m.group(1).upper(), _CURRENCY_TOKENS.get(m.group(1)))
    m = _CN_UNIT.fullmatch(t)
    if m and m.group(2):
        return _cn_currency(m.group(2))
    return None


def _cn_currency(word: str) -> str:
    return {"港元": "HKD", "港币": "HKD", "港幣": "HKD", "美元": "USD", "新加坡元": "SGD"}.get(word, "CNY")


def head_unit(texts: list[str]) -> tuple[Unit | None, str | None, str | None]:
    """The unit of a table from the lines of its head (title block down to the first row):
    (unit, text as printed, error). One scale must be stated; currencies may be several (a
    convenience column), the first named is the reporting one."""
    scales: dict[int, str] = {}
    currencies: list[tuple[str, str]] = []
    bare: list[str] = []
    unknown: list[str] = []
    for raw in texts:
        t = simplify(raw).replace("’", "'").replace("‘", "'")
        for m in _UNIT_TOKEN.finditer(t):
            cur = _CURRENCY_TOKENS.get(m.group(1).upper(), _CURRENCY_TOKENS.get(m.group(1)))
            word = (m.group(2) or m.group(3) or m.group(4) or "").lower()
            if not cur:
                continue
            currencies.append((cur, m.group(0)))
            if not word:
                bare.append(m.group(0))
            elif word in _SCALE_WORDS:
                scales.setdefault(_SCALE_WORDS[word], m.group(0).strip())
            elif word in ("in",):  # '(RMB in thousands)': the scale follows as a phrase
                pass
            else:
                unknown.append(m.group(0).strip())
        for m in _SCALE_PHRASE.finditer(t):
            scales.setdefault(_SCALE_WORDS[m.group(1).lower()], m.group(0))
            for pat, code in _CURRENCY_WORDS:
                if pat.search(t):
                    currencies.append((code, pat.search(t).group(0)))
        for m in _CN_UNIT.finditer(t):
            if m.group(2):
                currencies.append((_cn_currency(m.group(2)), m.group(0)))
            word = m.group(1) or m.group(3) or m.group(4) or ""
            scale = 1000 if word.startswith("千") else 10**6 if word.startswith("百") else 1
            if scale > 1 or m.group(2):
                scales.setdefault(scale, m.group(0)) if scale > 1 else bare.append(m.group(0))
    if unknown and not scales:
        return None, unknown[0], f"unknown unit {unknown[0]!r} over the columns (a scale word that is not read)"
    if len(scales) > 1:
        shown = " and ".join(repr(v) for v in scales.values())
        return None, shown, f"two units over the columns ({shown}): the figures' scale is not chosen"
    if not currencies:
        if scales:
            (scale, printed), = scales.items()
            return Unit(printed, Decimal(scale), None), printed, None  # currency supplied by the caller
        return None, None, None
    cur, printed_cur = currencies[0]
    if scales:
        (scale, printed), = scales.items()
        return Unit(printed if cur in printed or printed_cur in printed else f"{printed_cur} {printed}".strip(),
                    Decimal(scale), cur), printed, None
    # a currency with no scale at all ('HK$' over the columns): figures in units of the currency
    return Unit(bare[0] if bare else printed_cur, Decimal(1), cur), bare[0] if bare else printed_cur, None
