"""Functions known to the engine: the built-ins a student may use, and the random smooth
functions that stand in for a context's declared functions (f1, f2, f3) during random testing.

A declared function is elementwise and differentiable, and the sheet leaves it arbitrary, so
an answer must hold for *every* choice. Random testing therefore draws, per function and per
instance, f(x) = a sin(b x + c) + d x + q x^2, whose derivatives of every order are known in
closed form: `f2'(s2)` is evaluated as the true derivative of the f2 that produced z2.
"""

from __future__ import annotations

import math
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


_BUILTIN_LIST = (
    Builtin("exp", 1, 1),
    Builtin("log", 1, 2),  # log(x) natural; log(x, b) = log base b (sympy style)
    Builtin("sqrt", 1, 1),
    Builtin("root", 2, 2),  # \sqrt[n]{x} -> root(x, n)
    Builtin("max", 2, None),
    Builtin("min", 2, None),
    Builtin("abs", 1, 1),
    Builtin("tanh", 1, 1),
    Builtin("sin", 1, 1),
    Builtin("cos", 1, 1),
    Builtin("diag", 1, 1),
)

# Spelling as written (Name.base) -> built-in. Used only when the context declares no symbol
# with that name.
BUILTINS: MappingProxyType[str, Builtin] = MappingProxyType(
    {
        **{b.name: b for b in _BUILTIN_LIST},
        "ln": _BUILTIN_LIST[1],
        "Abs": _BUILTIN_LIST[6],
    }
)


@dataclass(frozen=True)
class RandomFunction:
    """f(x) = a sin(b x + c) + d x + q x^2, elementwise, with exact derivatives of any order."""

    a: float
    b: float
    c: float
    d: float
    q: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> RandomFunction:
        """A random member of the family: amplitude and frequency on both signs and away from 0
        (so that f, f' and f'' differ visibly), random phase, small linear and quadratic parts."""
        # one draw of five uniforms is much cheaper than five generator calls
        u = rng.random(5)
        sign_a = 1.0 if u[0] < 0.5 else -1.0
        sign_b = 1.0 if u[1] < 0.5 else -1.0
        spread = rng.standard_normal(2)
        return cls(
            a=sign_a * (0.5 + 1.5 * (2.0 * abs(u[0] - 0.5))),
            b=sign_b * (0.5 + 1.5 * (2.0 * abs(u[1] - 0.5))),
            c=float(2.0 * math.pi * u[2]),
            d=float(0.5 * spread[0]),
            q=float(0.3 * spread[1]),
        )

    def __call__(self, x: Any, primes: int = 0) -> Any:
        """The `primes`-th derivative of f at x (x a number or an array)."""
        wave = self.a * self.b**primes * np.sin(self.b * x + self.c + primes * math.pi / 2.0)
        if primes == 0:
            return wave + self.d * x + self.q * x * x
        if primes == 1:
            return wave + self.d + 2.0 * self.q * x
        if primes == 2:
            return wave + 2.0 * self.q
        return wave
