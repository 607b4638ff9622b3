"""Exercise 3: the chain-rule gradient against finite differences and sympy, the printed
expressions against the gradient (through an index-notation evaluator written here), and the
instance sampler's promises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
import sympy

from grader.mathlang.ast import BinOp, Indicator, Name, Neg, Node, Number, Relation, Sum
from grader.references import IndexReference
from reference_solutions.practical_1 import SOLVERS
from reference_solutions.practical_1.ex3 import (
    KINK_DISTANCE,
    case_trees,
    display_tree,
    gradient,
    hinge_loss,
)

# ---------------------------------------------------------------------------------------------
# independent references


def loss_of(o: np.ndarray, y: int, margin: float) -> float:
    """The loss straight from the sheet's formula (no shared code with the solver)."""
    e = [np.exp(v) for v in o]
    p = [v / sum(e) for v in e]
    return sum(max(0.0, p[c] - p[y] + margin) for c in range(len(o)) if c != y)


def central_differences(o: np.ndarray, y: int, margin: float, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(o)
    for j in range(len(o)):
        up, down = o.copy(), o.copy()
        up[j] += h
        down[j] -= h
        out[j] = (loss_of(up, y, margin) - loss_of(down, y, margin)) / (2 * h)
    return out


def sympy_gradient(o: np.ndarray, y: int, margin: float) -> np.ndarray:
    k = len(o)
    symbols = sympy.symbols(f"o0:{k}")
    total = sum(sympy.exp(s) for s in symbols)
    p = [sympy.exp(s) / total for s in symbols]
    m = sympy.Float(margin, 30)
    loss = sum(sympy.Max(0, p[c] - p[y] + m) for c in range(k) if c != y)
    point = {s: sympy.Float(v, 30) for s, v in zip(symbols, o, strict=True)}
    return np.array([float(sympy.diff(loss, s).evalf(30, subs=point)) for s in symbols])


def away_from_kinks(o: np.ndarray, y: int, margin: float) -> bool:
    e = np.exp(o - o.max())
    p = e / e.sum()
    gaps = np.delete(p - p[y] + margin, y)
    return bool(np.min(np.abs(gaps)) > 1e-3)


def random_cases(count: int, seed: int, classes: tuple[int, ...]) -> list[tuple[Any, ...]]:
    rng = np.random.default_rng(seed)
    cases: list[tuple[Any, ...]] = []
    while len(cases) < count:
        k = int(rng.choice(classes))
        o, y, margin = rng.normal(0, 2, k), int(rng.integers(0, k)), float(rng.uniform(0.05, 1))
        if away_from_kinks(o, y, margin):
            cases.append((o, y, margin))
    return cases


def instance(o: np.ndarray, y: int, margin: float) -> dict[str, Any]:
    return {"k": len(o), "y_i": y, "o": o, "margin": margin}


# ---------------------------------------------------------------------------------------------
# the gradient


@pytest.mark.parametrize(("o", "y", "margin"), random_cases(30, seed=1, classes=(3, 4, 5, 6, 9)))
def test_gradient_matches_central_differences(o: np.ndarray, y: int, margin: float) -> None:
    got = gradient(instance(o, y, margin))
    np.testing.assert_allclose(got, central_differences(o, y, margin), rtol=0, atol=1e-7)


@pytest.mark.parametrize(("o", "y", "margin"), random_cases(6, seed=2, classes=(3, 4)))
def test_gradient_matches_sympy(o: np.ndarray, y: int, margin: float) -> None:
    np.testing.assert_allclose(
        gradient(instance(o, y, margin)), sympy_gradient(o, y, margin), rtol=0, atol=1e-12
    )


def test_gradient_is_zero_when_the_true_class_wins_by_the_margin() -> None:
    o = np.array([5.0, 0.0, -1.0, 0.5])
    assert loss_of(o, 0, 0.1) == 0.0
    assert np.all(gradient(instance(o, 0, 0.1)) == 0.0)


def test_solver_hinge_loss_agrees_with_the_formula() -> None:
    for o, y, margin in random_cases(10, seed=3, classes=(3, 7)):
        assert abs(hinge_loss(o, y, margin) - loss_of(o, y, margin)) < 1e-12


def test_gradient_rejects_a_label_out_of_range() -> None:
    with pytest.raises(ValueError):
        gradient(instance(np.array([0.1, 0.2, 0.3]), 3, 0.5))


# ---------------------------------------------------------------------------------------------
# an evaluator for the index-notation trees


@dataclass(frozen=True)
class Point:
    p: np.ndarray
    y: int
    margin: float
    j: int
    bound: Mapping[str, int]


def index_value(sub: str, at: Point) -> int:
    if sub in ("y_i", "y"):
        return at.y
    if sub == "j":
        return at.j
    return at.bound[sub]


def split_kronecker(sub: str) -> tuple[str, str]:
    for first in ("y_i", "j", "l"):
        if sub.startswith(first) and sub[len(first) :] in ("y_i", "j", "l"):
            return first, sub[len(first) :]
    raise AssertionError(f"not a Kronecker subscript: {sub}")


def value(node: Node, at: Point) -> float:
    if isinstance(node, Number):
        return float(node.value)
    if isinstance(node, Name):
        if node.base == "margin":
            return at.margin
        if node.base == "p" and node.sub is not None:
            return float(at.p[index_value(node.sub, at)])
        if node.base == "delta" and node.sub is not None:
            a, b = split_kronecker(node.sub)
            return float(index_value(a, at) == index_value(b, at))
        if node.sub is None and node.base in at.bound:
            return float(at.bound[node.base])
        raise AssertionError(f"unknown name {node}")
    if isinstance(node, Neg):
        return -value(node.operand, at)
    if isinstance(node, BinOp):
        left, right = value(node.left, at), value(node.right, at)
        return {"+": left + right, "-": left - right, "*": left * right}[node.op]
    if isinstance(node, Indicator):
        return float(all(holds(c, at) for c in node.conditions))
    if isinstance(node, Sum):
        total = 0.0
        for index in range(len(at.p)):
            inner = replace(at, bound={**at.bound, node.index.base: index})
            if all(holds(c, inner) for c in node.conditions):
                total += value(node.body, inner)
        return total
    raise AssertionError(f"unexpected node {node!r}")


def holds(relation: Relation, at: Point) -> bool:
    left, right = value_or_index(relation.left, at), value_or_index(relation.right, at)
    return {">": left > right, "!=": left != right, "=": left == right}[relation.op]


def value_or_index(node: Node, at: Point) -> float:
    if isinstance(node, Name) and node.base == "y" and node.sub == "i":
        return at.y
    return value(node, at)


def evaluate_for_every_j(tree: Node, o: np.ndarray, y: int, margin: float) -> np.ndarray:
    e = np.exp(o - o.max())
    p = e / e.sum()
    return np.array([value(tree, Point(p, y, margin, j, {})) for j in range(len(o))])


SAMPLES = random_cases(25, seed=4, classes=(3, 4, 5, 6))


@pytest.mark.parametrize(("o", "y", "margin"), SAMPLES)
def test_display_form_equals_the_gradient_for_every_class(
    o: np.ndarray, y: int, margin: float
) -> None:
    got = evaluate_for_every_j(display_tree(), o, y, margin)
    np.testing.assert_allclose(got, gradient(instance(o, y, margin)), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("o", "y", "margin"), SAMPLES)
def test_cases_equal_the_gradient_on_their_classes(o: np.ndarray, y: int, margin: float) -> None:
    reference = gradient(instance(o, y, margin))
    cases = case_trees()
    ne = evaluate_for_every_j(cases["j_ne_y"], o, y, margin)
    eq = evaluate_for_every_j(cases["j_eq_y"], o, y, margin)
    others = np.arange(len(o)) != y
    np.testing.assert_allclose(ne[others], reference[others], rtol=0, atol=1e-12)
    assert abs(eq[y] - reference[y]) < 1e-12


def test_a_wrong_case_is_detected_by_the_evaluator() -> None:
    flipped = Neg(case_trees()["j_eq_y"])
    mismatches = 0
    for o, y, margin in SAMPLES:
        reference = gradient(instance(o, y, margin))
        eq = evaluate_for_every_j(flipped, o, y, margin)
        mismatches += abs(eq[y] - reference[y]) > 1e-9
    assert mismatches > len(SAMPLES) // 2


def test_solver_text_is_the_printed_verified_trees() -> None:
    reference = SOLVERS["ex3_gradient"]({})
    assert isinstance(reference, IndexReference)
    assert reference.gradient is gradient
    assert set(reference.cases) == {"j_ne_y", "j_eq_y"}
    for text in (reference.display, *reference.cases.values()):
        assert text.isascii()
        assert "sum_{l != y_i}(" in text and "1[p_l - p_{y_i} + margin > 0]" in text


# ---------------------------------------------------------------------------------------------
# the sampler


def draws(count: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [SOLVERS["ex3_instance"](rng) for _ in range(count)]


def test_sampler_ranges_and_consistency() -> None:
    seen_k = set()
    for inst in draws(300, seed=5):
        k, y, o, p, margin = inst["k"], inst["y_i"], inst["o"], inst["p"], inst["margin"]
        seen_k.add(k)
        assert isinstance(k, int) and 3 <= k <= 6
        assert isinstance(y, int) and 0 <= y < k
        assert o.shape == (k,) and p.shape == (k,)
        assert o.min() < 0 < o.max()
        np.testing.assert_allclose(p, np.exp(o) / np.exp(o).sum(), rtol=1e-12)
        assert 0.05 < margin < 1
    assert seen_k == {3, 4, 5, 6}


def test_sampler_keeps_away_from_kinks_and_mixes_active_and_inactive_classes() -> None:
    for inst in draws(300, seed=6):
        gaps = np.delete(inst["p"] - inst["p"][inst["y_i"]] + inst["margin"], inst["y_i"])
        assert np.min(np.abs(gaps)) > KINK_DISTANCE
        assert (gaps > 0).any() and (gaps < 0).any()


def test_sampler_is_deterministic_for_a_seed() -> None:
    first, second = draws(5, seed=8), draws(5, seed=8)
    for a, b in zip(first, second, strict=True):
        assert a["k"] == b["k"] and a["y_i"] == b["y_i"] and a["margin"] == b["margin"]
        assert np.array_equal(a["o"], b["o"])
