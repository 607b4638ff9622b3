"""Numbers in gradebook files: one way to write them, one way to read a TA's.

Points are written as stored: scoring has already rounded every part and total to the rubric's
`rounding:` decimals (0..6), so the gradebook prints the value's shortest decimal form with
trailing zeros stripped (``7.5``, ``8``, ``0``, ``3.25``, ``0.125`` under `rounding: 3`). As a
guard against float noise from elsewhere, a value is still rounded to at most `places` decimals
(6 by default, the most `rounding:` allows) HALF-UP in decimal arithmetic (the value a human
reads from the float's shortest repr, so 2.675 -> 2.68 at 2 places, not the binary 2.67499...);
derived statistics (the class report's means) ask for 2 places. Reading accepts what TAs type
in spreadsheets: a decimal comma (``7,5``), surrounding (Unicode) whitespace, a leading plus sign.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from grader.numeric import round_dec

MAX_PLACES = 6  # the most decimals a rubric's `rounding:` may ask for

# A plain decimal: digits with at most one decimal point or comma; no exponent, no thousands
# separators (a TA never needs them, and "1,234" would be ambiguous with a decimal comma).
# ASCII digits only: Python's \d also matches Arabic-Indic and other digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_MAX_NUMBER_CHARS = 40
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def _rounded(x: float | int | Decimal, places: int) -> Decimal:
    """`x` rounded to `places` decimals half-up (the one rounding, grader.numeric.round_dec).

    Raises ValueError for NaN, infinities and booleans (points are never any of those).
    Memoised: a gradebook prints the same few dozen values hundreds of thousands of times
    (equal keys such as 1, 1.0 and Decimal("1.0") round to equal values, so sharing is safe).
    """
    if isinstance(x, bool):  # before the cache: True == 1 would share 1's entry
        raise ValueError("points cannot be a boolean")
    if isinstance(x, Decimal) and not x.is_finite():  # a signalling NaN cannot even be hashed
        raise ValueError(f"points must be finite, got {x!r}")
    return _rounded_number(x, places)


@functools.lru_cache(maxsize=4096)
def _rounded_number(x: float | int | Decimal, places: int) -> Decimal:
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if not value.is_finite():
        raise ValueError(f"points must be finite, got {x!r}")
    rounded = round_dec(Fraction(value), places)
    scale = 10**places
    return Decimal(int(rounded * scale)).scaleb(-places) if rounded else Decimal(0)


def format_points(x: float | int | Decimal, places: int = MAX_PLACES) -> str:
    """The one textual form of a points value: ``7.5``, ``8``, ``0``, ``3.25`` (what scoring
    stored; at most `places` decimals)."""
    text = format(_rounded(x, places), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def json_points(x: float | int | Decimal, places: int = MAX_PLACES) -> int | float:
    """The points value for JSON: the same number as :func:`format_points`, as int or float."""
    rounded = _rounded(x, places)
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
