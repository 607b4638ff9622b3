"""Exercise 1 and the mini exercise: gradients of the loss with respect to the weights.

Two derivations, each from first principles:

* the SCALAR form (the sheet's hint, every quantity a scalar) is obtained by sympy: the loss
  `L = 0.5 * (f3(W_out * f2(W2 * f1(W1 * x_in))) - y_gt)^2` is built with undefined functions
  f1, f2, f3 and scalar weights, differentiated, and the result rewritten into the sheet's names
  by replacing, innermost first, `W1 * x_in` by `s1`, `f1(s1)` by `z1`, and so on;
* the MATRIX form comes from the general delta recursion of an N-layer network:
  `delta_N = (y_out - y_gt) * f_N'(s_N)`, `delta_k = (W_{k+1}^T * delta_{k+1}) .* f_k'(s_k)`,
  `dL/dW_k = delta_k * z_{k-1}^T` with `z_0 = x_in`. The mini exercise is the last rule itself.

Nothing depends on the rubric's `data:` block: the names are the sheet's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy

from grader.mathlang.ast import BinOp, Name, Node, Number
from grader.references import Data, ExpressionForms

from .from_sympy import Naming, to_tree
from .tree import call, hadamard, minus, mul, name, render, scalar_view, transpose


@dataclass(frozen=True)
class Layer:
    """One layer: `pre = weight * (previous activation)`, `act = func(pre)`."""

    weight: Name
    pre: Name
    act: Name
    func: Name


@dataclass(frozen=True)
class Network:
    """A feed-forward network with a squared-error loss `0.5 * (z_N - target)^2`."""

    input: Name
    target: Name
    layers: tuple[Layer, ...]

    def activation(self, k: int) -> Name:
        """`z_k` for k = 0..N (z_0 is the input)."""
        return self.input if k == 0 else self.layers[k - 1].act


# The sheet's network (Figure 1): z_out = f3(s_out) is called y_out.
SHEET_NETWORK = Network(
    input=name("x", "in"),
    target=name("y", "gt"),
    layers=(
        Layer(name("W1"), name("s1"), name("z1"), name("f1")),
        Layer(name("W2"), name("s2"), name("z2"), name("f2")),
        Layer(name("W", "out"), name("s", "out"), name("y", "out"), name("f3")),
    ),
)

# The mini exercise's generic layer k: delta_k and z_{k-1}.
DELTA_K = name("delta", "k")
Z_PREVIOUS = name("z", "k-1", BinOp("-", name("k"), Number("1", Fraction(1))))


# ---------------------------------------------------------------------------------------------
# matrix form: the delta recursion


def delta(net: Network, k: int) -> Node:
    """`delta_k = dL/ds_k` for layer k (1-based) as a matrix-form tree."""
    count = len(net.layers)
    if not 1 <= k <= count:
        raise ValueError(f"layer {k} is not in 1..{count}")
    layer = net.layers[k - 1]
    derivative = call(layer.func, layer.pre, primes=1)
    if k == count:
        return mul(minus(layer.act, net.target), derivative)
    above = net.layers[k]
    return hadamard(mul(transpose(above.weight), delta(net, k + 1)), derivative)


def weight_gradient(delta_k: Node, z_previous: Node) -> Node:
    """`dL/dW_k = delta_k * z_{k-1}^T`: the gradient of a layer's weights from its delta."""
    return mul(delta_k, transpose(z_previous))


def matrix_gradient(net: Network, k: int) -> Node:
    """`dL/dW_k` in matrix form, the deltas unfolded down to the loss."""
    return weight_gradient(delta(net, k), net.activation(k - 1))


# ---------------------------------------------------------------------------------------------
# scalar form: sympy differentiation


def _key(node: Name) -> str:
    """The sympy name used for one of our names (our own text, never a student's)."""
    return render(node)


def scalar_gradient(net: Network, k: int) -> sympy.Expr:
    """`dL/dW_k` with every quantity a scalar, derived by sympy and written in the net's names."""
    symbols = {_key(n): sympy.Symbol(_key(n)) for n in _all_names(net)}
    functions = {_key(layer.func): sympy.Function(_key(layer.func)) for layer in net.layers}
    z: sympy.Expr = symbols[_key(net.input)]
    for layer in net.layers:
        z = functions[_key(layer.func)](symbols[_key(layer.weight)] * z)
    loss = sympy.Rational(1, 2) * (z - symbols[_key(net.target)]) ** 2
    gradient = sympy.diff(loss, symbols[_key(net.layers[k - 1].weight)])
    return _rename(gradient, net, symbols, functions)


def _rename(
    expr: sympy.Expr,
    net: Network,
    symbols: Mapping[str, sympy.Symbol],
    functions: Mapping[str, sympy.FunctionClass],
) -> sympy.Expr:
    """Rewrite the nested forward pass into the sheet's names, innermost layer first.

    `xreplace` replaces exact sub-trees only, so a product such as `W_out * W2 * x_in` in a
    gradient is never mistaken for a pre-activation.
    """
    current = symbols[_key(net.input)]
    for layer in net.layers:
        pre = symbols[_key(layer.pre)]
        expr = expr.xreplace({symbols[_key(layer.weight)] * current: pre})
        act = symbols[_key(layer.act)]
        expr = expr.xreplace({functions[_key(layer.func)](pre): act})
        current = act
    return expr


def _all_names(net: Network) -> tuple[Name, ...]:
    per_layer = tuple(n for layer in net.layers for n in (layer.weight, layer.pre, layer.act))
    return (net.input, net.target, *per_layer)


def _naming(net: Network) -> Naming:
    """Names for the converter, and the chain-rule order of factors: the residual, then from
    the output down f_N', W_N, f_{N-1}', ..., and the layer's input activation last."""
    count = len(net.layers)
    ranks: dict[str, int] = {}
    for k, layer in enumerate(net.layers, start=1):
        ranks[_key(layer.func)] = 2 * (count - k) + 1
        ranks[_key(layer.weight)] = 2 * (count - k) + 2

    def rank(factor: sympy.Expr) -> int:
        if isinstance(factor, sympy.Add):
            return 0
        if isinstance(factor, sympy.Subs):
            factor = factor.expr
        if isinstance(factor, sympy.Derivative):
            return ranks.get(type(factor.expr).__name__, 2 * count + 1)
        if isinstance(factor, sympy.Symbol):
            return ranks.get(factor.name, 2 * count + 1)
        return 2 * count + 1

    names = {_key(n): n for n in _all_names(net)}
    names.update({_key(layer.func): layer.func for layer in net.layers})
    return Naming(symbols=names, rank=rank)


def scalar_form(net: Network, k: int) -> Node:
    """`dL/dW_k` in the sheet's scalar form, as a tree in chain-rule order."""
    return to_tree(scalar_gradient(net, k), _naming(net))


# ---------------------------------------------------------------------------------------------
# solvers


def _forms(k: int) -> ExpressionForms:
    net = SHEET_NETWORK
    return ExpressionForms(
        scalar=render(scalar_form(net, k)), matrix=render(matrix_gradient(net, k))
    )


def ex1_dL_dWout(data: Data) -> ExpressionForms:
    """dL/dW_out: `(y_out - y_gt) * f3'(s_out) * z2` (scalar) and `... * z2^T` (matrix)."""
    return _forms(3)


def ex1_dL_dW2(data: Data) -> ExpressionForms:
    """dL/dW2 in scalar and matrix form."""
    return _forms(2)


def ex1_dL_dW1(data: Data) -> ExpressionForms:
    """dL/dW1 in scalar and matrix form."""
    return _forms(1)


def mini_dW_k(data: Data) -> ExpressionForms:
    """dL/dW_k in terms of delta_k: `delta_k * z_{k-1}^T` (z_0 = x_in)."""
    gradient = weight_gradient(DELTA_K, Z_PREVIOUS)
    return ExpressionForms(scalar=render(scalar_view(gradient)), matrix=render(gradient))
