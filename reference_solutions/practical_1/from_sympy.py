"""Turning sympy results into answer-language trees (our own printer, not sympy's).

sympy's `str` output is not our syntax (derivatives print as `Subs(Derivative(...))`), so the
solvers convert the sympy expressions they derive into `grader.mathlang.ast` nodes here and print
those with `tree.render`. Only the shapes our derivations produce are supported: sums, products,
integer powers, rational coefficients, symbols, applied undefined functions and their
derivatives (`Subs(Derivative(f(xi), xi), xi, point)` or `Derivative(f(s), s)`), which become
`f'(point)`. Anything else raises `UnsupportedExpression` rather than printing something wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from grader.mathlang.ast import BinOp, Call, Name, Neg, Node

from .tree import minus, mul, number, plus


class UnsupportedExpression(TypeError):
    """A sympy expression outside the subset `to_tree` converts."""


@dataclass(frozen=True)
class Naming:
    """How sympy objects map to answer-language names, and in which order factors are shown.

    `symbols` maps sympy symbols and function classes (by their sympy name) to our names;
    `rank` gives a sort key for the factors of a product (lower first), so that a gradient reads
    in the order of the chain rule rather than sympy's alphabetical order.
    """

    symbols: Mapping[str, Name]
    rank: Callable[[sympy.Expr], int]


def to_tree(expr: sympy.Expr, naming: Naming) -> Node:
    """The answer-language tree of a derived sympy expression."""
    if isinstance(expr, sympy.Add):
        return _sum_tree(expr, naming)
    if isinstance(expr, sympy.Mul):
        return _product_tree(expr, naming)
    if isinstance(expr, sympy.Pow):
        return _power_tree(expr, naming)
    if isinstance(expr, sympy.Integer) and expr >= 0:
        return number(int(expr))
    if isinstance(expr, sympy.Rational):
        return _coefficient_tree(expr)
    if isinstance(expr, sympy.Symbol):
        return _lookup(expr.name, naming)
    if isinstance(expr, AppliedUndef):
        args = tuple(to_tree(a, naming) for a in expr.args)
        return Call(_lookup(type(expr).__name__, naming), args)
    derivative = _derivative_tree(expr, naming)
    if derivative is not None:
        return derivative
    raise UnsupportedExpression(f"cannot convert {sympy.srepr(expr)}")


def _lookup(key: str, naming: Naming) -> Name:
    try:
        return naming.symbols[key]
    except KeyError:
        raise UnsupportedExpression(f"no answer-language name for sympy name {key!r}") from None


def _sum_tree(expr: sympy.Add, naming: Naming) -> Node:
    """Positive terms first, then the negative ones subtracted: `y_out - y_gt`."""
    terms = sorted(
        expr.args, key=lambda t: (_is_negative(t), naming.rank(t), sympy.default_sort_key(t))
    )
    result: Node | None = None
    for term in terms:
        if result is None:
            result = to_tree(term, naming)
        elif _is_negative(term):
            result = minus(result, to_tree(-term, naming))
        else:
            result = plus(result, to_tree(term, naming))
    if result is None:  # sympy never builds an empty Add; kept for the type checker
        raise UnsupportedExpression("empty sum")
    return result


def _is_negative(term: sympy.Expr) -> bool:
    coefficient, _ = term.as_coeff_Mul()
    return bool(coefficient.is_negative)


def _product_tree(expr: sympy.Mul, naming: Naming) -> Node:
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient.is_negative:
        return Neg(to_tree(-expr, naming))
    factors = sorted(
        sympy.Mul.make_args(rest), key=lambda f: (naming.rank(f), sympy.default_sort_key(f))
    )
    result = to_tree(factors[0], naming)
    for factor in factors[1:]:
        result = mul(result, to_tree(factor, naming))
    if coefficient != 1:
        result = mul(_coefficient_tree(coefficient), result)
    return result


def _coefficient_tree(value: sympy.Expr) -> Node:
    if not isinstance(value, sympy.Rational):
        raise UnsupportedExpression(f"only rational coefficients are printed, got {value}")
    magnitude = abs(value)
    node: Node = number(int(magnitude.p))
    if magnitude.q != 1:
        node = BinOp("/", node, number(int(magnitude.q)))
    return Neg(node) if value < 0 else node


def _power_tree(expr: sympy.Pow, naming: Naming) -> Node:
    base, exponent = expr.args
    if not (isinstance(exponent, sympy.Integer) and exponent != 0):
        raise UnsupportedExpression(f"only integer powers are printed, got {expr}")
    power = to_tree(base, naming)
    if abs(exponent) != 1:
        power = BinOp("^", power, number(abs(int(exponent))))
    return BinOp("/", number(1), power) if exponent < 0 else power


def _derivative_tree(expr: sympy.Expr, naming: Naming) -> Node | None:
    """`f'(point)` for a derivative of an undefined one-argument function, else None."""
    point: sympy.Expr
    if isinstance(expr, sympy.Subs) and len(expr.variables) == 1:
        derivative, variable, point = expr.expr, expr.variables[0], expr.point[0]
    elif isinstance(expr, sympy.Derivative):
        derivative, variable = expr, expr.variables[0]
        point = variable
    else:
        return None
    if not isinstance(derivative, sympy.Derivative):
        return None
    inner = derivative.expr
    if not (isinstance(inner, AppliedUndef) and inner.args == (variable,)):
        return None
    if set(derivative.variables) != {variable}:
        return None
    primes = len(derivative.variables)
    func = _lookup(type(inner).__name__, naming)
    return Call(func, (to_tree(point, naming),), primes)
