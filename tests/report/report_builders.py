"""Builders for small hand-made gradebooks shared by the report tests (imported, not a conftest)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Status,
)

# A symbolic part, a numeric part, a free-text part, a chain question whose parts carry a
# convention (with an unscored choice slot naming it) and a question without conventions.
INFO = AssignmentInfo(
    id="course-1",
    title="Course 1",
    max_total=30,
    questions=(
        QuestionInfo("q1", "Derivatives", 10, False, (
            PartInfo("q1.sym", "q1", 4, "symbolic"),
            PartInfo("q1.num", "q1", 3, "numeric"),
            PartInfo("q1.text", "q1", 3, "text", review=True),
        )),
        QuestionInfo("chain", "Forward pass", 20, False, (
            PartInfo("chain.convention", "chain", 0, "choice", scored=False),
            PartInfo("chain.a", "chain", 10, "numeric"),
            PartInfo("chain.b", "chain", 10, "numeric"),
        )),
    ),
)  # fmt: skip


def part(
    answer_id: str,
    outcome: Outcome,
    points: float = 0.0,
    answer: str | None = "x",
    feedback: Sequence[str] = (),
    detail: Mapping[str, object] | None = None,
) -> PartScore:
    """A part of INFO with the given outcome and answer (max points from INFO)."""
    slot = INFO.slot(answer_id)
    max_points = slot.max_points if slot is not None else 1.0
    question = answer_id.split(".", 1)[0]
    return PartScore(
        answer_id, question, points, max_points, outcome, tuple(feedback),
        answer_text=answer, detail=dict(detail or {}),
    )  # fmt: skip


def row(
    student_id: str,
    parts: Sequence[PartScore] = (),
    status: Status = Status.GRADED,
    total: float | None = None,
    detail: Mapping[str, object] | None = None,
) -> GradedSubmission:
    """A gradebook row; the total defaults to the sum of the parts' points."""
    points = sum(p.points for p in parts) if total is None else total
    questions: dict[str, float] = {}
    for p in parts:
        questions[p.question] = questions.get(p.question, 0.0) + p.points
    return GradedSubmission(
        student_id, f"Student {student_id}", f"{student_id}.yaml", status, questions,
        base=points, bonus=0.0, total=points, max_total=INFO.max_total, parts=tuple(parts),
        detail=dict(detail or {}),
    )  # fmt: skip


def book(*rows: GradedSubmission, info: AssignmentInfo = INFO) -> Gradebook:
    """A gradebook of `rows`."""
    return Gradebook(info, tuple(rows))
