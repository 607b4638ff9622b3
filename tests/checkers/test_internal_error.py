"""Every part shape survives a wrong answer, and an exception inside a check is our bug: the
part gets `internal_error`, waits for a TA, staff are told which file, student and part, and
the traceback goes to errors.log; the batch goes on (issue 9, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checkers.numeric import PreparedNumeric
from grader.checkers.symbolic import PreparedSymbolic
from grader.gradebook import write_gradebook
from grader.model import Outcome, Reason, Status
from grader.pipeline import BatchOptions, grade_folder

RUBRIC = """\
assignment: shapes
max_total: 7
contexts:
  line:
    symbols: {x: {kind: scalar}}
questions:
  - id: q
    parts:
      - {id: one, points: 1, check: numeric, reference: 1216}
      - {id: vec, points: 1, check: numeric, reference: [1, 2]}
      - {id: mat, points: 1, check: numeric, reference: [[1, 2], [3, 4]]}
      - {id: steps, points: 1, check: numeric, reference: [[[1, 0]], [[0, 1]]]}
      - {id: sym, points: 2, check: symbolic, context: line, expression: "x^2"}
      - {id: text, points: 1, check: free_text, ideas: [{id: a, text: "a", patterns: ["a"]}]}
"""

WRONG = """\
student: {id: "{sid}", name: "N"}
assignment: shapes
answers:
  q:
    one: 1200
    vec: [1, 3]
    mat: [[1, 2], [3, 5]]
    steps: [[[1, 0]], [[1, 1]]]
    sym: "x^3"
    text: "b"
"""


def _course(tmp_path: Path, students: tuple[str, ...] = ("s1",)) -> BatchOptions:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "rubric.yaml").write_text(RUBRIC, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for sid in students:
        (folder / f"{sid}.yaml").write_text(WRONG.replace("{sid}", sid), encoding="utf-8")
    return BatchOptions(folder=folder, rubric=tmp_path / "rubric.yaml", workers=0)


def test_wrong_answers_of_every_shape_are_marked_not_crashed(tmp_path: Path) -> None:
    batch = grade_folder(_course(tmp_path))
    outcomes = {p.answer_id: p.outcome for p in batch.gradebook.rows[0].parts}
    assert outcomes == {
        "q.one": Outcome.INCORRECT,  # an integer reference is exact: 1200 is not 1216
        "q.vec": Outcome.PARTIAL,
        "q.mat": Outcome.PARTIAL,
        "q.steps": Outcome.PARTIAL,
        "q.sym": Outcome.INCORRECT,
        "q.text": Outcome.NEEDS_REVIEW,
    }


def test_a_single_number_in_a_list_is_read_as_that_number(tmp_path: Path) -> None:
    options = _course(tmp_path)
    sheet = options.folder / "s1.yaml"
    sheet.write_text(sheet.read_text().replace("one: 1200", "one: [1216]"), encoding="utf-8")
    part = grade_folder(options).gradebook.rows[0].parts[0]
    assert (part.answer_id, part.outcome) == ("q.one", Outcome.CORRECT)



@pytest.mark.parametrize(
    ("target", "answer_id"), [(PreparedNumeric, "q.one"), (PreparedSymbolic, "q.sym")]
)
def test_an_exception_in_a_check_is_an_internal_error_of_that_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: type, answer_id: str
) -> None:
    # `decide` runs in the main process; `execute` is the worker's job (symbolic parts).
    method = "execute" if target is PreparedSymbolic else "decide"
    original = getattr(target, method)

    def broken(self: PreparedNumeric | PreparedSymbolic, *args: object) -> object:
        if self.spec.answer_id == answer_id:
            raise RuntimeError("a bug in a checker")
        return original(self, *args)

    monkeypatch.setattr(target, method, broken)
    batch = grade_folder(_course(tmp_path, ("s1", "s2")))
    assert [row.status for row in batch.gradebook.rows] == [Status.NEEDS_REVIEW] * 2
    for row in batch.gradebook.rows:
        parts = {p.answer_id: p for p in row.parts}
        failed = parts[answer_id]
        assert (failed.outcome, failed.points, failed.needs_review) == (
            Outcome.INTERNAL_ERROR, 0.0, True
        )
        others = [p.outcome for p in row.parts if p.answer_id != answer_id]
        assert Outcome.INTERNAL_ERROR not in others
    errors = [m for m in batch.staff if m.reason is Reason.INTERNAL_ERROR]
    assert [(m.location.file, m.location.answer_id) for m in errors] == [
        ("s1.yaml", answer_id), ("s2.yaml", answer_id)
    ]
    assert all("'s" in m.text and "RuntimeError" in m.text for m in errors)

    out = tmp_path / "gradebook"
    write_gradebook(batch.gradebook, out)
    log = (out / "errors.log").read_text(encoding="utf-8")
    assert log.count(f"part {answer_id}") == 2 and "RuntimeError: a bug in a checker" in log
    assert "Traceback (most recent call last)" in log
    assert str(Path(__file__).resolve().parents[2]) + "/grader" not in log  # relative paths
    review = (out / "review.csv").read_text(encoding="utf-8")
    assert review.count("internal_error") == 2
    again = tmp_path / "again"
    write_gradebook(grade_folder(_course(tmp_path / "b", ("s1", "s2"))).gradebook, again)
    assert (again / "errors.log").read_bytes() == log.encode("utf-8")


def test_a_question_grader_that_raises_fails_only_its_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.checkers.parts import PreparedParts

    def broken(self: PreparedParts, *args: object) -> object:
        raise RuntimeError("a bug in a question grader")

    monkeypatch.setattr(PreparedParts, "grade", broken)
    row = grade_folder(_course(tmp_path)).gradebook.rows[0]
    assert {p.outcome for p in row.parts} == {Outcome.INTERNAL_ERROR}
    assert len(row.parts) == 6 and row.status is Status.NEEDS_REVIEW


def test_a_clean_batch_writes_an_empty_errors_log(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    write_gradebook(grade_folder(_course(tmp_path)).gradebook, out)
    assert (out / "errors.log").read_text(encoding="utf-8").count("==") == 0


def test_grade_check_with_scores_survives_a_wrong_single_number(tmp_path: Path) -> None:
    import io

    from grader.cli import main

    options = _course(tmp_path)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(RUBRIC.replace("max_total: 7", "max_total: 7\nfeedback: scores"))
    sheet = options.folder / "s1.yaml"
    sheet.write_text(sheet.read_text().replace("one: 1200", "one: 1000"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(options.folder / "s1.yaml"), "--rubric", str(rubric)], out, err)
    assert code == 0, err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
