"""Declared mistakes (rule kinds, buggy expressions, wrong values, a course's own rule) and
form requirements, through a small rubric graded end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checkers.prepare import prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.model import Outcome, Reason
from grader.pipeline import BatchOptions, grade_folder
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric

RUBRIC = """\
assignment: demo
max_total: 10
contexts:
  conv:
    symbols: {H: {kind: scalar}, F: {kind: scalar}, P: {kind: scalar}, S: {kind: scalar}}
  layer:
    dims: [n]
    symbols:
      W: {kind: matrix, shape: [n, n]}
      delta: {kind: vector, shape: [n]}
      z: {kind: vector, shape: [n]}
  line:
    symbols: {a: {kind: scalar}, b: {kind: scalar}, w: {kind: scalar}, g: {kind: scalar},
              eta: {kind: scalar}, lambda: {kind: scalar}}
questions:
  - id: q
    parts:
      - id: size
        points: 2
        check: symbolic
        context: conv
        expression: "(H - F + 2P)/S + 1"
        mistakes:
          - {id: no_plus_one, expression: "(H - F + 2P)/S", credit: 0.5,
             feedback: "You forgot the +1."}
      - {id: grad, points: 2, check: symbolic, context: layer, expression: "W^T delta .* z",
         mistakes: [{id: transpose, kind: missing_transpose, credit: 0.25}]}
      - {id: diff, points: 2, check: symbolic, context: line, expression: "a - b",
         mistakes: [{id: swap, kind: swapped_arguments, credit: 0.5}]}
      - {id: out, points: 2, check: numeric, reference: 32,
         mistakes: [{id: no_plus_one, value: 31, credit: 0.5, feedback: "Forgot the +1."}]}
      - id: update
        points: 2
        check: symbolic
        context: line
        expression: "w - eta*(g + lambda*w)"
        form: {require: expanded, credit: 0.5, feedback: "Write the update expanded."}
"""


def _grade(tmp_path: Path, answers: dict[str, str]) -> dict[str, tuple[float, Outcome]]:
    (tmp_path / "demo.yaml").write_text(RUBRIC, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    lines = "\n".join(f'    {k}: "{v}"' for k, v in answers.items())
    sheet = f'student: {{id: s1}}\nassignment: demo\nanswers:\n  q:\n{lines}\n'
    (folder / "s1.yaml").write_text(sheet, encoding="utf-8")
    batch = grade_folder(BatchOptions(folder=folder, rubric=tmp_path / "demo.yaml", workers=0))
    return {p.answer_id: (p.points, p.outcome) for p in batch.gradebook.rows[0].parts}


def test_right_answers_get_full_points(tmp_path: Path) -> None:
    marks = _grade(
        tmp_path,
        {"size": "(H + 2P - F)/S + 1", "grad": "(W^T delta) .* z", "diff": "a - b", "out": "32",
         "update": "w - eta g - eta lambda w"},
    )  # fmt: skip
    assert marks == {f"q.{k}": (2.0, Outcome.CORRECT) for k in ("size", "grad", "diff", "out",
                                                                  "update")}  # fmt: skip


def test_declared_mistakes_earn_their_credit(tmp_path: Path) -> None:
    marks = _grade(
        tmp_path,
        {"size": "(H - F + 2*P)/S", "grad": "W delta .* z", "diff": "b - a", "out": "31",
         "update": "w - eta (g + lambda w)"},
    )  # fmt: skip
    assert marks == {
        "q.size": (1.0, Outcome.PARTIAL),
        "q.grad": (0.5, Outcome.PARTIAL),
        "q.diff": (1.0, Outcome.PARTIAL),
        "q.out": (1.0, Outcome.PARTIAL),
        "q.update": (1.0, Outcome.PARTIAL),  # right value, not expanded
    }


def test_other_wrong_answers_get_nothing(tmp_path: Path) -> None:
    marks = _grade(
        tmp_path,
        {"size": "(H - F)/S + 1", "grad": "W^T z .* delta .* z", "diff": "a + b", "out": "30",
         "update": "w - eta g"},
    )  # fmt: skip
    assert {k: o for k, (_, o) in marks.items()} == {k: Outcome.INCORRECT for k in marks}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("expression: \"(H - F + 2P)/S\"", "kind: no_such_rule", "unknown mistake kind"),
        ("expression: \"(H - F + 2P)/S\"", "expression: \"(H - Q)/S\"", "does not resolve"),
        ("value: 31", "expression: \"31\"", "not available for numeric parts"),
        ("require: expanded", "require: tidy", "`require:` one of"),
    ],
)
def test_bad_mistakes_and_forms_are_rubric_errors(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(RUBRIC.replace(old, new), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        prepare_rubric(load_rubric(path, REGISTRY))
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_a_form_failure_is_flagged_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(RUBRIC, encoding="utf-8")
    prepared = prepare_rubric(load_rubric(tmp_path / "demo.yaml", REGISTRY))
    part = prepared.questions["q"].parts["update"]  # type: ignore[attr-defined]
    from grader.checkers.base import Job

    result = part.execute(Job("q", "update", ("", "w - eta (g + lambda w)")))
    assert Reason.FORM in result.reasons and result.fraction == 0.5
