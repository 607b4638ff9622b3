"""Timing of typical engine checks (parse excluded): prints the median CPU time per check.

CPU time (time.process_time) rather than wall time, so that a busy machine does not distort it.

Run from the repository root:  PYTHONPATH=. python benchmarks/engine_timing.py
No assertions: speed is reported here, never tested.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sympy.core.cache import clear_cache

from grader.engine import Context, Mistake, Split, SymbolicSpec, context_from_mapping, judge
from grader.mathlang import parse
from grader.mathlang.ast import Node

NETWORK = {
    "dims": ["n0", "n1", "n2"],
    "symbols": {
        "x_in": {"kind": "vector", "shape": ["n0"], "aliases": ["x"]},
        "W1": {"kind": "matrix", "shape": ["n1", "n0"]},
        "s1": {"kind": "vector", "shape": ["n1"], "define": "W1 x_in"},
        "z1": {"kind": "vector", "shape": ["n1"], "define": "f1(s1)"},
        "W2": {"kind": "matrix", "shape": ["n2", "n1"]},
        "s2": {"kind": "vector", "shape": ["n2"], "define": "W2 z1"},
        "z2": {"kind": "vector", "shape": ["n2"], "define": "f2(s2)"},
        "W_out": {"kind": "matrix", "shape": [1, "n2"]},
        "s_out": {"kind": "scalar", "define": "W_out z2"},
        "z_out": {"kind": "scalar", "define": "f3(s_out)"},
        "y_out": {"kind": "scalar", "define": "z_out"},
        "y_gt": {"kind": "scalar"},
        "f1": {"kind": "function"},
        "f2": {"kind": "function"},
        "f3": {"kind": "function"},
    },
}

INDEX = {
    "sampler": "ex3",
    "free_index": "j",
    "symbols": {
        "k": {"kind": "count"},
        "y_i": {"kind": "label", "aliases": ["y"]},
        "o": {"kind": "family"},
        "p": {"kind": "family"},
        "margin": {"kind": "scalar", "aliases": ["m"]},
    },
}

W2_REF = "((W_out^T * (y_out - y_gt) * f3'(s_out)) .* f2'(s2)) * z1^T"
W1_REF = "((W2^T * ((W_out^T * (y_out - y_gt) * f3'(s_out)) .* f2'(s2))) .* f1'(s1)) * x_in^T"
MISTAKES = (Mistake("missing", "drop_factor", 0.5), Mistake("sign", "negate", 0.5))
EX3 = (
    "sum_{l != y_i} 1[p_l - p_{y_i} + m > 0]"
    " (p_l (delta_{lj} - p_j) - p_{y_i} (delta_{y_i j} - p_j))"
)


def ex3_sampler(rng: np.random.Generator) -> Mapping[str, Any]:
    k = int(rng.integers(3, 7))
    o = rng.normal(size=k)
    p = np.exp(o) / np.exp(o).sum()
    return {"k": k, "y_i": int(rng.integers(0, k)), "o": o, "p": p, "margin": 0.5}


def median_ms(check: Callable[[int], object], runs: int = 60, clear: bool = False) -> float:
    """The median CPU time of `check(seed)` over `runs` seeds, in milliseconds."""
    times = []
    for seed in range(runs):
        if clear:
            clear_cache()
        start = time.process_time()
        check(seed)
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    network, _ = context_from_mapping("network", NETWORK, where="network", samplers={})
    index, _ = context_from_mapping("ex3", INDEX, where="ex3", samplers={"ex3": ex3_sampler})
    assert network is not None and index is not None  # noqa: S101 - a script, not library code
    w2 = SymbolicSpec(reference=parse(W2_REF), orientation="either", mistakes=MISTAKES)
    w1 = SymbolicSpec(reference=parse(W1_REF), orientation="either", mistakes=MISTAKES)
    ex3 = SymbolicSpec(
        reference=parse(EX3), splits=(Split("ne", "j != y_i", 1), Split("eq", "j = y_i", 1))
    )
    cases = {
        "ex1 W2 scalar form, right (exact proof)": (
            "(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * z1",
            w2,
            network,
        ),
        "ex1 W2 matrix form, right (random)": (W2_REF, w2, network),
        "ex1 W2 matrix form, missing factor (mistake)": (
            "(W_out^T * (y_out - y_gt) * f3'(s_out)) * z1^T",
            w2,
            network,
        ),
        "ex1 W2 missing transpose (shape)": (
            "((W_out * (y_out - y_gt) * f3'(s_out)) .* f2'(s2)) * z1^T",
            w2,
            network,
        ),
        "ex1 W1 diag form, right (random)": (
            "diag(f1'(s1)) W2^T diag(f2'(s2)) W_out^T (y_out - y_gt) f3'(s_out) x_in^T",
            w1,
            network,
        ),
        "ex1 W1 scalar form, wrong (exact fails, random)": (
            "(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * W2 * f1(s1) * x_in",
            w1,
            network,
        ),
        "ex3 one expression, right (index)": (EX3, ex3, index),
    }
    for label, (text, spec, ctx) in cases.items():
        print(f"{median_ms(checker(parse(text), spec, ctx)):7.2f} ms CPU  {label}")
    cold = checker(parse("(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * z1"), w2, network)
    print(f"{median_ms(cold, clear=True):7.2f} ms CPU  the exact proof with sympy's cache cleared")


def checker(tree: Node, spec: SymbolicSpec, ctx: Context) -> Callable[[int], object]:
    """One check as a function of the seed."""

    def check(seed: int) -> object:
        return judge(tree, spec, ctx, seed=seed)

    return check


if __name__ == "__main__":
    main()
