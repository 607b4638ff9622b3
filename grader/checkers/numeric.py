"""`check: numeric`: a number, vector or matrix compared entry by entry within a tolerance.

An array earns the part's points in proportion to the entries that are right. With
`orientation: either` a matrix may be given transposed. (Chain questions use the same reading
and comparison, and add conventions and carried errors.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.checkers import mistakes as declared
from grader.checkers.arrays import (
    describe_shape,
    orient,
    part_tolerance,
    read_answer,
    shape_list,
    with_read_notes,
    wrong_positions,
    wrong_shape,
)
from grader.checkers.base import (
    Answers,
    Job,
    PartChecker,
    PreparedPart,
    PrepareEnv,
    is_blank,
    missing,
)
from grader.checkers.mistakes import ValueMistake
from grader.model import CheckResult, Method, Outcome, Reason, frozen_mapping
from grader.numeric import NumberError, Tolerance, compare_arrays, read_array
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec

ORIENTATIONS = ("exact", "either")


def judge_array(
    student: np.ndarray, reference: np.ndarray, tol: Tolerance, either: bool, label: str = ""
) -> tuple[CheckResult, np.ndarray | None]:
    """Compare a student's array with the reference; the result and the oriented array."""
    oriented, transposed = orient(student, reference.shape, either)
    if oriented is None:
        return (
            CheckResult(
                fraction=0.0,
                outcome=Outcome.INCORRECT,
                method=Method.NUMERIC,
                reasons=(Reason.WRONG_SHAPE,),
                feedback=(
                    f"Expected {describe_shape(reference.shape)} values but got "
                    f"{describe_shape(student.shape)}.",
                ),
            ),
            None,
        )
    ok = compare_arrays(oriented, reference, tol)
    return entry_result(ok, tol, transposed), oriented


def entry_result(ok: np.ndarray, tol: Tolerance, transposed: bool) -> CheckResult:
    """A result from per-entry correctness: proportional credit and where it went wrong."""
    right, total = int(ok.sum()), int(ok.size)
    feedback = []
    if transposed:
        feedback.append("Read in the transposed orientation (accepted).")
    if ok.ndim == 0:  # a single number
        outcome = Outcome.CORRECT if right else Outcome.INCORRECT
        state = "right" if right else "not right"
        feedback.append(f"The value is {state} ({tol.describe()}).")
    elif right == total:
        outcome = Outcome.CORRECT
        feedback.append(f"All {total} values are right ({tol.describe()}).")
    else:
        outcome = Outcome.PARTIAL if right else Outcome.INCORRECT
        feedback.append(
            f"{right} of {total} values are right ({tol.describe()}); wrong: {wrong_positions(ok)}."
        )
    reasons: tuple[Reason, ...] = (
        (Reason.WITHIN_TOLERANCE,) if right == total else (Reason.OUT_OF_TOLERANCE,)
    )
    if transposed:
        reasons += (Reason.ORIENTATION,)
    return CheckResult(
        fraction=right / total if total else 0.0,
        outcome=outcome,
        method=Method.NUMERIC,
        reasons=reasons,
        feedback=tuple(feedback),
    )


def unreadable(spec: PartSpec, reason: Reason | None, message: str) -> CheckResult:
    """The result for a numeric answer that is not numbers of a usable form."""
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.UNPARSEABLE,
        reasons=(reason or Reason.NOT_A_NUMBER,),
        feedback=(f"{spec.answer_id}: {message}",),
    )


def with_mistakes(
    result: CheckResult,
    oriented: np.ndarray | None,
    found: tuple[ValueMistake, ...],
    tol: Tolerance,
) -> CheckResult:
    """`result`, or the first declared mistake the whole answer equals when that is worth
    more (a forgotten +1 earns its credit, not the 0 of every entry wrong)."""
    if oriented is None or result.outcome is Outcome.CORRECT:
        return result
    for mistake in found:
        if mistake.values.shape != oriented.shape or mistake.credit <= result.fraction:
            continue
        if bool(compare_arrays(oriented, mistake.values, tol).all()):
            return CheckResult(
                fraction=mistake.credit,
                outcome=Outcome.PARTIAL if mistake.credit > 0 else Outcome.INCORRECT,
                method=Method.NUMERIC,
                reasons=(Reason.MISTAKE,),
                feedback=(mistake.feedback,),
                detail=frozen_mapping({"mistake": mistake.id}),
            )
    return result


class PreparedNumeric(PreparedPart):
    """A numeric part bound to its reference array and its declared mistakes."""

    def __init__(
        self,
        spec: PartSpec,
        reference: np.ndarray,
        tol: Tolerance,
        either: bool,
        found: tuple[ValueMistake, ...] = (),
    ) -> None:
        super().__init__(spec)
        self.reference = reference
        self.tol = tol
        self.either = either
        self.mistakes = found

    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        answer = answers.get(self.spec.answer_id)
        if is_blank(answer):
            return missing(self.spec)
        read = read_answer(answer)
        if read.array is None:
            return unreadable(self.spec, read.reason, read.message)
        wrong = wrong_shape(self.spec, read.array)
        if wrong is not None:
            return wrong
        result, oriented = judge_array(read.array, self.reference, self.tol, self.either)
        return with_read_notes(with_mistakes(result, oriented, self.mistakes, self.tol), read)

    def key_value(self, convention: str | None) -> Any:
        return self.reference


class NumericChecker(PartChecker):
    """`check: numeric` with `reference:` (a solver function name, or the values),
    `tolerance:` (a name from `tolerances:` or a mapping), `orientation: exact|either` and
    `mistakes:` (wrong values worth partial credit)."""

    name = "numeric"
    kind = "numeric"
    options = frozenset({"reference", "tolerance", "orientation", "mistakes"})

    def validate(self, part: PartSpec) -> list[str]:
        problems = declared.validate(
            part.options.get("mistakes", ()), f"{part.where}.mistakes", True
        )
        orientation = part.options.get("orientation", "exact")
        if orientation not in ORIENTATIONS:
            problems.append(f"{part.where}.orientation: must be one of {', '.join(ORIENTATIONS)}")
        return problems

    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        where = f"{part.where}.reference"
        raw = part.options.get("reference")
        if raw is None:
            raise RubricError([f"{where}: required by check 'numeric'"])
        value = env.solver(raw, where)(env.rubric.data) if isinstance(raw, str) else raw
        reference = reference_array(value, where)
        if part.shapes and tuple(reference.shape) not in part.shapes:
            raise RubricError(
                [f"{part.where}.shapes: {shape_list(part.shapes)} do not include the solver's "
                 f"{describe_shape(reference.shape)}"]  # fmt: skip
            )
        tol = part_tolerance(
            part.options.get("tolerance"),
            env.rubric.tolerances,
            f"{part.where}.tolerance",
            reference,
        )
        either = part.options.get("orientation") == "either"
        found = declared.numeric(part, env, reference, reference_array)
        return PreparedNumeric(part, reference, tol, either, found)


def reference_array(value: Any, where: str) -> np.ndarray:
    """Reference values (numbers, Fractions, nested lists, numpy arrays) as a float array."""
    try:
        return np.asarray(read_array(_plain(value)), dtype=float)
    except NumberError as exc:
        raise RubricError([f"{where}: {exc.message}"]) from exc


def _plain(value: Any) -> Any:
    """Reference values (Fractions, numpy arrays) as nested lists of strings for read_array."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
