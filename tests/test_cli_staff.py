"""`grade` with staff inputs: refused input is counted, named and exits 1; nothing of the
staff's is overwritten; the gradebook folder is checked; an empty folder writes nothing."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = str(ROOT / "rubrics" / "practical-1.yaml")


def _grade(folder: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = [str(folder), "--out", str(out), "--rubric", RUBRIC, "--jobs", "0", "--quiet", *extra]
    return main(argv, stdout, stderr), stdout.getvalue(), stderr.getvalue()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def sheets(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name in ("pen_paper_lovelace.yaml", "pen_paper_hopper.yaml", "pen_paper_broken.yaml"):
        shutil.copy(ROOT / "submissions" / name, folder)
    return folder


CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Practical 1 (12345)\n"
    "    Points Possible,,,,,30\n"
    '"Lovelace, Ada",4411,s1000001,ada,A,\n'
    '"Hopper, Grace",4412,s1000003,grace,A,\n'
    '"Student, Test",9999,,,A,\n'
    '"Noether, Emmy",4413,s1000009,emmy,B,\n'
)


def test_a_canvas_gradebook_export_is_a_roster(sheets: Path, tmp_path: Path) -> None:
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS, encoding="utf-8")
    status, out, err = _grade(sheets, tmp_path / "gb", "--roster", str(roster))
    assert status == 0, err
    rows = {r["student_id"]: r for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert rows["s1000001"]["name"] == "Ada Lovelace"
    assert rows["s1000009"]["status"] == "missing"
    assert "not on the roster" not in out and "1 missing" in out


def test_a_refused_roster_is_counted_named_and_not_applied(sheets: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("who,what\nx,y\n", encoding="utf-8")
    status, out, err = _grade(sheets, tmp_path / "gb", "--roster", str(roster))
    assert status == 1
    assert "1 input file(s) refused" in out and "not on the roster" not in out
    assert f"{roster}:1: error: missing required column(s)" in err


def test_a_missing_scores_file_is_named(sheets: Path, tmp_path: Path) -> None:
    status, out, err = _grade(sheets, tmp_path / "gb", "--scores", str(tmp_path / "nope.csv"))
    assert status == 1
    assert f"{tmp_path / 'nope.csv'}: error: no such file" in err
    assert "1 input file(s) refused" in out


def test_unreadable_sheets_are_named_on_stderr(sheets: Path, tmp_path: Path) -> None:
    _, _, err = _grade(sheets, tmp_path / "gb")
    assert f"unreadable: {sheets / 'pen_paper_broken.yaml'}:" in err


def test_an_empty_folder_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    status, _, err = _grade(tmp_path / "empty", tmp_path / "gb")
    assert status == 1
    assert f"no submissions found in {tmp_path / 'empty'}" in err
    assert not (tmp_path / "gb").exists()


def test_an_empty_folder_leaves_a_full_gradebook_alone(sheets: Path, tmp_path: Path) -> None:
    assert _grade(sheets, tmp_path / "gb")[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "gb").rglob("*") if p.is_file()}
    (tmp_path / "empty").mkdir()
    assert _grade(tmp_path / "empty", tmp_path / "gb", "--assignment", "practical-1")[0] == 1
    assert {p: p.read_bytes() for p in (tmp_path / "gb").rglob("*") if p.is_file()} == before


def test_a_folder_that_is_not_a_gradebook_is_refused(sheets: Path, tmp_path: Path) -> None:
    status, _, err = _grade(sheets, sheets)
    assert status == 2
    assert "is not a gradebook folder" in err and "pen_paper_lovelace.yaml" in err
    assert sorted(p.name for p in sheets.iterdir()) == [
        "pen_paper_broken.yaml", "pen_paper_hopper.yaml", "pen_paper_lovelace.yaml",
    ]  # fmt: skip


def test_inputs_are_never_overwritten(sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "gb"
    assert _grade(sheets, out)[0] == 0
    roster = out / "roster.csv"
    roster.write_bytes(b"student_id,name\r\ns1000001,Ada Lovelace\r\n")
    review = out / "review.csv"
    rows = _rows(review)
    rows[0]["points"] = "1"
    with review.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    saved = review.read_bytes()
    status, _, err = _grade(sheets, out, "--roster", str(roster), "--scores", str(review))
    assert status == 0, err
    assert review.read_bytes() == saved and roster.read_bytes().startswith(b"student_id,name\r\n")
    assert _grade(sheets, out, "--roster", str(out / "grades.csv"))[0] == 2


def test_review_scores_not_handed_back_are_kept(sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "gb"
    assert _grade(sheets, out)[0] == 0
    review = out / "review.csv"
    text = review.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    student, part, _, *others = next(csv.reader([first]))
    edited = "\n".join([header, ",".join([student, part, "2", *others[:2]]), ""])
    review.write_text(edited, encoding="utf-8")
    status, _, err = _grade(sheets, out)  # forgot --scores
    assert status == 0
    assert review.read_text(encoding="utf-8") == edited
    assert "1 TA score(s) not handed back" in err


def _main(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    return main(list(argv), stdout, stderr), stdout.getvalue(), stderr.getvalue()


def test_a_typo_in_the_assignment_gets_a_did_you_mean_and_the_list() -> None:
    status, _, err = _main("template", "practical1")
    assert status == 2
    assert "did you mean 'practical-1'?" in err and "rubrics there: practical-1" in err
    assert err.count("grade") == 1  # one prefix, not two


def test_version_and_help_say_what_grade_is() -> None:
    status, out, _ = _main("--version")
    assert status == 0 and out.startswith("grade ")
    status, out, _ = _main("--help")
    assert status == 0 and out.startswith("grade: mark students'")
    status, out, _ = _main("export", "--help")
    assert status == 0 and out.startswith("Write a gradebook's grades")


def test_template_never_overwrites_without_force(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("my answers\n", encoding="utf-8")
    status, _, err = _main("template", "practical-1", "-o", str(sheet))
    assert status == 2 and "--force" in err
    assert sheet.read_text(encoding="utf-8") == "my answers\n"
    assert _main("template", "practical-1", "-o", str(sheet), "--force")[0] == 0
    assert sheet.read_text(encoding="utf-8").startswith("#") or "answers" in sheet.read_text()


def test_a_wrong_folder_names_the_problem(tmp_path: Path) -> None:
    status, _, err = _grade(tmp_path / "nope", tmp_path / "gb")
    assert status == 2 and f"{tmp_path / 'nope'}: no such folder" in err


def test_the_rosters_name_wins_and_a_different_one_is_flagged(
    sheets: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1000001,Augusta Ada King\ns1000003,Hopper\n", "utf-8")
    status, out, _ = _grade(sheets, tmp_path / "gb", "--roster", str(roster))
    assert status == 0
    rows = {r["student_id"]: r for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert rows["s1000001"]["name"] == "Augusta Ada King"  # the sheet says Ada Lovelace
    assert "name_mismatch" in rows["s1000001"]["message"] or "roster" in rows["s1000001"]["message"]
    assert rows["s1000003"]["name"] == "Hopper" and rows["s1000003"]["message"] == ""
    assert "1 named differently on the roster" in out


def test_a_roster_student_whose_notebook_was_refused_is_not_missing(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    notebook = (
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"student": {"id": "s77", '
        '"name": "Nb Student"}}, "cells": [{"cell_type": "code", "metadata": {"tags": '
        '["answers"]}, "source": "answers: &a\\n  ex1: *a\\n", "outputs": [], '
        '"execution_count": null}]}'
    )
    (folder / "work.ipynb").write_text(notebook, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns77,Nb Student\n", encoding="utf-8")
    status, out, _ = _grade(folder, tmp_path / "gb", "--roster", str(roster))
    rows = {r["student_id"]: r["status"] for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert rows == {"s77": "unreadable"} and "missing" not in out
    assert status == 0
