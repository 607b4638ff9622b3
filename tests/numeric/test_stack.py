"""STACK's numeric answer tests on exact values (cases worked out from STACK's definitions)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from grader.model import Reason
from grader.numeric import (
    NumberError,
    num_absolute,
    num_dec_places,
    num_relative,
    num_sig_figs,
    sig_figs_strict,
)

PI = F("3.14159265358979323846264338327950288")


def test_num_relative_boundary_and_scale() -> None:
    assert num_relative(F("1.05"), F(1))  # inclusive boundary
    assert not num_relative(F("1.0500001"), F(1))
    assert num_relative(F("1.05e33"), F(10) ** 33)
    assert not num_relative(F("1.06e-33"), F(10) ** -33)
    assert num_relative(F("3.14"), PI, F("0.001"))
    assert not num_relative(F("3.14"), PI, F("0.0001"))
    assert num_relative(F(0), F(0), F(0))


def test_num_absolute_strict_with_slack() -> None:
    assert num_absolute(F("1.05"), F(1))  # 0.05 < 0.05 + 1e-9
    assert num_absolute(F("1.050000000999"), F(1))
    assert not num_absolute(F("1.050000001"), F(1))
    assert not num_absolute(F("3.14"), PI, F("0.001"))


def test_numeric_lists() -> None:
    sqrt2 = F("1.41421356237309504880")
    assert num_relative([F("3.141"), F("1.414")], [PI, sqrt2])
    assert not num_relative([F(3), F("1.414")], [PI, sqrt2], F("0.01"))
    assert not num_relative([F("1.414"), F("3.141")], [PI, sqrt2])  # order matters
    assert not num_relative([F("3.141")], [PI, sqrt2])  # lengths differ
    assert not num_relative(F("3.141"), [PI])  # a number is not a list
    assert not num_absolute([F("3.141")], PI)


@pytest.mark.parametrize(
    ("text", "teacher", "n", "m", "ok"),
    [
        ("3.142", PI, 4, None, True),
        ("3.141", PI, 3, None, False),  # 4 figures shown
        ("3.141", PI, 4, None, False),  # truncated, not rounded
        ("9.8", F(10), 2, None, True),
        ("9.5", F(10), 2, None, False),  # exactly half a unit away
        ("10.0", F(10), 2, None, False),
        ("1000", F(999), 2, None, True),
        ("1E3", F(999), 2, None, False),
        ("-3.142", -PI, 4, None, True),
        ("3.142", -PI, 4, None, False),  # sign
        ("0.0499", F("0.04985"), 3, None, True),  # teacher rounded half-up in decimal
        ("0.0498", F("0.04985"), 3, None, False),
        ("180", F("178.35"), 3, None, False),
        ("180", F("178.35"), 3, 1, True),
        ("3.143", PI, 4, 3, True),
        ("3.150", PI, 4, 3, False),
        ("0.0010", F(0), 2, 0, True),
        ("0.001", F(0), 2, 0, False),
        ("8.250434", F("8.25"), 4, -1, True),
        ("8.25", F("8.25"), 4, -1, False),
        ("0.1429", F(1, 7), 4, -1, True),
        ("0.14286", F(1, 7), 4, -1, True),
        ("0.1430", F(1, 7), 4, -1, False),
    ],
)
def test_num_sig_figs(text: str, teacher: F, n: int, m: int | None, ok: bool) -> None:
    assert num_sig_figs(text, teacher, n, m) is ok


def test_num_sig_figs_errors() -> None:
    with pytest.raises(NumberError) as info:
        num_sig_figs("pi", PI, 3)
    assert info.value.reason is Reason.NOT_A_NUMBER
    with pytest.raises(ValueError):
        num_sig_figs("3.14", PI, 0)
    with pytest.raises(ValueError):
        num_sig_figs("3.14", PI, 3, -2)


@pytest.mark.parametrize(
    ("text", "teacher", "d", "ok"),
    [
        ("3.14", F("3.143"), 2, True),
        ("3.14", F("3.143"), 1, False),
        ("3.14", F("3.140"), 3, False),
        ("7.0000", F(7), 4, True),
        ("4.14", F("3.14"), 2, False),
        ("3.1416", PI, 4, True),
        ("4.000", F("3.99999"), 3, True),
        ("1.01", F("1.005"), 2, True),  # half-up in decimal
        ("-1.01", F("-1.005"), 2, True),
    ],
)
def test_num_dec_places(text: str, teacher: F, d: int, ok: bool) -> None:
    assert num_dec_places(text, teacher, d) is ok


@pytest.mark.parametrize(
    ("text", "n", "ok"),
    [("0.0010", 2, True), ("100", 2, False), ("100", 1, True), ("100.", 3, True),
     ("1.00e2", 3, True), ("25.00e1", 4, True), ("3.141", 3, False)],
)
def test_sig_figs_strict(text: str, n: int, ok: bool) -> None:
    assert sig_figs_strict(text, n) is ok


# Zero and trailing zeros, as STACK's own fixtures count them (answertestfixtures.class.php).
@pytest.mark.parametrize(
    ("text", "n", "ok"),
    [("0", 1, True), ("0", 2, False), ("0.0", 1, True), ("0.0", 2, False), (".0", 1, True),
     (".0", 2, False), ("0.00", 1, False), ("0.00", 2, True), ("0.00", 3, False),
     (".001030", 4, True), ("0.00100", 3, True), ("0.001", 2, False), ("15.10", 3, False),
     ("123.", 3, True), ("10.0", 3, True), ("25.00e1", 5, False)],
)
def test_sig_figs_strict_of_zero_and_trailing_zeros(text: str, n: int, ok: bool) -> None:
    assert sig_figs_strict(text, n) is ok
