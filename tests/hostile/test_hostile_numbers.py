"""Property-based tests of the number and unit parsers beyond tests/extractors (issue 10): any
string, any placement of separators, any spelling of a unit parses to the value it prints or to
a clear error, never to a different value."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from extractors.numbers import NIL_WORDS, normalise, parse_number, parse_unit, to_float
from top100.errors import NumberFormatError, UnitUnknown

# ASCII and the look-alikes reports print: full-width digits and marks, the many minus signs,
# spaces and line breaks (a figure split across a line)
ALPHABET = "0123456789,.-+() \n" + "０１２３４５６７８９，．－（）" + "\u2212\u2012\u2013\u2014\ufe63\u00a0"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=18))
def test_any_string_is_its_printed_value_or_an_error(s):
    try:
        v = parse_number(s)
    except NumberFormatError as exc:
        assert "number" in str(exc) or "parentheses" in str(exc)
        return
    n = normalise(s)
    if v is None:
        assert n.lower() in NIL_WORDS
        return
    body = n.strip("()+-")
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?|\d+(\.\d+)?", body), (s, v)  # only well-formed text parses
    assert abs(v) == Decimal(body.replace(",", ""))
    assert (v < 0) == n.startswith(("-", "(")) or v == 0


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), st.sets(st.integers(min_value=1, max_value=15), max_size=5))
@example(1234567, {4}).via("a first group of four digits")
@example(1234567, {1, 4}).via("the right grouping")
@example(1234567, {2, 4}).via("Indian-style grouping")
def test_commas_anywhere_but_the_thousands_are_refused(n, cuts):
    digits = str(n)
    cuts = sorted(c for c in cuts if c < len(digits))
    text = "".join(("," if i in cuts else "") + ch for i, ch in enumerate(digits))
    thousands = sorted(len(digits) - 3 * k for k in range(1, len(digits)) if len(digits) - 3 * k > 0)
    well_grouped = not cuts or cuts == thousands
    try:
        v = parse_number(text)
    except NumberFormatError:
        assert not well_grouped, text  # well-grouped numbers are never refused
        return
    assert well_grouped and v == n, text  # and nothing else is read, least of all as another value


UNITS = ["元", "千元", "万元", "百万元", "亿元", "人民币元", "人民币千元", "港元", "千港元", "百万美元",
         "HK$'000", "RMB'000", "US$'000", "RMB million", "HK$ thousands", "USD", "人", "万人"]


def _variants(draw_text: str, style: str) -> str:
    if style == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in draw_text)
    if style == "spaced":
        return f"  {draw_text}\n"
    if style == "lower":
        return draw_text.lower()
    if style == "curly":
        return draw_text.replace("'", "\u2019")
    return draw_text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(UNITS), st.sampled_from(["plain", "fullwidth", "spaced", "lower", "curly"]))
def test_a_unit_however_printed_has_one_scale_or_is_refused(unit, style):
    canonical = parse_unit(unit, default_currency="CNY")
    printed = _variants(unit, style)
    try:
        got = parse_unit(printed, default_currency="CNY")
    except UnitUnknown as exc:
        assert repr(printed.strip()) in str(exc) or "currency" in str(exc)
        return
    assert (got.scale, got.currency) == (canonical.scale, canonical.currency), (unit, printed)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("-1e16"), max_value=Decimal("1e16"), places=2, allow_nan=False,
                   allow_infinity=False))
def test_amounts_become_floats_to_the_cent_or_are_refused(d):
    try:
        f = to_float(d)
    except NumberFormatError as exc:
        assert str(d) in str(exc)
        return
    assert abs(Decimal(repr(f)) - d) < Decimal("0.005")


def test_nfkc_is_what_the_parser_sees():
    # the full-width comma and full stop are separators, not digits: the same value as ASCII
    assert parse_number("１２，３４５．６７") == parse_number("12,345.67") == Decimal("12345.67")
    assert unicodedata.normalize("NFKC", "（１，２０８）") == "(1,208)" and parse_number("（１，２０８）") == -1208
