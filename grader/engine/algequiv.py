"""Algebraic equivalence in the open context: exact where cheap, else seeded random testing.

1. Exact (Method.EXACT): sympy's automatic simplification makes the difference 0; two exact
   rational numbers are compared; rational functions with rational coefficients whose expansion
   stays small (an estimate, so (x-a)**6000 is never expanded) are decided by `cancel`, true or
   false (removable singularities are ignored, as STACK does).
2. Random testing (Method.RANDOM; Method.NUMERIC for constants): undefined functions become
   random smooth functions (`RandomFunction`: sums of three sinusoids), derivatives are taken
   numerically by mpmath at each point (accurate to the working precision for such analytic
   functions, and cheap where sympy's symbolic derivatives can blow up); sums with symbolic
   bounds and a polynomial body are summed by sympy, others term by term where the bounds are
   integers. Both sides are evaluated with mpmath at 60 digits (and 40, to estimate the
   rounding error) at seeded points: 12 continuous points on BOTH signs (magnitudes 0.2..3.2)
   and a lattice of simple values (+-1/2, +-1, +-3/2, +-2, +-3; all combinations when few
   enough, else up to 400 drawn from them), which reaches the real slices that continuous
   sampling misses ((a^2)^(1/2) = |a| is real at a = -2). Two values agree when
   |A - B| <= 1e-25 max(|A|, |B|) + err(A) + err(B).
   Non-real values: when neither side involves I, only points where both sides are real count;
   if fewer than 3 such points exist (1 for constants), complex values are compared at every
   point where both are defined. With I present, complex values are compared everywhere.
   Points where a side is undefined (division by zero, log 0, poles) are skipped.
Matrices are compared entry by entry after a shape check.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from grader.engine.cas import EMPTY, to_sympy
from grader.mathlang.ast import Node
from grader.model import Method
from grader.numeric.mpeval import Undefined, Unsupported, compile_expr, evaluate, make_context

HIGH_DPS = 60
LOW_DPS = 40
RTOL = sympy.Rational(1, 10**25)
CONTINUOUS_POINTS = 12
MIN_POINTS = 3
LATTICE = tuple(
    Fraction(v) for v in ("-3", "-2", "-3/2", "-1", "-1/2", "1/2", "1", "3/2", "2", "3")
)
WORK_BUDGET = 60_000  # points x expression size for the lattice
MAX_LATTICE = 400
MAX_EXPANSION = 2000  # estimated terms for an exact `cancel`
DEADLINE_SECONDS = 10.0


@dataclass(frozen=True)
class Verdict:
    """The decision: `equal` is None when nothing could be decided; `note` explains it."""

    equal: bool | None
    method: Method
    note: str = ""


def alg_equiv(
    a: Node, b: Node, *, assumptions: Mapping[str, str] = EMPTY, seed: int = 0
) -> Verdict:
    """Whether two trees are algebraically equivalent (as functions of their free names).

    Raises grader.engine.cas.CasError when a tree cannot be converted (too large, bad shape).
    """
    return sympy_equiv(to_sympy(a, assumptions=assumptions), to_sympy(b, assumptions=assumptions),
                       seed=seed)


def sympy_equiv(a: Any, b: Any, *, seed: int = 0) -> Verdict:
    """Algebraic equivalence of two sympy expressions or matrices built by `to_sympy`."""
    a_matrix, b_matrix = isinstance(a, sympy.MatrixBase), isinstance(b, sympy.MatrixBase)
    if a_matrix or b_matrix:
        if not (a_matrix and b_matrix) or a.shape != b.shape:
            return Verdict(False, Method.EXACT, "the shapes differ")
        verdicts = [_scalar_equiv(x, y, seed) for x, y in zip(a, b, strict=True)]
        for index, verdict in enumerate(verdicts):
            if verdict.equal is False:
                row, col = divmod(index, a.shape[1])
                return Verdict(False, verdict.method, f"entry ({row + 1}, {col + 1}): "
                               + verdict.note)
        if any(v.equal is None for v in verdicts):
            return Verdict(None, Method.NONE, "some entries could not be decided")
        methods = {v.method for v in verdicts}
        method = Method.EXACT if methods == {Method.EXACT} else Method.RANDOM
        return Verdict(True, method, "every entry agrees")
    return _scalar_equiv(a, b, seed)


def _scalar_equiv(a: Any, b: Any, seed: int) -> Verdict:
    exact = _exact(a, b)
    if exact is not None:
        return exact
    return _random_equiv(a, b, seed)


def _exact(a: Any, b: Any) -> Verdict | None:
    """A cheap symbolic decision, or None."""
    if a == b:
        return Verdict(True, Method.EXACT, "identical after automatic simplification")
    if isinstance(a, sympy.Rational) and isinstance(b, sympy.Rational):
        return Verdict(a == b, Method.EXACT, "exact rational numbers")
    difference = sympy.Add(a, sympy.Mul(-1, b))
    if difference == 0:
        return Verdict(True, Method.EXACT, "the difference simplifies to 0")
    if _is_plain_rational_function(difference) and _expansion(difference) <= MAX_EXPANSION:
        try:
            zero = sympy.cancel(difference) == 0
        except (sympy.PolynomialError, ValueError):
            return None
        return Verdict(zero, Method.EXACT, "as rational functions")
    return None


def _is_plain_rational_function(expr: Any) -> bool:
    """Only +, *, integer powers, symbols and rational numbers (no pi, I, functions, roots)."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Add, sympy.Mul, sympy.Symbol, sympy.Rational)):
            continue
        if isinstance(node, sympy.Pow) and isinstance(node.exp, sympy.Integer):
            continue
        return False
    return True


def _expansion(expr: Any) -> int:
    """An upper estimate of the number of terms of the expanded expression (capped)."""
    cap = 10**9
    if isinstance(expr, sympy.Add):
        return min(cap, sum(_expansion(arg) for arg in expr.args))
    if isinstance(expr, sympy.Mul):
        return min(cap, math.prod(_expansion(arg) for arg in expr.args))
    if isinstance(expr, sympy.Pow):
        terms, n = _expansion(expr.base), abs(int(expr.exp))
        if terms == 1:
            return 1
        if n > 200:
            return cap
        return min(cap, math.comb(terms + n - 1, n))
    return 1


# ---- random testing -------------------------------------------------------------------------


@dataclass(frozen=True)
class RandomFunction:
    """A random smooth stand-in for an undefined function of n arguments:
    f(u) = sum_j A_j sin(sum_k w_jk u_k + phi_j), three terms, exact rational coefficients
    (A in [0.5, 2], |w| in [0.5, 2] with random signs, phi in [0, 2 pi)), drawn from a seed and
    the function's name, so both sides of a comparison see the same function."""

    amplitudes: tuple[Fraction, ...]
    frequencies: tuple[tuple[Fraction, ...], ...]
    phases: tuple[Fraction, ...]

    @classmethod
    def draw(cls, name: str, arity: int, seed: int) -> RandomFunction:
        """The stand-in for `name` with `arity` arguments under `seed`."""
        rng = random.Random(f"{seed}:{name}:{arity}")

        def rational(low: float, high: float) -> Fraction:
            return Fraction(round(rng.uniform(low, high) * 10**6), 10**6)

        amplitudes, frequencies, phases = [], [], []
        for _ in range(3):
            amplitudes.append(rational(0.5, 2))
            frequencies.append(tuple(rng.choice((-1, 1)) * rational(0.5, 2) for _ in range(arity)))
            phases.append(rational(0, 6.28))
        return cls(tuple(amplitudes), tuple(frequencies), tuple(phases))

    def __call__(self, ctx: Any, *args: Any) -> Any:
        """The value at `args` in the mpmath context `ctx`."""

        def mp(value: Fraction) -> Any:
            return ctx.mpf(value.numerator) / value.denominator

        total = ctx.mpf(0)
        for amplitude, weights, phase in zip(
            self.amplitudes, self.frequencies, self.phases, strict=True
        ):
            angle = mp(phase) + sum((mp(w) * a for w, a in zip(weights, args, strict=True)), 0)
            total += mp(amplitude) * ctx.sin(angle)
        return total


def _stand_ins(exprs: tuple[Any, ...], seed: int) -> dict[tuple[str, int], RandomFunction]:
    """A random function for every undefined function applied in `exprs`."""
    keys = {(str(c.func), len(c.args)) for e in exprs for c in e.atoms(AppliedUndef)}
    return {key: RandomFunction.draw(key[0], key[1], seed) for key in sorted(keys)}


def _prepare(expr: Any) -> Any:
    """Easy symbolic sums worked out. Undefined functions are evaluated through their random
    stand-ins and derivatives numerically by mpmath at each point: cheap and accurate, where
    sympy's symbolic derivative of a large product can take seconds."""
    return expr.replace(lambda e: isinstance(e, sympy.Sum), _maybe_sum)


def _maybe_sum(term: Any) -> Any:
    """sympy's closed form of a sum with symbolic bounds and a small polynomial body."""
    index, lower, upper = term.limits[0]
    if lower.is_Integer and upper.is_Integer:
        return term  # summed term by term
    body = term.function
    if body.is_polynomial(index) and sympy.degree(body, index) <= 10:
        return term.doit()
    return term


def _kind_values(symbol: Any, integer: bool) -> tuple[Fraction, ...]:
    values = LATTICE
    if symbol.is_integer or integer:
        values = tuple(v for v in values if v.denominator == 1)
    if symbol.is_positive:
        values = tuple(v for v in values if v > 0)
    elif symbol.is_negative:
        values = tuple(v for v in values if v < 0)
    elif symbol.is_nonnegative:
        values = tuple(v for v in values if v >= 0) + (Fraction(0),)
    elif symbol.is_nonpositive:
        values = tuple(v for v in values if v <= 0) + (Fraction(0),)
    return values


def _continuous(symbol: Any, integer: bool, rng: random.Random, sign: int) -> Fraction:
    if symbol.is_integer or integer:
        value = Fraction(rng.randint(1, 4))
    else:
        value = Fraction(round(10 ** rng.uniform(-0.7, 0.5) * 10**6), 10**6)
    if symbol.is_positive or symbol.is_nonnegative:
        return value
    if symbol.is_negative or symbol.is_nonpositive:
        return -value
    return value * sign


def _points(
    symbols: list[Any], integers: set[Any], seed: int, size: int
) -> list[dict[Any, Fraction]]:
    """Continuous points on both signs, then lattice points (all, or a seeded sample)."""
    rng = random.Random(seed)
    points = []
    for j in range(CONTINUOUS_POINTS if symbols else 0):
        point = {}
        for k, symbol in enumerate(symbols):
            sign = (-1 if (j >> k) & 1 else 1) if k < 4 else rng.choice((-1, 1))
            point[symbol] = _continuous(symbol, symbol in integers, rng, sign)
        points.append(point)
    grids = [_kind_values(s, s in integers) for s in symbols]
    total = math.prod(len(g) for g in grids)
    budget = max(24, min(MAX_LATTICE, WORK_BUDGET // max(1, size)))
    if total <= budget:
        combos = list(itertools.product(*grids))
    else:
        combos = [tuple(rng.choice(g) for g in grids) for _ in range(budget)]
    points.extend(dict(zip(symbols, combo, strict=True)) for combo in combos)
    return points or [{}]


@dataclass(frozen=True)
class _Sample:
    """Both sides at one point: high-precision values and their error estimates."""

    a: Any
    b: Any
    err_a: Any
    err_b: Any
    point: dict[Any, Fraction]


def _env(ctx: Any, point: dict[Any, Fraction]) -> dict[Any, Any]:
    return {s: ctx.mpf(v.numerator) / v.denominator for s, v in point.items()}


def _both(fn: Any, contexts: tuple[Any, Any], point: dict[Any, Fraction]) -> tuple[Any, Any]:
    high, low = contexts
    value = evaluate(fn, high, _env(high, point))
    rough = evaluate(fn, low, _env(low, point))
    err = abs(value - high.mpc(rough)) + abs(value) * high.mpf(10) ** (-HIGH_DPS + 5)
    return value, err


def _is_real(ctx: Any, value: Any, err: Any) -> bool:
    return not isinstance(value, ctx.mpc) or abs(value.imag) <= RTOL * abs(value) + err


def _agree(ctx: Any, s: _Sample) -> bool:
    tol = ctx.mpf(RTOL.p) / RTOL.q
    return bool(abs(s.a - s.b) <= tol * max(abs(s.a), abs(s.b)) + s.err_a + s.err_b)


def _show_point(point: dict[Any, Fraction]) -> str:
    return ", ".join(f"{s}={float(v):.6g}" for s, v in point.items()) or "the constant value"


def _points_text(count: int) -> str:
    return f"{count} point{'s' if count != 1 else ''}"


def _random_equiv(a: Any, b: Any, seed: int) -> Verdict:
    try:
        pa, pb = _prepare(a), _prepare(b)
        functions = _stand_ins((pa, pb), seed)
        fa, fb = compile_expr(pa, functions), compile_expr(pb, functions)
    except (Unsupported, ValueError, TypeError, NotImplementedError) as exc:
        return Verdict(None, Method.NONE, f"cannot evaluate: {exc}")
    symbols = sorted(pa.free_symbols | pb.free_symbols, key=sympy.default_sort_key)
    integers = {s for e in (pa, pb) for t in e.atoms(sympy.Sum) for lim in t.limits[0][1:]
                for s in lim.free_symbols}
    complex_mode = pa.has(sympy.I) or pb.has(sympy.I)
    method = Method.RANDOM if symbols else Method.NUMERIC
    size = _cost(pa) + _cost(pb)
    contexts = (make_context(HIGH_DPS), make_context(LOW_DPS))
    ctx = contexts[0]
    samples: list[_Sample] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    for point in _points(symbols, integers, seed, int(size)):
        if time.monotonic() > deadline and len(samples) >= MIN_POINTS:
            break
        try:
            (va, ea), (vb, eb) = _both(fa, contexts, point), _both(fb, contexts, point)
        except Undefined:
            continue
        sample = _Sample(va, vb, ea, eb, point)
        both_real = _is_real(ctx, va, ea) and _is_real(ctx, vb, eb)
        if (complex_mode or both_real) and not _agree(ctx, sample):
            return Verdict(False, method, f"differs at {_show_point(point)}")
        samples.append(sample)
    return _conclude(ctx, samples, complex_mode, method, bool(symbols))


def _cost(expr: Any) -> int:
    """The work of one evaluation, roughly: operations, more for numerical derivatives (each
    evaluates its body several times per order) and for sums (once per term)."""
    cost = int(sympy.count_ops(expr)) + 1
    for derivative in expr.atoms(sympy.Derivative):
        order = sum(int(n) for _, n in derivative.variable_count)
        cost += 8 * order * (int(sympy.count_ops(derivative.expr)) + 1)
    for total in expr.atoms(sympy.Sum):
        _, lower, upper = total.limits[0]
        terms = int(upper - lower) + 1 if (upper - lower).is_Integer else 10
        cost += max(1, terms) * (int(sympy.count_ops(total.function)) + 1)
    return cost


def _conclude(ctx: Any, samples: list[_Sample], complex_mode: bool, method: Method,
              has_symbols: bool) -> Verdict:
    if not samples:
        return Verdict(None, Method.NONE, "undefined at every sample point")
    if complex_mode:
        return Verdict(True, method, f"agrees at {_points_text(len(samples))} (complex values)")
    real = [s for s in samples if _is_real(ctx, s.a, s.err_a) and _is_real(ctx, s.b, s.err_b)]
    if len(real) >= (MIN_POINTS if has_symbols else 1):
        note = f"agrees at {_points_text(len(real))} where both sides are real"
        return Verdict(True, method, note)
    for sample in samples:
        if not _agree(ctx, sample):
            return Verdict(False, method, f"differs at {_show_point(sample.point)} "
                           "(complex values: too few points where both sides are real)")
    return Verdict(True, method, f"agrees at {_points_text(len(samples))} (complex values)")
