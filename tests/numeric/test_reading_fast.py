"""plain_float, the Fraction-free road for plain decimal literals: it must give exactly the
float64 the exact road gives (float of the Fraction), bit for bit, or decline."""

from __future__ import annotations

import math
import struct
from decimal import Context, Decimal
from fractions import Fraction

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from grader.numeric import NumberError, parse_number, read_array, read_entries
from grader.numeric.reading import plain_float, scalar_value

_WIDE = Context(prec=2000)  # enough digits for the exact decimal of any float64 midpoint


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


def _exact_float(text: str) -> float | None:
    """The float the exact road gives, None where it refuses the text."""
    try:
        value = parse_number(text)
    except NumberError:
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def _check(text: str) -> None:
    fast = plain_float(text)
    if fast is None:
        return
    exact = _exact_float(text)
    assert exact is not None, text
    assert _bits(fast) == _bits(exact), (text, fast, exact)


def _midpoint_text(x: float, shift: int) -> str:
    """The exact decimal halfway between x and the next float up, moved by `shift` units in
    its last digit (0: exactly halfway, the case round-half-even decides)."""
    up = _WIDE.add(Decimal(x), Decimal(math.ulp(x)))  # exact, also above the largest float
    middle = _WIDE.divide(_WIDE.add(Decimal(x), up), Decimal(2))
    exponent = middle.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite value
    unit = Decimal((0, (1,), exponent))
    return str(_WIDE.add(middle, _WIDE.multiply(Decimal(shift), unit)))


finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(finite_floats, st.sampled_from((-1, 0, 1)))
@example(5e-324, 0)  # halfway to the smallest subnormal
@example(2.2250738585072014e-308, 0)  # the normal / subnormal border
@example(1.7976931348623157e308, -1)  # just below the overflow threshold
@example(1.7976931348623157e308, 0)  # exactly at it: rounds to inf, the exact road refuses
@example(0.1, 0)
@example(1.0, 0)
def test_halfway_cases_round_like_the_fraction(x: float, shift: int) -> None:
    _check(_midpoint_text(abs(x), shift))
    _check("-" + _midpoint_text(abs(x), shift))


@given(
    st.sampled_from(("", "+", "-", "\u2212")),
    st.text("0123456789", max_size=40),
    st.one_of(st.none(), st.text("0123456789", max_size=40)),
    st.one_of(st.none(), st.integers(-460, 460), st.sampled_from(("+0005", "-0000", "007"))),
    st.sampled_from(("e", "E")),
    st.sampled_from(("", " ", "\t ")),
)
def test_written_literals_read_like_the_fraction(
    sign: str, whole: str, frac: str | None, exp: int | str | None, e: str, space: str
) -> None:
    text = sign + whole + ("" if frac is None else "." + frac)
    if exp is not None:
        text += f"{e}{exp}"
    _check(space + text + space)


@given(st.lists(st.one_of(finite_floats.map(repr), st.sampled_from(("0", "-0.0", "1/3", "x"))),
                min_size=1, max_size=12))  # fmt: skip
def test_read_entries_equals_the_exact_reading(texts: list[str]) -> None:
    expected = []
    for text in texts:
        exact = _exact_float(text)
        expected.append(np.nan if exact is None else exact)
    try:
        entries = read_entries(texts)
    except NumberError:
        assert all(math.isnan(v) for v in expected)
        return
    assert [_bits(v) for v in entries.array] == [_bits(v) for v in expected]


def test_zero_is_read_exactly_without_a_sign() -> None:
    # float("-0.0") is -0.0; the exact reading of -0.0 is the Fraction 0, i.e. +0.0.
    assert plain_float("-0.0") is None
    assert _bits(scalar_value("-0.0")) == _bits(0.0)
    assert _bits(float(read_array(["-0.0"])[0])) == _bits(0.0)


def test_what_plain_float_declines() -> None:
    for text in ("1/3", "9.86*10^-2", "1e401", "1e99999999", "1e400", "nan", "0,5", "", "0x10"):
        assert plain_float(text) is None, text
    assert plain_float("1e-401") is None  # beyond the exponent bound: an error on the exact road
    assert plain_float("1e308") == 1e308
    assert plain_float(" \u22122.5 ") == -2.5
    assert Fraction(plain_float("0.1") or 0) != Fraction(1, 10)  # a float, not the decimal
