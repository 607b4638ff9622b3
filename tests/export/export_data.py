"""Data the export tests share: a small hand-built gradebook with every status, hostile names
and a late record (fixtures using it are in conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType

from grader.model import (
    AssignmentInfo,
    GradedSubmission,
    Location,
    Message,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Severity,
    Status,
)

REPO = Path(__file__).resolve().parents[2]
HOSTILE_NAME = "=cmd|' /C calc'!A0"
COMMA_NAME = 'Doe, Jane "JD"'
NEWLINE_NAME = "Line\nBreak, Eve"
# The late record of s005, as the scorer writes it into row.detail["late"].
LATE = MappingProxyType({"submitted_at": "2026-03-03T10:00:00+00:00", "days_late": 2,
                         "penalty": 3.0, "raw_total": 23})  # fmt: skip


def small_info() -> AssignmentInfo:
    """ex1 (a 3 + b 5), ex3 (free text 3 + gradient 7, unscored alternative), ex4 bonus 5."""
    return AssignmentInfo(
        id="practical-1", title="Practical 1", max_total=30,
        questions=(
            QuestionInfo("ex1", "Backprop", 8, False, (
                PartInfo("ex1.a", "ex1", 3, "symbolic"),
                PartInfo("ex1.convention", "ex1", 0, "choice", scored=False),
                PartInfo("ex1.b", "ex1", 5, "numeric"),
            )),
            QuestionInfo("ex3", "Hinge", 10, False, (
                PartInfo("ex3.explanation", "ex3", 3, "text", review=True),
                PartInfo("ex3.gradient", "ex3", 7, "symbolic"),
                PartInfo("ex3.gradient_alt", "ex3", 7, "symbolic", scored=False,
                         alternative_of="ex3.gradient"),
            )),
            QuestionInfo("ex4", "Memory (bonus)", 5, True, (
                PartInfo("ex4.answer", "ex4", 5, "text", review=True),
            )),
        ),
    )  # fmt: skip


def _parts(
    a: float, b: float, expl: float, grad: float, bonus: float, review: bool
) -> tuple[PartScore, ...]:
    return (
        PartScore("ex1.a", "ex1", a, 3, Outcome.CORRECT if a == 3 else Outcome.INCORRECT,
                  ("Read as: a*b.",)),
        PartScore("ex1.b", "ex1", b, 5, Outcome.PARTIAL if b < 5 else Outcome.CORRECT,
                  ("7 of 10 entries within 2%.",), staff=("STAFF-ONLY",)),
        PartScore("ex3.explanation", "ex3", expl, 3,
                  Outcome.NEEDS_REVIEW if review else Outcome.OVERRIDDEN,
                  ("Provisional.",) if review else (), needs_review=review,
                  grader=None if review else "tb", comment=None if review else "Good *work*"),
        PartScore("ex3.gradient", "ex3", grad, 7, Outcome.CORRECT if grad == 7 else
                  Outcome.INCORRECT, ("Equal for every class.",)),
        PartScore("ex4.answer", "ex4", bonus, 5,
                  Outcome.NEEDS_REVIEW if review else Outcome.OVERRIDDEN, ("Two ideas.",),
                  needs_review=review),
    )  # fmt: skip


def small_rows() -> tuple[GradedSubmission, ...]:
    """Five students, deliberately not in id order: every status, hostile names, a late one."""
    return (
        GradedSubmission("s005", "Late Larry", "late.yaml", Status.GRADED,
                         {"ex1": 8, "ex3": 10, "ex4": 5}, 18, 5, 20, 30,
                         _parts(3, 5, 3, 7, 5, False), detail={"late": dict(LATE)}),
        GradedSubmission("s002", HOSTILE_NAME, "evil.yaml", Status.NEEDS_REVIEW,
                         {"ex1": 6.5, "ex3": 5.75, "ex4": 2}, 12.25, 2, 14.25, 30,
                         _parts(3, 3.5, 2.75, 3, 2, True)),
        GradedSubmission("s001", COMMA_NAME, "ada/jane.yaml", Status.GRADED,
                         {"ex1": 7.5, "ex3": 10, "ex4": 0}, 17.5, 0, 17.5, 30,
                         _parts(3, 4.5, 3, 7, 0, False)),
        GradedSubmission("s004", "Missing Person", "", Status.MISSING, {}, 0, 0, 0, 30),
        GradedSubmission("s003", NEWLINE_NAME, "broken.yaml", Status.UNREADABLE,
                         {"ex1": 0, "ex3": 0, "ex4": 0}, 0, 0, 0, 30,
                         messages=(Message(Severity.ERROR, "YAML syntax error",
                                           Location("broken.yaml", line=3)),)),
    )  # fmt: skip


def inject_detail(results: Path, details: dict[str, dict]) -> None:
    """Add rows' `detail` to a written results.json (the gradebook writer does not write row
    details yet; exports read them when present)."""
    document = json.loads(results.read_text(encoding="utf-8"))
    for row in document["rows"]:
        if row["student_id"] in details:
            row["detail"] = details[row["student_id"]]
    results.write_text(json.dumps(document), encoding="utf-8")


Runner = Callable[[Sequence[str]], tuple[int, str, str]]
