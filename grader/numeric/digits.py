"""Significant figures and decimal places shown in a typed number, and exact decimal rounding.

Counting works on the text as typed, never on a float: `10.0` shows 3 significant figures, `10`
shows 1 or 2 (trailing zeros of an integer are ambiguous), `1.00e2` and `100.` show exactly 3,
`0.0010` shows exactly 2 (leading zeros never count). Rounding is half-up (away from zero) in
DECIMAL on exact Fractions, so 0.04985 rounds to 0.0499 at 3 figures, as a person would round it
(binary floating point would give 0.0498).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from grader.model import Reason
from grader.numeric.reading import NumberError, match_decimal, normalise


@dataclass(frozen=True)
class Digits:
    """What a typed decimal literal shows.

    `lower`..`upper` is the range of significant figures it may carry (equal unless an integer
    ends in zeros: `1200` gives 2..4); `decimals` is the number of decimal places it shows,
    counting the exponent (`3.14` -> 2, `1.5e-3` -> 4, `1.5e3` -> 0).
    """

    lower: int
    upper: int
    decimals: int

    def allows(self, figures: int) -> bool:
        """Whether the text can be read as showing exactly `figures` significant figures."""
        return self.lower <= figures <= self.upper


def count_digits(text: str) -> Digits:
    """The significant figures and decimal places shown by a decimal literal as typed.

    Rules: leading zeros are not significant; with a decimal point every digit after the first
    non-zero one is significant (`100.` -> 3, `10.0` -> 3); without one, trailing zeros of the
    integer are ambiguous (`100` -> 1..3); the exponent does not change the count (`1.00e2` ->
    3, `1E3` -> 1). Zero shows as many figures as decimal places written, at least 1 (as STACK
counts: `0` and `0.0` -> 1, `0.00` -> 2).
    Raises NumberError(NOT_A_NUMBER) when `text` is not a plain decimal literal.
    """
    match = match_decimal(normalise(text)) if isinstance(text, str) else None
    if match is None:
        raise NumberError(Reason.NOT_A_NUMBER, f"'{text}' is not a decimal number")
    whole = match.group("int") or ""
    frac = match.group("frac") or match.group("frac2") or ""
    has_point = "." in match.group(0)
    exponent = int(match.group("exp") or "0")
    decimals = max(0, len(frac) - exponent)
    digits = (whole + frac).lstrip("0")
    if not digits:  # the number zero
        figures = max(1, len(frac))
        return Digits(figures, figures, decimals)
    if has_point:
        return Digits(len(digits), len(digits), decimals)
    trailing = len(digits) - len(digits.rstrip("0"))
    return Digits(len(digits) - trailing, len(digits), decimals)


def magnitude(value: Fraction) -> int:
    """The exponent e with 10**e <= |value| < 10**(e+1), exactly (value must not be 0)."""
    size = abs(value)
    if size == 0:
        raise ValueError("zero has no decimal magnitude")
    # A first guess from the digit counts, then exact correction (at most a couple of steps).
    guess = len(str(size.numerator)) - len(str(size.denominator))
    while Fraction(10) ** guess > size:
        guess -= 1
    while Fraction(10) ** (guess + 1) <= size:
        guess += 1
    return guess


def round_half_up(value: Fraction) -> int:
    """The integer nearest to `value`, halves rounded away from zero (2.5 -> 3, -2.5 -> -3)."""
    size = abs(value)
    rounded = int(size + Fraction(1, 2))  # int() truncates; size >= 0
    return rounded if value >= 0 else -rounded


def round_sig(value: Fraction, figures: int) -> Fraction:
    """`value` rounded half-up to `figures` significant figures, exactly in decimal."""
    if figures < 1:
        raise ValueError("at least one significant figure")
    if value == 0:
        return Fraction(0)
    unit = Fraction(10) ** (magnitude(value) - figures + 1)
    return round_half_up(value / unit) * unit


def round_dec(value: Fraction, places: int) -> Fraction:
    """`value` rounded half-up to `places` decimal places, exactly in decimal."""
    unit = Fraction(10) ** (-places)
    return round_half_up(value / unit) * unit


def exact_value(value: Fraction | Decimal | float | int) -> Fraction:
    """`value` as an exact Fraction; a float is taken as the decimal a human reads from its
    shortest repr (2.675 is 2675/1000, not the binary 2.67499...)."""
    if isinstance(value, bool):
        raise ValueError("a number, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a finite number, got {value!r}")
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def round_points(value: Fraction | Decimal | float | int, places: int = 2) -> float:
    """Points rounded half-up to `places` decimals, as markers round (0.125 -> 0.13); the one
    rounding of every part, question and total (negative zero becomes zero)."""
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool) and places >= 0:
        # round_dec in integers: n/d * 10**p + 1/2, floored, over 10**p. The int division
        # rounds that exact quotient correctly, as float() of the Fraction does.
        n, d = value.numerator, value.denominator
        scale = 10**places
        whole = (2 * abs(n) * scale + d) // (2 * d)
        rounded = (whole if n >= 0 else -whole) / scale
        return rounded + 0.0 if rounded != 0 else 0.0
    rounded = float(round_dec(exact_value(value), places))
    return rounded + 0.0 if rounded != 0 else 0.0
