"""The reference printer (trees -> text) and the sympy -> tree converter."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy

from grader.mathlang.ast import Abs, BinOp, Call, Indicator, Name, Neg, Node, Number, Relation, Sum
from reference_solutions.practical_1.from_sympy import Naming, UnsupportedExpression, to_tree
from reference_solutions.practical_1.tree import (
    UnsupportedNode,
    call,
    hadamard,
    minus,
    mul,
    name,
    number,
    plus,
    render,
    scalar_view,
    transpose,
)

a, b, c = name("a"), name("b"), name("c")

PRINTED = [
    (minus(a, minus(b, c)), "a - (b - c)"),
    (minus(minus(a, b), c), "a - b - c"),
    (plus(a, BinOp("*", b, c)), "a + b * c"),
    (BinOp("*", plus(a, b), c), "(a + b) * c"),
    (BinOp("*", a, BinOp("*", b, c)), "a * (b * c)"),
    (BinOp("/", a, BinOp("*", b, c)), "a / (b * c)"),
    (BinOp("*", hadamard(a, b), c), "(a .* b) * c"),
    (hadamard(BinOp("*", a, b), c), "(a * b) .* c"),
    (hadamard(a, BinOp("*", b, c)), "a .* (b * c)"),
    (BinOp("*", Neg(a), b), "(-a) * b"),
    (minus(Neg(a), b), "-a - b"),
    (plus(a, Neg(b)), "a + (-b)"),
    (Neg(BinOp("*", a, b)), "-(a * b)"),
    (Neg(transpose(a)), "-a^T"),
    (transpose(BinOp("*", a, b)), "(a * b)^T"),
    (BinOp("^", a, BinOp("^", b, c)), "a^b^c"),
    (BinOp("^", BinOp("^", a, b), c), "(a^b)^c"),
    (BinOp("^", transpose(a), number(2)), "a^T^2"),
    (name("s", "out"), "s_out"),
    (name("p", "y_i"), "p_{y_i}"),
    (name("z", "k-1"), "z_{k-1}"),
    (call(name("f3"), name("s", "out"), primes=1), "f3'(s_out)"),
    (call(name("g"), a, b, primes=2), "g''(a, b)"),
    (Indicator((Relation(">", minus(a, b), number(0)),)), "1[a - b > 0]"),
    (
        Sum(name("l"), name("p", "l"), (Relation("!=", name("l"), name("y", "i")),)),
        "sum_{l != y_i}(p_l)",
    ),
    (BinOp("*", Sum(name("l"), a, (Relation("!=", name("l"), b),)), c), "(sum_{l != b}(a)) * c"),
]


@pytest.mark.parametrize(("tree", "text"), PRINTED)
def test_render(tree: Node, text: str) -> None:
    assert render(tree) == text


def test_mul_reassociates_to_the_left() -> None:
    assert mul(a, BinOp("*", b, c)) == BinOp("*", BinOp("*", a, b), c)
    assert mul(a, hadamard(b, c)) == BinOp("*", a, hadamard(b, c))


def test_scalar_view_drops_transposes_and_hadamard() -> None:
    tree = mul(hadamard(mul(transpose(a), b), call(name("f"), c, primes=1)), transpose(c))
    assert render(scalar_view(tree)) == "a * b * f'(c) * c"
    assert "^T" not in render(scalar_view(Neg(transpose(a))))


@pytest.mark.parametrize("bad", [-1, Fraction(1, 2)])
def test_number_accepts_only_non_negative_integers(bad: int | Fraction) -> None:
    with pytest.raises(UnsupportedNode):
        number(bad)


def test_unsupported_nodes_raise() -> None:
    with pytest.raises(UnsupportedNode):
        render(Abs(a))
    with pytest.raises(UnsupportedNode):
        scalar_view(Indicator((Relation(">", a, b),)))
    with pytest.raises(UnsupportedNode):
        render(Sum(name("l"), a))  # a sum without conditions


# ---------------------------------------------------------------------------------------------
# sympy -> tree

X, Y, Z = sympy.symbols("x y z")
F = sympy.Function("f")
NAMING = Naming(
    symbols={"x": name("x"), "y": name("y", "gt"), "z": name("z2"), "f": name("f3")},
    rank=lambda e: 0,
)


def scalar_value(node: Node, env: dict[str, float]) -> float:
    """Evaluate a printed scalar tree (test-side, independent of the converter)."""
    if isinstance(node, Number):
        return float(node.value)
    if isinstance(node, Name):
        return env[node.base + (node.sub or "")]
    if isinstance(node, Neg):
        return -scalar_value(node.operand, env)
    if isinstance(node, BinOp):
        left, right = scalar_value(node.left, env), scalar_value(node.right, env)
        ops = {"+": left + right, "-": left - right, "*": left * right}
        if node.op == "/":
            return left / right
        if node.op == "^":
            return left**right
        return ops[node.op]
    raise AssertionError(f"unexpected {node!r}")


def test_residual_prints_positive_term_first() -> None:
    assert render(to_tree(-Y + X, NAMING)) == "x - y_gt"
    assert render(to_tree(-X - Y, NAMING)) == "-x - y_gt"


def test_coefficients_powers_and_derivatives() -> None:
    assert render(to_tree(-X * Z, NAMING)) == "-(x * z2)"
    assert (
        render(to_tree(sympy.Rational(2, 3) * X, NAMING)) == "(2 / 3) * x"
    )  # mixed product kinds get brackets
    assert render(to_tree(X**2, NAMING)) == "x^2"
    assert render(to_tree(1 / X, NAMING)) == "1 / x"
    xi = sympy.Dummy("xi")
    subs = sympy.Subs(sympy.Derivative(F(xi), xi), xi, X * Z)
    assert render(to_tree(subs, NAMING)) == "f3'(x * z2)"
    assert render(to_tree(sympy.Derivative(F(X), (X, 2)), NAMING)) == "f3''(x)"
    assert render(to_tree(F(X), NAMING)) == "f3(x)"


def test_unsupported_expressions_raise() -> None:
    for bad in (
        sympy.sin(X),
        sympy.Float(0.5) * X,
        X ** sympy.Rational(1, 2),
        sympy.Symbol("unknown"),
        sympy.Derivative(F(X * Y), X),
    ):
        with pytest.raises(UnsupportedExpression):
            to_tree(bad, NAMING)


def random_polynomial(rng: random.Random, depth: int) -> sympy.Expr:
    if depth == 0:
        return rng.choice([X, Y, Z, sympy.Integer(rng.randint(1, 4))])
    left, right = random_polynomial(rng, depth - 1), random_polynomial(rng, depth - 1)
    return rng.choice([left + right, left - right, left * right, left**2, -left])


@pytest.mark.parametrize("seed", range(25))
def test_converted_expressions_keep_their_value(seed: int) -> None:
    rng = random.Random(seed)
    expr = random_polynomial(rng, 3)
    env = {"x": 0.7, "ygt": -1.3, "z2": 2.1}
    point = {X: 0.7, Y: -1.3, Z: 2.1}
    expected = float(expr.subs(point))
    got = scalar_value(to_tree(expr, NAMING), env)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_calls_keep_their_function_name() -> None:
    tree = to_tree(F(X), NAMING)
    assert isinstance(tree, Call) and tree.func == name("f3") and tree.primes == 0
