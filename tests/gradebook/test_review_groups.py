"""review.csv groups identical unread answers; a grouped row handed back scores every student."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from grader.gradebook.csvout import csv_bytes
from grader.gradebook.scores import read_ta_scores
from grader.gradebook.tables import REVIEW_HEADER, review_rows
from grader.model import AssignmentInfo, Gradebook, GradedSubmission, Outcome, PartScore, Status


def _row(student: str, answer: str, text: str = "an idea", points: float = 0) -> GradedSubmission:
    return GradedSubmission(
        student_id=student, name=f"Name {student}", source=f"{student}.yaml",
        status=Status.NEEDS_REVIEW, question_points={"ex1": 0, "ex3": 0}, base=0, bonus=0,
        total=0, max_total=30,
        parts=(
            PartScore("ex1.a", "ex1", points, 3, Outcome.UNPARSEABLE, ("Could not read.",),
                      needs_review=True, answer_text=answer),
            PartScore("ex3.explanation", "ex3", 1, 3, Outcome.NEEDS_REVIEW, (),
                      needs_review=True, answer_text=text),
        ),
    )  # fmt: skip


def _review(info: AssignmentInfo, rows: list[GradedSubmission]) -> list[dict[str, str]]:
    data = csv_bytes(REVIEW_HEADER, review_rows(Gradebook(info, tuple(rows))))
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_identical_unread_answers_are_one_row(info: AssignmentInfo) -> None:
    rows = [_row("s3", "dL/dW = z2 *"), _row("s1", "dL/dW =  z2 *"), _row("s2", "other ("),
            _row("s4", "dL/dW = z2 *", points=1)]  # fmt: skip
    review = _review(info, rows)
    unread = [(r["student_id"], r["students"]) for r in review if r["part"] == "ex1.a"]
    # whitespace aside the same form; another form, or other provisional points, stay apart
    assert unread == [("s1 s3", "2"), ("s2", "1"), ("s4", "1")]
    grouped = next(r for r in review if r["student_id"] == "s1 s3")
    assert grouped["name"] == "Name s1; Name s3" and grouped["source"] == "s1.yaml s3.yaml"


def test_free_text_keeps_a_row_per_student(info: AssignmentInfo) -> None:
    review = _review(info, [_row("s1", "x"), _row("s2", "y")])
    text = [r["student_id"] for r in review if r["part"] == "ex3.explanation"]
    assert text == ["s1", "s2"] and review[0]["part"] == "ex3.explanation"


def test_a_grouped_row_handed_back_scores_every_student(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    review = _review(info, [_row("s1", "q *"), _row("s2", "q *"), _row("s3", "q *")])
    for row in review:
        if row["part"] == "ex1.a":
            row["points"], row["grader"] = "2", "tb"
    path = tmp_path / "review.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(review[0]))
        writer.writeheader()
        writer.writerows(review)
    scores, messages = read_ta_scores(path, info)
    assert messages == []
    assert sorted((s.student_id, s.part, s.points) for s in scores) == [
        ("s1", "ex1.a", 2.0), ("s2", "ex1.a", 2.0), ("s3", "ex1.a", 2.0),
    ]  # fmt: skip


def test_rows_not_awaiting_review_are_not_listed(info: AssignmentInfo) -> None:
    done = replace(_row("s1", "q"), parts=())
    assert _review(info, [done]) == []
