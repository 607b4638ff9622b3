"""Wrong numeric answers described by the step that went wrong, the same way in every variant.

With per-student numbers, two students who made the same mistake write different wrong values,
so grouping wrong answers by their numbers (as the class report does for a class with one set
of numbers) finds nothing. For a rubric with variants every wrong numeric answer of a question
that depends on the variant is compared with its own variant's key (under the convention it
was marked against) and described in words free of numbers (`grader.numeric.deviation`); the
description goes into the part's detail (`step`), and the report groups by it.

`NumericKeys` (float keys of every variant and convention, computed once each) is shared with
the copy signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from grader.checkers.arrays import orient, read_answer, tolerance_from
from grader.checkers.prepare import PreparedRubric
from grader.checkers.variants import PreparedVariants
from grader.model import (
    GradedSubmission,
    Outcome,
    PartScore,
    RawAnswer,
    Submission,
    frozen_mapping,
)
from grader.numeric import Tolerance
from grader.numeric.deviation import describe_deviation
from grader.rubric.draw import Variant

STEP_DETAIL = "step"  # PartScore.detail: how a wrong numeric answer deviates (no numbers in it)
CONVENTION_DETAIL = "convention"  # PartScore.detail of a chain part: the convention marked
WRONG = frozenset({Outcome.INCORRECT, Outcome.PARTIAL})

Key = dict[str, np.ndarray]


class NumericKeys:
    """The float keys of the numeric parts of variant-dependent questions, per variant and
    convention, computed on first use."""

    def __init__(self, variants: PreparedVariants) -> None:
        self.variants = variants
        self.parts = _numeric_parts(variants.base, variants.dependent)
        self.conventions = _conventions(variants.base)
        self._cache: dict[str, dict[str | None, Key]] = {}

    def of(self, variant: Variant) -> dict[str | None, Key]:
        """Convention -> answer id -> the key as floats."""
        if variant.label not in self._cache:
            prepared = self.variants.prepared(variant)
            self._cache[variant.label] = {
                c: {aid: _floats(v) for aid, v in prepared.key(c).items() if aid in self.parts}
                for c in self.conventions
            }
        return self._cache[variant.label]

    def tolerance(self) -> Tolerance:
        """The rubric's default tolerance (what "right" means for a comparison here)."""
        return tolerance_from(None, self.variants.base.rubric.tolerances, "tolerances")


def _floats(value: object) -> np.ndarray:
    return np.asarray(np.asarray(value, dtype=object).tolist(), dtype=float)


def _numeric_parts(base: PreparedRubric, dependent: frozenset[str]) -> dict[str, bool]:
    """Numeric answer ids of the variant-dependent questions -> whether either orientation."""
    return {
        p.answer_id: p.options.get("orientation") == "either"
        for q in base.rubric.questions
        if q.id in dependent
        for p in q.parts
        if p.scored and p.kind == "numeric"
    }


def _conventions(base: PreparedRubric) -> list[str | None]:
    found: list[str | None] = []
    for question in base.rubric.questions:
        listed = question.options.get("conventions")
        if isinstance(listed, (list, tuple)):
            found += [str(c) for c in listed if str(c) not in found]
    return found or [None]


def sheet_arrays(answers: Mapping[str, RawAnswer], parts: Mapping[str, bool]) -> Key:
    """The sheet's readable numeric answers among `parts`, as float arrays."""
    out = {}
    for answer_id in parts:
        read = read_answer(answers.get(answer_id))
        if read.array is not None and read.array.size:
            out[answer_id] = read.array
    return out


def _oriented(arrays: Key, key: Key, parts: Mapping[str, bool]) -> Key:
    """The sheet's arrays in the key's orientation (those that fit it)."""
    out = {}
    for answer_id, array in arrays.items():
        reference = key.get(answer_id)
        if reference is not None:
            oriented, _ = orient(array, reference.shape, parts[answer_id])
            if oriented is not None:
                out[answer_id] = oriented
    return out


def _from_own_upstream(
    prepared: PreparedRubric, part: PartScore, convention: str, sheet: Key
) -> np.ndarray | None:
    """The part recomputed from the student's own upstream values, when its question is a
    chain (`grader.references.ChainSolver`) and some upstream value is usable; else None."""
    question = prepared.questions.get(part.question)
    solver, data = getattr(question, "solver", None), getattr(question, "data", None)
    if not callable(getattr(solver, "recompute", None)) or data is None:
        return None
    local = part.answer_id.removeprefix(f"{part.question}.")
    try:
        upstream = solver.upstream(local, convention)  # type: ignore[union-attr]
        given = {u: _usable(sheet.get(f"{part.question}.{u}")) for u in upstream}
        if all(v is None for v in given.values()):
            return None
        with np.errstate(all="ignore"):
            value = solver.recompute(local, given, data, convention)  # type: ignore[union-attr]
        array = np.asarray(value, dtype=float)
    except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
        return None
    return array if bool(np.all(np.isfinite(array))) else None


def _usable(array: np.ndarray | None) -> np.ndarray | None:
    """An upstream value a later step may be recomputed from (as the chain grader decides:
    numbers of the right shape, not all zeros)."""
    return array if array is not None and bool(np.any(array != 0)) else None


def _step(part: PartScore, prepared: PreparedRubric, keys: Mapping[str | None, Key],
          arrays: Key, either: Mapping[str, bool], tol: Tolerance) -> str | None:  # fmt: skip
    """How the part deviates from what the student's own earlier values give (the step that
    went wrong), or from the key when nothing upstream is usable."""
    convention = part.detail.get(CONVENTION_DETAIL)
    named = convention if isinstance(convention, str) else None
    key = keys.get(named) or next(iter(keys.values()))
    sheet = _oriented(arrays, key, either)
    reference, array = key.get(part.answer_id), sheet.get(part.answer_id)
    if reference is None:
        return None
    if array is None:
        return "wrong shape"
    expected = _from_own_upstream(prepared, part, named, sheet) if named else None
    if expected is None or expected.shape != array.shape:
        expected = reference
    return describe_deviation(array, expected, tol)


def annotate_steps(
    variants: PreparedVariants,
    submissions: Sequence[Submission],
    rows: Sequence[GradedSubmission],
) -> list[GradedSubmission]:
    """The rows with every wrong numeric part of a variant-dependent question described in
    its detail (`step`); unchanged without variants."""
    if not variants.enabled:
        return list(rows)
    keys = NumericKeys(variants)
    tol = keys.tolerance()
    by_source = {s.source: s for s in submissions if s.readable}
    out = []
    for row in rows:
        sub = by_source.get(row.source)
        if sub is None:
            out.append(row)
            continue
        arrays = sheet_arrays(sub.answers, keys.parts)
        variant = variants.variant_of(row.student_id)
        own, prepared = keys.of(variant), variants.prepared(variant)
        parts = []
        for part in row.parts:
            step = None
            if part.answer_id in arrays and part.outcome in WRONG:
                step = _step(part, prepared, own, arrays, keys.parts, tol)
            if step:
                part = replace(part, detail=frozen_mapping({**part.detail, STEP_DETAIL: step}))
            parts.append(part)
        out.append(replace(row, parts=tuple(parts)))
    return out
