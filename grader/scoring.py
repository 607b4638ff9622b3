"""From scored parts to a gradebook row: TA scores, question sums, the bonus rule, the status.

Order matters and follows the marking scheme: parts are rounded first (to the rubric's
`rounding:` decimals, like every total), TA scores replace parts,
questions are sums of rounded parts, and the bonus rule is applied last, after TA scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from grader.checkers.base import QuestionResult
from grader.model import (
    GradedSubmission,
    Location,
    Message,
    Method,
    Outcome,
    PartScore,
    Reason,
    Severity,
    Status,
    Submission,
    frozen_mapping,
)
from grader.numeric import round_points
from grader.rubric.spec import Rubric


class TAScoreLike(Protocol):
    """What scoring needs from a TA's score (grader.gradebook.TAScore)."""

    @property
    def student_id(self) -> str: ...
    @property
    def part(self) -> str: ...
    @property
    def points(self) -> float: ...
    @property
    def grader(self) -> str: ...
    @property
    def comment(self) -> str: ...


@dataclass(frozen=True)
class Totals:
    """Question points, base, counted bonus and total of one row."""

    questions: Mapping[str, float]
    base: float
    bonus: float
    total: float


def apply_overrides(
    parts: Iterable[PartScore],
    student_id: str,
    overrides: Mapping[tuple[str, str], TAScoreLike],
    places: int = 2,
) -> tuple[PartScore, ...]:
    """Replace parts a TA scored: outcome `overridden`, with the grader's name and comment;
    the TA's points are rounded like every part (`places`: the rubric's `rounding:`)."""
    out = []
    for part in parts:
        ta = overrides.get((student_id, part.answer_id))
        if ta is None:
            out.append(part)
            continue
        note = f"Scored by {ta.grader or 'a TA'}" + (f": {ta.comment}" if ta.comment else ".")
        out.append(
            replace(
                part,
                points=round_points(ta.points, places),
                outcome=Outcome.OVERRIDDEN,
                needs_review=False,
                method=Method.TA,
                grader=ta.grader or None,
                comment=ta.comment or None,
                feedback=(note,),
                detail=frozen_mapping(
                    {
                        **part.detail,
                        "automatic_points": part.points,
                        "automatic_outcome": part.outcome.value,
                    }
                ),
            )
        )
    return tuple(out)


def totals(rubric: Rubric, parts: Iterable[PartScore]) -> Totals:
    """Sum rounded parts into questions, then base, bonus (after the rule) and total."""
    per_question = {q.id: 0.0 for q in rubric.questions}
    for part in parts:
        per_question[part.question] = per_question.get(part.question, 0.0) + part.points
    questions = {qid: round_points(value, rubric.rounding) for qid, value in per_question.items()}
    bonus_ids = {q.id for q in rubric.questions if q.bonus}
    base = round_points(sum(v for q, v in questions.items() if q not in bonus_ids), rubric.rounding)
    earned = round_points(sum(v for q, v in questions.items() if q in bonus_ids), rubric.rounding)
    total = rubric.bonus.apply(base, earned) if rubric.bonus else base + earned
    total = round_points(total, rubric.rounding)
    return Totals(questions, base, round_points(total - base, rubric.rounding), total)


def graded_row(
    rubric: Rubric,
    submission: Submission,
    results: Mapping[str, QuestionResult],
    overrides: Mapping[tuple[str, str], TAScoreLike],
    extra_messages: tuple[Message, ...] = (),
    flags: tuple[Reason, ...] = (),
) -> GradedSubmission:
    """The gradebook row of a readable submission."""
    parts = tuple(p for qid in (q.id for q in rubric.questions) for p in results[qid].parts)
    if submission.needs_review:
        parts = tuple(_for_review(p) for p in parts)
    undecidable = _answers_for_a_person(rubric, submission)
    parts = tuple(replace(p, needs_review=True) if p.answer_id in undecidable else p for p in parts)
    parts = apply_overrides(parts, submission.student_id, overrides, rubric.rounding)
    sums = totals(rubric, parts)
    review = any(p.needs_review for p in parts) or Reason.DUPLICATE_ID in flags
    detail: dict[str, Any] = {q: dict(r.detail) for q, r in results.items() if r.detail}
    return GradedSubmission(
        student_id=submission.student_id,
        name=submission.name,
        source=submission.source,
        status=Status.NEEDS_REVIEW if review else Status.GRADED,
        question_points=frozen_mapping(sums.questions),
        base=sums.base,
        bonus=sums.bonus,
        total=sums.total,
        max_total=rubric.max_total,
        parts=parts,
        messages=submission.messages + extra_messages,
        flags=flags,
        detail=frozen_mapping(detail),
    )


def with_ta_scores(
    rubric: Rubric, row: GradedSubmission, overrides: Mapping[tuple[str, str], TAScoreLike]
) -> GradedSubmission:
    """`row` (scored without TA scores) with the TA scores of its parts applied, exactly as
    :func:`graded_row` applies them (a row none of whose parts a TA scored is returned as it
    is: an empty row keeps its status)."""
    if not any((row.student_id, part.answer_id) in overrides for part in row.parts):
        return row
    parts = apply_overrides(row.parts, row.student_id, overrides, rubric.rounding)
    sums = totals(rubric, parts)
    review = any(p.needs_review for p in parts) or Reason.DUPLICATE_ID in row.flags
    return replace(
        row,
        status=Status.NEEDS_REVIEW if review else Status.GRADED,
        question_points=frozen_mapping(sums.questions),
        base=sums.base,
        bonus=sums.bonus,
        total=sums.total,
        parts=parts,
    )


def _answers_for_a_person(rubric: Rubric, submission: Submission) -> frozenset[str]:
    """Scored parts whose answer (or an alternative slot of it) a loader flagged for a person,
    such as an answer id given twice: which of the two counts is a TA's call, never ours."""
    flagged = {a.answer_id for a in submission.answers.values() if a.review}
    out = set()
    for question in rubric.questions:
        for part in question.parts:
            slots = {part.answer_id} | {
                p.answer_id for p in question.parts if p.alternative_of == part.id
            }
            if part.scored and slots & flagged:
                out.add(part.answer_id)
    return frozenset(out)


def _for_review(part: PartScore) -> PartScore:
    """A part of a submission whose answers no machine can read: 0 provisional, for a TA."""
    return replace(
        part,
        points=0.0,
        outcome=Outcome.NEEDS_REVIEW,
        needs_review=True,
        method=Method.NONE,
        feedback=("The answers in this file cannot be read automatically; a TA marks it.",),
    )


def internal_error_messages(row: GradedSubmission) -> tuple[Message, ...]:
    """One staff message per part of `row` whose check raised (file, student and part named;
    the traceback is in the gradebook's errors.log)."""
    return tuple(
        Message(
            Severity.ERROR,
            f"student {row.student_id!r}, part {part.answer_id}: "
            + (part.staff[0] if part.staff else "internal error"),
            Location(row.source, part.answer_id),
            Reason.INTERNAL_ERROR,
        )
        for part in row.parts
        if part.outcome is Outcome.INTERNAL_ERROR
    )


def empty_row(
    rubric: Rubric,
    student_id: str,
    name: str,
    source: str,
    status: Status,
    messages: tuple[Message, ...] = (),
    flags: tuple[Reason, ...] = (),
) -> GradedSubmission:
    """A row without parts: an unreadable file or a roster student with no submission."""
    return GradedSubmission(
        student_id=student_id,
        name=name,
        source=source,
        status=status,
        question_points=frozen_mapping({q.id: 0.0 for q in rubric.questions}),
        base=0.0,
        bonus=0.0,
        total=0.0,
        max_total=rubric.max_total,
        messages=messages,
        flags=flags,
    )
