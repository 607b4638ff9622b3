"""The one numeric tolerance model: a half-width around the reference value.

Each tolerance term gives a half-width w_i(t) around the reference t:

    relative        rel * |t|
    absolute        abs
    significant     0.51 * 10**(floor(log10|t|) - (sigfigs - 1))    (t = 0: 0.51 * 10**-(n-1))
    decimal places  0.51 * 10**(-decimals)

(the last two as PrairieLearn defines them: a value correctly rounded to the stated figures is
always inside, one wrong in the last shown digit is outside). The terms combine into one
half-width W(t): `combine="max"` takes the largest (the Practical-1 rule "2% relative or 5e-4
absolute, whichever is larger"), `combine="sum"` adds them (PrairieLearn's relabs atol + rtol|t|).
A value s is accepted iff |s - t| <= W(t) + slack, where slack = 4 eps max(|s|, |t|, W) (eps the
float64 machine epsilon) absorbs binary rounding of decimal input (1.02 - 1 = 0.0200000000000000178
must pass a 2% test). With no term at all, W = 0: only the reference itself (up to slack) passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grader.numeric.reading import NumberError, parse_number

COMBINE_RULES = ("max", "sum")
_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Tolerance:
    """How far a number may be from the reference (see the module docstring for the formulas).

    `rel` and `abs` may also be given as decimal text (`"5e-4"`, as YAML 1.1 reads it)."""

    rel: float = 0.0
    abs: float = 0.0
    sigfigs: int | None = None
    decimals: int | None = None
    combine: str = "max"

    def __post_init__(self) -> None:
        for name in ("rel", "abs"):
            value = getattr(self, name)
            if isinstance(value, str):  # YAML 1.1 reads `5e-4` (no dot) as text
                try:
                    value = float(parse_number(value))
                except NumberError:
                    raise ValueError(f"tolerance {name} must be a number, not {value!r}") from None
                object.__setattr__(self, name, value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"tolerance {name} must be a number, not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"tolerance {name} must be finite and >= 0, not {value!r}")
        if self.sigfigs is not None and (
            isinstance(self.sigfigs, bool) or not isinstance(self.sigfigs, int) or self.sigfigs < 1
        ):
            raise ValueError(f"sigfigs must be an integer >= 1, not {self.sigfigs!r}")
        if self.decimals is not None and (
            isinstance(self.decimals, bool)
            or not isinstance(self.decimals, int)
            or self.decimals < 0
        ):
            raise ValueError(f"decimals must be an integer >= 0, not {self.decimals!r}")
        if self.combine not in COMBINE_RULES:
            raise ValueError(f"combine must be one of {COMBINE_RULES}, not {self.combine!r}")

    def half_width(self, ref: np.ndarray) -> np.ndarray:
        """W(t) for every reference value (float array in, float array out)."""
        t = np.abs(np.asarray(ref, dtype=np.float64))
        terms = [self.rel * t, np.full_like(t, float(self.abs))]
        if self.sigfigs is not None:
            with np.errstate(divide="ignore"):
                power = np.where(t > 0, np.floor(np.log10(np.where(t > 0, t, 1.0))), 0.0)
            terms.append(0.51 * 10.0 ** (power - (self.sigfigs - 1)))
        if self.decimals is not None:
            terms.append(np.full_like(t, 0.51 * 10.0 ** (-self.decimals)))
        stacked = np.stack(terms)
        return stacked.max(axis=0) if self.combine == "max" else stacked.sum(axis=0)

    def accepts(self, student: float, ref: float) -> bool:
        """Whether `student` is within the tolerance of `ref` (non-finite values never are)."""
        mask = compare_arrays(np.array([student], dtype=float), np.array([ref], dtype=float), self)
        return bool(mask[0])

    def interval(self, ref: float) -> tuple[float, float]:
        """The accepted interval [t - W(t), t + W(t)] (shown in feedback)."""
        width = float(self.half_width(np.array([ref], dtype=float))[0])
        return (ref - width, ref + width)

    def describe(self) -> str:
        """In words: 'within 2% or 0.0005, whichever is larger'."""
        terms = []
        if self.rel:
            terms.append(f"{self.rel * 100:g}%")
        if self.abs:
            terms.append(f"{self.abs:g}")
        if self.sigfigs is not None:
            terms.append(f"{self.sigfigs} significant figure{'s' if self.sigfigs != 1 else ''}")
        if self.decimals is not None:
            terms.append(f"{self.decimals} decimal place{'s' if self.decimals != 1 else ''}")
        if not terms:
            return "exactly"
        if len(terms) == 1:
            return f"within {terms[0]}"
        if self.combine == "sum":
            return "within " + " plus ".join(terms)
        return f"within {', '.join(terms[:-1])} or {terms[-1]}, whichever is larger"


def compare_arrays(student: np.ndarray, ref: np.ndarray, tol: Tolerance) -> np.ndarray:
    """A boolean array, True where the student's entry is within `tol` of the reference entry.

    Shapes must match exactly (orientation and broadcasting are the caller's business): a
    mismatch raises ValueError. NaN or infinite entries are never accepted.
    """
    s = np.asarray(student, dtype=np.float64)
    t = np.asarray(ref, dtype=np.float64)
    if s.shape != t.shape:
        raise ValueError(f"shape {s.shape} does not match the reference shape {t.shape}")
    finite = np.isfinite(s) & np.isfinite(t)
    s_safe, t_safe = np.where(finite, s, 0.0), np.where(finite, t, 0.0)
    width = tol.half_width(t_safe)
    scale = np.maximum(np.maximum(np.abs(s_safe), np.abs(t_safe)), width)
    ok = np.abs(s_safe - t_safe) <= width + 4 * _EPS * scale
    return np.asarray(ok & finite, dtype=bool)


@dataclass(frozen=True)
class PreparedReference:
    """A reference array that many students' arrays are compared with (a key): |t| and the
    half-widths W(t) worked out once, where that gives the very floats compare_arrays computes.

    `width` and `magnitude` are kept only when every entry of the reference is finite and the
    tolerance has no sigfigs term: W(t) is then IEEE arithmetic entry by entry (a product, a
    constant, their maximum or sum), so an entry's half-width does not depend on the other
    entries or on the student's values; with sigfigs (log10, power) no such promise is made and
    every comparison computes W anew.
    """

    values: np.ndarray
    tolerance: Tolerance
    magnitude: np.ndarray | None = None
    width: np.ndarray | None = None


def prepare_reference(ref: np.ndarray, tol: Tolerance) -> PreparedReference:
    """`ref` ready for :func:`compare_prepared` (see PreparedReference)."""
    t = np.asarray(ref, dtype=np.float64)
    if tol.sigfigs is not None or not bool(np.all(np.isfinite(t))):
        return PreparedReference(t, tol)
    return PreparedReference(t, tol, np.abs(t), tol.half_width(t))


def compare_prepared(student: np.ndarray, reference: PreparedReference) -> np.ndarray:
    """Exactly `compare_arrays(student, reference.values, reference.tolerance)`, with fewer
    array operations when the reference kept its half-widths and every student entry is finite:
    compare_arrays's zero-filled copies are then the arrays themselves and its W(t) the kept
    one, and the remaining operations are the same ones in the same order."""
    s = np.asarray(student, dtype=np.float64)
    t, width, magnitude = reference.values, reference.width, reference.magnitude
    if width is None or magnitude is None or s.shape != t.shape or not np.isfinite(s).all():
        return compare_arrays(s, t, reference.tolerance)
    scale = np.maximum(np.maximum(np.abs(s), magnitude), width)
    return np.asarray(np.abs(s - t) <= width + 4 * _EPS * scale, dtype=bool)
