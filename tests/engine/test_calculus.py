"""Differentiation of resolved trees, checked against central differences at high precision
(the rules are checked by numbers, not by restating them)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from grader.engine import ResolveError, context_from_mapping
from grader.engine.calculus import NotDifferentiable, differentiate
from grader.engine.context import open_context
from grader.engine.functions import RandomFunction
from grader.engine.ir import IR, Apply, Sym
from grader.engine.judge import open_reading
from grader.engine.precise import evaluate_precise, make_context
from grader.engine.resolve import resolve
from grader.mathlang import parse

CONTEXT = open_context()


def tree(text: str) -> IR:
    node = parse(text)
    return resolve(node, open_reading(CONTEXT, node, None)).ir


FUNCTIONS = {
    ("f", 1): RandomFunction.draw(np.random.default_rng(3)),
}

EXPRESSIONS = [
    "x^3 - 2 x", "sin(x) cos(2 x)", "exp(-x^2)", "log(x^2 + 1)", "sqrt(x^2 + 2)",
    "tan(x)", "sec(x)", "csc(x + 2)", "cot(x + 2)", "asin(x/3)", "acos(x/3)", "atan(x)",
    "acot(x)", "asec(x + 3)", "acsc(x + 3)", "sinh(x)", "cosh(x)", "tanh(x)", "sech(x)",
    "csch(x + 3)", "coth(x + 3)", "asinh(x)", "acosh(x + 3)", "atanh(x/3)", "abs(x) x",
    "x^x", "2^x", "x / (1 + x^2)", "log(x + 4, 3)", "lg(x + 4)", "root(x + 4, 3)",
    "atan2(x, 2)", "atan2(2, x)", "f'(x^2)", "f'(sin(x)) x", "y x^2",
]  # fmt: skip


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_derivatives_match_central_differences(text: str) -> None:
    body = tree(text)
    derivative = differentiate(body, "x", {})
    ctx = make_context(50)
    h = ctx.mpf(10) ** -20
    for x in (Fraction(3, 10), Fraction(-7, 10), Fraction(6, 5)):
        point = ctx.mpf(x.numerator) / x.denominator
        env = {"x": point, "y": ctx.mpf(2)}

        def at(v: Any, env: dict[str, Any] = env) -> Any:
            return evaluate_precise(body, ctx, {**env, "x": v}, FUNCTIONS)

        numeric = (at(point + h) - at(point - h)) / (2 * h)
        exact = evaluate_precise(derivative, ctx, env, FUNCTIONS)
        assert abs(numeric - exact) < ctx.mpf(10) ** -15 * max(1, abs(exact)), text


def test_declared_functions_gain_a_prime() -> None:
    assert differentiate(tree("f'(x)"), "x", {}) == Apply("f", (Sym("x"),), 2, False)


def test_definitions_are_followed_except_the_variable() -> None:
    data = {
        "symbols": {
            "s2": {"kind": "scalar"},
            "z2": {"kind": "scalar", "define": "f2(s2)"},
            "f2": {"kind": "function"},
        }
    }
    ctx, errors = context_from_mapping("c", data, where="c", samplers={})
    assert errors == [] and ctx is not None
    result = differentiate(resolve(parse("z2^2"), ctx).ir, "s2", ctx.definitions)
    ctx_mp = make_context(30)
    f2 = RandomFunction.draw(np.random.default_rng(0))
    s2 = ctx_mp.mpf("0.7")
    env = {"s2": s2, "z2": f2.at(s2, 0, ctx_mp.sin, +ctx_mp.pi)}
    got = evaluate_precise(result, ctx_mp, env, {("f2", 1): f2})
    want = 2 * f2.at(s2, 0, ctx_mp.sin, +ctx_mp.pi) * f2.at(s2, 1, ctx_mp.sin, +ctx_mp.pi)
    assert abs(got - want) < 1e-20


@pytest.mark.parametrize("text", ["max(x, 1)", "factorial(x)", "binomial(x, 2)", "g(x, x)"])
def test_what_has_no_rule_is_refused(text: str) -> None:
    with pytest.raises(NotDifferentiable):
        differentiate(tree(text), "x", {})
    with pytest.raises(ResolveError):
        tree(f"Derivative({text}, x)")
