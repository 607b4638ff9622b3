"""A small numpy interpreter for resolved trees (never lambdify, never eval).

Three interpretations:
- SCALAR: every symbol is a number; transposes are the identity, every product (written `*`,
  hadamard, or a planned product) is the ordinary one, `diag` is the identity;
- MATRIX: values are 2-D arrays and the tree must have been planned (`shapes.plan`), which
  decided every product: "matmul", "scale" (one side 1 x 1) or "emul" (elementwise);
- INDEX: families are indexed by class. The free index and every sum's bound index own one
  array axis each (free: axis 0, a sum nested d deep: axis d), so the whole expression is
  evaluated once, vectorised over every class value at once, and the result is the vector over
  the free index. Classes are 0..k-1 inside and 1..k to students (an index used as a number is
  its 1-based class number; a written sum range `l=1..k` is 1-based unless it starts at 0).

Floating-point problems (overflow, 0/0, log of a negative) become inf or nan, never exceptions:
the judge resamples instances where a value is not finite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Cond,
    Const,
    Constant,
    Delta,
    Family,
    Index,
    IndexRole,
    IndexValue,
    Indicator,
    Summation,
    Sym,
    Unary,
    max_axis,
)
from grader.model import frozen_mapping


class Interpretation(StrEnum):
    """How an expression's symbols and products are read."""

    SCALAR = "scalar"
    MATRIX = "matrix"
    INDEX = "index"


@dataclass(frozen=True)
class Instance:
    """One random instance: a value for every symbol (numbers, 2-D arrays, class-indexed 1-D
    arrays, label ints, RandomFunction objects), the number of classes `k` (index
    interpretation) and the sampled dimension sizes (matrix interpretation)."""

    values: Mapping[str, Any]
    k: int = 0
    dims: Mapping[str, int] = field(default_factory=frozen_mapping)


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = MappingProxyType(
    {
        "=": np.equal,
        "!=": np.not_equal,
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
)


def _gamma(x: float) -> float:
    """Gamma on one float: inf where it overflows, nan at poles."""
    try:
        return math.gamma(x)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


_GAMMA = np.vectorize(_gamma, otypes=[float])

_ELEMENTWISE: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {
        "exp": np.exp,
        "log": np.log,
        "lg": np.log10,
        "sqrt": np.sqrt,
        "abs": np.abs,
        "sin": np.sin,
        "cos": np.cos,
        "tan": np.tan,
        "sec": lambda x: 1.0 / np.cos(x),
        "csc": lambda x: 1.0 / np.sin(x),
        "cot": lambda x: np.cos(x) / np.sin(x),
        "asin": np.arcsin,
        "acos": np.arccos,
        "atan": np.arctan,
        "asec": lambda x: np.arccos(1.0 / x),
        "acsc": lambda x: np.arcsin(1.0 / x),
        "acot": lambda x: np.arctan(1.0 / x),
        "sinh": np.sinh,
        "cosh": np.cosh,
        "tanh": np.tanh,
        "sech": lambda x: 1.0 / np.cosh(x),
        "csch": lambda x: 1.0 / np.sinh(x),
        "coth": lambda x: np.cosh(x) / np.sinh(x),
        "asinh": np.arcsinh,
        "acosh": np.arccosh,
        "atanh": np.arctanh,
        "floor": np.floor,
        "ceil": np.ceil,
        "sign": np.sign,
        "factorial": lambda x: _GAMMA(np.asarray(x, dtype=float) + 1.0),
    }
)
_CONSTANTS: Mapping[str, float] = MappingProxyType({"e": math.e, "pi": math.pi, "i": math.nan})
# Norms of 2-D values (numpy's meaning for matrices; for a column vector: sum, Euclid, max).
_NORM_ORDERS: Mapping[str, Any] = MappingProxyType(
    {"norm": "fro", "norm1": 1, "norm2": 2, "norminf": np.inf}
)


def evaluate(node: IR, instance: Instance, interpretation: Interpretation) -> Any:
    """The value of `node` on `instance`: a float (SCALAR), a 2-D array (MATRIX, planned tree)
    or a 1-D array over the free index (INDEX). Floating-point warnings are silenced."""
    with np.errstate(all="ignore"):
        return evaluate_unguarded(node, instance, interpretation)


def evaluate_unguarded(node: IR, instance: Instance, interpretation: Interpretation) -> Any:
    """`evaluate` for callers that already silence floating-point warnings (np.errstate is
    costly relative to a small evaluation, so loops enter it once)."""
    ndim = 1 + max_axis(node) if interpretation is Interpretation.INDEX else 0
    value = _Evaluator(instance, interpretation, ndim).visit(node)
    if interpretation is Interpretation.INDEX:
        full = np.broadcast_to(value, (instance.k,) + (1,) * (ndim - 1))
        return np.array(full, dtype=float).reshape(instance.k)
    if interpretation is Interpretation.MATRIX:
        return np.array(value, dtype=float, ndmin=2)
    return np.float64(value)


def _to_float(value: Any) -> Any:
    try:
        return np.float64(float(value))
    except OverflowError:
        return np.float64(np.inf if value > 0 else -np.inf)


class _Evaluator:
    """One evaluation: the instance, the interpretation and the number of index axes."""

    def __init__(self, instance: Instance, interpretation: Interpretation, ndim: int) -> None:
        self.instance = instance
        self.values = instance.values
        self.matrix = interpretation is Interpretation.MATRIX
        self.ndim = ndim

    def visit(self, node: IR) -> Any:
        return _DISPATCH[type(node)](self, node)

    def _constant(self, node: Constant) -> Any:
        # the imaginary unit has no float value: such answers are judged precisely
        return self._wrap(np.float64(_CONSTANTS[node.name]))

    def _sym(self, node: Sym) -> Any:
        return self.values[node.name]

    def _index_value(self, node: IndexValue) -> Any:
        return self._index(node.index) + 1.0

    def _family(self, node: Family) -> Any:
        return np.asarray(self.values[node.name], dtype=float)[self._index(node.index)]

    def _delta(self, node: Delta) -> Any:
        return (self._index(node.left) == self._index(node.right)).astype(float)

    def _indicator(self, node: Indicator) -> Any:
        return self._mask(node.conds).astype(float)

    def _cond(self, node: Cond) -> Any:
        return self._mask((node,)).astype(float)

    def _wrap(self, value: Any) -> Any:
        return np.array([[value]], dtype=float) if self.matrix else value

    def _const(self, node: Const) -> Any:
        return self._wrap(_to_float(node.value))

    def _index(self, index: Index) -> Any:
        if index.role is IndexRole.LABEL:
            return np.int64(self.values[index.name])
        shape = [1] * self.ndim
        shape[index.axis] = self.instance.k
        return np.arange(self.instance.k).reshape(shape)

    def _apply(self, node: Apply) -> Any:
        args = [self.visit(a) for a in node.args]
        if not node.builtin:
            return self.values[node.func](args[0], node.primes)
        if node.func in ("log", "lg") and len(args) == 2:
            return np.log(args[0]) / np.log(args[1])
        if node.func in _ELEMENTWISE:
            return _ELEMENTWISE[node.func](args[0])
        if node.func == "root":
            return np.power(args[0], 1.0 / args[1])
        if node.func == "max":
            return reduce(np.maximum, args)
        if node.func == "min":
            return reduce(np.minimum, args)
        if node.func in _NORM_ORDERS:
            if not self.matrix:
                return np.abs(args[0])
            return np.array([[np.linalg.norm(args[0], _NORM_ORDERS[node.func])]])
        if node.func == "atan2":
            return np.arctan2(args[0], args[1])
        if node.func == "binomial":
            n, k = (np.asarray(a, dtype=float) for a in args)
            return _GAMMA(n + 1.0) / (_GAMMA(k + 1.0) * _GAMMA(n - k + 1.0))
        return self._diag(args[0])  # "diag"

    def _diag(self, value: Any) -> Any:
        if not self.matrix:
            return value
        rows, cols = value.shape
        if rows == cols:
            return np.diag(value).reshape(-1, 1) if rows > 1 else value
        return np.diagflat(value)

    def _unary(self, node: Unary) -> Any:
        value = self.visit(node.operand)
        if node.op == "neg":
            return -value
        return value.T if self.matrix else value  # transpose

    def _binary(self, node: Binary) -> Any:
        left = self.visit(node.left)
        right = self.visit(node.right)
        op = node.op
        if op == "add":
            return left + right
        if op == "sub":
            return left - right
        if op == "div":
            return left / right
        if op == "pow":
            return np.power(left, right)
        if op == "matmul" and self.matrix:
            return left @ right
        return left * right  # every other product is elementwise or a scaling

    def _mask(self, conds: tuple[Cond, ...]) -> Any:
        masks = [_COMPARE[c.op](self.visit(c.left), self.visit(c.right)) for c in conds]
        return reduce(np.logical_and, masks, np.bool_(True))

    def _sum(self, node: Summation) -> Any:
        index = self._index(Index(node.var, IndexRole.BOUND, node.axis))
        body = self.visit(node.body)
        mask = self._mask(node.conds) & self._range(node, index)
        shape = np.broadcast_shapes(np.shape(body), np.shape(mask), index.shape)
        terms = np.where(np.broadcast_to(mask, shape), np.broadcast_to(body, shape), 0.0)
        return terms.sum(axis=node.axis, keepdims=True)

    def _range(self, node: Summation, index: Any) -> Any:
        """The written range `l = lower..upper` (1-based classes unless lower is 0)."""
        if node.lower is None and node.upper is None:
            return np.bool_(True)
        lower = self.visit(node.lower) if node.lower is not None else np.float64(1.0)
        number = index if np.all(lower == 0) else index + 1
        upper = self.visit(node.upper) if node.upper is not None else np.float64(np.inf)
        return (number >= lower) & (number <= upper)


# Node type -> handler, built once (the evaluator is created for every evaluation).
_DISPATCH: Mapping[type, Callable[[_Evaluator, Any], Any]] = MappingProxyType(
    {
        Const: _Evaluator._const,
        Constant: _Evaluator._constant,
        Sym: _Evaluator._sym,
        IndexValue: _Evaluator._index_value,
        Family: _Evaluator._family,
        Delta: _Evaluator._delta,
        Apply: _Evaluator._apply,
        Unary: _Evaluator._unary,
        Binary: _Evaluator._binary,
        Indicator: _Evaluator._indicator,
        Summation: _Evaluator._sum,
        Cond: _Evaluator._cond,
    }
)
