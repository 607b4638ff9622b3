"""Reading numbers and arrays of numbers from what a student wrote, without executing anything.

Every scalar goes through one regular expression of ASCII decimal literals (and `a/b` quotients of
them) before any conversion; the value is built exactly as a Fraction from the digits, so `0.1`
is 1/10 and `1e999999` is refused by its exponent before a big integer is ever formed. Where only
the float64 is wanted, a plain literal skips the Fraction (:func:`plain_float`: the same float).

Numbers as students write them are first rewritten into that form (:func:`read_number`):
scientific notation `9.86*10^-2`, `9.86 \\times 10^{-2}`, `9.86\\cdot10^{-2}`, `9.86·10⁻²`,
`9.86 × 10^(-2)`; a sign before brackets `-(0.05)`; `\\frac{1}{3}` (also `\\dfrac`,
`\\tfrac`, with a sign before it); LaTeX spacing and `$`. A decimal comma (`0,0986`,
`0{,}0986`) is read only when the cell holds that single number, with a note saying so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from grader.model import Reason

MAX_TEXT = 1000  # characters in one scalar
MAX_EXPONENT = 400  # |written exponent| of a decimal literal
MAX_DEPTH = 4  # nesting of lists (a scalar is depth 0)

# ASCII digits only: `\d` would also accept Arabic-Indic, fullwidth and other Unicode digits.
DECIMAL_PATTERN = (
    r"(?P<sign>[+-])?(?:(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?|\.(?P<frac2>[0-9]+))"
    r"(?:[eE](?P<exp>[+-]?[0-9]+))?"
)
_DECIMAL = re.compile(DECIMAL_PATTERN)
_NON_FINITE = frozenset({"nan", ".nan", "inf", ".inf", "infinity", "∞", "oo"})
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_UNICODE_POWER = re.compile("10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")
_TIMES = re.compile(r"\\times|\\cdot|[·⋅×*]|\\ast")
_SPACING = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\left|\\right|\$|~")
_SCIENTIFIC = re.compile(
    r"(?P<mant>[^*]+)\*10\^(?:\{(?P<e1>[^{}]+)\}|\((?P<e2>[^()]+)\)|(?P<e3>[+-]?[0-9]+))"
)
_POWER_OF_TEN = re.compile(r"10\^(?:\{(?P<e1>[^{}]+)\}|\((?P<e2>[^()]+)\)|(?P<e3>[+-]?[0-9]+))")
_FRAC = re.compile(r"(?P<sign>[+-]?)\\[dt]?frac\{(?P<num>[^{}]+)\}\{(?P<den>[^{}]+)\}")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+(?:,|\{,\})[0-9]+")
DECIMAL_COMMA_NOTE = "read with a decimal comma"


@dataclass(frozen=True)
class NumberReading:
    """The exact value of a number and a note when it was read leniently (a decimal comma)."""

    value: Fraction
    note: str = ""


class NumberError(ValueError):
    """A value that is not a usable number: `reason` says why (a grader.model.Reason),
    `message` says it in words (naming the entry), `position` is the 1-based entry index."""

    def __init__(
        self, reason: Reason, message: str, position: tuple[int, ...] | None = None
    ) -> None:
        super().__init__(reason, message, position)  # args match __init__: picklable
        self.reason = reason
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


def normalise(text: str) -> str:
    """Strip surrounding white space and turn Unicode minus/dash signs into ASCII '-'."""
    return text.strip().translate(_MINUS_SIGNS)


def match_decimal(text: str) -> re.Match[str] | None:
    """The match of a whole (normalised) decimal literal such as `-9.01e-1`, `.5`, `100.`."""
    return _DECIMAL.fullmatch(text)


def decimal_value(match: re.Match[str]) -> Fraction:
    """The exact value of a matched decimal literal; TOO_LARGE when the exponent is beyond 400."""
    exp_text = match.group("exp") or "0"
    if len(exp_text.lstrip("+-").lstrip("0")) > 6 or abs(int(exp_text)) > MAX_EXPONENT:
        raise NumberError(Reason.TOO_LARGE, f"the exponent {exp_text} is beyond +-{MAX_EXPONENT}")
    whole = match.group("int") or ""
    frac = match.group("frac") or match.group("frac2") or ""
    mantissa = int(whole + frac or "0")
    value = Fraction(mantissa) * Fraction(10) ** (int(exp_text) - len(frac))
    return -value if match.group("sign") == "-" else value


def parse_number(text: str) -> Fraction:
    """The exact value of a number written as decimal text: `0.0986`, `-9.01e-1`, `1/3`, `.5`,
    `100.`, `1E3`, `+2`, `−3` (Unicode minus), with surrounding spaces, and the forms of
    :func:`read_number`.

    Raises NumberError: WRONG_TYPE (not a string, e.g. a boolean), NOT_A_NUMBER (anything else,
    including `10**400`, Unicode digits and the empty string), NOT_FINITE (`nan`, `inf`, `1/0`),
    TOO_LARGE (exponent beyond +-400 or text longer than 1000 characters).
    """
    return read_number(text).value


def read_number(text: str) -> NumberReading:
    """:func:`parse_number` with a note for lenient readings (see the module docstring)."""
    if not isinstance(text, str):
        raise NumberError(Reason.WRONG_TYPE, f"{_show(text)} is not a number written as text")
    if len(text) > MAX_TEXT:
        raise NumberError(Reason.TOO_LARGE, f"a number of {len(text)} characters is too long")
    clean = normalise(text)
    if match_decimal(clean) is None:
        clean = _rewrite(clean)
    if _DECIMAL_COMMA.fullmatch(clean):
        value = _plain_number(text, clean.replace("{,}", ".").replace(",", "."))
        return NumberReading(value, f"{_show(text)} {DECIMAL_COMMA_NOTE}")
    return NumberReading(_plain_number(text, clean))


def plain_float(text: str) -> float | None:
    """The float64 value of `text` read by :func:`read_number` when `text` is a plain decimal
    literal (`0.0986`, `-9.01e-1`) with a non-zero finite value, without building a Fraction;
    None for every other text (read it exactly then: quotients, students' notations, zero,
    values beyond the float range, exponents beyond +-400, errors).

    Exactly the same float as `float(parse_number(text))`: CPython's `float()` of a decimal
    string and its int / int division (Fraction -> float) both round the exact value of the
    literal correctly to nearest-even, subnormals included, so the two are one float64. The
    cases where the two roads part are refused: zero (`float("-0")` is -0.0, the Fraction 0
    gives 0.0), overflow (inf here, OverflowError there), the exponent bounds (an error there).
    """
    if len(text) > MAX_TEXT:
        return None
    clean = normalise(text)
    match = _DECIMAL.fullmatch(clean)
    if match is None:
        return None
    exp_text = match.group("exp")
    if exp_text is not None and (len(exp_text) > 4 or abs(int(exp_text)) > MAX_EXPONENT):
        return None
    value = float(clean)
    if value == 0.0 or not math.isfinite(value):
        return None
    return value


def _rewrite(clean: str) -> str:
    """Students' number notation in the plain form `-9.86e-2` / `1/3` (else unchanged)."""
    flat = _SPACING.sub("", clean).replace(" ", "")
    # 10⁻² only: a superscript anywhere else (2²) is not a number we read
    flat = _UNICODE_POWER.sub(lambda m: "10^{" + m.group(1).translate(_SUPERSCRIPTS) + "}", flat)
    flat = _TIMES.sub("*", flat)
    sign = ""
    if flat[:1] in "+-" and flat[1:2] == "(" and flat.endswith(")"):
        sign, flat = flat[0], flat[2:-1]
    elif flat[:1] == "(" and flat.endswith(")"):
        flat = flat[1:-1]
    frac = _FRAC.fullmatch(flat)
    if frac is not None:
        inner = frac.group("sign") + frac.group("num") + "/" + frac.group("den")
        return _signed(sign, inner)
    for pattern, mantissa in ((_SCIENTIFIC, True), (_POWER_OF_TEN, False)):
        found = pattern.fullmatch(flat)
        if found is None:
            continue
        exponent = (found.group("e1") or found.group("e2") or found.group("e3") or "").strip("{}()")
        head = found.group("mant").strip("{}") if mantissa else "1"
        if match_decimal(head) is not None and re.fullmatch(r"[+-]?[0-9]+", exponent):
            return _signed(sign, f"{head}e{exponent}")
    return _signed(sign, flat.strip("{}")) if sign else (flat.strip("{}") or clean)


def _signed(sign: str, text: str) -> str:
    if sign != "-":
        return text
    return text[1:] if text.startswith("-") else "-" + text.lstrip("+")


def _plain_number(text: str, clean: str) -> Fraction:
    if not clean:
        raise NumberError(Reason.NOT_A_NUMBER, "the answer is empty")
    if clean.lstrip("+-").lower() in _NON_FINITE:
        raise NumberError(Reason.NOT_FINITE, f"{_show(text)} is not a finite number")
    match = match_decimal(clean)
    if match is not None:
        return decimal_value(match)
    if clean.count("/") == 1:
        return _quotient(text, *clean.split("/"))
    raise NumberError(Reason.NOT_A_NUMBER, f"{_show(text)} is not a number")


def _quotient(text: str, top: str, bottom: str) -> Fraction:
    """`a/b` with both sides decimal literals (no nested signs or operators)."""
    num, den = match_decimal(top.strip()), match_decimal(bottom.strip())
    if num is None or den is None:
        raise NumberError(Reason.NOT_A_NUMBER, f"{_show(text)} is not a number")
    denominator = decimal_value(den)
    if denominator == 0:
        raise NumberError(Reason.NOT_FINITE, f"{_show(text)} divides by zero")
    return decimal_value(num) / denominator


def _show(value: object) -> str:
    """A short quoted rendering of a value for messages (never converting a huge integer to
    text: Python refuses beyond 4300 digits, and it would be slow long before)."""
    if isinstance(value, Fraction):
        value = value.numerator
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "...'"


def scalar_value(value: object) -> float:
    """One scalar as a float64: text through parse_number, ints/floats/Fractions/Decimals as
    numbers. Booleans, None, mappings and other objects are WRONG_TYPE; inf/nan and values
    beyond the float range are NOT_FINITE."""
    if isinstance(value, bool) or value is None or isinstance(value, Mapping):
        raise NumberError(Reason.WRONG_TYPE, f"{_show(value)} is not a number")
    if isinstance(value, str):
        fast = plain_float(value)
        if fast is not None:  # the same float as below, without a Fraction (see plain_float)
            return fast
        exact = parse_number(value)
    elif isinstance(value, (int, Fraction, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            raise NumberError(Reason.NOT_FINITE, f"{_show(value)} is not a finite number")
        if isinstance(value, Decimal) and abs(value.adjusted()) > 400:
            # Fraction(Decimal("1e999999999")) would build a billion-digit integer first.
            raise NumberError(Reason.NOT_FINITE, f"{_show(value)} is out of range")
        exact = Fraction(value)
    elif isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise NumberError(Reason.NOT_FINITE, f"{_show(value)} is not a finite number")
        return float(value)
    else:
        raise NumberError(Reason.WRONG_TYPE, f"{_show(value)} is not a number")
    try:
        result = float(exact)
    except OverflowError:
        result = float("inf")
    if not np.isfinite(result):
        raise NumberError(Reason.NOT_FINITE, f"{_show(value)} is too large")
    return result


def position_text(position: tuple[int, ...]) -> str:
    """'entry 3', 'row 2, column 3' or 'entry (1, 2, 3)' for a 1-based position."""
    if len(position) == 1:
        return f"entry {position[0]}"
    if len(position) == 2:
        return f"row {position[0]}, column {position[1]}"
    return f"entry ({', '.join(str(p) for p in position)})"


def _located(exc: NumberError, position: tuple[int, ...]) -> NumberError:
    """`exc` with its message prefixed by the entry position."""
    if not position:
        return exc
    return NumberError(exc.reason, f"{position_text(position)}: {exc.message}", position)


def read_array(value: object, *, max_entries: int = 10_000) -> np.ndarray:
    """An answer value (a scalar string/int/float, or nested lists/tuples of them, as loaders
    deliver it) as a float64 array.

    Raises NumberError: WRONG_SHAPE (ragged or empty lists), WRONG_TYPE (booleans, None,
    mappings inside), TOO_LARGE (more than `max_entries` entries, nesting deeper than 4),
    NOT_FINITE (inf/nan or beyond the float range), NOT_A_NUMBER; messages name the entry
    ("row 2, column 3: 'abc' is not a number").
    """
    shape = _shape(value, (), 0, max_entries)
    count = int(np.prod(shape)) if shape else 1
    if count > max_entries:
        raise NumberError(Reason.TOO_LARGE, f"{count} entries are more than {max_entries}")
    out = np.empty(count, dtype=np.float64)
    for index, (position, scalar) in enumerate(_leaves(value)):
        try:
            out[index] = scalar_value(scalar)
        except NumberError as exc:
            raise _located(exc, position) from None
    return out.reshape(shape)


@dataclass(frozen=True)
class Entries:
    """An array answer read entry by entry: NaN where an entry is unreadable, the located
    errors of those entries, and notes on lenient readings (decimal commas)."""

    array: np.ndarray
    unreadable: tuple[NumberError, ...] = ()
    notes: tuple[str, ...] = ()


def read_entries(value: object, *, max_entries: int = 10_000) -> Entries:
    """Like :func:`read_array`, but an unreadable entry costs only itself: it is NaN in the
    array and its error (naming the entry) is listed. The shape problems of read_array still
    raise, and so does a value whose every entry is unreadable (the first entry's error)."""
    shape = _shape(value, (), 0, max_entries)
    count = int(np.prod(shape)) if shape else 1
    if count > max_entries:
        raise NumberError(Reason.TOO_LARGE, f"{count} entries are more than {max_entries}")
    out = np.empty(count, dtype=np.float64)
    bad: list[NumberError] = []
    notes: list[str] = []
    for index, (position, scalar) in enumerate(_leaves(value)):
        try:
            fast = plain_float(scalar) if isinstance(scalar, str) else None
            if fast is not None:  # a plain literal: no Fraction needed (see plain_float)
                out[index] = fast
            elif isinstance(scalar, str):
                reading = read_number(scalar)
                out[index] = scalar_value(reading.value)
                if reading.note:
                    notes.append(
                        _located(NumberError(Reason.NOT_A_NUMBER, reading.note), position).message
                    )
            else:
                out[index] = scalar_value(scalar)
        except NumberError as exc:
            out[index] = np.nan
            bad.append(_located(exc, position))
    if len(bad) == count:
        raise bad[0]
    return Entries(out.reshape(shape), tuple(bad), tuple(notes))


def _shape(value: object, position: tuple[int, ...], depth: int, limit: int) -> tuple[int, ...]:
    """The rectangular shape of nested lists/tuples; raises on ragged, empty, too deep or (one
    list alone) longer than `limit`, before looking at the items of an over-long list."""
    if not isinstance(value, (list, tuple)):
        if isinstance(value, Mapping):
            where = f"{position_text(position)}: " if position else ""
            raise NumberError(Reason.WRONG_TYPE, f"{where}a mapping is not a number", position)
        return ()
    if depth >= MAX_DEPTH:
        raise NumberError(Reason.TOO_LARGE, f"lists nested deeper than {MAX_DEPTH} levels")
    if not value:
        where = f"{position_text(position)}: " if position else ""
        raise NumberError(Reason.WRONG_SHAPE, f"{where}the list is empty", position)
    if len(value) > limit:
        raise NumberError(Reason.TOO_LARGE, f"{len(value)} entries are more than {limit}")
    first = _shape(value[0], (*position, 1), depth + 1, limit)
    if len(value) * int(np.prod(first)) > limit:
        raise NumberError(
            Reason.TOO_LARGE, f"{len(value) * int(np.prod(first))} entries are more than {limit}"
        )
    for i, item in enumerate(value[1:], start=2):
        other = _shape(item, (*position, i), depth + 1, limit)
        if other != first:
            raise NumberError(
                Reason.WRONG_SHAPE,
                f"{position_text((*position, i))} has a different length or nesting than "
                f"{position_text((*position, 1))} (the lists are ragged)",
                (*position, i),
            )
    return (len(value), *first)


def _leaves(value: object) -> list[tuple[tuple[int, ...], object]]:
    """Every scalar with its 1-based position, in row-major order (iteratively)."""
    out: list[tuple[tuple[int, ...], object]] = []
    stack: list[tuple[tuple[int, ...], object]] = [((), value)]
    while stack:
        position, current = stack.pop()
        if isinstance(current, (list, tuple)):
            items = list(enumerate(current, start=1))
            stack.extend(((*position, i), item) for i, item in reversed(items))
        else:
            out.append((position, current))
    return out
