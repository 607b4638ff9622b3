"""How a wrong array deviates from the right one, in words that do not depend on the numbers.

With per-student variants the wrong values of two students never coincide even when they made
the same mistake, so the class report groups wrong numeric answers by *how* they are wrong:
every wrong entry with its sign flipped, scaled by one common factor (a missed average, a
learning rate applied twice), zero where the right value is not (a unit switched off), non-zero
where it is zero, or otherwise wrong.
"""

from __future__ import annotations

import numpy as np

from grader.numeric.tolerance import Tolerance, compare_arrays

RATIO_SLACK = 0.02  # wrong entries share one factor when their ratios agree within 2 %


def describe_deviation(student: np.ndarray, expected: np.ndarray, tol: Tolerance) -> str | None:
    """How `student` differs from `expected` (same shape), e.g. "every entry: sign flipped" or
    "some entries: 0 where the value is not"; None when every entry is right. No number of the
    variant appears in it (the factor is a ratio), so equal mistakes read alike across variants."""
    ok = compare_arrays(student, expected, tol)
    wrong = ~ok
    if not wrong.any():
        return None
    s, e = np.asarray(student, dtype=float)[wrong], np.asarray(expected, dtype=float)[wrong]
    scope = "every entry" if bool(wrong.all()) else "some entries"
    zero = np.zeros_like(e)
    if bool(np.all(compare_arrays(s, -e, tol))):
        how = "sign flipped"
    elif bool(np.all(compare_arrays(s, zero, tol))):
        how = "0 where the value is not"
    elif bool(np.all(compare_arrays(e, zero, tol))):
        how = "not 0 where the value is 0"
    else:
        factor = _common_factor(s, e)
        how = f"{factor:.2g} times the right value" if factor is not None else "other values"
    return f"{scope}: {how}"


def _common_factor(student: np.ndarray, expected: np.ndarray) -> float | None:
    """The one ratio student / expected of every entry, when they agree (and it is not 1)."""
    if not np.all(np.isfinite(student)) or np.any(expected == 0):
        return None
    ratios = student / expected
    first = float(ratios[0])
    if first == 0 or not np.all(np.abs(ratios - first) <= RATIO_SLACK * abs(first)):
        return None
    return first
