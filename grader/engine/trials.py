"""Seeded random testing: the instances of one judgement and the comparison on them.

The i-th instance of a judgement depends only on (seed, i), so the answer, the reference and
every mistake variant are evaluated on the same instances, each at most once (values are
cached per expression; a rubric's trees keep theirs for every answer judged on the same
trials). Instances where the reference is not finite are skipped, as are
entries where the answer is not finite; at most ATTEMPTS_PER_SAMPLE draws are made per wanted
sample, and no comparable instance at all leaves the comparison undecided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Instance, Interpretation, evaluate_unguarded
from grader.engine.ir import IR
from grader.engine.sample import draw_instance

MAX_SAMPLES = 100
ATTEMPTS_PER_SAMPLE = 4
RELATIVE_TOLERANCE = 1e-9
_TINY = 1e-300

# The value of one expression on the i-th instance.
Series = Callable[[int], Any]


@dataclass(frozen=True)
class Verdict:
    """The result of one comparison: `equal` is None when no instance was comparable;
    `compared` counts the instances compared; `note` says how values were compared when that
    is not plain (complex values, points where both sides are real)."""

    equal: bool | None
    compared: int
    note: str = ""


class Trials:
    """The instances of one judgement, drawn lazily and deterministically from the seed, and
    cached values of expressions on them."""

    def __init__(
        self, context: Context, interpretation: Interpretation, seed: int, samples: int
    ) -> None:
        self.context = context
        self.interpretation = interpretation
        self.seed = seed % 2**63
        self.samples = samples
        self.attempts = samples * ATTEMPTS_PER_SAMPLE
        self.instances: dict[int, Instance] = {}
        self.kept: dict[Any, Series] = {}

    def instance(self, i: int) -> Instance:
        """The i-th instance (drawn on first use)."""
        if i not in self.instances:
            rng = np.random.default_rng([self.seed, i])
            self.instances[i] = draw_instance(self.context, self.interpretation, rng)
        return self.instances[i]

    def series(self, node: IR) -> Series:
        """The values of a resolved (and, for matrices, planned) tree on the instances."""
        cache: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in cache:
                cache[i] = evaluate_unguarded(node, self.instance(i), self.interpretation)
            return cache[i]

        return value

    def kept_series(self, node: IR) -> Series:
        """`series(node)`, kept for the next call with an equal tree: for the rubric's trees
        (a reference, its mistake variants, a split's condition), which every answer judged
        on these trials is compared with."""
        found = self.kept.get(node)
        if found is None:
            found = self.kept[node] = self.series(node)
        return found

    def function_series(self, fn: Callable[[Mapping[str, Any]], Any]) -> Series:
        """The values of a solver's reference function (a vector over the free index)."""
        cache: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in cache:
                vector = np.asarray(fn(self.instance(i).values), dtype=float)
                if vector.shape != (self.instance(i).k,):
                    raise ContextError(
                        f"reference_fn returned shape {vector.shape}, expected "
                        f"({self.instance(i).k},)"
                    )
                cache[i] = vector
            return cache[i]

        return value

    def compare(self, answer: Series, reference: Series, mask: Series | None = None) -> Verdict:
        """Compare on the first `samples` comparable instances (both finite where judged)."""
        with np.errstate(all="ignore"):
            return self._compare(answer, reference, mask)

    def _compare(self, answer: Series, reference: Series, mask: Series | None) -> Verdict:
        compared = 0
        for i in range(self.attempts):
            ref = reference(i)
            if not np.all(np.isfinite(ref)):
                continue
            got = answer(i)
            if np.shape(got) != np.shape(ref):
                return Verdict(False, compared + 1)
            where = np.ones(np.shape(ref), dtype=bool) if mask is None else mask(i)
            if not np.all(np.isfinite(got[where])):
                continue
            compared += 1
            if not close(got[where], ref[where], np.max(np.abs(ref), initial=0.0)):
                return Verdict(False, compared)
            if compared >= self.samples:
                break
        return Verdict(None if compared == 0 else True, compared)

    def compare_trees(self, answer: IR, reference: IR) -> Verdict:
        """Compare an answer's tree with a rubric's (planned ones in the matrix
        interpretation); the rubric tree's values are kept."""
        return self.compare(self.series(answer), self.kept_series(reference))

    def any_finite(self, node: IR) -> bool:
        """Whether the tree is finite on at least one of the instances (rubric-time check)."""
        series = self.series(node)
        with np.errstate(all="ignore"):
            return any(bool(np.all(np.isfinite(series(i)))) for i in range(self.attempts))


def close(got: Any, ref: Any, scale: float) -> bool:
    """Entrywise |got - ref| <= 1e-9 * scale, scale = the largest |reference| entry of the
    whole instance (so tiny entries are judged against the vector's scale)."""
    bound = RELATIVE_TOLERANCE * max(_TINY, float(scale))
    return bool(np.all(np.abs(np.asarray(got) - np.asarray(ref)) <= bound))
