"""Exercise 1 / mini references, verified entrywise against sympy with explicit matrices.

The reference trees are evaluated by a small evaluator written here (sympy matrices, `*` a
matrix product with 1x1 operands scaling, `.*` elementwise) and compared with the derivative of
the loss taken entry by entry of every weight matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest
import sympy

from grader.mathlang.ast import BinOp, Call, Name, Neg, Node, Number, Transpose
from grader.references import ExpressionForms
from reference_solutions.practical_1 import SOLVERS
from reference_solutions.practical_1.backprop import (
    SHEET_NETWORK,
    Layer,
    Network,
    matrix_gradient,
    scalar_form,
    scalar_gradient,
)
from reference_solutions.practical_1.tree import name, render, scalar_view

# ---------------------------------------------------------------------------------------------
# a test-side evaluator of trees over sympy matrices


def _prime_function(func: str) -> sympy.FunctionClass:
    """An undefined function standing for f', so that derivatives compare structurally."""
    return sympy.Function(f"{func}__prime")


def _without_subs(expr: sympy.Expr) -> sympy.Expr:
    """Replace every `Subs(Derivative(f(xi), xi), xi, a)` by `f__prime(a)`."""

    def is_first_derivative(e: sympy.Expr) -> bool:
        return isinstance(e, sympy.Subs) and isinstance(e.expr, sympy.Derivative)

    def as_prime(e: sympy.Subs) -> sympy.Expr:
        inner = e.expr.expr
        return _prime_function(type(inner).__name__)(*e.point)

    return expr.replace(is_first_derivative, as_prime)


def _key(node: Name) -> str:
    return node.base + (node.sub or "")


@dataclass(frozen=True)
class Env:
    values: Mapping[str, sympy.Matrix]
    functions: Mapping[str, sympy.FunctionClass]


def evaluate(node: Node, env: Env) -> sympy.Matrix:
    """Evaluate a reference tree with sympy matrices."""
    if isinstance(node, Name):
        return env.values[_key(node)]
    if isinstance(node, Number):
        return sympy.Matrix([[sympy.Rational(node.value.numerator, node.value.denominator)]])
    if isinstance(node, Transpose):
        return evaluate(node.operand, env).T
    if isinstance(node, Neg):
        return -evaluate(node.operand, env)
    if isinstance(node, Call):
        (arg,) = node.args
        base = _key(node.func)
        assert node.primes in (0, 1)
        func = _prime_function(base) if node.primes else env.functions[base]
        return evaluate(arg, env).applyfunc(func)
    if isinstance(node, BinOp):
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        return _binop(node.op, left, right)
    raise AssertionError(f"unexpected node {node!r}")


def _binop(op: str, left: sympy.Matrix, right: sympy.Matrix) -> sympy.Matrix:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "hadamard":
        return left.multiply_elementwise(right)
    assert op == "*"
    if left.shape == (1, 1):
        return left[0, 0] * right
    if right.shape == (1, 1):
        return left * right[0, 0]
    return left * right


def forward(net: Network, dims: tuple[int, ...]) -> tuple[Env, sympy.Expr]:
    """Explicit symbolic matrices for a network with layer widths `dims` (input first), the
    environment binding every name of the net, and the loss."""
    values: dict[str, sympy.Matrix] = {}
    functions = {_key(layer.func): sympy.Function(_key(layer.func)) for layer in net.layers}
    z = sympy.Matrix(sympy.symbols(f"x0:{dims[0]}"))
    values[_key(net.input)] = z
    for k, layer in enumerate(net.layers, start=1):
        w = sympy.Matrix(dims[k], dims[k - 1], lambda i, j, k=k: sympy.Symbol(f"w{k}_{i}_{j}"))
        values[_key(layer.weight)] = w
        s = w * z
        z = s.applyfunc(functions[_key(layer.func)])
        values[_key(layer.pre)] = s
        values[_key(layer.act)] = z
    target = sympy.Symbol("target")
    values[_key(net.target)] = sympy.Matrix([[target]])
    assert z.shape == (1, 1)
    loss = sympy.Rational(1, 2) * (z[0, 0] - target) ** 2
    return Env(values, functions), loss


def entrywise_gradient(loss: sympy.Expr, weight: sympy.Matrix) -> sympy.Matrix:
    return weight.applyfunc(lambda w: _without_subs(sympy.diff(loss, w)))


def assert_same(a: sympy.Matrix, b: sympy.Matrix) -> None:
    assert a.shape == b.shape
    difference = (a - b).applyfunc(sympy.expand)
    assert difference == sympy.zeros(*a.shape)


def generic_network(depth: int) -> Network:
    layers = tuple(
        Layer(name(f"V{k}"), name("a", str(k)), name("h", str(k)), name(f"g{k}"))
        for k in range(1, depth + 1)
    )
    return Network(input=name("x"), target=name("t"), layers=layers)


# ---------------------------------------------------------------------------------------------
# matrix form: the delta recursion against entrywise differentiation

SHEET_DIMS = (2, 3, 4, 1)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sheet_matrix_form_equals_entrywise_derivative(k: int) -> None:
    env, loss = forward(SHEET_NETWORK, SHEET_DIMS)
    weight = env.values[_key(SHEET_NETWORK.layers[k - 1].weight)]
    reference = evaluate(matrix_gradient(SHEET_NETWORK, k), env)
    assert reference.shape == weight.shape
    assert_same(reference, entrywise_gradient(loss, weight))


@pytest.mark.parametrize(
    ("dims", "k"),
    [((3, 1), 1), ((2, 3, 1), 1), ((2, 3, 1), 2), ((3, 2, 4, 2, 1), 1), ((3, 2, 4, 2, 1), 3)],
)
def test_delta_recursion_holds_for_other_depths(dims: tuple[int, ...], k: int) -> None:
    net = generic_network(len(dims) - 1)
    env, loss = forward(net, dims)
    weight = env.values[_key(net.layers[k - 1].weight)]
    assert_same(evaluate(matrix_gradient(net, k), env), entrywise_gradient(loss, weight))


def test_matrix_form_with_a_wrong_factor_is_caught_by_the_check() -> None:
    # The verification must be able to fail: drop the f2' factor from dL/dW2.
    env, loss = forward(SHEET_NETWORK, SHEET_DIMS)
    wrong = matrix_gradient(SHEET_NETWORK, 2)
    assert isinstance(wrong, BinOp) and isinstance(wrong.left, BinOp)
    wrong = BinOp("*", wrong.left.left, wrong.right)
    weight = env.values["W2"]
    with pytest.raises(AssertionError):
        assert_same(evaluate(wrong, env), entrywise_gradient(loss, weight))


# ---------------------------------------------------------------------------------------------
# scalar form: sympy derivation


@pytest.mark.parametrize("k", [1, 2, 3])
def test_scalar_form_equals_derivative_of_one_unit_network(k: int) -> None:
    env, loss = forward(SHEET_NETWORK, (1, 1, 1, 1))
    weight = env.values[_key(SHEET_NETWORK.layers[k - 1].weight)]
    assert_same(evaluate(scalar_form(SHEET_NETWORK, k), env), entrywise_gradient(loss, weight))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_scalar_form_agrees_with_scalar_view_of_matrix_form(k: int) -> None:
    env, _ = forward(SHEET_NETWORK, (1, 1, 1, 1))
    scalar = evaluate(scalar_form(SHEET_NETWORK, k), env)
    from_matrix = evaluate(scalar_view(matrix_gradient(SHEET_NETWORK, k)), env)
    assert_same(scalar, from_matrix)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_scalar_gradient_uses_only_the_sheet_names(k: int) -> None:
    gradient = scalar_gradient(SHEET_NETWORK, k)
    allowed = {"x_in", "y_gt", "W1", "W2", "W_out", "s1", "s2", "s_out", "z1", "z2", "y_out"}
    assert {s.name for s in gradient.free_symbols} <= allowed
    # every function is applied to a pre-activation name, never to a nested forward pass
    for applied in gradient.atoms(sympy.Subs):
        assert all(isinstance(p, sympy.Symbol) for p in applied.point)


# ---------------------------------------------------------------------------------------------
# the solvers' text


def test_dL_dWout_scalar_is_the_sheet_hint() -> None:
    forms = SOLVERS["ex1_dL_dWout"]({})
    assert isinstance(forms, ExpressionForms)
    assert forms.scalar == "(y_out - y_gt) * f3'(s_out) * z2"  # the sheet's hint, verbatim
    assert forms.matrix == "(y_out - y_gt) * f3'(s_out) * z2^T"


SOLVER_LAYER: Mapping[str, int] = {"ex1_dL_dWout": 3, "ex1_dL_dW2": 2, "ex1_dL_dW1": 1}


@pytest.mark.parametrize("solver", sorted(SOLVER_LAYER))
def test_solver_text_is_the_rendered_verified_trees(solver: str) -> None:
    forms = SOLVERS[solver]({})
    k = SOLVER_LAYER[solver]
    assert forms.matrix == render(matrix_gradient(SHEET_NETWORK, k))
    assert forms.scalar == render(scalar_form(SHEET_NETWORK, k))
    assert "^T" not in forms.scalar and ".*" not in forms.scalar
    assert forms.matrix is not None and forms.matrix.count("^T") == 4 - k


def test_marking_scheme_factors_appear_in_chain_order() -> None:
    # practical-1.md: dL_dW1 is (y_out - y_gt) f3'(s_out) W_out f2'(s2) W2 f1'(s1) x_in
    scalar = SOLVERS["ex1_dL_dW1"]({}).scalar
    factors = ["(y_out - y_gt)", "f3'(s_out)", "W_out", "f2'(s2)", "W2", "f1'(s1)", "x_in"]
    positions = [scalar.index(f) for f in factors]
    assert positions == sorted(positions)


def test_mini_forms() -> None:
    forms = SOLVERS["mini_dW_k"]({"lr": "0.5"})
    assert forms == ExpressionForms(scalar="delta_k * z_{k-1}", matrix="delta_k * z_{k-1}^T")


def test_solvers_ignore_the_data_block() -> None:
    solve: Callable[[Mapping[str, object]], ExpressionForms] = SOLVERS["ex1_dL_dW2"]
    assert solve({}) == solve({"lr": "0.1", "w": ["1", "2", "3"]})
