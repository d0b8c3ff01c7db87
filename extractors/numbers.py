"""Printed numbers and units, read exactly (Decimal) or refused with a clear error.

A figure in a report is a string such as ``1,234.56``, ``(1,208)``, ``-69,201,051.39``,
``913, 789`` (split by a space or a line break), full-width ``１，２３４`` or a dash meaning
nil. Units sit in a header (``单位：元``, ``HK$'000``) or inside a label (``营业收入（元）``).
Nothing here guesses: an ambiguous string raises NumberFormatError, an unknown unit UnitUnknown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from top100.errors import NumberFormatError, UnitUnknown

# Dashes and words that mean "nothing printed here" (not zero-valued facts).
NIL_WORDS = frozenset({"-", "--", "---", "–", "—", "——", "不适用", "不適用", "n/a", "na", "nil", "/"})
_MINUS = {"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\ufe63": "-", "\uff0d": "-"}
# thousands groups must be exactly three digits; a comma decimal separator is refused, not guessed
_NUMBER = re.compile(r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), the many minus signs to '-', spaces and line breaks out."""
    text = unicodedata.normalize("NFKC", text)
    for k, v in _MINUS.items():
        text = text.replace(k, v)
    return re.sub(r"\s+", "", text)


def is_nil(text: str) -> bool:
    return normalise(text).lower() in NIL_WORDS


def parse_number(text: str) -> Decimal | None:
    """The exact value of a printed number; None for a nil dash. Raises NumberFormatError."""
    s = normalise(text)
    if s.lower() in NIL_WORDS:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    m = _NUMBER.match(s)
    if not m:
        raise NumberFormatError(f"not a number as printed: {text!r}")
    if negative and m.group("sign"):
        raise NumberFormatError(f"both parentheses and a sign: {text!r}")
    try:
        value = Decimal(m.group("int").replace(",", "") + ("." + m.group("frac") if m.group("frac") else ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits digits only
        raise NumberFormatError(f"not a number as printed: {text!r}") from exc
    if negative or m.group("sign") == "-":
        value = -value
    return value


def looks_numeric(text: str) -> bool:
    """A token that is meant as a figure (digits with separators, parentheses, a sign)."""
    s = normalise(text)
    return bool(re.fullmatch(r"[-+(]?[\d,]*\d(\.\d+)?\)?", s)) and any(c.isdigit() for c in s)


def join_split(tokens: list[str]) -> list[str]:
    """Join a number split by a space or a line break after a thousands comma (``913,`` ``789``)."""
    out: list[str] = []
    for tok in tokens:
        t = normalise(tok)
        if out and re.search(r"\d,$", normalise(out[-1])) and re.match(r"^\d{3}([,.]|\)|$)", t):
            out[-1] = out[-1] + tok
        else:
            out.append(tok)
    return out


def to_float(value: Decimal) -> float:
    """The float nearest to an exact amount; refuses amounts a float cannot hold to the cent."""
    f = float(value)
    if abs(Decimal(repr(f)) - value) >= Decimal("0.005"):
        raise NumberFormatError(f"{value} cannot be held to the cent as a float")
    return f


# --- units --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    printed: str  # as printed: 元, 千元, HK$'000, ...
    scale: Decimal  # factor to the currency's base unit
    currency: str | None  # CNY | HKD | USD; None for counts

    def apply(self, number: Decimal) -> Decimal:
        return number * self.scale


_CN_SCALES = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000, "亿元": 100_000_000}
_EN_SCALES = {"'000": 1_000, "000": 1_000, "thousand": 1_000, "thousands": 1_000, "million": 1_000_000,
              "millions": 1_000_000, "m": 1_000_000, "mn": 1_000_000, "": 1}
_CURRENCY = {"HK$": "HKD", "HKD": "HKD", "RMB": "CNY", "CNY": "CNY", "人民币": "CNY", "US$": "USD",
             "USD": "USD", "$": "USD", "港元": "HKD", "港币": "HKD", "美元": "USD"}
COUNT_UNITS = {"人": Decimal(1), "名": Decimal(1), "万人": Decimal(10_000)}


def _apos(s: str) -> str:
    return s.replace("’", "'").replace("‘", "'").replace("`", "'")


def parse_unit(text: str, *, default_currency: str | None = None) -> Unit:
    """A unit as printed ('千元', '人民币万元', "HK$'000", 'RMB million', 'US$') -> Unit.

    Chinese units without a currency word take ``default_currency`` (CNY in A-share reports)."""
    raw = text.strip()
    s = _apos(normalise(raw))
    cn = re.fullmatch(r"(人民币|港元|港币|美元)?(元|千元|万元|百万元|亿元)", s)
    if cn:
        cur = _CURRENCY.get(cn.group(1) or "", default_currency)
        if cur is None:
            raise UnitUnknown(f"unit {raw!r} names no currency and none is known for the document")
        return Unit(raw, Decimal(_CN_SCALES[cn.group(2)]), cur)
    hk = re.fullmatch(r"(千|万|百万)?(港元|港币|美元|人民币元|人民币)", s)
    if hk:
        scale = {"千": 1_000, "万": 10_000, "百万": 1_000_000}.get(hk.group(1) or "", 1)
        cur = {"港元": "HKD", "港币": "HKD", "美元": "USD"}.get(hk.group(2), "CNY")
        return Unit(raw, Decimal(scale), cur)
    if s in COUNT_UNITS:
        return Unit(raw, COUNT_UNITS[s], None)
    en = re.fullmatch(r"(?i)(HK\$|HKD|RMB|CNY|US\$|USD)(?:in)?('000|000|thousands?|millions?|mn|m)?", s)
    if en:
        return Unit(raw, Decimal(_EN_SCALES[(en.group(2) or "").lower()]), _CURRENCY[en.group(1).upper()])
    raise UnitUnknown(f"unknown unit {raw!r}")


# unit markers inside text: a header line (单位：元), a label suffix（元）, an English table head
_UNIT_IN_TEXT = [
    re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(?P<u>百万元|千元|万元|亿元|元)"),
    re.compile(r"(?:金额|货币)单位(?:均)?为\s*(?:人民币)?\s*(?P<u>百万元|千元|万元|亿元|元)"),
    # (除另有标明外，所有金额均以人民币千元列示): a statement's unit as a phrase under its title
    re.compile(r"金额(?:均|皆)?以\s*(?:人民币)?\s*(?P<u>百万元|千元|万元|亿元|元)\s*(?:列示|为单位|表示|计)"),
    re.compile(r"[（(]\s*(?:单位\s*[:：])?\s*(?:人民币)?(?P<u>百万元|千元|万元|亿元|元)\s*[)）]"),
    re.compile(r"(?i)(?P<u>(?:HK\$|RMB|US\$)\s*['’]?000)"),
    re.compile(r"(?i)(?P<u>(?:HK\$|RMB|US\$)\s*(?:thousands?|millions?))"),
    re.compile(r"(?P<u>(?:千|百万)(?:港元|港币|美元|人民币元))"),
    re.compile(r"(?i)in\s+(?P<u>(?:thousands|millions))\s+of\s+(?P<c>RMB|HK\$|US\$|HKD|USD)"),
]


def find_unit(text: str, *, default_currency: str | None = None) -> Unit | None:
    """The first money unit marker found in a header, label or line of text, or None."""
    for pat in _UNIT_IN_TEXT:
        m = pat.search(_apos(text))
        if m:
            u = m.group("u")
            if "c" in m.groupdict() and m.group("c"):
                u = m.group("c") + u
            return parse_unit(u, default_currency=default_currency)
    return None


# --- cells of forms and delivered files ---------------------------------------------------------
# A cell holds one figure typed by a person or written by an exporter, not a line of a printed
# report: nothing is joined, and what NFKC would turn into digits (footnote marks ¹, circled or
# parenthesised digits ⑽ ⑩, digits of other scripts) is refused before normalising, so that
# "176385¹" is never read as 1763851 nor "⑽" as -10. Hand-written: no library parses figures
# with this refusal policy (babel/locale parsers accept and reinterpret such text).
CELL_MAX_CHARS = 64
CELL_MAX_ABS = Decimal("1e18")  # no figure of a company, in 元 or heads, comes near this
# ASCII and full-width digits, separators, signs, parentheses; spaces only around the figure
_CELL_CHARS = re.compile(r"^[0-9０-９,，.．+＋()（）\-\u2212\u2012\u2013\u2014\u2010\ufe63\uff0d]+$")


def parse_cell_number(text: str) -> Decimal | None:
    """The exact value of one cell's figure; None for a nil dash. Raises NumberFormatError naming
    what is wrong: footnote marks, circled digits, digits split by spaces, other scripts, a
    figure that is not finite or out of range."""
    if len(text) > CELL_MAX_CHARS:
        raise NumberFormatError(f"a cell of {len(text)} characters where a figure belongs")
    s = text.strip()
    if is_nil(s) if s else False:
        return None
    if re.search(r"\d\s+\d", s):
        raise NumberFormatError(f"digits separated by a space in {text!r}: one figure or two? refused")
    if re.search(r"[0-9]", s) and re.search(r"[０-９]", s):
        raise NumberFormatError(f"half-width and full-width digits mixed in {text!r}: refused")
    odd = sorted({c for c in s if not _CELL_CHARS.match(c)})
    if odd:
        names = ", ".join(f"{c!r} ({unicodedata.name(c, 'U+%04X' % ord(c))})" for c in odd[:3])
        raise NumberFormatError(f"not a plain figure: {text!r} holds {names}")
    value = parse_number(s)
    if value is not None:
        check_finite(value, text)
    return value


def check_finite(value: Decimal | float, text: object = None) -> Decimal | float:
    """``value`` if finite and within ±CELL_MAX_ABS; NumberFormatError otherwise."""
    shown = text if text is not None else value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberFormatError(f"not a finite number: {shown!r}")
        if abs(value) > float(CELL_MAX_ABS):
            raise NumberFormatError(f"{shown!r} is out of range (over {CELL_MAX_ABS:.0e})")
        return value
    if not value.is_finite():
        raise NumberFormatError(f"not a finite number: {shown!r}")
    if abs(value) > CELL_MAX_ABS:
        raise NumberFormatError(f"{shown!r} is out of range (over {CELL_MAX_ABS:.0e})")
    return value
