"""The Gradescope export: results.json files valid under the Gradescope spec's field types,
scores equal to the gradebook's, one test per scored part, --single, safe folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_data import Runner
from gradescope_spec import TEST_REQUIRED, TOP_REQUIRED, validate

from grader.export.errors import EXIT_FAIL, EXIT_USAGE
from grader.gradebook import write_gradebook
from grader.model import Gradebook, GradedSubmission, Status


def _files(export: Runner, gradebook: Path, out: Path, *extra: str) -> dict[str, dict]:
    status, _, err = export(["--format", "gradescope", "--gradebook", str(gradebook),
                             "-o", str(out), *extra])  # fmt: skip
    assert status == 0, err
    return {path.parent.name: json.loads(path.read_text(encoding="utf-8"))
            for path in out.glob("*/results.json")}  # fmt: skip


def _scored_slots(book: Gradebook) -> list[str]:
    return [slot.answer_id for slot in book.assignment.slots() if slot.scored]


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"score": "7"},
        {"score": True},
        {"score": 1, "visibility": "students"},
        {"score": 1, "output_format": "markdown"},
        {"score": 1, "surprise": 1},
        {"tests": [{"name": "a"}]},
        {"score": 1, "tests": [{"status": "ok"}]},
        {"score": 1, "tests": [{"number": 1.1}]},
        {"score": float("nan")},
    ],
)
def test_the_validator_catches_spec_violations(document: object) -> None:
    assert validate(document) != []


@pytest.mark.parametrize("gradebook", ["small_gradebook", "sample_gradebook"])
def test_every_file_is_valid_and_scores_match(
    export: Runner, gradebook: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(gradebook)
    book: Gradebook = request.getfixturevalue(
        "small_book" if gradebook == "small_gradebook" else "sample_book"
    )
    files = _files(export, folder, tmp_path / "gs")
    submitted = [row for row in book.rows if row.status is not Status.MISSING]
    assert sorted(files) == sorted(row.student_id for row in submitted)  # ids are safe names
    for row in submitted:
        document = files[row.student_id]
        assert validate(document) == []
        assert TOP_REQUIRED <= set(document)
        assert document["score"] == round(row.total, 2)
        assert document["stdout_visibility"] == "hidden"
        assert [t["name"] for t in document["tests"]] == _scored_slots(book)
        parts = {part.answer_id: part for part in row.parts}
        for test in document["tests"]:
            assert TEST_REQUIRED <= set(test)
            part = parts.get(test["name"])
            points = part.points if part else 0
            assert test["score"] == round(points, 2)
            assert test["status"] == ("passed" if points == test["max_score"] else "failed")


def test_numbers_follow_rubric_positions(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    document = _files(export, small_gradebook, tmp_path / "gs")["s001"]
    numbered = [(t["number"], t["name"], t["max_score"]) for t in document["tests"]]
    assert numbered == [
        ("1.1", "ex1.a", 3), ("1.2", "ex1.b", 5), ("2.1", "ex3.explanation", 3),
        ("2.2", "ex3.gradient", 7), ("3.1", "ex4.answer", 5),
    ]  # fmt: skip


def test_parts_awaiting_review_carry_their_provisional_points(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    document = _files(export, small_gradebook, tmp_path / "gs")["s002"]
    row = next(r for r in small_book.rows if r.student_id == "s002")
    for part in (p for p in row.parts if p.needs_review):
        test = next(t for t in document["tests"] if t["name"] == part.answer_id)
        assert test["score"] == part.points and test["status"] == "failed"


def test_staff_notes_never_reach_students(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    _files(export, small_gradebook, tmp_path / "gs")
    for path in (tmp_path / "gs").glob("*/results.json"):
        assert "STAFF-ONLY" not in path.read_text(encoding="utf-8")


def test_unreadable_submission_fails_every_test(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    document = _files(export, small_gradebook, tmp_path / "gs")["s003"]
    assert document["score"] == 0
    assert {t["status"] for t in document["tests"]} == {"failed"}
    assert {t["score"] for t in document["tests"]} == {0}


def test_visibility_option(export: Runner, small_gradebook: Path, tmp_path: Path) -> None:
    files = _files(export, small_gradebook, tmp_path / "gs", "--visibility", "hidden")
    seen = {d["visibility"] for d in files.values()}
    seen |= {t["visibility"] for d in files.values() for t in d["tests"]}
    assert seen == {"hidden"}


def _one_row_gradebook(small_book: Gradebook, tmp_path: Path, row: GradedSubmission) -> Path:
    folder = tmp_path / "one"
    write_gradebook(Gradebook(small_book.assignment, (row,)), folder)
    return folder


def test_single_writes_the_one_object(
    export: Runner, small_book: Gradebook, tmp_path: Path
) -> None:
    row = next(r for r in small_book.rows if r.student_id == "s002")
    folder = _one_row_gradebook(small_book, tmp_path, row)
    target = tmp_path / "results" / "results.json"
    status, _, err = export(["--format", "gradescope", "--single", "--gradebook", str(folder),
                             "-o", str(target)])  # fmt: skip
    assert status == 0, err
    single = json.loads(target.read_text(encoding="utf-8"))
    assert validate(single) == [] and single["score"] == 14.25
    assert single == _files(export, folder, tmp_path / "gs")["s002"]


def test_single_refuses_several_sheets_but_leaves_a_valid_result(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    target = tmp_path / "results.json"
    status, _, _ = export(["--format", "gradescope", "--single", "--gradebook",
                           str(small_gradebook), "-o", str(target)])  # fmt: skip
    assert status == EXIT_FAIL
    document = json.loads(target.read_text(encoding="utf-8"))
    assert validate(document) == [] and document["score"] == 0 and document["tests"] == []
    assert document["visibility"] == "visible"  # the student must see it to upload again


def test_hostile_ids_stay_inside_the_folder(
    export: Runner, small_book: Gradebook, tmp_path: Path
) -> None:
    rows = tuple(
        GradedSubmission(sid, "X", f"{i}.yaml", Status.GRADED, {}, 0, 0, 0, 30)
        for i, sid in enumerate(["../../escape", "/etc/passwd", "CON", "a/b", "A/B"])
    )
    folder = tmp_path / "gb"
    write_gradebook(Gradebook(small_book.assignment, rows), folder)
    out = tmp_path / "deep" / "gs"
    status, _, err = export(["--format", "gradescope", "--gradebook", str(folder),
                             "-o", str(out)])  # fmt: skip
    assert status == 0, err
    written = sorted(p for p in tmp_path.rglob("results.json") if "gb" not in p.parts)
    assert len(written) == len(rows)
    assert all(p.parent.parent == out for p in written)
    assert not (tmp_path / "escape").exists()


def test_folder_mode_refuses_a_file_target(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    target = tmp_path / "plain.txt"
    target.write_text("keep", encoding="utf-8")
    status, _, _ = export(["--format", "gradescope", "--gradebook", str(small_gradebook),
                           "-o", str(target)])  # fmt: skip
    assert status == EXIT_USAGE and target.read_text(encoding="utf-8") == "keep"


def test_bytes_are_deterministic(export: Runner, small_gradebook: Path, tmp_path: Path) -> None:
    _files(export, small_gradebook, tmp_path / "a")
    _files(export, small_gradebook, tmp_path / "b")
    for path in (tmp_path / "a").glob("*/results.json"):
        twin = tmp_path / "b" / path.parent.name / "results.json"
        assert path.read_bytes() == twin.read_bytes()
        assert path.read_bytes().endswith(b"}\n") and b"\r" not in path.read_bytes()
