"""Every notation family, judged in its context (table in test_judge_notation.yaml): right
answers are equal to the reference, wrong ones are not, refused ones say why."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.engine import Context, ResolveError, SymbolicSpec, context_from_mapping, judge
from grader.engine.context import CAS_CONSTANTS, open_context
from grader.mathlang import ParseError, parse
from grader.rubric.solvers import load_solvers

HERE = Path(__file__).parent
RUBRIC = HERE.parents[1] / "rubrics" / "practical-1.yaml"
TABLE: Mapping[str, Any] = yaml.safe_load((HERE / "test_judge_notation.yaml").read_text("utf-8"))


@cache
def context(name: str) -> Context:
    if name == "open":
        return open_context()
    if name == "cas":
        return open_context(constants=CAS_CONSTANTS)
    data = TABLE["contexts"].get(name)
    samplers: Mapping[str, Any] = {}
    if data is None:  # Practical-1's own contexts and sampler
        data = yaml.safe_load(RUBRIC.read_text("utf-8"))["contexts"][name]
        samplers = load_solvers("practical_1", "solver", RUBRIC)
    ctx, errors = context_from_mapping(name, data, where=name, samplers=samplers)
    assert errors == [] and ctx is not None, errors
    return ctx


def cases(kind: str) -> list[tuple[str, str, Any]]:
    return [(f["family"], kind, item) for f in TABLE["families"] for item in f.get(kind, ())]


def family(name: str) -> Mapping[str, Any]:
    return next(f for f in TABLE["families"] if f["family"] == name)


def run(name: str, answer: str) -> Any:
    entry = family(name)
    spec = SymbolicSpec(reference=parse(entry["reference"]), orientation="either")
    return judge(parse(answer), spec, context(entry["context"]), seed=3)


@pytest.mark.parametrize(("name", "kind", "answer"), cases("right"), ids=lambda v: str(v))
def test_right_answers(name: str, kind: str, answer: str) -> None:
    result = run(name, answer)
    assert result.equivalent, result.feedback


@pytest.mark.parametrize(("name", "kind", "answer"), cases("wrong"), ids=lambda v: str(v))
def test_wrong_answers(name: str, kind: str, answer: str) -> None:
    result = run(name, answer)
    assert not result.equivalent and not result.undecided, result.feedback


@pytest.mark.parametrize(("name", "kind", "case"), cases("refused"), ids=lambda v: str(v))
def test_refused_answers_say_why(name: str, kind: str, case: Mapping[str, str]) -> None:
    with pytest.raises((ResolveError, ParseError)) as info:
        run(name, case["answer"])
    assert case["says"] in str(info.value)


def test_every_family_has_right_and_wrong_rows() -> None:
    for entry in TABLE["families"]:
        assert entry.get("right") and entry.get("wrong"), entry["family"]
