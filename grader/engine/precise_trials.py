"""Random testing for open contexts: exact points, high precision, principal branches.

Both trees are evaluated with mpmath (`grader.engine.precise`) at HIGH_DPS digits and again at
LOW_DPS to estimate the rounding error, at the points of `grader.engine.sample.draw_points`.
Two values agree when |A - B| <= RTOL max(|A|, |B|) + err(A) + err(B): so 0.99999999 is not 1,
(x-a)^6000 neither overflows nor underflows, and exp(1000 k) is fine.

Non-real values: when neither tree holds the imaginary unit, only points where both sides are
real count (as a CAS that works over the reals: 1/sqrt(x) = sqrt(1/x), log(a^2 b) = 2 log a +
log b); if fewer than MIN_POINTS such points exist (1 for constants), complex values are
compared at every point where both are defined. With the imaginary unit, complex values are
compared everywhere. Points where a side is undefined are skipped; none left: undecided, unless
the reference has values at MIN_POINTS points or more where the answer has none (`1/0`): then
they differ.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.engine.functions import RandomFunction
from grader.engine.ir import IR, Apply, Const, Constant, FiniteSum, Sym, ir_walk
from grader.engine.precise import (
    Functions,
    Undefined,
    Unsupported,
    evaluate_precise,
    make_context,
)
from grader.engine.sample import draw_points
from grader.engine.trials import Verdict

if TYPE_CHECKING:
    from grader.engine.context import Context

HIGH_DPS = 60
LOW_DPS = 40
RTOL = Fraction(1, 10**25)
MIN_POINTS = 3
DEADLINE_SECONDS = 8.0  # a safety net only: the work budget of draw_points decides first


@dataclass(frozen=True)
class _Sample:
    """Both sides at one point: high-precision values and their error estimates."""

    a: Any
    b: Any
    err_a: Any
    err_b: Any


class PreciseTrials:
    """The points of one open-context judgement and the comparisons on them."""

    def __init__(self, context: Context, seed: int) -> None:
        self.context = context
        self.seed = seed % 2**63
        self.high = make_context(HIGH_DPS)
        self.low = make_context(LOW_DPS)

    def points(self, trees: Sequence[IR]) -> list[dict[str, Fraction]]:
        """The test points for the free names of `trees` (see `sample.draw_points`)."""
        integers = frozenset(
            n.name
            for tree in trees
            for s in ir_walk(tree)
            if isinstance(s, FiniteSum)
            for bound in (s.lower, s.upper)
            for n in ir_walk(bound)
            if isinstance(n, Sym)
        )
        size = sum(_cost(t) for t in trees)
        names = sorted({n.name for t in trees for n in ir_walk(t) if isinstance(n, Sym)})
        return draw_points(names, self.context.assumptions, integers, self.seed, size)

    def environments(self, trees: Sequence[IR]) -> Iterator[tuple[dict[str, Any], Functions]]:
        """(values at HIGH_DPS, stand-in functions) for each test point of `trees`."""
        functions = self._functions(trees)
        deadline = time.monotonic() + DEADLINE_SECONDS
        for count, point in enumerate(self.points(trees)):
            if time.monotonic() > deadline and count >= MIN_POINTS:
                return
            yield _env(self.high, point), functions

    def compare_trees(self, a: IR, b: IR) -> Verdict:
        """Whether `a` and `b` agree at the points (None: no point where both are defined)."""
        functions = self._functions((a, b))
        complex_mode = any(
            isinstance(n, Constant) and n.name == "i" for t in (a, b) for n in ir_walk(t)
        )
        names = {n.name for t in (a, b) for n in ir_walk(t) if isinstance(n, Sym)}
        points = self.points((a, b))
        samples: list[_Sample] = []
        deadline = time.monotonic() + DEADLINE_SECONDS
        only_b = 0  # points where only the second tree (the reference) has a value
        for point in points:
            if time.monotonic() > deadline and len(samples) >= MIN_POINTS:
                break
            try:
                vb, eb = self._both(b, point, functions)
            except (Undefined, Unsupported):
                continue
            try:
                va, ea = self._both(a, point, functions)
            except (Undefined, Unsupported):
                only_b += 1
                continue
            sample = _Sample(va, vb, ea, eb)
            both_real = self._is_real(va, ea) and self._is_real(vb, eb)
            if (complex_mode or both_real) and not self._agree(sample):
                return Verdict(False, len(samples) + 1)
            samples.append(sample)
        if not samples and only_b >= (MIN_POINTS if names else 1):
            # no value anywhere the reference has one (`1/0`): certainly not the same
            return Verdict(False, only_b, "no value where the expected expression has one")
        return self._conclude(samples, complex_mode, bool(names))

    def defined_somewhere(self, tree: IR) -> bool:
        """Whether the tree has a value at one of the points at least (rubric-time check)."""
        return self.compare_trees(tree, tree).equal is not None

    def _functions(self, trees: Sequence[IR]) -> Functions:
        keys = sorted(
            {
                (n.func, len(n.args))
                for t in trees
                for n in ir_walk(t)
                if isinstance(n, Apply) and not n.builtin
            }
        )
        out = {}
        for name, arity in keys:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8")), arity])
            out[(name, arity)] = RandomFunction.draw(rng, arity)
        return out

    def _both(self, tree: IR, point: dict[str, Fraction], functions: Functions) -> tuple[Any, Any]:
        high, low = self.high, self.low
        value = evaluate_precise(tree, high, _env(high, point), functions)
        rough = evaluate_precise(tree, low, _env(low, point), functions)
        err = abs(value - high.mpc(rough)) + abs(value) * high.mpf(10) ** (-HIGH_DPS + 5)
        return value, err

    def _is_real(self, value: Any, err: Any) -> bool:
        ctx = self.high
        tol = ctx.mpf(RTOL.numerator) / RTOL.denominator
        return not isinstance(value, ctx.mpc) or abs(value.imag) <= tol * abs(value) + err

    def _agree(self, s: _Sample) -> bool:
        ctx = self.high
        tol = ctx.mpf(RTOL.numerator) / RTOL.denominator
        return bool(abs(s.a - s.b) <= tol * max(abs(s.a), abs(s.b)) + s.err_a + s.err_b)

    def _conclude(self, samples: list[_Sample], complex_mode: bool, has_names: bool) -> Verdict:
        if not samples:
            return Verdict(None, 0)
        if complex_mode:
            return Verdict(True, len(samples), "complex values compared")
        real = [s for s in samples if self._is_real(s.a, s.err_a) and self._is_real(s.b, s.err_b)]
        if len(real) >= (MIN_POINTS if has_names else 1):
            return Verdict(True, len(real), "where both sides are real")
        for sample in samples:
            if not self._agree(sample):
                return Verdict(False, len(samples), "complex values: few points are real")
        return Verdict(True, len(samples), "complex values compared")


def _env(ctx: Any, point: dict[str, Fraction]) -> dict[str, Any]:
    return {name: ctx.mpf(v.numerator) / v.denominator for name, v in point.items()}


def _cost(tree: IR) -> int:
    """The work of one evaluation, roughly: nodes, and the body of a sum once per term."""
    cost = len(ir_walk(tree))
    for node in ir_walk(tree):
        if isinstance(node, FiniteSum):
            lower, upper = node.lower, node.upper
            terms = 10
            if isinstance(lower, Const) and isinstance(upper, Const):
                terms = int(abs(upper.value - lower.value)) + 1
            cost += terms * len(ir_walk(node.body))
    return cost
