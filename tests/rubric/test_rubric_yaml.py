"""Rubrics are parsed by libyaml when PyYAML has it: the values are exactly the pure-Python
parser's (same safe constructor), and a syntax error is worded by the pure-Python parser."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.checkers.registry import REGISTRY
from grader.rubric import load
from grader.rubric.errors import RubricError

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = sorted((ROOT / "rubrics").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "courses").glob("*/rubrics/*.yaml")
)


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.name)
def test_the_same_values_as_the_pure_python_parser(path: Path) -> None:
    text = path.read_text("utf-8")
    # repr: 1 == 1.0 == True, but a rubric's int, float and bool must stay what they were
    assert repr(load._safe_load(text)) == repr(yaml.load(text, Loader=yaml.SafeLoader))


def test_a_syntax_error_is_reported_as_before(tmp_path: Path) -> None:
    rubric = tmp_path / "broken.yaml"
    rubric.write_text("assignment: x\nquestions: [oops\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.load(rubric.read_text("utf-8"), Loader=yaml.SafeLoader)
    with pytest.raises(RubricError) as caught:
        load.load_rubric(rubric, REGISTRY)
    mark = pure.value.problem_mark  # type: ignore[attr-defined]
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    assert caught.value.problems == [
        f"{rubric}: {where}: YAML syntax error: {pure.value.problem}"  # type: ignore[attr-defined]
    ]
