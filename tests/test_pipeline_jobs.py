"""Byte-identical gradebooks whatever `--jobs` is: loading, checking and scoring in workers or
in-process give the same files (the samples hold every kind of sheet: broken, notebook, LaTeX,
duplicates of nothing, carried errors, a misspelt answer id)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = str(ROOT / "rubrics" / "practical-1.yaml")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".png"  # matplotlib's bytes are not ours to promise
    }


def _grade(folder: Path, out: Path, jobs: int) -> dict[str, bytes]:
    sink = io.StringIO()
    code = main([str(folder), "--out", str(out), "--rubric", RUBRIC, "--jobs", str(jobs),
                 "--quiet"], sink, sink)  # fmt: skip
    assert code == 0, sink.getvalue()
    return _files(out)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sheets")
    for sheet in (ROOT / "submissions").iterdir():
        shutil.copy(sheet, folder)
    # a second copy of each YAML sheet under another id: more sheets than one chunk per worker
    for sheet in sorted((ROOT / "submissions").glob("*.yaml")):
        text = sheet.read_text(encoding="utf-8").replace('id: "s100', 'id: "t100')
        (folder / f"copy_{sheet.name}").write_text(text, encoding="utf-8")
    return folder


def test_jobs_0_1_and_2_write_the_same_bytes(sheets: Path, tmp_path: Path) -> None:
    inline = _grade(sheets, tmp_path / "inline", 0)
    assert any(name.startswith("feedback/") for name in inline)
    assert _grade(sheets, tmp_path / "one", 1) == inline
    assert _grade(sheets, tmp_path / "two", 2) == inline


@pytest.mark.parametrize("workers", [0, 2])
def test_equal_parts_of_different_students_are_one_object(sheets: Path, workers: int) -> None:
    from grader.pipeline import BatchOptions, grade_folder

    options = BatchOptions(folder=sheets, rubric=Path(RUBRIC), workers=workers)
    rows = {row.source: row for row in grade_folder(options).gradebook.rows}
    twins = [(row, rows[f"copy_{source}"]) for source, row in rows.items()
             if f"copy_{source}" in rows and row.parts]  # fmt: skip
    assert twins
    for row, twin in twins:
        assert row.parts == twin.parts
        assert all(a is b for a, b in zip(row.parts, twin.parts, strict=True))


def test_parts_alike_but_for_a_number_type_stay_apart() -> None:
    from grader.model import GradedSubmission, Outcome, PartScore, Status
    from grader.pipeline import _pack, _SharedParts

    whole = PartScore("ex1.a", "ex1", 1.0, 2.0, Outcome.PARTIAL)
    same = PartScore("ex1.a", "ex1", 1.0, 2.0, Outcome.PARTIAL)
    other = PartScore("ex1.a", "ex1", 1, 2.0, Outcome.PARTIAL)  # == whole, but writes "1"
    assert whole == other

    shared = _SharedParts()
    rows = [
        shared.arrive(_pack((GradedSubmission(s, s, s, Status.GRADED, {}, 1, 0, 1, 2, (p,)), None)))
        for s, p in (("a", whole), ("b", same), ("c", other))
    ]
    (a, _), (b, _), (c, _) = rows
    assert a.parts[0] is b.parts[0]
    assert c.parts[0] is not a.parts[0] and type(c.parts[0].points) is int


@pytest.mark.parametrize("workers", [0, 2])
def test_read_sheets_are_held_as_heads_beside_their_entries(sheets: Path, workers: int) -> None:
    from grader.pipeline import _read_folder, read_folder
    from grader.sheet_cache import head_of, submission_of

    loaded, _ = _read_folder(sheets, workers=workers)
    wholes, _ = read_folder(sheets, workers=workers)
    assert len(loaded) == len(wholes) and any(w.answers for w in wholes)
    for entry, whole in zip(loaded, wholes, strict=True):
        assert entry.submission == head_of(whole) and not entry.submission.answers
        if whole.answers:
            assert entry.packed is not None and submission_of(entry.packed) == whole
        else:  # nothing more to it than its head
            assert entry.packed is None and entry.submission == whole


def test_a_packed_sheet_is_made_whole_under_the_course_rule_once() -> None:
    from grader.loaders.identity import FileNameRule, reidentify
    from grader.model import (
        Location,
        Message,
        RawAnswer,
        Reason,
        Severity,
        Submission,
        frozen_mapping,
    )
    from grader.pipeline import _Loaded, _opened, _whole
    from grader.sheet_cache import head_of, storable

    where = Location("hw_ab123.yaml")
    answers = frozen_mapping({"q1": RawAnswer("q1", "x^2", where)})
    note = Message(Severity.WARNING, "no student id given: using 'hw_ab123' from the file stem",
                   where, Reason.IDENTITY_FALLBACK)  # fmt: skip
    sheet = Submission("hw_ab123.yaml", "hw_ab123", "", "practical-1", answers, (note,))
    rule = FileNameRule("hw_<id>")
    renamed = reidentify(sheet, rule)
    assert renamed.student_id == "ab123"  # the rule is one that changes something
    packed = storable(sheet)
    assert packed is not None
    loaded = [_Loaded(head_of(sheet), packed=packed)]
    [made] = _whole(loaded, [reidentify(head_of(sheet), rule)], [0], None, rule)
    assert made == renamed and _opened(rule, packed) == renamed
    assert _whole(loaded, [made], [0], None, rule)[0] is made  # whole already: kept
