"""Contexts built without the solver: stand-in samplers that refuse to run, never called while
names are read; context problems are rubric errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from check_helpers import RUBRIC, SheetMaker, run_grade

from grader.checkers.registry import REGISTRY
from grader.engine.resolve import resolve
from grader.mathlang import parse
from grader.rubric.errors import RubricError
from grader.rubric.load import load_rubric
from grader.selfcheck.contexts import (
    SamplingRefused,
    build_contexts,
    refuse_sampling,
    sampler_names,
)


def test_stand_in_sampler_refuses() -> None:
    with pytest.raises(SamplingRefused):
        refuse_sampling(np.random.default_rng(0))


def test_practical_1_contexts_build_without_the_solver() -> None:
    rubric = load_rubric(RUBRIC, REGISTRY)
    contexts = build_contexts(rubric)
    assert set(contexts) == set(rubric.contexts)
    assert sampler_names(rubric) == ("ex3_instance",)
    hinge = contexts["softmax_hinge"]
    assert hinge.sampler is refuse_sampling
    # Reading Exercise 3's names (sums, indicators, families, the label) draws no instance:
    # the stand-in would raise if it did.
    resolve(parse("sum_{l != y_i} 1[p_l - p_{y_i} + margin > 0] (p_l (delta_lj - p_j))"), hinge)


def test_a_broken_context_is_a_rubric_error(tmp_path: Path, make_sheet: SheetMaker) -> None:
    text = RUBRIC.read_text("utf-8").replace('define: "W1 x_in"', 'define: "W1 nowhere"', 1)
    assert "W1 nowhere" in text
    rubric = tmp_path / "broken-context.yaml"
    rubric.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        build_contexts(load_rubric(rubric, REGISTRY))
    assert all(problem.startswith(str(rubric)) for problem in caught.value.problems)
    assert run_grade(["check", str(make_sheet()), "--rubric", str(rubric)]).code == 2
