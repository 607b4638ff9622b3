"""parse_number and read_array: exact values, every refusal with its reason, located messages."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.model import Reason
from grader.numeric import NumberError, parse_number, read_array, read_entries, read_number

EXACT = [
    ("0.0986", Fraction(986, 10000)),
    ("-9.01e-1", Fraction(-901, 1000)),
    ("1/3", Fraction(1, 3)),
    (" -2 / 4 ", Fraction(-1, 2)),
    (".5", Fraction(1, 2)),
    ("100.", Fraction(100)),
    ("1E3", Fraction(1000)),
    ("+2", Fraction(2)),
    ("\u22123.5", Fraction(-7, 2)),
    ("  7\t", Fraction(7)),
    ("0.1", Fraction(1, 10)),
    ("1e-400", Fraction(1, 10**400)),
    ("0.333333333333333", Fraction(333333333333333, 10**15)),
    # as students write them (issue 11)
    ("9.86*10^-2", Fraction(986, 10**4)),
    ("9.86 \\times 10^{-2}", Fraction(986, 10**4)),
    ("9.86\\cdot10^{-2}", Fraction(986, 10**4)),
    ("9.86·10⁻²", Fraction(986, 10**4)),
    ("9.86 × 10^(-2)", Fraction(986, 10**4)),
    ("-9.86\\times10^{2}", Fraction(-986)),
    ("10^{-3}", Fraction(1, 1000)),
    ("-(0.05)", Fraction(-1, 20)),
    ("(0.05)", Fraction(1, 20)),
    ("\\frac{1}{3}", Fraction(1, 3)),
    ("-\\dfrac{1}{4}", Fraction(-1, 4)),
    ("$0.5$", Fraction(1, 2)),
    ("0,0986", Fraction(986, 10**4)),
    ("0{,}0986", Fraction(986, 10**4)),
]


def test_decimal_comma_is_noted() -> None:
    assert read_number("0,0986").note
    assert not read_number("0.0986").note


def test_one_unreadable_entry_costs_only_itself() -> None:
    entries = read_entries([["0.1", "abc"], ["0.3", "9.86 \\times 10^{-2}"]])
    assert entries.array[0, 0] == 0.1 and entries.array[1, 1] == 0.0986
    assert np.isnan(entries.array[0, 1])
    assert [e.position for e in entries.unreadable] == [(1, 2)]
    assert "row 1, column 2" in entries.unreadable[0].message


def test_every_entry_unreadable_is_an_error() -> None:
    with pytest.raises(NumberError):
        read_entries(["a", "b"])


@pytest.mark.parametrize(("text", "value"), EXACT)
def test_parse_number_is_exact(text: str, value: Fraction) -> None:
    assert parse_number(text) == value


REFUSED = [
    ("nan", Reason.NOT_FINITE),
    ("-inf", Reason.NOT_FINITE),
    (".inf", Reason.NOT_FINITE),
    ("Infinity", Reason.NOT_FINITE),
    ("1/0", Reason.NOT_FINITE),
    ("1e999999", Reason.TOO_LARGE),
    ("1e401", Reason.TOO_LARGE),
    ("1e-401", Reason.TOO_LARGE),
    ("1" * 1001, Reason.TOO_LARGE),
    ("10**400", Reason.NOT_A_NUMBER),
    ("", Reason.NOT_A_NUMBER),
    ("   ", Reason.NOT_A_NUMBER),
    ("\u0663", Reason.NOT_A_NUMBER),  # Arabic-Indic three
    ("\uff11", Reason.NOT_A_NUMBER),  # fullwidth one
    ("2\u00b2", Reason.NOT_A_NUMBER),  # superscript two
    ("1,5, 2,5", Reason.NOT_A_NUMBER),  # a decimal comma only in a single number
    ("9.86*10^x", Reason.NOT_A_NUMBER),
    ("9.86*10^{-2", Reason.NOT_A_NUMBER),
    ("-(", Reason.NOT_A_NUMBER),
    ("\\frac{1}{0}", Reason.NOT_FINITE),
    ("2*10^{999999}", Reason.TOO_LARGE),
    ("0x10", Reason.NOT_A_NUMBER),
    ("1_000", Reason.NOT_A_NUMBER),
    ("1e", Reason.NOT_A_NUMBER),
    (".", Reason.NOT_A_NUMBER),
    ("--1", Reason.NOT_A_NUMBER),
    ("1/2/3", Reason.NOT_A_NUMBER),
    ("__import__('os')", Reason.NOT_A_NUMBER),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_parse_number_refuses(text: str, reason: Reason) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert info.value.reason is reason


@pytest.mark.parametrize("value", [True, False, None, 3, 2.5, [1]])
def test_parse_number_wants_text(value: object) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(value)  # type: ignore[arg-type]
    assert info.value.reason is Reason.WRONG_TYPE


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9,
                   max_value=10**9))
def test_parse_number_round_trips_decimal_text(value: object) -> None:
    assert parse_number(str(value)) == Fraction(str(value))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_agrees_with_float_repr(value: float) -> None:
    assert float(parse_number(repr(value))) == value


def test_number_error_pickles() -> None:
    error = NumberError(Reason.NOT_A_NUMBER, "row 1, column 2: 'x' is not a number", (1, 2))
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.message, copy.position) == (error.reason, error.message, (1, 2))


def test_read_array_scalars_and_nesting() -> None:
    assert read_array("0.5").shape == ()
    assert float(read_array("0.5")) == 0.5
    assert float(read_array(3)) == 3.0
    matrix = read_array([["1", "2.5", "-3"], ("4", 5, 6.0)])
    assert matrix.dtype == np.float64
    np.testing.assert_array_equal(matrix, [[1, 2.5, -3], [4, 5, 6]])
    assert read_array([[["1"]], [["2"]]]).shape == (2, 1, 1)


ARRAY_REFUSED = [
    ([["1", "2"], ["3"]], Reason.WRONG_SHAPE),
    ([["1", "2"], "3"], Reason.WRONG_SHAPE),
    ([], Reason.WRONG_SHAPE),
    ([[]], Reason.WRONG_SHAPE),
    ([True, "1"], Reason.WRONG_TYPE),
    (["1", None], Reason.WRONG_TYPE),
    ([{"a": "1"}], Reason.WRONG_TYPE),
    ({"a": "1"}, Reason.WRONG_TYPE),
    (None, Reason.WRONG_TYPE),
    ([[[[["1"]]]]], Reason.TOO_LARGE),
    (["1"] * 10_001, Reason.TOO_LARGE),
    ([["1"] * 200] * 200, Reason.TOO_LARGE),
    ("1e400", Reason.NOT_FINITE),
    (10**400, Reason.NOT_FINITE),
    (float("nan"), Reason.NOT_FINITE),
    (["abc"], Reason.NOT_A_NUMBER),
]


@pytest.mark.parametrize(("value", "reason"), ARRAY_REFUSED)
def test_read_array_refuses(value: object, reason: Reason) -> None:
    with pytest.raises(NumberError) as info:
        read_array(value)
    assert info.value.reason is reason


def test_read_array_names_the_entry() -> None:
    with pytest.raises(NumberError) as info:
        read_array([["1", "2", "3"], ["4", "5", "abc"]])
    assert info.value.position == (2, 3)
    assert "row 2, column 3" in info.value.message
    with pytest.raises(NumberError) as info:
        read_array(["1", "2", "nan"])
    assert info.value.position == (3,)


def test_read_array_entry_limit_is_configurable() -> None:
    assert read_array(["1"] * 5, max_entries=5).shape == (5,)
    with pytest.raises(NumberError) as info:
        read_array(["1"] * 6, max_entries=5)
    assert info.value.reason is Reason.TOO_LARGE
