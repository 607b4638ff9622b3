"""A TA who saves scores.csv while `grade` runs never loses the edit.

The run reads scores.csv when it starts. Publishing the new set swaps the whole folder, so bytes
the run computed from the old file would replace a row the TA saved in the meantime. The test
plays the TA by saving scores.csv from inside the run (after grading, before publishing).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import grader.pipeline
from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, out, err)
    return status, err.getvalue()


def _graded(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    gradebook = tmp_path / "gradebook"
    status, err = _run([str(tmp_path / "submissions"), "--out", str(gradebook), "--quiet"])
    assert status == 0, err
    return gradebook


def _first_part(gradebook: Path) -> tuple[str, str, str]:
    with (gradebook / "parts.csv").open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["outcome"] != "overridden")
    return row["student_id"], row["part"], row["max_points"]


def _saving_during_run(
    monkeypatch: pytest.MonkeyPatch, scores: Path, line: str
) -> Callable[[], None]:
    """Make the next run append `line` to `scores` once grading is over, as a TA's save."""
    real = grader.pipeline.grade_folder

    def grade_then_save(*args: object, **kwargs: object) -> object:
        batch = real(*args, **kwargs)  # type: ignore[arg-type]
        with scores.open("a", encoding="utf-8", newline="") as handle:
            handle.write(line)
        return batch

    monkeypatch.setattr(grader.pipeline, "grade_folder", grade_then_save)
    return lambda: monkeypatch.setattr(grader.pipeline, "grade_folder", real)


def test_a_merge_is_refused_when_scores_csv_was_saved_during_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gradebook = _graded(tmp_path)
    student, part, top = _first_part(gradebook)
    handed = tmp_path / "handed.csv"
    handed.write_text(f"student_id,part,points\n{student},{part},0\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in gradebook.iterdir() if p.is_file()}
    typed = f"{student},{part},{top},ta,saved by hand,\n"
    restore = _saving_during_run(monkeypatch, gradebook / "scores.csv", typed)

    status, err = _run([str(tmp_path / "submissions"), "--out", str(gradebook),
                        "--scores", str(handed), "--quiet"])  # fmt: skip

    assert status == 1
    assert "scores.csv changed while grading" in err
    saved = (gradebook / "scores.csv").read_bytes()
    assert saved == before["scores.csv"] + typed.encode("utf-8")  # the TA's edit, nothing else
    after = {p.name: p.read_bytes() for p in gradebook.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != "scores.csv"} == {
        k: v for k, v in before.items() if k != "scores.csv"
    }  # the previous set was not replaced
    restore()
    status, err = _run([str(tmp_path / "submissions"), "--out", str(gradebook), "--quiet"])
    assert status == 0, err
    assert (gradebook / "scores.csv").read_bytes() == saved
    with (gradebook / "parts.csv").open(encoding="utf-8", newline="") as handle:
        rows = {(r["student_id"], r["part"]): r for r in csv.DictReader(handle)}
    row = rows[(student, part)]
    assert (row["outcome"], row["points"]) == ("overridden", top)


def test_a_run_that_writes_nothing_to_scores_csv_keeps_an_edit_saved_during_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gradebook = _graded(tmp_path)
    student, part, top = _first_part(gradebook)
    typed = f"{student},{part},{top},ta,saved by hand,\n"
    scores = gradebook / "scores.csv"
    expected = scores.read_bytes() + typed.encode("utf-8")
    _saving_during_run(monkeypatch, scores, typed)

    status, err = _run([str(tmp_path / "submissions"), "--out", str(gradebook), "--quiet"])

    assert status == 0, err
    assert "changed while grading" in err
    assert scores.read_bytes() == expected
