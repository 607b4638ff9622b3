"""Numbers in gradebook files: one way to write them, one way to read a TA's.

Points are written rounded to 2 decimals HALF-UP in decimal arithmetic (the value a human reads
from the float's shortest repr, so 2.675 -> 2.68, not the binary 2.67499...), with trailing
zeros stripped: ``7.5``, ``8``, ``0``, ``3.25``. Reading accepts what TAs type in spreadsheets:
a decimal comma (``7,5``), surrounding (Unicode) whitespace, a leading plus sign.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from grader.numeric import round_dec

_ZERO = Decimal("0.00")

# A plain decimal: digits with at most one decimal point or comma; no exponent, no thousands
# separators (a TA never needs them, and "1,234" would be ambiguous with a decimal comma).
# ASCII digits only: Python's \d also matches Arabic-Indic and other digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_MAX_NUMBER_CHARS = 40
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def _cents(x: float | int | Decimal) -> Decimal:
    """`x` rounded to 2 decimals half-up (the one rounding, grader.numeric.round_dec), exactly.

    Raises ValueError for NaN, infinities and booleans (points are never any of those).
    """
    if isinstance(x, bool):
        raise ValueError("points cannot be a boolean")
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if not value.is_finite():
        raise ValueError(f"points must be finite, got {x!r}")
    rounded = round_dec(Fraction(value), 2)
    return Decimal(int(rounded * 100)).scaleb(-2) if rounded else _ZERO


def format_points(x: float | int | Decimal) -> str:
    """The one textual form of a points value: ``7.5``, ``8``, ``0``, ``3.25``."""
    text = format(_cents(x), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def json_points(x: float | int | Decimal) -> int | float:
    """The points value for JSON: the same rounding as :func:`format_points`, as int or float."""
    rounded = _cents(x)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def parse_points(text: str) -> Decimal | None:
    """Read a number a TA typed (``7.5``, ``7,5``, `` 8 ``, ``+3``); None when it is not one.

    Whitespace of any kind around the number is ignored (spreadsheets leave non-breaking and
    full-width spaces behind); anything else -- letters, exponents, two separators -- is not
    a number.
    """
    stripped = text.strip().translate(_MINUS_SIGNS)
    if len(stripped) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(stripped):
        return None
    try:
        return Decimal(stripped.replace(",", "."))
    except InvalidOperation:
        return None
