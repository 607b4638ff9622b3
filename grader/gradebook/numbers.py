"""Numbers in gradebook files: one way to write them, one way to read a TA's.

Points are written rounded to 2 decimals HALF-UP in decimal arithmetic (the value a human reads
from the float's shortest repr, so 2.675 -> 2.68, not the binary 2.67499...), with trailing
zeros stripped: ``7.5``, ``8``, ``0``, ``3.25``. Reading accepts what TAs type in spreadsheets:
a decimal comma (``7,5``), surrounding (Unicode) whitespace, a leading plus sign.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

_CENT = Decimal("0.01")

# A plain decimal: digits with at most one decimal point or comma; no exponent, no thousands
# separators (a TA never needs them, and "1,234" would be ambiguous with a decimal comma).
# ASCII digits only: Python's \d also matches Arabic-Indic and other digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_MAX_NUMBER_CHARS = 40
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def round_points(x: float | int | Decimal) -> Decimal:
    """`x` rounded to 2 decimals half-up, as an exact Decimal (negative zero becomes zero).

    Raises ValueError for NaN, infinities and booleans (points are never any of those).
    """
    if isinstance(x, bool):
        raise ValueError("points cannot be a boolean")
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if not value.is_finite():
        raise ValueError(f"points must be finite, got {x!r}")
    with localcontext() as ctx:
        # enough precision that quantize never fails, even for absurdly large values
        ctx.prec = max(60, value.adjusted() + 10)
        rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else Decimal("0.00")


def format_points(x: float | int | Decimal) -> str:
    """The one textual form of a points value: ``7.5``, ``8``, ``0``, ``3.25``."""
    text = format(round_points(x), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def json_points(x: float | int | Decimal) -> int | float:
    """The points value for JSON: the same rounding as :func:`format_points`, as int or float."""
    rounded = round_points(x)
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
