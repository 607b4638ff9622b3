"""The precise evaluator: high precision, principal branches, undefined points, budgets."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from grader.engine.context import CAS_CONSTANTS, open_context
from grader.engine.functions import RandomFunction
from grader.engine.ir import IR, Apply, Local, MatrixLit, Sym
from grader.engine.precise import (
    Undefined,
    Unsupported,
    evaluate_precise,
    make_context,
    to_fraction,
)
from grader.engine.resolve import resolve
from grader.mathlang import parse

CONTEXT = open_context(constants=CAS_CONSTANTS)


def tree(text: str) -> IR:
    return resolve(parse(text), CONTEXT).ir


def value(text: str, dps: int = 50, **point: Any) -> Any:
    ctx = make_context(dps)
    env = {
        name: ctx.mpf(Fraction(v).numerator) / Fraction(v).denominator for name, v in point.items()
    }
    return evaluate_precise(tree(text), ctx, env, {})


def test_exact_constants_at_high_precision() -> None:
    ctx = make_context(50)
    assert (
        abs(value("pi") - ctx.mpf("3.14159265358979323846264338327950288419716939937510")) < 1e-48
    )
    assert to_fraction(ctx, value("1/3")) != Fraction(1, 3)  # a binary value, not the fraction
    assert abs(to_fraction(ctx, value("1/3")) - Fraction(1, 3)) < Fraction(1, 10**49)
    assert make_context(60).dps == 60 and make_context(10).dps == 10  # private precisions


def test_principal_branches() -> None:
    ctx = make_context(30)
    assert abs(value("sqrt(-4)") - ctx.mpc(0, 2)) < 1e-25
    assert abs(value("log(-1)") - ctx.mpc(0, ctx.pi)) < 1e-25
    assert abs(value("(-8)^(1/3)").imag) > 1  # the principal cube root of -8 is 1 + 1.73i
    assert abs(value("I^2") + 1) < 1e-25


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("1/x", {"x": 0}),
        ("log(x)", {"x": 0}),
        ("factorial(x)", {"x": -1}),
        ("0^x", {"x": -1}),
        ("exp(x)", {"x": 10**7}),
        ("x^x", {"x": 10**7}),
        ("sin(x)", {"x": 10**101}),
        ("Sum(k, (k, 1, x))", {"x": "1/2"}),
        ("Sum(k, (k, 1, x))", {"x": 10**6}),
        ("1[I > 0]", {}),
        ("floor(I)", {}),
    ],
)
def test_undefined_points(text: str, point: dict[str, Any]) -> None:
    with pytest.raises(Undefined):
        value(text, **point)


def test_binomial_and_factorial_through_gamma() -> None:
    assert abs(value("binomial(x, 2)", x=5) - 10) < 1e-25
    assert abs(value("binomial(x, 2)", x="5/2") - Fraction(15, 8)) < 1e-25
    assert abs(value("x!", x=5) - 120) < 1e-25


def test_sums_term_by_term_with_karr_convention() -> None:
    assert value("Sum(k^2, (k, 1, n))", n=4) == 30
    assert value("Sum(k^2, (k, 1, n))", n=-2) == -1  # -(sum from -1 to 0)
    assert value("Sum(Sum(j*k, (j, 1, k)), (k, 1, 3))") == 1 + 2 * 3 + 3 * 6


def test_indicators_and_comparisons() -> None:
    assert value("1[x > 0] y", x=1, y=3) == 3
    assert value("1[x > 0] y", x=-1, y=3) == 0
    assert value("1[x = 2]", x=2) == 1


def test_stand_in_functions_use_mpmath() -> None:
    import numpy as np

    f = RandomFunction.draw(np.random.default_rng(1))
    ctx = make_context(40)
    node = Apply("f", (Sym("x"),), 1, False)
    got = evaluate_precise(node, ctx, {"x": ctx.mpf(1) / 3}, {("f", 1): f})
    assert abs(float(got) - float(f(1 / 3, 1))) < 1e-12


def test_unknown_nodes_are_unsupported() -> None:
    ctx = make_context(20)
    for node in (MatrixLit(((Sym("x"),),)), Local("k")):
        with pytest.raises((Unsupported, KeyError)):
            evaluate_precise(node, ctx, {"x": ctx.mpf(1)}, {})
    with pytest.raises(Unsupported):
        evaluate_precise(Apply("g", (Sym("x"),), 0, False), ctx, {"x": ctx.mpf(1)}, {})


def test_to_fraction_refuses_complex() -> None:
    ctx = make_context(20)
    with pytest.raises(Undefined):
        to_fraction(ctx, ctx.mpc(1, 1))
    assert to_fraction(ctx, ctx.mpc(2, 0)) == 2
