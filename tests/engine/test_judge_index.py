"""Judging Exercise-3 answers in index notation (softmax + multiclass hinge loss).

The reference here is independent of the engine: the gradient of
L(o) = sum_{l != y} max(0, p_l - p_y + m), p = softmax(o), by numeric differentiation
(a fourth-order central difference, accurate to ~1e-12 away from the hinge's kinks, which the
test sampler keeps at a distance).

Hand derivation of the two cases (a_l = 1[p_l - p_y + m > 0], dp_l/do_j = p_l (delta_lj - p_j)):
  dL/do_j = sum_{l != y} a_l (p_l (delta_lj - p_j) - p_y (delta_yj - p_j))
  j != y: = a_j p_j + p_j sum_{l != y} a_l (p_y - p_l) = p_j (a_j - sum_{l != y} a_l (p_l - p_y))
  j  = y: = sum_{l != y} a_l (-p_l p_y - p_y (1 - p_y)) = -p_y sum_{l != y} a_l (p_l + 1 - p_y)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from grader.engine import (
    Context,
    ContextError,
    Mistake,
    ResolveError,
    Split,
    SymbolicSpec,
    context_from_mapping,
    judge,
    validate_spec,
)
from grader.mathlang import parse
from grader.model import Method, Reason

CONTEXT = {
    "sampler": "ex3_instance",
    "free_index": "j",
    "symbols": {
        "k": {"kind": "count"},
        "y_i": {"kind": "label", "aliases": ["y"]},
        "o": {"kind": "family"},
        "p": {"kind": "family"},
        "margin": {"kind": "scalar", "aliases": ["m", "Delta"]},
    },
}

SPLITS = (Split("j_ne_y", "j != y_i", 3.5), Split("j_eq_y", "j = y_i", 3.5))

ONE_EXPRESSION = (
    r"\sum_{l \neq y_i} \mathbb{1}[p_l - p_{y_i} + m > 0]\,"
    r"(p_l(\delta_{lj} - p_j) - p_{y_i}(\delta_{y_i j} - p_j))"
)
NE_CASE = "p_j (1[p_j - p_y + m > 0] - sum_{l != y} 1[p_l - p_y + m > 0] (p_l - p_y))"
EQ_CASE = "-p_y sum_{l != y} 1[p_l - p_y + m > 0] (p_l + 1 - p_y)"


def _softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def _loss(o: np.ndarray, y: int, margin: float) -> float:
    p = _softmax(o)
    others = np.arange(len(o)) != y
    return float(np.maximum(0.0, p[others] - p[y] + margin).sum())


def sampler(rng: np.random.Generator) -> Mapping[str, Any]:
    """Instances away from the kinks, with active and inactive classes when possible."""
    for _ in range(1000):
        k = int(rng.integers(3, 7))
        y = int(rng.integers(0, k))
        o = rng.normal(scale=1.5, size=k)
        p = _softmax(o)
        margin = float(rng.uniform(0.05, 1.0))
        gaps = np.delete(p - p[y] + margin, y)
        if np.all(np.abs(gaps) > 1e-3) and np.any(gaps > 0) and np.any(gaps < 0):
            return {"k": k, "y_i": y, "o": o, "p": p, "margin": margin}
    raise RuntimeError("no instance")


def reference_fn(instance: Mapping[str, Any]) -> np.ndarray:
    """dL/do_j for every j, by a fourth-order central difference."""
    o = np.asarray(instance["o"], dtype=float)
    y, margin, h = int(instance["y_i"]), float(instance["margin"]), 1e-4
    grad = np.empty_like(o)
    for j in range(len(o)):
        step = np.zeros_like(o)
        step[j] = h
        f = [_loss(o + c * step, y, margin) for c in (2, 1, -1, -2)]
        grad[j] = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * h)
    return grad


def ctx() -> Context:
    built, errors = context_from_mapping(
        "softmax_hinge",
        CONTEXT,
        where="contexts.softmax_hinge",
        samplers={"ex3_instance": sampler},
    )
    assert errors == [] and built is not None
    return built


def spec(**changes: Any) -> SymbolicSpec:
    return replace(SymbolicSpec(reference_fn=reference_fn, splits=SPLITS), **changes)


def test_the_reference_fn_matches_the_hand_derivation() -> None:
    # guards the test itself: the numeric gradient agrees with the two case formulas
    rng = np.random.default_rng(0)
    for _ in range(20):
        inst = sampler(rng)
        p, y, m = inst["p"], inst["y_i"], inst["margin"]
        a = (p - p[y] + m > 0).astype(float)
        a[y] = 0.0
        expected = p * ((p - p[y] + m > 0) - (a * (p - p[y])).sum())
        expected[y] = -p[y] * (a * (p + 1 - p[y])).sum()
        assert np.allclose(reference_fn(inst), expected, atol=1e-9)


@pytest.mark.parametrize(
    "answer",
    [
        ONE_EXPRESSION,
        "sum_{l != y_i} 1[p_l - p_{y_i} + margin > 0]"
        " * (p_l * (delta_{lj} - p_j) - p_{y_i} * (delta_{y_i j} - p_j))",
        r"\sum_{l \ne y} \mathbb{1}\{p_l - p_y + \Delta > 0\}"
        r" (p_l (\delta_{l,j} - p_j) - p_y (\delta_{j,y} - p_j))",
        # Iverson brackets and the indicator written on the free index
        "[j != y] p_j (1[p_j - p_y + m > 0] - sum_{l != y} [p_l - p_y + m > 0] (p_l - p_y))"
        " - [j = y] p_y sum_{l != y} [p_l - p_y + m > 0] (p_l + 1 - p_y)",
        # with the softmax written out and a full-range sum (1-based)
        r"\sum_{l \neq y_i} 1[p_l - p_y + m > 0] (\frac{\exp(o_l)}{\sum_{n=1}^{k} \exp(o_n)}"
        r" (\delta_{lj} - p_j) - p_y(\delta_{jy_i} - p_j))",
        # a 0-based full-range sum is all classes too
        r"\sum_{l=0}^{k-1} 1[l \neq y] 1[p_l - p_y + m > 0]"
        r" (p_l (\delta_{lj} - p_j) - p_y (\delta_{yj} - p_j))",
    ],
)
def test_one_expression_answers_are_equivalent(answer: str) -> None:
    result = judge(parse(answer), spec(), ctx(), seed=5)
    assert result.equivalent and result.credit == 1.0
    assert dict(result.split_results) == {"j_ne_y": True, "j_eq_y": True}
    assert result.interpretation == "index" and result.method is Method.RANDOM


@pytest.mark.parametrize(
    ("answer", "split"),
    [
        (NE_CASE, "j_ne_y"),
        (
            "p_j * (1[p_j - p_{y_i} + margin > 0]"
            " - sum_{l != y_i} 1[p_l - p_{y_i} + margin > 0] * (p_l - p_{y_i}))",
            "j_ne_y",
        ),
        (EQ_CASE, "j_eq_y"),
        # in the j = y_i case p_j and p_{y_i} are the same number
        ("-p_j sum_{l != y} 1[p_l - p_j + m > 0] (p_l + 1 - p_j)", "j_eq_y"),
        (
            r"-p_{y_i} \sum_{l \neq y_i} \mathbb{1}[p_l - p_{y_i} + m > 0] (1 + p_l - p_{y_i})",
            "j_eq_y",
        ),
    ],
)
def test_two_case_answers_earn_their_split(answer: str, split: str) -> None:
    result = judge(parse(answer), spec(only_split=split), ctx(), seed=9)
    assert result.equivalent
    assert dict(result.split_results) == {split: True}
    assert result.credit == pytest.approx(0.5)  # the split's weight over the total


@pytest.mark.parametrize(
    ("answer", "split"),
    [
        # sign flipped inside the j != y case
        ("p_j (1[p_j - p_y + m > 0] + sum_{l != y} 1[p_l - p_y + m > 0] (p_l - p_y))", "j_ne_y"),
        # the indicator on the wrong class
        ("p_j (1[p_y - p_j + m > 0] - sum_{l != y} 1[p_l - p_y + m > 0] (p_l - p_y))", "j_ne_y"),
        # the sum running over all classes (misses l != y)
        ("-p_y sum_l 1[p_l - p_y + m > 0] (p_l + 1 - p_y)", "j_eq_y"),
        # missing the 1
        ("-p_y sum_{l != y} 1[p_l - p_y + m > 0] (p_l - p_y)", "j_eq_y"),
        # the j != y formula given for the j = y case
        (NE_CASE, "j_eq_y"),
    ],
)
def test_wrong_two_case_answers_fail_their_split(answer: str, split: str) -> None:
    result = judge(parse(answer), spec(only_split=split), ctx(), seed=9)
    assert not result.equivalent and result.credit == 0.0
    assert dict(result.split_results) == {split: False}


def test_a_wrong_sign_in_one_case_fails_only_that_split() -> None:
    wrong_eq = f"[j != y] ({NE_CASE}) - [j = y] ({EQ_CASE})"
    result = judge(parse(wrong_eq), spec(), ctx(), seed=2)
    assert dict(result.split_results) == {"j_ne_y": True, "j_eq_y": False}
    assert result.credit == pytest.approx(0.5) and not result.equivalent
    wrong_ne = f"-[j != y] ({NE_CASE}) + [j = y] ({EQ_CASE})"
    result = judge(parse(wrong_ne), spec(), ctx(), seed=2)
    assert dict(result.split_results) == {"j_ne_y": False, "j_eq_y": True}
    assert result.credit == pytest.approx(0.5)


def test_a_reference_expression_works_like_a_reference_fn() -> None:
    by_expression = SymbolicSpec(reference=parse(ONE_EXPRESSION), splits=SPLITS)
    assert validate_spec(by_expression, ctx()) == []
    good = judge(parse(f"[j != y] ({NE_CASE}) + [j = y] ({EQ_CASE})"), by_expression, ctx(), seed=4)
    assert good.equivalent
    bad = judge(parse(NE_CASE), by_expression, ctx(), seed=4)
    assert dict(bad.split_results) == {"j_ne_y": True, "j_eq_y": False}


def test_without_splits_the_whole_vector_is_judged_and_negation_is_a_mistake() -> None:
    plain = SymbolicSpec(reference_fn=reference_fn, mistakes=(Mistake("sign", "negate", 0.5),))
    assert judge(parse(ONE_EXPRESSION), plain, ctx(), seed=1).equivalent
    flipped = judge(parse(f"-({ONE_EXPRESSION})"), plain, ctx(), seed=1)
    assert flipped.mistake is not None and flipped.credit == 0.5
    wrong = judge(parse(NE_CASE), plain, ctx(), seed=1)
    assert not wrong.equivalent and wrong.credit == 0.0 and wrong.mistake is None


def test_unknown_names_raise_naming_the_symbol() -> None:
    with pytest.raises(ResolveError) as info:
        judge(parse("q_j - p_j"), spec(), ctx(), seed=1)
    assert info.value.reason is Reason.UNKNOWN_SYMBOL and info.value.name == "q"
    with pytest.raises(ResolveError) as info:
        judge(parse("p_q"), spec(), ctx(), seed=1)
    assert info.value.reason is Reason.UNKNOWN_SYMBOL and info.value.name == "q"
    with pytest.raises(ResolveError):
        judge(parse("p_l"), spec(), ctx(), seed=1)  # l is bound by no sum


def test_a_broken_sampler_is_a_context_error_not_the_students_fault() -> None:
    def bad(rng: np.random.Generator) -> Mapping[str, Any]:
        return {"k": 3, "y_i": 5, "o": np.zeros(3), "p": np.ones(3) / 3, "margin": 0.5}

    built, errors = context_from_mapping(
        "c", CONTEXT, where="contexts.c", samplers={"ex3_instance": bad}
    )
    assert built is not None
    with pytest.raises(ContextError):
        judge(parse("p_j"), spec(), built, seed=1)


def test_split_validation() -> None:
    bad = spec(splits=(Split("a", "j != y_i", 1.0), Split("a", "q = 1", 0.0)), only_split="b")
    problems = validate_spec(bad, ctx())
    assert len(problems) >= 4  # duplicate id, bad weight, unknown q, unknown only_split
