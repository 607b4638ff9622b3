"""Grading per variant: keys and worked sheets of many students score full marks under every
convention, a slip is carried, a changed secret changes everything, outputs name the variant,
and a sheet worked on someone else's numbers is flagged naming them, never re-marked."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from variant_sheets import CONVENTIONS, EDITION, ROOT, sheet, worked, write

from grader.checkers.registry import REGISTRY
from grader.checkers.variants import PreparedVariants, prepare_variants
from grader.copysignal import PRINTED_SHEET, SIGNAL_DETAIL
from grader.gradebook import write_gradebook
from grader.keysheet import render_key
from grader.model import GradedSubmission, Outcome, Reason
from grader.pipeline import Batch, BatchOptions, grade_folder
from grader.rubric.load import load_rubric

RUBRIC = ROOT / "rubrics" / f"{EDITION}.yaml"
SECRET = "variant grading tests: the course secret"
STUDENTS = [f"s{n}" for n in random.Random(15).sample(range(1_000_000, 9_999_999), 25)]


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_VARIANT_SECRET", SECRET)


@pytest.fixture(scope="module")
def variants() -> PreparedVariants:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_VARIANT_SECRET", SECRET)
        return prepare_variants(load_rubric(RUBRIC, REGISTRY))


def _grade(folder: Path, roster: Path | None = None) -> Batch:
    return grade_folder(BatchOptions(folder=folder, rubric=RUBRIC, workers=0, roster=roster))


def _rows(batch: Batch) -> dict[str, GradedSubmission]:
    return {row.student_id: row for row in batch.gradebook.rows}


def _detail(row: GradedSubmission, key: str) -> Any:
    return row.detail[key]


def _data(variants: PreparedVariants, student: str) -> dict[str, Any]:
    return dict(variants.variant_of(student).data)


def test_every_students_key_scores_full_marks_under_every_convention(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    for convention in CONVENTIONS:
        folder = tmp_path / convention
        folder.mkdir()
        for student in STUDENTS:
            key = render_key(variants.for_student(student), convention, student)
            (folder / f"{student}.yaml").write_text(key, encoding="utf-8")
        for row in _grade(folder).gradebook.rows:
            assert row.question_points["ex2"] == 10 and row.total == 30, (convention, row)
            assert _detail(row, "ex2")["convention"] == convention and not row.flags


def test_sheets_worked_on_the_students_own_numbers_score_full_marks(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    for index, student in enumerate(STUDENTS):
        convention = CONVENTIONS[index % 3]
        named = convention if index % 2 else None  # half of them do not say which
        ex2 = worked(_data(variants, student), convention)
        write(tmp_path, f"{student}.yaml", sheet(student, f"Student {index}", ex2, named))
    rows = _grade(tmp_path).gradebook.rows
    assert len(rows) == len(STUDENTS)
    for row in rows:
        assert all(
            p.outcome is Outcome.CORRECT for p in row.parts if p.question == "ex2"
        ), row.student_id
        assert row.question_points["ex2"] == 10 and not row.flags


def test_a_slip_costs_its_entry_and_is_carried_through_the_students_own_pass(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    student = STUDENTS[0]
    data = _data(variants, student)
    right = worked(data, "batch-mean")
    # A sign slip: the unit switches on or off for sample 2 (|s| > 0.005 by the conditions).
    ex2 = worked(data, "batch-mean", slip=(1, 2, -float(right["s"][1][2])))
    write(tmp_path, "slip.yaml", sheet(student, "Slip", ex2, "batch-mean"))
    (row,) = _grade(tmp_path).gradebook.rows
    parts = {p.answer_id: p for p in row.parts}
    assert parts["ex2.s"].outcome is Outcome.PARTIAL and parts["ex2.s"].points == 0.92  # 11 of 12
    carried = [p for p in parts.values() if p.outcome is Outcome.CARRIED]
    assert carried and all(p.question == "ex2" for p in carried)
    assert row.question_points["ex2"] == 9.92 and not row.flags


def test_a_changed_secret_changes_every_students_numbers(
    variants: PreparedVariants, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for student in STUDENTS[:6]:
        ex2 = worked(_data(variants, student), "batch-sum")
        write(tmp_path, f"{student}.yaml", sheet(student, student, ex2, "batch-sum"))
    assert all(r.question_points["ex2"] == 10 for r in _grade(tmp_path).gradebook.rows)
    monkeypatch.setenv("GRADER_VARIANT_SECRET", SECRET + " (rotated)")
    rows = _grade(tmp_path).gradebook.rows
    assert all(r.question_points["ex2"] < 5 for r in rows)  # nobody's sheet fits any more


def test_a_sheet_copied_from_a_classmate_is_flagged_naming_them_and_not_remarked(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    source, copier = STUDENTS[0], STUDENTS[1]
    alone, together = tmp_path / "alone", tmp_path / "together"
    alone.mkdir()
    together.mkdir()
    copied = sheet(copier, "Copier", worked(_data(variants, source), "batch-sum"), "batch-sum")
    write(alone, "copier.yaml", copied)
    write(together, "copier.yaml", copied)
    write(together, "source.yaml",
          sheet(source, "Source", worked(_data(variants, source), "batch-sum"), "batch-sum"))
    unflagged = _rows(_grade(alone))[copier]
    batch = _grade(together)
    flagged, honest = _rows(batch)[copier], _rows(batch)[source]
    assert Reason.FITS_OTHER_VARIANT in flagged.flags and not honest.flags
    assert _detail(flagged, SIGNAL_DETAIL)["fits"] == source
    assert [m for m in batch.staff if m.reason is Reason.FITS_OTHER_VARIANT and source in m.text]
    assert (flagged.total, flagged.parts) == (unflagged.total, unflagged.parts)  # not re-marked
    assert not unflagged.flags  # without the source in the batch there is nothing to fit


def test_a_sheet_on_the_printed_numbers_or_an_absent_classmates_is_flagged(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    rubric = variants.base.rubric
    lazy, friend, absent = STUDENTS[2], STUDENTS[3], STUDENTS[4]
    write(tmp_path, "lazy.yaml", sheet(lazy, "Lazy", worked(rubric.data, "sequential"), None))
    write(tmp_path, "friend.yaml",
          sheet(friend, "Friend", worked(_data(variants, absent), "batch-mean"), None))
    roster = tmp_path.parent / "roster.csv"
    roster.write_text(f"student_id,name\n{lazy},L\n{friend},F\n{absent},A\n", encoding="utf-8")
    rows = _rows(_grade(tmp_path, roster))
    assert _detail(rows[lazy], SIGNAL_DETAIL)["fits"] == PRINTED_SHEET
    assert _detail(rows[friend], SIGNAL_DETAIL)["fits"] == absent  # on the roster, no sheet
    assert not rows[absent].flags


def test_a_sheet_that_is_wrong_on_its_own_is_not_a_copy_of_anyone(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    rng = random.Random(4)
    for index, student in enumerate(STUDENTS):
        ex2 = worked(_data(variants, student), "batch-sum")
        if index % 5 == 0:  # every value made up: a bad sheet, but nobody else's numbers
            ex2 = {k: _noise(rng, v) for k, v in ex2.items()}
        write(tmp_path, f"{student}.yaml", sheet(student, student, ex2, "batch-sum"))
    rows = _grade(tmp_path).gradebook.rows
    assert [r for r in rows if r.question_points["ex2"] < 5]  # the made-up sheets did badly
    assert not [r for r in rows if r.flags]


def _noise(rng: random.Random, value: Any) -> Any:
    if isinstance(value, (list, np.ndarray)):
        return [_noise(rng, v) for v in value]
    return rng.uniform(-1, 1)


def test_the_gradebook_says_which_numbers_each_sheet_was_graded_on(
    variants: PreparedVariants, tmp_path: Path
) -> None:
    folder, out = tmp_path / "sheets", tmp_path / "gradebook"
    folder.mkdir()
    student = STUDENTS[5]
    write(folder, "a.yaml", sheet(student, "A", worked(_data(variants, student), "batch-sum"), None))
    write_gradebook(_grade(folder).gradebook, out)
    label = variants.variant_of(student).label
    parts = (out / "parts.csv").read_text(encoding="utf-8").splitlines()
    assert parts[0].endswith(",variant") and all(line.endswith(label) for line in parts[1:])
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["assignment"]["variants"] is True
    used = results["rows"][0]["detail"]["variant"]
    assert used["label"] == label and used["data"]["W"] == [list(r) for r in _data(variants, student)["W"]]
    feedback = next((out / "feedback").iterdir()).read_text(encoding="utf-8")
    assert label in feedback and "W = " in feedback


def test_a_course_without_variants_writes_no_variant_anywhere(tmp_path: Path) -> None:
    batch = grade_folder(BatchOptions(folder=ROOT / "submissions",
                                      rubric=ROOT / "rubrics" / "practical-1.yaml", workers=0))
    write_gradebook(batch.gradebook, tmp_path)
    assert (tmp_path / "parts.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "student_id,question,part,points,max_points,outcome,feedback")
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert "variants" not in results["assignment"]
    assert all("variant" not in row["detail"] for row in results["rows"])


def test_grading_a_variant_rubric_without_the_secret_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.cli import main

    monkeypatch.delenv("GRADER_VARIANT_SECRET")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/grader/practical-1.secret either
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"assignment": EDITION}), encoding="utf-8")
    assert main([str(tmp_path), "--rubric", str(RUBRIC), "--out", str(tmp_path / "g")]) == 2
