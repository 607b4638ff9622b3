"""STACK's numeric answer tests, with STACK's exact semantics, on exact values.

Values are Fractions (the student's typed number read exactly; the teacher's value evaluated to
high precision and held exactly), so STACK's float slack is kept only where STACK states it:

- NumRelative(tol, default 0.05): accept iff |sa - ta| <= |ta * tol * (1 + 1e-9)|.
- NumAbsolute(tol, default 0.05): accept iff |sa - ta| < |tol| + 1e-9.
  Both compare lists entry by entry (equal lengths required; a list never equals a number).
- NumSigFigs(n) / ([n, m]): the typed text must show n significant figures (`Digits.allows`),
  the signs must agree, and with the teacher's value rounded half-up to n figures (tb), and
  c0 = -floor(log10 tb) - 1, accept iff |sa - tb| * 10**(c0 + m) < 1/2 (m = n by default: the
  student agrees with tb to within half a unit of the m-th figure). m = -1: at least n figures
  may be typed (n <= upper bound) and the student's value is rounded to n figures first;
  m = 0: only the count of figures is checked.
- NumDecPlaces(d): the text shows exactly d decimal places and round(sa 10^d) = round(ta 10^d)
  (both rounded half-up in decimal).
- SigFigsStrict(n): only the count: the text shows exactly n figures (its lower bound is n).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from grader.numeric.digits import count_digits, magnitude, round_half_up, round_sig
from grader.numeric.reading import parse_number

STACK_SLACK = Fraction(1, 10**9)
DEFAULT_TOLERANCE = Fraction(5, 100)

Value = Fraction | Sequence[Fraction]


def _pairs(student: Value, teacher: Value) -> list[tuple[Fraction, Fraction]] | None:
    """Entry pairs of two numbers or two equally long lists; None when they do not pair up."""
    s_list, t_list = not isinstance(student, Fraction), not isinstance(teacher, Fraction)
    if s_list != t_list:
        return None
    if not s_list:
        return [(student, teacher)]  # type: ignore[list-item]
    s_items, t_items = list(student), list(teacher)  # type: ignore[arg-type]
    if len(s_items) != len(t_items):
        return None
    return list(zip(s_items, t_items, strict=True))


def num_relative(student: Value, teacher: Value, tol: Fraction = DEFAULT_TOLERANCE) -> bool:
    """STACK NumRelative: |sa - ta| <= |ta * tol * (1 + 1e-9)| (entrywise for lists)."""
    pairs = _pairs(student, teacher)
    if pairs is None:
        return False
    return all(abs(s - t) <= abs(t * tol * (1 + STACK_SLACK)) for s, t in pairs)


def num_absolute(student: Value, teacher: Value, tol: Fraction = DEFAULT_TOLERANCE) -> bool:
    """STACK NumAbsolute: |sa - ta| < |tol| + 1e-9 (entrywise for lists)."""
    pairs = _pairs(student, teacher)
    if pairs is None:
        return False
    return all(abs(s - t) < abs(tol) + STACK_SLACK for s, t in pairs)


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def num_sig_figs(text: str, teacher: Fraction, figures: int, accuracy: int | None = None) -> bool:
    """STACK NumSigFigs(n) (`accuracy` None) or ([n, m]) on the student's typed `text`.

    Raises NumberError when `text` is not a plain decimal number; ValueError for options STACK
    rejects (n < 1, m < -1).
    """
    m = figures if accuracy is None else accuracy
    if figures < 1 or m < -1:
        raise ValueError(f"invalid NumSigFigs options [{figures}, {m}]")
    digits = count_digits(text)
    shown = figures <= digits.upper if m == -1 else digits.allows(figures)
    if not shown:
        return False
    if m == 0:
        return True
    student = parse_number(text)
    if _sign(student) != _sign(teacher):
        return False
    sa, tb = abs(student), round_sig(abs(teacher), figures)
    if m == -1:
        sa, m = round_sig(sa, figures), figures
    c0 = -magnitude(tb) - 1 if tb != 0 else 0
    return abs(sa - tb) * Fraction(10) ** (c0 + m) < Fraction(1, 2)


def num_dec_places(text: str, teacher: Fraction, places: int) -> bool:
    """STACK NumDecPlaces(d): exactly d decimal places typed, and the values agree when both
    are rounded half-up to d places. Raises NumberError for text that is not a decimal."""
    if places < 1:
        raise ValueError(f"invalid NumDecPlaces option {places}")
    if count_digits(text).decimals != places:
        return False
    scale = Fraction(10) ** places
    return round_half_up(parse_number(text) * scale) == round_half_up(teacher * scale)


def sig_figs_strict(text: str, figures: int) -> bool:
    """STACK SigFigsStrict(n): the typed text shows exactly n significant figures."""
    if figures < 1:
        raise ValueError(f"invalid SigFigsStrict option {figures}")
    return count_digits(text).lower == figures

