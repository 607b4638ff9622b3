"""Rubric validation: every problem at once, as `file: location: message`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from grader.checkers.prepare import prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.cli import main
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]

BROKEN = """\
assignment: demo
max_total: 12
colour: blue
questions:
  - id: q1
    points: 5
    parts:
      - {id: a, points: 2, check: symbolc, context: c}
      - {id: b, points: 3, check: numeric, reference: [1, 2], orientation: sideways}
  - id: q1
    parts:
      - {id: c, points: 0, check: free_text}
  - id: q3
    grader: magic
    parts: []
"""


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric(path, REGISTRY)
    return caught.value.problems


def test_every_problem_is_reported_at_once_with_its_location(tmp_path: Path) -> None:
    problems = _problems(tmp_path, BROKEN)
    path = str(tmp_path / "demo.yaml")
    assert all(p.startswith(f"{path}: ") for p in problems)
    where = [p[len(path) + 2 :].split(":")[0] for p in problems]
    assert "colour" in where  # unknown top-level key
    assert "questions[q1].parts[a].check" in where  # unknown checker
    assert "questions[q1].parts[b].orientation" in where
    assert "questions[q1]" in where  # duplicate question id
    assert "questions[q1].parts[c].points" in where  # a scored part without points
    assert "questions[q1].parts[c].ideas" in where  # required option missing
    assert "questions[q3].grader" in where  # unknown question grader
    assert len(problems) >= 7


def test_unknown_names_list_the_valid_ones(tmp_path: Path) -> None:
    problems = _problems(tmp_path, BROKEN)
    checker = next(p for p in problems if "parts[a].check" in p)
    for name in ("symbolic", "numeric", "free_text", "choice"):
        assert name in checker
    grader = next(p for p in problems if "grader" in p)
    assert "chain" in grader and "parts" in grader


def test_points_must_add_up(tmp_path: Path) -> None:
    text = """\
assignment: demo
max_total: 3
questions:
  - id: q1
    points: 4
    parts:
      - {id: a, points: 3, check: numeric, reference: [1]}
"""
    problems = _problems(tmp_path, text)
    assert any("questions[q1].points" in p for p in problems)


def test_unknown_solver_function_lists_the_valid_ones(tmp_path: Path) -> None:
    text = (ROOT / "rubrics/practical-1.yaml").read_text(encoding="utf-8")
    path = tmp_path / "practical-1.yaml"
    path.write_text(
        text.replace("reference: ex1_dL_dW2", "reference: ex1_dL_dW9"), encoding="utf-8"
    )
    with pytest.raises(RubricError) as caught:
        prepare_rubric(load_rubric(path, REGISTRY))
    (problem,) = caught.value.problems
    assert "questions[ex1].parts[dL_dW2].reference" in problem
    assert "ex1_dL_dW9" in problem and "ex1_dL_dW2" in problem


def test_invalid_rubric_exits_2_and_prints_every_problem(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(BROKEN, encoding="utf-8")
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "pen_paper_a.yaml").write_text("assignment: demo\nanswers: {}\n", encoding="utf-8")
    err = io.StringIO()
    status = main(
        [
            str(sheets),
            "--rubric",
            str(tmp_path / "demo.yaml"),
            "--out",
            str(tmp_path / "gb"),
            "--quiet",
        ],
        io.StringIO(),
        err,
    )
    assert status == 2
    assert len(err.getvalue().strip().splitlines()) >= 7
    assert not (tmp_path / "gb").exists()


def test_the_practical_1_rubric_is_valid() -> None:
    rubric = load_rubric(ROOT / "rubrics/practical-1.yaml", REGISTRY)
    assert rubric.max_total == 30
    assert [q.id for q in rubric.questions] == ["ex1", "mini", "ex2", "ex3", "ex4"]
    assert [q.points for q in rubric.questions] == [8, 2, 10, 10, 5]
    assert rubric.bonus is not None and rubric.bonus.questions == ("ex4",)
    prepare_rubric(rubric)
