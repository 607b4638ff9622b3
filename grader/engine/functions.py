"""Functions known to the engine: the built-ins a student may use, and the random smooth
functions that stand in for declared (or, in an open context, undefined) functions during
random testing.

A declared function is elementwise and differentiable, and the sheet leaves it arbitrary, so
an answer must hold for *every* choice. Random testing therefore draws, per function and per
instance, f(x) = a sin(b x + c) + d x + q x^2, whose derivatives of every order are known in
closed form: `f2'(s2)` is evaluated as the true derivative of the f2 that produced z2. A
function of several arguments applies the same form to u = w . (x1, ..., xn) with random
weights, so f(x, y) and f(y, x) differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Builtin:
    """A built-in function: canonical name and the number of arguments it takes."""

    name: str
    min_args: int
    max_args: int | None  # None: no upper bound


def _one(*names: str) -> tuple[Builtin, ...]:
    return tuple(Builtin(name, 1, 1) for name in names)


_BUILTIN_LIST = (
    *_one("exp", "sqrt", "abs", "tanh", "sin", "cos", "diag"),
    Builtin("log", 1, 2),  # log(x) natural; log(x, b) = log base b (sympy style)
    Builtin("lg", 1, 2),  # lg(x) = log base 10; lg(x, b) = log base b (STACK)
    Builtin("root", 2, 2),  # \sqrt[n]{x} -> root(x, n)
    Builtin("max", 2, None),
    Builtin("min", 2, None),
    *_one("tan", "sec", "csc", "cot", "asin", "acos", "atan", "asec", "acsc", "acot"),
    *_one("sinh", "cosh", "sech", "csch", "coth", "asinh", "acosh", "atanh"),
    Builtin("atan2", 2, 2),  # atan2(y, x)
    *_one("floor", "ceil", "sign", "factorial"),
    Builtin("binomial", 2, 2),
    *_one("norm", "norm1", "norm2", "norminf"),  # \\|x\\|, \\|x\\|_1, \\|x\\|_2, \\|x\\|_\\infty
)
_CANONICAL = {b.name: b for b in _BUILTIN_LIST}

# Other spellings of the same functions (Maxima, sympy, textbooks).
_SPELLINGS = MappingProxyType(
    {
        "ln": "log",
        "Abs": "abs",
        "cosec": "csc",
        "cosech": "csch",
        "arcsin": "asin",
        "arccos": "acos",
        "arctan": "atan",
        "arcsec": "asec",
        "arccsc": "acsc",
        "arccot": "acot",
        "arcsinh": "asinh",
        "arccosh": "acosh",
        "arctanh": "atanh",
        "arsinh": "asinh",
        "arcosh": "acosh",
        "artanh": "atanh",
        "ceiling": "ceil",
        "sgn": "sign",
        "signum": "sign",
    }
)

# Spelling as written (Name.base) -> built-in. Used only when the context declares no symbol
# with that name.
BUILTINS: MappingProxyType[str, Builtin] = MappingProxyType(
    {**_CANONICAL, **{spelling: _CANONICAL[name] for spelling, name in _SPELLINGS.items()}}
)

# The subscript of a norm -> its built-in (`\\|W\\|_F` is the Frobenius norm, as `\\|W\\|`).
NORMS = MappingProxyType(
    {"": "norm", "F": "norm", "1": "norm1", "2": "norm2", "oo": "norminf", "infty": "norminf"}
)

# Built-ins that act entry by entry on a vector or matrix (the others need scalars; norms
# take any shape and give a number).
ELEMENTWISE = frozenset(b.name for b in _BUILTIN_LIST if b.max_args == 1) - {
    "diag",
    *NORMS.values(),
}


@dataclass(frozen=True)
class RandomFunction:
    """f(x) = a sin(b x + c) + d x + q x^2, elementwise, with exact derivatives of any order;
    with `weights` (several arguments) the same form of u = sum_k weights[k] x_k."""

    a: float
    b: float
    c: float
    d: float
    q: float
    weights: tuple[float, ...] = ()

    @classmethod
    def draw(cls, rng: np.random.Generator, arity: int = 1) -> RandomFunction:
        """A random member of the family: amplitude and frequency on both signs and away from 0
        (so that f, f' and f'' differ visibly), random phase, small linear and quadratic parts;
        for several arguments, distinct weights in [0.5, 1.5]."""
        # one draw of five uniforms is much cheaper than five generator calls
        u = rng.random(5)
        sign_a = 1.0 if u[0] < 0.5 else -1.0
        sign_b = 1.0 if u[1] < 0.5 else -1.0
        spread = rng.standard_normal(2)
        weights = tuple(float(w) for w in 0.5 + rng.random(arity)) if arity > 1 else ()
        return cls(
            a=sign_a * (0.5 + 1.5 * (2.0 * abs(u[0] - 0.5))),
            b=sign_b * (0.5 + 1.5 * (2.0 * abs(u[1] - 0.5))),
            c=float(2.0 * math.pi * u[2]),
            d=float(0.5 * spread[0]),
            q=float(0.3 * spread[1]),
            weights=weights,
        )

    def __call__(self, x: Any, primes: int = 0) -> Any:
        """The `primes`-th derivative of f at x (x a number or an array), with numpy."""
        return self.at(x, primes, np.sin, math.pi)

    def of(self, args: Sequence[Any], primes: int, sin: Callable[[Any], Any], pi: Any) -> Any:
        """The value at `args` (several arguments: at u = weights . args) with the given sine
        and pi, so that mpmath values work too."""
        if self.weights:
            x = sum((w * a for w, a in zip(self.weights, args, strict=True)), 0 * args[0])
            return self.at(x, primes, sin, pi)
        return self.at(args[0], primes, sin, pi)

    def at(self, x: Any, primes: int, sin: Callable[[Any], Any], pi: Any) -> Any:
        """The `primes`-th derivative at x, with the given sine and pi."""
        wave = self.a * self.b**primes * sin(self.b * x + self.c + primes * pi / 2)
        if primes == 0:
            return wave + self.d * x + self.q * x * x
        if primes == 1:
            return wave + self.d + 2.0 * self.q * x
        if primes == 2:
            return wave + 2.0 * self.q
        return wave
