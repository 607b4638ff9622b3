"""Timing of typical engine checks (parse excluded): prints the median CPU time per check.

CPU time (time.process_time) rather than wall time, so that a busy machine does not distort it.

Run from the repository root:  PYTHONPATH=. python benchmarks/engine_timing.py
No assertions: speed is reported here, never tested.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sympy.core.cache import clear_cache

from grader.checkers.registry import REGISTRY
from grader.engine import Context, Mistake, Split, SymbolicSpec, context_from_mapping, judge
from grader.mathlang import parse
from grader.mathlang.ast import Node
from grader.rubric.load import load_rubric
from grader.rubric.solvers import load_solvers

ROOT = Path(__file__).resolve().parents[1]
EX3 = (
    "sum_{l != y_i} 1[p_l - p_{y_i} + m > 0]"
    " (p_l (delta_{lj} - p_j) - p_{y_i} (delta_{y_i j} - p_j))"
)


def course() -> tuple[dict[str, Context], dict[str, SymbolicSpec]]:
    """The contexts and specs of the real Practical-1 rubric and solvers (not copies)."""
    rubric = load_rubric(ROOT / "rubrics" / "practical-1.yaml", REGISTRY)
    solvers = load_solvers(rubric.solver, "solver", Path(rubric.path))
    contexts: dict[str, Context] = {}
    for name, data in rubric.contexts.items():
        ctx, errors = context_from_mapping(name, data, where=name, samplers=solvers)
        if ctx is None:
            raise SystemExit("\n".join(errors))
        contexts[name] = ctx
    mistakes = (Mistake("missing", "drop_factor", 0.5), Mistake("sign", "negate", 0.5))
    specs = {
        part: SymbolicSpec(
            reference=parse(solvers[f"ex1_{part}"](rubric.data).matrix),
            orientation="either",
            mistakes=mistakes,
        )
        for part in ("dL_dW2", "dL_dW1")
    }
    specs["ex3"] = SymbolicSpec(
        reference_fn=solvers["ex3_gradient"](rubric.data).gradient,
        splits=(Split("ne", "j != y_i", 1), Split("eq", "j = y_i", 1)),
    )
    return contexts, specs


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
    contexts, specs = course()
    network, index = contexts["network"], contexts["softmax_hinge"]
    w2, w1, ex3 = specs["dL_dW2"], specs["dL_dW1"], specs["ex3"]
    w2_ref = "((W_out^T * (y_out - y_gt) * f3'(s_out)) .* f2'(s2)) * z1^T"
    cases = {
        "ex1 W2 scalar form, right (exact proof)": (
            "(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * z1",
            w2,
            network,
        ),
        "ex1 W2 matrix form, right (random)": (w2_ref, w2, network),
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
