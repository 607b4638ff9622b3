"""Small hand-built assignments and gradebooks shared by the gradebook tests."""

from __future__ import annotations

import pytest

from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Location,
    Message,
    Method,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Reason,
    Severity,
    Status,
)


@pytest.fixture
def info() -> AssignmentInfo:
    """Three questions: ex1 (symbolic 3 + numeric 5), ex3 (free text 3 + symbolic 7 with an
    unscored alternative spelling), ex4 (bonus free text 5); plus a pointless choice slot."""
    return AssignmentInfo(
        id="practical-1",
        title="Practical 1",
        max_total=30,
        questions=(
            QuestionInfo("ex1", "Backpropagation", 8, False, (
                PartInfo("ex1.a", "ex1", 3, "symbolic"),
                PartInfo("ex1.b", "ex1", 5, "numeric"),
                PartInfo("ex1.convention", "ex1", 0, "choice", scored=False),
            )),
            QuestionInfo("ex3", "Hinge loss", 10, False, (
                PartInfo("ex3.explanation", "ex3", 3, "text", review=True),
                PartInfo("ex3.gradient", "ex3", 7, "symbolic"),
                PartInfo("ex3.gradient_j_eq_y", "ex3", 7, "symbolic", scored=False,
                         alternative_of="ex3.gradient"),
            )),
            QuestionInfo("ex4", "Memory", 5, True, (
                PartInfo("ex4.answer", "ex4", 5, "text", review=True),
            )),
        ),
    )  # fmt: skip


@pytest.fixture
def ada_row() -> GradedSubmission:
    """A graded row whose name needs CSV quoting and parts arrive out of rubric order."""
    return GradedSubmission(
        student_id="s100",
        name='Lovelace, Ada "Countess"',
        source="ada/pen_paper_lovelace.yaml",
        status=Status.GRADED,
        question_points={"ex1": 6.5, "ex3": 10, "ex4": 2},
        base=16.5, bonus=2, total=18.5, max_total=30,
        parts=(
            PartScore("ex3.gradient", "ex3", 7, 7, Outcome.CORRECT, ("Equal for every class.",),
                      method=Method.RANDOM),
            PartScore("ex1.b", "ex1", 3.5, 5, Outcome.PARTIAL,
                      ("7 of 10 entries within 2% or 0.0005.",), method=Method.NUMERIC,
                      staff=("STAFF-ONLY-NOTE",), detail={"reference": "[1, 2]"}),
            PartScore("ex1.a", "ex1", 3, 3, Outcome.CORRECT, ("We read your answer as a*b.",),
                      method=Method.EXACT),
            PartScore("ex3.explanation", "ex3", 3, 3, Outcome.OVERRIDDEN, (),
                      method=Method.TA, grader="tb", comment="Clear; <b>good</b>."),
            PartScore("ex4.answer", "ex4", 2, 5, Outcome.NEEDS_REVIEW,
                      ("Mentions 2 ideas.",), needs_review=True, method=Method.KEYWORDS,
                      answer_text="checkpointing,\nfp16"),
        ),
    )  # fmt: skip


@pytest.fixture
def mallory_row() -> GradedSubmission:
    """A needs_review row with a formula-like name, a warning and an unexplained flag."""
    return GradedSubmission(
        student_id="s050",
        name="=HYPERLINK(\"http://evil\",\"x\")",
        source="m.yaml",
        status=Status.NEEDS_REVIEW,
        question_points={"ex1": 0, "ex3": 1.25, "ex4": 0},
        base=1.25, bonus=0, total=1.25, max_total=30,
        parts=(
            PartScore("ex3.explanation", "ex3", 1.25, 3, Outcome.NEEDS_REVIEW, (),
                      needs_review=True, answer_text="-1 because @cmd"),
            PartScore("ex1.a", "ex1", 0, 3, Outcome.UNPARSEABLE, ("Unknown symbol q.",)),
            PartScore("ex3.gradient", "ex3", 0, 7, Outcome.NEEDS_REVIEW, ("Undecided.",),
                      needs_review=True, answer_text="p_j - 1"),
        ),
        messages=(
            Message(Severity.WARNING, "unknown answer id 'ex9'",
                    Location("m.yaml", answer_id="ex9", line=12), Reason.UNKNOWN_ANSWER_ID),
            Message(Severity.INFO, "informational only", Location("m.yaml")),
        ),
        flags=(Reason.NOT_ON_ROSTER, Reason.UNKNOWN_ANSWER_ID),
    )  # fmt: skip


@pytest.fixture
def missing_row() -> GradedSubmission:
    """A roster student without a submission."""
    return GradedSubmission(
        student_id="s200", name="Nobody", source="", status=Status.MISSING,
        question_points={}, base=0, bonus=0, total=0, max_total=30,
    )  # fmt: skip


@pytest.fixture
def book(
    info: AssignmentInfo,
    ada_row: GradedSubmission,
    missing_row: GradedSubmission,
    mallory_row: GradedSubmission,
) -> Gradebook:
    """Rows deliberately not in student-id order."""
    return Gradebook(info, (ada_row, missing_row, mallory_row))
