"""The Moodle export: header auto-mapping, grades intact, roster rules, Moodle's limits."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from export_data import HOSTILE_NAME, NEWLINE_NAME, Runner
from moodle_import import auto_mapping, moodle_import

from grader.export.errors import EXIT_FAIL, EXIT_USAGE
from grader.gradebook import write_gradebook
from grader.model import AssignmentInfo, Gradebook, GradedSubmission, QuestionInfo, Status

ITEM = "Assignment: Practical 1"


def _users(book: Gradebook) -> list[dict[str, str]]:
    return [{"idnumber": row.student_id, "email": f"{row.student_id}@uni.example"}
            for row in book.rows]  # fmt: skip


def _run(export: Runner, gradebook: Path, out: Path, *extra: str) -> bytes:
    status, _, err = export(["--format", "moodle", "--gradebook", str(gradebook),
                             "-o", str(out), *extra])  # fmt: skip
    assert status == 0, err
    return out.read_bytes()


def test_header_is_mapped_without_manual_steps(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    data = _run(export, small_gradebook, tmp_path / "m.csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header == ["ID number", f"{ITEM} (Real)", f"{ITEM} (Feedback)"]
    mapping = auto_mapping(header, {ITEM})
    assert mapping.identify_by == (0, "idnumber")
    assert mapping.grades == {1: ITEM} and mapping.feedback == {2: ITEM}


@pytest.mark.parametrize("gradebook", ["small_gradebook", "sample_gradebook"])
def test_every_grade_survives_the_import(
    export: Runner, gradebook: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(gradebook)
    book: Gradebook = request.getfixturevalue(
        "small_book" if gradebook == "small_gradebook" else "sample_book"
    )
    item = "Assignment: " + book.assignment.title
    stored = moodle_import(_run(export, folder, tmp_path / "m.csv"), _users(book), {item})
    assert set(stored) == {row.student_id for row in book.rows}
    for row in book.rows:
        grade, feedback = stored[row.student_id][item]
        assert grade == (None if row.status is Status.MISSING else round(row.total, 2))
        assert feedback  # grade and feedback travel together


def test_numbers_are_plain_and_feedback_holds_no_student_text(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    text = _run(export, small_gradebook, tmp_path / "m.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[1] for row in rows[1:]] == ["17.5", "14.25", "0", "", "20"]
    assert HOSTILE_NAME not in text and NEWLINE_NAME.split()[0] not in text
    assert "Good *work*" not in text  # a TA's comment stays out as well
    assert text.count("\n") == 1 + 5


def test_email_column_comes_from_the_roster(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,name,Email\n"
        + "".join(
            f"{sid},N {sid},{sid}@uni.example\n" for sid in ("s001", "s002", "s003", "s004", "s005")
        ),  # fmt: skip
        encoding="utf-8",
    )
    data = _run(export, small_gradebook, tmp_path / "m.csv", "--roster", str(roster))
    header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header[:2] == ["ID number", "Email address"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
    assert all(row[1] == f"{row[0]}@uni.example" for row in rows)


def test_students_not_on_the_roster_are_left_out(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns001,Jane\ns005,Larry\ns999,Nobody\n", encoding="utf-8")
    data = _run(export, small_gradebook, tmp_path / "m.csv", "--roster", str(roster))
    users = [{"idnumber": sid} for sid in ("s001", "s005", "s999")]
    stored = moodle_import(data, users, {ITEM})  # raises on an unknown user
    assert set(stored) == {"s001", "s005"}


def test_grades_above_100_are_refused(export: Runner, tmp_path: Path) -> None:
    info = AssignmentInfo("big", "Big", 200, (QuestionInfo("q1", "Q", 200, False, ()),))
    row = GradedSubmission("s1", "A", "a.yaml", Status.GRADED, {"q1": 150}, 150, 0, 150, 200)
    write_gradebook(Gradebook(info, (row,)), tmp_path / "gb")
    status, _, _ = export(["--format", "moodle", "--gradebook", str(tmp_path / "gb"),
                           "-o", str(tmp_path / "m.csv")])  # fmt: skip
    assert status == EXIT_FAIL
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize("title", ["HW (Real)", "HW (feedback) 2", "=SUM(1)", ""])
def test_titles_the_mapping_would_misread_are_refused(
    export: Runner, small_gradebook: Path, tmp_path: Path, title: str
) -> None:
    status, _, _ = export(["--format", "moodle", "--gradebook", str(small_gradebook),
                           "--title", title, "-o", str(tmp_path / "m.csv")])  # fmt: skip
    assert status == EXIT_USAGE
    assert not (tmp_path / "m.csv").exists()


def test_hold_review_gives_no_grade(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    data = _run(export, small_gradebook, tmp_path / "m.csv", "--hold-review")
    stored = moodle_import(data, _users(small_book), {ITEM})
    assert stored["s002"][ITEM][0] is None  # needs_review
    assert stored["s001"][ITEM][0] == 17.5
