"""Gradebook.to_frame: one DataFrame row per student and scored part, values as stored."""

from __future__ import annotations

import pytest
from report_builders import book, part, row

from grader.model import Outcome, Status


def test_one_row_per_student_and_part_with_the_stored_points() -> None:
    pytest.importorskip("pandas")
    graded = book(
        row("a", [part("q1.num", Outcome.INCORRECT, answer="0.7"), part("q1.sym", Outcome.CORRECT, 2)]),
        row("b", [part("q1.num", Outcome.CORRECT, 3)], status=Status.NEEDS_REVIEW),
        row("c", status=Status.UNREADABLE),
    )
    frame = graded.to_frame()
    assert list(frame["student_id"]) == ["a", "a", "b"]
    assert list(frame["part"]) == ["q1.num", "q1.sym", "q1.num"]
    assert frame.groupby("student_id")["points"].sum().to_dict() == {
        r.student_id: sum(p.points for p in r.parts) for r in graded.rows if r.parts
    }
    assert set(frame["outcome"]) == {"incorrect", "correct"}
    assert list(frame["status"]) == ["graded", "graded", "needs_review"]
