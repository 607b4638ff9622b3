"""The `grade` command end to end: exit codes, bad input in a batch, roster and the TA loop."""

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
    status = main(
        [str(folder), "--out", str(out), "--rubric", RUBRIC, "--jobs", "0", *extra], stdout, stderr
    )
    return status, stdout.getvalue(), stderr.getvalue()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def sheets(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    shutil.copy(ROOT / "submissions" / "pen_paper_lovelace.yaml", folder)
    (folder / "pen_paper_syntax.yaml").write_text(
        "student: {id: s2, name: Syn}\nanswers:\n  ex2:\n    s: [[1, 2\n", encoding="utf-8"
    )
    (folder / "pen_paper_types.yaml").write_text(
        "student: {id: s3, name: Types}\nassignment: practical-1\nanswers:\n"
        "  ex1:\n    dL_dWout: [1, 2]\n  ex2:\n    s: abc\n    z: [[1, 2], [3]]\n    bogus: 1\n",
        encoding="utf-8",
    )
    return folder


def test_bad_files_get_rows_and_located_messages_while_the_batch_is_graded(
    sheets: Path, tmp_path: Path
) -> None:
    status, out, _ = _grade(sheets, tmp_path / "gb", "--quiet")
    assert status == 0
    rows = {r["source"]: r for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert set(rows) == {"pen_paper_lovelace.yaml", "pen_paper_syntax.yaml", "pen_paper_types.yaml"}
    assert rows["pen_paper_lovelace.yaml"]["total"] == "30"
    syntax = rows["pen_paper_syntax.yaml"]
    assert syntax["status"] == "unreadable"
    assert syntax["message"].startswith("pen_paper_syntax.yaml:5:")  # file and line of the error
    types = rows["pen_paper_types.yaml"]
    assert types["status"] in {"graded", "needs_review"}
    assert "ex2.bogus" in types["message"] and "pen_paper_types.yaml:9:" in types["message"]
    parts = {(p["student_id"], p["part"]): p for p in _rows(tmp_path / "gb" / "parts.csv")}
    assert parts[("s3", "ex2.s")]["outcome"] == "unparseable"
    assert parts[("s3", "ex2.z")]["outcome"] == "unparseable"
    assert parts[("s3", "ex1.dL_dWout")]["outcome"] == "unparseable"
    assert out.startswith("1 graded, 1 need review, 1 unreadable")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _grade(tmp_path / "nowhere", tmp_path / "gb")[0] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.yaml").write_text("assignment: no-such-course\n", encoding="utf-8")
    stderr = io.StringIO()
    assert main([str(empty), "--out", str(tmp_path / "gb")], io.StringIO(), stderr) == 2
    assert "no-such-course" in stderr.getvalue() or "rubric" in stderr.getvalue()


def test_roster_adds_missing_students_and_flags_strangers(sheets: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1000001,Ada Lovelace\ns9,Nobody Here\n", encoding="utf-8")
    status, out, _ = _grade(sheets, tmp_path / "gb", "--quiet", "--roster", str(roster))
    assert status == 0
    rows = {r["student_id"]: r for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert rows["s9"]["status"] == "missing" and rows["s9"]["total"] == "0"
    assert "not_on_roster" in rows["s3"]["message"] or "not on the roster" in rows["s3"]["message"]
    assert "1 missing" in out


def test_ta_loop_review_csv_back_as_scores(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    shutil.copy(ROOT / "submissions" / "pen_paper_turing.yaml", folder)
    status, _, _ = _grade(folder, tmp_path / "gb", "--quiet")
    assert status == 0
    first = _rows(tmp_path / "gb" / "grades.csv")[0]
    assert first["status"] == "needs_review"
    assert (first["base"], first["bonus"], first["total"]) == ("28", "2", "30")
    review = _rows(tmp_path / "gb" / "review.csv")
    assert {r["part"] for r in review} == {"ex3.explanation", "ex4.answer"}
    # The TA fills in `points` and `grader` and feeds the file back.
    scores = tmp_path / "scores.csv"
    with scores.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(review[0]))
        writer.writeheader()
        for row in review:
            row["points"] = "1" if row["part"] == "ex3.explanation" else "0"
            row["grader"] = "ta-bob"
            row["comment"] = "reviewed"
            writer.writerow(row)
    status, _, _ = _grade(folder, tmp_path / "gb", "--quiet", "--scores", str(scores))
    assert status == 0
    after = _rows(tmp_path / "gb" / "grades.csv")[0]
    assert after["status"] == "graded"
    assert (after["ex3"], after["ex4"]) == ("8", "0")
    assert (after["base"], after["bonus"], after["total"]) == (
        "28",
        "0",
        "28",
    )  # bonus rule re-applied
    parts = {p["part"]: p for p in _rows(tmp_path / "gb" / "parts.csv")}
    assert parts["ex3.explanation"]["outcome"] == "overridden"
    assert not _rows(tmp_path / "gb" / "review.csv")


def test_scores_outside_the_range_or_for_strangers_are_refused(
    sheets: Path, tmp_path: Path
) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "student_id,part,points,grader,comment\n"
        "s1000001,ex3.explanation,9,ta,too many\n"
        "nobody,ex3.explanation,1,ta,who\n"
        "s1000001,ex9.nothing,1,ta,what\n",
        encoding="utf-8",
    )
    status, out, err = _grade(sheets, tmp_path / "gb", "--quiet", "--scores", str(scores))
    assert status == 1  # refused input: the work was not done as asked
    assert "3 TA score row(s) refused" in out
    assert [line.split(" ")[0].rstrip(":") for line in err.splitlines() if "scores.csv:" in line] == [
        f"{scores}:2", f"{scores}:3", f"{scores}:4",
    ]  # fmt: skip
    rows = {r["student_id"]: r for r in _rows(tmp_path / "gb" / "grades.csv")}
    assert rows["s1000001"]["ex3"] == "10"  # the refused score changed nothing


def test_duplicate_ids_are_kept_flagged_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name in ("first.yaml", "second.yaml"):
        shutil.copy(ROOT / "submissions" / "pen_paper_gauss.yaml", folder / name)
    status, out, err = _grade(folder, tmp_path / "gb", "--quiet")
    assert status == 0
    rows = _rows(tmp_path / "gb" / "grades.csv")
    assert [r["source"] for r in rows] == ["first.yaml", "second.yaml"]
    assert {r["student_id"] for r in rows} == {"s1000006"}
    assert all(r["status"] == "needs_review" for r in rows)  # neither graded silently
    assert "2 with a duplicate id" in out
    assert "s1000006" in err and "first.yaml" in err and "second.yaml" in err


def test_tex_template_is_written_with_the_package_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "handout" / "pen_paper_lastname.tex"
    target.parent.mkdir()
    err = io.StringIO()
    args = ["template", "practical-1", "--rubric", RUBRIC, "--format", "tex", "-o", str(target)]
    assert main(args, io.StringIO(), err) == 0
    assert "\\usepackage{grader}" in target.read_text(encoding="utf-8")
    assert "\\ProvidesPackage{grader}" in (target.parent / "grader.sty").read_text(encoding="utf-8")
    assert str(target.parent / "grader.sty") in err.getvalue()


def test_tex_key_is_a_latex_document() -> None:
    out = io.StringIO()
    args = ["key", "practical-1", "--rubric", RUBRIC, "--format", "tex", "--convention", "sequential"]
    assert main(args, out, io.StringIO()) == 0
    text = out.getvalue()
    assert text.count("\\begin{document}") == 1 and "\\answer{ex2.grad_W}{\\begin{bmatrix}" in text
    assert "\\text{sequential}" in text


def test_a_latin_1_console_never_crashes_the_summary(tmp_path: Path) -> None:
    # The gradebook was written before the summary is printed: a console that cannot show a
    # character of the folder's name must not turn a finished run into a crash (exit 1).
    import os
    import subprocess
    import sys

    sheets = tmp_path / "sheets"
    sheets.mkdir()
    shutil.copy(ROOT / "submissions" / "pen_paper_gauss.yaml", sheets)
    out = tmp_path / "gradebook-\u674e"
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", str(sheets), "--out", str(out), "--rubric", RUBRIC,
         "--jobs", "0"],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("latin-1")
    assert b"gradebook-\\u674e" in done.stdout
    assert (out / "grades.csv").is_file()
