"""Significant figures and decimal places counted from the typed text; exact decimal rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.model import Reason
from grader.numeric import NumberError, count_digits, round_dec, round_half_up, round_sig
from grader.numeric.digits import magnitude

# (text, lower, upper, decimal places): worked out by hand from the counting rules.
COUNTS = [
    ("100", 1, 3, 0),
    ("10.0", 3, 3, 1),
    ("1.00e2", 3, 3, 0),
    ("100.", 3, 3, 0),
    ("0.0010", 2, 2, 4),
    ("1E3", 1, 1, 0),
    ("1000", 1, 4, 0),
    ("25.00e1", 4, 4, 1),
    ("3.141", 4, 4, 3),
    ("-303.30003", 8, 8, 5),
    ("+334.3", 4, 4, 1),
    ("-121000", 3, 6, 0),
    ("4.320e-3", 4, 4, 6),
    ("0.020e3", 2, 2, 0),
    ("0.01030", 4, 4, 5),
    ("0", 1, 1, 0),
    ("0.00", 2, 2, 2),  # zero: the decimal places written, as STACK counts
    ("0.0", 1, 1, 1),
    (".0", 1, 1, 1),
    ("0.000", 3, 3, 3),
    (".5", 1, 1, 1),
    ("7.0000", 5, 5, 4),
]


@pytest.mark.parametrize(("text", "lower", "upper", "decimals"), COUNTS)
def test_count_digits(text: str, lower: int, upper: int, decimals: int) -> None:
    digits = count_digits(text)
    assert (digits.lower, digits.upper, digits.decimals) == (lower, upper, decimals)


@pytest.mark.parametrize("text", ["1/3", "pi", "", "1e", "10**2"])
def test_count_digits_needs_a_decimal(text: str) -> None:
    with pytest.raises(NumberError) as info:
        count_digits(text)
    assert info.value.reason is Reason.NOT_A_NUMBER


ROUNDING = [
    (Fraction("0.04985"), 3, Fraction("0.0499")),  # binary float would give 0.0498
    (Fraction("2.5"), 1, Fraction(3)),
    (Fraction("-2.5"), 1, Fraction(-3)),
    (Fraction("999"), 2, Fraction(1000)),
    (Fraction("3.1415927"), 4, Fraction("3.142")),
    (Fraction(1, 7), 4, Fraction("0.1429")),
    (Fraction("178.35"), 3, Fraction(178)),
    (Fraction(0), 3, Fraction(0)),
]


@pytest.mark.parametrize(("value", "figures", "expected"), ROUNDING)
def test_round_sig_half_up_in_decimal(value: Fraction, figures: int, expected: Fraction) -> None:
    assert round_sig(value, figures) == expected


def test_round_dec_and_half_up() -> None:
    assert round_dec(Fraction("3.99999"), 3) == 4
    assert round_dec(Fraction("1.005"), 2) == Fraction("1.01")  # float: 1.0 (1.005 < 1.005)
    assert round_half_up(Fraction(-7, 2)) == -4
    assert round_half_up(Fraction(7, 2)) == 4
    assert round_half_up(Fraction(-13, 10)) == -1


@given(st.fractions(min_value=Fraction(1, 10**30), max_value=10**30))
def test_magnitude_brackets_the_value(value: Fraction) -> None:
    e = magnitude(value)
    assert Fraction(10) ** e <= value < Fraction(10) ** (e + 1)


@given(st.fractions(min_value=-(10**12), max_value=10**12), st.integers(1, 12))
def test_round_sig_is_within_half_a_unit(value: Fraction, figures: int) -> None:
    rounded = round_sig(value, figures)
    if value == 0:
        assert rounded == 0
        return
    unit = Fraction(10) ** (magnitude(value) - figures + 1)
    assert abs(rounded - value) <= unit / 2
    assert (rounded / unit).denominator == 1


@given(
    st.one_of(
        st.integers(-10**6, 10**6),
        st.fractions(max_denominator=10**6),
        st.builds(lambda n, k: Fraction(2 * n + 1, 2 * 10**k), st.integers(-10**5, 10**5),
                  st.integers(0, 4)),  # exact halves at the rounding place and beyond
    ),
    st.integers(0, 6),
)  # fmt: skip
def test_round_points_on_exact_values_is_round_dec(value: Fraction | int, places: int) -> None:
    from grader.numeric import round_points

    expected = float(round_dec(Fraction(value), places))
    expected = expected + 0.0 if expected != 0 else 0.0
    got = round_points(value, places)
    assert got == expected and str(got) == str(expected)  # -0.0 would show as "-0.0"
