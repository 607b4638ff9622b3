"""Numeric answers as arrays: reading, orientation, tolerance, and per-entry feedback.

Shared by the `numeric` part checker and `chain` questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.model import CheckResult, Outcome, RawAnswer, Reason
from grader.numeric import NumberError, Tolerance, read_entries
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec

DEFAULT_TOLERANCE = Tolerance(rel=0.02, abs=5e-4)
EXACT = Tolerance()  # no term: only the reference itself (up to float slack) is accepted


@dataclass(frozen=True)
class ReadArray:
    """A student's numeric answer: the array, or why it could not be read. An array with some
    unreadable entries has NaN there (they count as wrong) and `problems` naming them;
    `notes` tell of lenient readings (a decimal comma)."""

    array: np.ndarray | None
    reason: Reason | None = None
    message: str = ""
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def read_answer(answer: RawAnswer | None) -> ReadArray:
    """Read a numeric answer into a float array (never raises)."""
    if answer is None:
        return ReadArray(None, Reason.WRONG_TYPE, "no answer")
    if answer.error:
        return ReadArray(None, Reason.WRONG_TYPE, answer.error)
    try:
        entries = read_entries(answer.value)
    except NumberError as exc:
        return ReadArray(None, exc.reason, exc.message)
    problems = tuple(e.message for e in entries.unreadable)
    return ReadArray(entries.array, None, "", problems, entries.notes)


def with_read_notes(result: CheckResult, read: ReadArray) -> CheckResult:
    """`result` with sentences naming the entries that could not be read (counted wrong, as
    NaN) and lenient readings (a decimal comma)."""
    if not (read.problems or read.notes):
        return result
    extra = tuple(f"Not read: {p}." for p in read.problems)
    extra += tuple(f"Note: {n}." for n in read.notes)
    return replace(result, feedback=result.feedback + extra)


def tolerance_from(raw: Any, tolerances: Mapping[str, Any], where: str) -> Tolerance:
    """A Tolerance from a rubric value: the name of an entry of `tolerances:` or a mapping."""
    if raw is None:
        raw = tolerances.get("default")
        if raw is None:
            return DEFAULT_TOLERANCE
    if isinstance(raw, str):
        if raw not in tolerances:
            valid = ", ".join(sorted(tolerances)) or "(none declared)"
            raise RubricError([f"{where}: unknown tolerance {raw!r}; valid: {valid}"])
        raw = tolerances[raw]
    if not isinstance(raw, Mapping):
        raise RubricError([f"{where}: a tolerance is a mapping such as {{rel: 0.02, abs: 5.0e-4}}"])
    allowed = {"rel", "abs", "sigfigs", "decimals"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RubricError([f"{where}: unknown tolerance keys {unknown}; valid: {sorted(allowed)}"])
    try:
        return Tolerance(**{str(k): v for k, v in raw.items()})
    except (TypeError, ValueError) as exc:
        raise RubricError([f"{where}: {exc}"]) from exc


def is_integer_valued(reference: np.ndarray) -> bool:
    """Whether every entry of a reference is a whole number (a count, a size, an index)."""
    values = np.asarray(reference, dtype=float)
    return bool(values.size) and bool(np.all(np.isfinite(values) & (values == np.round(values))))


def part_tolerance(
    named: Any, tolerances: Mapping[str, Any], where: str, reference: np.ndarray
) -> Tolerance:
    """The tolerance of one part: the one it (or its question) names; otherwise exact for an
    integer-valued reference (1200 is not 1216) and the rubric's `tolerances.default` (or the
    built-in 2% / 5e-4) for any other."""
    if named is None and is_integer_valued(reference):
        return EXACT
    return tolerance_from(named, tolerances, where)


def orient(
    student: np.ndarray, expected: tuple[int, ...], either: bool
) -> tuple[np.ndarray | None, bool]:
    """The student's array in the expected shape, and whether it was transposed.

    A vector may be written as a row or a column; with `either`, a matrix may be given in the
    other orientation (3 x 2 for 2 x 3), and a stack of matrices with each one transposed.
    Returns (None, False) when the shape fits neither way.
    """
    if student.shape == expected:
        return student, False
    if not expected and student.size == 1:
        return student.reshape(()), False  # a single number written as [1216] or [[1216]]
    if (
        len(expected) == 1
        and student.size == expected[0]
        and student.ndim == 2
        and 1 in student.shape
    ):
        return student.reshape(expected), False
    if either and len(expected) == 2 and student.shape == expected[::-1]:
        return student.T, True
    if either and len(expected) == 3 and student.shape == (expected[0], expected[2], expected[1]):
        return np.swapaxes(student, 1, 2), True
    return None, False


def describe_shape(shape: tuple[int, ...]) -> str:
    """`(4, 3)` -> "4 x 3"; `(4,)` -> "4"."""
    return " x ".join(str(n) for n in shape) if shape else "a single number"


def position(index: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """A 1-based, human position of an array entry: "entry 3", "row 2, column 3"."""
    if not shape:
        return "the value"
    if len(shape) == 1:
        return f"entry {index[0] + 1}"
    if len(shape) == 2:
        return f"row {index[0] + 1}, column {index[1] + 1}"
    return ", ".join(f"index {i + 1}" for i in index)


def wrong_positions(ok: np.ndarray, limit: int = 6) -> str:
    """A short list of the positions where `ok` is False."""
    if ok.ndim == 0:  # a single number: np.nonzero refuses 0-d arrays
        return "" if bool(ok) else position((), ())
    bad = [tuple(int(i) for i in idx) for idx in zip(*np.nonzero(~ok), strict=True)]
    shown = "; ".join(position(idx, ok.shape) for idx in bad[:limit])
    more = f" and {len(bad) - limit} more" if len(bad) > limit else ""
    return shown + more


def shape_list(shapes: tuple[tuple[int, ...], ...]) -> str:
    """`((4, 3), (3, 4))` -> "4 x 3 or 3 x 4"."""
    return " or ".join(describe_shape(s) for s in shapes)


def wrong_shape(part: PartSpec, array: np.ndarray) -> CheckResult | None:
    """The result for an answer whose shape is not one of the part's `shapes:` (the one
    source of truth `grade check` uses too), or None when it is one or none are declared."""
    shape = tuple(int(n) for n in array.shape)
    if not part.shapes or shape in part.shapes:
        return None
    wanted = part.shape or shape_list(part.shapes)
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.INCORRECT,
        reasons=(Reason.WRONG_SHAPE,),
        feedback=(f"{part.answer_id}: expected {wanted} values, got {describe_shape(shape)}",),
    )
