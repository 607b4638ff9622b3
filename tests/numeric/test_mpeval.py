"""The mpmath evaluator: principal branches, undefined points, overflow guards, sums."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from grader.numeric.mpeval import (
    Undefined,
    Unsupported,
    compile_expr,
    evaluate,
    make_context,
    to_fraction,
)

x = sympy.Symbol("x", real=True)
n = sympy.Symbol("n", integer=True)
k = sympy.Symbol("k", integer=True)


def test_exact_constants_at_high_precision() -> None:
    ctx = make_context(50)
    result = evaluate(compile_expr(sympy.pi), ctx, {})
    assert abs(result - ctx.mpf("3.14159265358979323846264338327950288419716939937510")) < 1e-48
    assert to_fraction(ctx, evaluate(compile_expr(sympy.Rational(1, 3)), ctx, {})) != Fraction(1, 3)
    assert abs(to_fraction(ctx, ctx.mpf(1) / 3) - Fraction(1, 3)) < Fraction(1, 10**49)


def test_principal_branches() -> None:
    ctx = make_context(30)
    root = evaluate(compile_expr(sympy.sqrt(x)), ctx, {x: ctx.mpf(-4)})
    assert abs(root - ctx.mpc(0, 2)) < 1e-25
    log = evaluate(compile_expr(sympy.log(x)), ctx, {x: ctx.mpf(-1)})
    assert abs(log - ctx.mpc(0, ctx.pi)) < 1e-25
    cube = evaluate(compile_expr(x ** sympy.Rational(1, 3)), ctx, {x: ctx.mpf(-8)})
    assert abs(cube.imag) > 1  # principal cube root of -8 is 1 + 1.73i, not -2


@pytest.mark.parametrize(
    ("expr", "point"),
    [
        (1 / x, 0),
        (sympy.log(x), 0),
        (sympy.factorial(x), -2),
        (sympy.gamma(x), 0),
        (sympy.exp(sympy.exp(x)), 20),  # exp of ~5e8: beyond the budget
        (x**1000000 * sympy.Integer(2) ** x, 10**5),
    ],
)
def test_undefined_points(expr: object, point: int) -> None:
    ctx = make_context(30)
    with pytest.raises(Undefined):
        evaluate(compile_expr(expr), ctx, {x: ctx.mpf(point)})


def test_binomial_is_undefined_at_gamma_poles() -> None:
    ctx = make_context(30)
    fn = compile_expr(sympy.binomial(x, 2))
    assert abs(evaluate(fn, ctx, {x: ctx.mpf(5)}) - 10) < 1e-25
    assert abs(evaluate(fn, ctx, {x: ctx.mpf("2.5")}) - ctx.mpf("1.875")) < 1e-25
    with pytest.raises(Undefined):
        evaluate(fn, ctx, {x: ctx.mpf(-1)})


def test_sums_term_by_term_with_karr_convention() -> None:
    ctx = make_context(30)
    fn = compile_expr(sympy.Sum(k**2, (k, 1, n)))
    assert evaluate(fn, ctx, {n: ctx.mpf(4)}) == 30
    # Karr: sum_{k=1}^{-2} = -sum_{k=-1}^{0} = -1, as n(n+1)(2n+1)/6 gives at n = -2
    assert evaluate(fn, ctx, {n: ctx.mpf(-2)}) == -1
    with pytest.raises(Undefined):
        evaluate(fn, ctx, {n: ctx.mpf("2.5")})


def test_piecewise_and_conditions() -> None:
    ctx = make_context(30)
    fn = compile_expr(sympy.Piecewise((1, sympy.And(x > 0, sympy.Ne(x, 2))), (0, True)))
    assert evaluate(fn, ctx, {x: ctx.mpf(1)}) == 1
    assert evaluate(fn, ctx, {x: ctx.mpf(2)}) == 0
    assert evaluate(fn, ctx, {x: ctx.mpf(-1)}) == 0


def test_leftover_derivative_is_numerical() -> None:
    ctx = make_context(30)
    fn = compile_expr(sympy.Derivative(sympy.sin(x) * x, x))
    result = evaluate(fn, ctx, {x: ctx.mpf(1)})
    assert abs(result - (ctx.cos(1) + ctx.sin(1))) < 1e-20


def test_unknown_objects_are_unsupported() -> None:
    with pytest.raises(Unsupported):
        compile_expr(sympy.Function("f")(x))
    with pytest.raises(Unsupported):
        compile_expr(sympy.zeta(x))


def test_to_fraction_refuses_complex() -> None:
    ctx = make_context(30)
    with pytest.raises(Undefined):
        to_fraction(ctx, ctx.mpc(1, 1))
    assert to_fraction(ctx, ctx.mpc(2, 0)) == 2
