"""The Canvas export: exact layout, re-import through Canvas's documented rules, identities,
titles Canvas would misread, hostile names, determinism and where it writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from canvas_import import ASSIGNMENT, Enrolled, canvas_import
from export_data import COMMA_NAME, HOSTILE_NAME, Runner

from grader.export import CanvasOptions, Directory, ExportUsageError, canvas_csv
from grader.export.canvas import RESERVED_HEADER_WORDS
from grader.export.errors import EXIT_FAIL, EXIT_USAGE
from grader.gradebook import write_gradebook
from grader.model import Gradebook, GradedSubmission, Status


def _expected_score(row: GradedSubmission) -> float | None:
    """What Canvas should receive, from the gradebook contract (not from the exporter)."""
    if row.status is Status.MISSING:
        return None
    return round(row.total, 2)


def _course(book: Gradebook) -> list[Enrolled]:
    """A Canvas course enrolling every gradebook student, with Canvas ids of its own."""
    return [
        Enrolled(9000 + i, row.student_id, f"login{i}", row.name, row.name)
        for i, row in enumerate(sorted(book.rows, key=lambda r: r.student_id))
    ]


def _run(export: Runner, gradebook: Path, out: Path, *extra: str) -> bytes:
    status, _, err = export(["--format", "canvas", "--gradebook", str(gradebook),
                             "-o", str(out), *extra])  # fmt: skip
    assert status == 0, err
    return out.read_bytes()


def test_layout_of_the_small_gradebook(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    data = _run(export, small_gradebook, tmp_path / "canvas.csv")
    expected = (
        "Student,ID,SIS User ID,SIS Login ID,Section,Practical 1\n"
        "    Points Possible,,,,,30\n"
        '"Doe, Jane ""JD""",,s001,,,17.5\n'
        "'=cmd|' /C calc'!A0,,s002,,,14.25\n"
        '"Line Break, Eve",,s003,,,0\n'
        "Missing Person,,s004,,,\n"
        "Late Larry,,s005,,,20\n"
    )
    assert data == expected.encode("utf-8")


@pytest.mark.parametrize("gradebook", ["small_gradebook", "sample_gradebook"])
def test_reimport_keeps_every_score(
    export: Runner, gradebook: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The issue's acceptance test: the export re-imports under Canvas's rules, scores intact."""
    folder: Path = request.getfixturevalue(gradebook)
    book: Gradebook = request.getfixturevalue(
        "small_book" if gradebook == "small_gradebook" else "sample_book"
    )
    data = _run(export, folder, tmp_path / "c.csv", "--canvas-assignment-id", "88123")
    course = _course(book)
    imported = canvas_import(data, course)
    title = book.assignment.title
    assert imported.assignments == [(title, 88123)]
    assert imported.points_possible == ["30"]
    assert not imported.unmatched
    by_sis = {student.sis_user_id: student.canvas_id for student in course}
    assert len(imported.grades) == len(book.rows)
    for row in book.rows:
        how, values = imported.grades[by_sis[row.student_id]]
        assert how == "sis_user_id"  # no roster: ID is empty, never the student number
        assert values[title] == _expected_score(row)


def test_roster_canvas_ids_are_matched_first(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,name,ID,SIS Login ID,Section,Student\n"
        's001,Jane Doe,9000,jdoe,A,"Doe, Jane"\n'
        "s002,Mal,9001,mal,B,\n"
        "s005,Larry,not-a-number,larry,A,\n",
        encoding="utf-8",
    )
    status, _, err = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                             "--roster", str(roster), "-o", str(tmp_path / "c.csv")])  # fmt: skip
    assert status == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    by_sis = {row[2]: row for row in rows[2:]}
    assert by_sis["s001"][:5] == ["Doe, Jane", "9000", "s001", "jdoe", "A"]
    assert by_sis["s005"][1] == ""  # not a Canvas id: left empty
    assert by_sis["s003"][1] == ""  # not on the roster
    imported = canvas_import((tmp_path / "c.csv").read_bytes(), _course(small_book))
    assert imported.grades[9000][0] == "id" and imported.grades[9001][0] == "id"
    assert imported.grades[9000][1]["Practical 1"] == 17.5


def test_canvas_export_works_as_roster(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    downloaded = tmp_path / "canvas-download.csv"
    downloaded.write_bytes(
        "\ufeffStudent;ID;SIS User ID;SIS Login ID;Section;HW (1)\n"
        "    Points Possible;;;;;10\n"
        '"Doe, Jane";4411;s001;jdoe;MATH A;5\n'
        "Student, Test;4499;;;MATH A;\n".encode()
    )
    out = tmp_path / "c.csv"
    status, _, _ = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                           "--roster", str(downloaded), "-o", str(out)])  # fmt: skip
    assert status == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[2][:5] == ["Doe, Jane", "4411", "s001", "jdoe", "MATH A"]


def test_per_question_columns_and_ids(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    data = _run(export, small_gradebook, tmp_path / "c.csv", "--per-question",
                "--canvas-assignment-id", "5", "--canvas-question-id", "ex1=11")  # fmt: skip
    imported = canvas_import(data, _course(small_book))
    assert imported.assignments == [
        ("Practical 1", 5), ("Practical 1 ex1", 11), ("Practical 1 ex3", None),
        ("Practical 1 ex4", None),
    ]  # fmt: skip
    assert imported.points_possible == ["30", "8", "10", "5"]
    for row in small_book.rows:
        student = next(s for s in _course(small_book) if s.sis_user_id == row.student_id)
        values = imported.grades[student.canvas_id][1]
        for q in ("ex1", "ex3", "ex4"):
            expected = None if row.status is Status.MISSING else row.question_points.get(q)
            assert values[f"Practical 1 {q}"] == expected


@pytest.mark.parametrize("word", RESERVED_HEADER_WORDS)
def test_reserved_words_in_titles_are_refused(
    export: Runner, small_gradebook: Path, tmp_path: Path, word: str
) -> None:
    for title in (f"Midterm {word}", f"{word.lower()} exam"):
        status, _, err = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                                 "--title", title, "-o", str(tmp_path / "c.csv")])  # fmt: skip
        assert status == EXIT_USAGE and err
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize(
    ("title", "canvas_id", "refused"),
    [
        ("Quiz (3)", None, True),  # Canvas would read 3 as the assignment id
        ("Quiz (3)", 77, False),  # "Quiz (3) (77)" parses back to ("Quiz (3)", 77)
        ("Quiz (three)", None, False),
        ("=HYPERLINK(1)", None, True),
        ("   ", None, True),
        ("HW 2", None, False),
    ],
)
def test_titles_canvas_would_misread(
    small_book: Gradebook, title: str, canvas_id: int | None, refused: bool
) -> None:
    options = CanvasOptions(title=title, assignment_id=canvas_id)
    if refused:
        with pytest.raises(ExportUsageError):
            canvas_csv(small_book, Directory(), options)
        return
    header = next(csv.reader(io.StringIO(canvas_csv(small_book, Directory(), options).decode())))
    match = ASSIGNMENT.match(header[5])
    if canvas_id is None:
        assert match is None and header[5] == title
    else:
        assert match is not None and (match.group(1), int(match.group(2))) == (title, canvas_id)


def test_hold_review_leaves_provisional_scores_out(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    data = _run(export, small_gradebook, tmp_path / "c.csv", "--hold-review")
    imported = canvas_import(data, _course(small_book))
    for row in small_book.rows:
        student = next(s for s in _course(small_book) if s.sis_user_id == row.student_id)
        value = imported.grades[student.canvas_id][1]["Practical 1"]
        held = row.status in (Status.NEEDS_REVIEW, Status.MISSING, Status.UNREADABLE)
        assert value == (None if held else round(row.total, 2))


def test_bom_is_optional_and_still_imports(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    plain = _run(export, small_gradebook, tmp_path / "a.csv")
    with_bom = _run(export, small_gradebook, tmp_path / "b.csv", "--bom")
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert with_bom == b"\xef\xbb\xbf" + plain
    imported = canvas_import(with_bom, _course(small_book))
    assert len(imported.grades) == len(small_book.rows)


def test_hostile_names_cannot_run_or_break_rows(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    text = _run(export, small_gradebook, tmp_path / "c.csv").decode("utf-8")
    assert text.count("\n") == 2 + 5  # header, points row, five students: no stray lines
    cells = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "'" + HOSTILE_NAME in cells and HOSTILE_NAME not in cells
    assert COMMA_NAME in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "\n\n" not in text and "\r" not in text


def test_deterministic_and_writes_only_the_target(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    first = _run(export, small_gradebook, out_dir / "c.csv")
    second = _run(export, small_gradebook, out_dir / "c.csv")
    assert first == second
    assert sorted(p.name for p in out_dir.iterdir()) == ["c.csv"]


def test_default_output_goes_under_the_gradebook(export: Runner, small_gradebook: Path) -> None:
    status, _, _ = export(["--format", "canvas", "--gradebook", str(small_gradebook)])
    assert status == 0
    assert (small_gradebook / "exports" / "canvas.csv").is_file()


def test_two_rows_for_one_student_are_refused(
    export: Runner, small_book: Gradebook, tmp_path: Path
) -> None:
    twice = Gradebook(small_book.assignment, (*small_book.rows,
                      *(r for r in small_book.rows if r.student_id == "s001")))  # fmt: skip
    folder = tmp_path / "gb"
    write_gradebook(twice, folder)
    status, _, err = export(["--format", "canvas", "--gradebook", str(folder),
                             "-o", str(tmp_path / "c.csv")])  # fmt: skip
    assert status == EXIT_FAIL and "s001" in err
    assert not (tmp_path / "c.csv").exists()
