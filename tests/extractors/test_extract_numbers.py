"""Printed numbers and units: any formatting of a number parses to the same value or a clear
error, never a wrong value (property-based, Hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import find_unit, join_split, parse_number, parse_unit, to_float
from top100.errors import NumberFormatError, UnitUnknown

amounts = st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)
FULLWIDTH = str.maketrans("0123456789,.-()", "０１２３４５６７８９，．－（）")


def grouped(d: Decimal) -> str:
    return f"{abs(d):,.2f}"


@settings(max_examples=300, deadline=None)
@given(amounts, st.sampled_from(["minus", "paren", "unicode_minus"]), st.booleans(), st.booleans())
def test_any_printing_parses_to_the_same_value(d, neg_style, fullwidth, split):
    body = grouped(d)
    if split and "," in body:  # a number broken after a thousands comma: "913, 789"
        i = body.index(",") + 1
        body = body[:i] + " " + body[i:]
    if d < 0:
        body = {"minus": "-" + body, "paren": f"({body})", "unicode_minus": "\u2212" + body}[neg_style]
    if fullwidth:
        body = body.translate(FULLWIDTH)
    assert parse_number(body) == d


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.-() 元%ab", min_size=1, max_size=14))
def test_garbage_is_an_error_or_a_consistent_value(s):
    """Whatever the string, the parser either refuses it or returns the value its digits say."""
    try:
        v = parse_number(s)
    except NumberFormatError as exc:
        assert repr(s.strip()) in str(exc) or "not a number" in str(exc) or "parentheses" in str(exc)
        return
    if v is None:
        return
    digits = "".join(c for c in s if c.isdigit() or c == ".")
    assert abs(v) == Decimal(digits)


@pytest.mark.parametrize("text", ["1,23", "1.234.567", "12,34,567", "1,234.5.6", "abc", "(1,208", "--5", "(-5)", "35.52%"])
def test_ambiguous_numbers_are_refused(text):
    with pytest.raises(NumberFormatError):
        parse_number(text)


@pytest.mark.parametrize("text,value", [("(1,208)", Decimal(-1208)), ("-", None), ("—", None), ("不适用", None),
                                        ("１，２３４．５６", Decimal("1234.56")), ("-69,201,051.39", Decimal("-69201051.39")),
                                        ("0.00", Decimal(0)), ("913, 789", Decimal(913789))])
def test_printed_forms(text, value):
    assert parse_number(text) == value


def test_split_number_tokens_are_joined():
    assert join_split(["913,", "789", "12"]) == ["913,789", "12"]


@pytest.mark.parametrize("printed,scale,currency", [
    ("元", 1, "CNY"), ("千元", 1_000, "CNY"), ("万元", 10_000, "CNY"), ("百万元", 1_000_000, "CNY"),
    ("亿元", 100_000_000, "CNY"), ("人民币千元", 1_000, "CNY"), ("HK$'000", 1_000, "HKD"), ("HK$’000", 1_000, "HKD"),
    ("RMB'000", 1_000, "CNY"), ("US$", 1, "USD"), ("RMB million", 1_000_000, "CNY"), ("千港元", 1_000, "HKD")])
def test_units(printed, scale, currency):
    u = parse_unit(printed, default_currency="CNY")
    assert (u.scale, u.currency) == (Decimal(scale), currency)


@pytest.mark.parametrize("text,printed", [("单位：元 币种：人民币", "元"), ("营业收入（万元）", "万元"), ("单位:千元", "千元"),
                                          ("2021 HK$’000", "HK$’000"), ("(单位：元)", "元")])
def test_units_found_in_headers_and_labels(text, printed):
    u = find_unit(text, default_currency="CNY")
    assert u is not None and u.printed.replace("’", "'") == printed.replace("’", "'")


@pytest.mark.parametrize("text", ["美金千", "thousand", "元/股x", ""])
def test_unknown_units_are_refused(text):
    with pytest.raises(UnitUnknown):
        parse_unit(text, default_currency="CNY")


def test_chinese_unit_without_a_known_currency_is_refused():
    with pytest.raises(UnitUnknown, match="currency"):
        parse_unit("万元")


def test_float_holds_amounts_to_the_cent():
    assert to_float(Decimal("1154114523.68")) == 1154114523.68
    with pytest.raises(NumberFormatError):
        to_float(Decimal("12345678901234567.89"))
