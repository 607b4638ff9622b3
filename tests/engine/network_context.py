"""The two-hidden-layer network of Practical-1 as an engine context, shared by the engine tests
that need it: its symbols, the reference gradient for W2, and the context built once."""

from __future__ import annotations

from functools import cache

from grader.engine import Context, context_from_mapping

NETWORK = {
    "dims": ["n0", "n1", "n2"],
    "symbols": {
        "x_in": {"kind": "vector", "shape": ["n0"]},
        "W1": {"kind": "matrix", "shape": ["n1", "n0"]},
        "s1": {"kind": "vector", "shape": ["n1"], "define": "W1 x_in"},
        "z1": {"kind": "vector", "shape": ["n1"], "define": "f1(s1)"},
        "W2": {"kind": "matrix", "shape": ["n2", "n1"]},
        "s2": {"kind": "vector", "shape": ["n2"], "define": "W2 z1"},
        "z2": {"kind": "vector", "shape": ["n2"], "define": "f2(s2)"},
        "W_out": {"kind": "matrix", "shape": [1, "n2"]},
        "s_out": {"kind": "scalar", "define": "W_out z2"},
        "y_out": {"kind": "scalar", "define": "f3(s_out)"},
        "y_gt": {"kind": "scalar"},
        "f1": {"kind": "function"},
        "f2": {"kind": "function"},
        "f3": {"kind": "function"},
    },
}

W2_MATRIX = "((W_out^T * (y_out - y_gt) * f3'(s_out)) .* f2'(s2)) * z1^T"


@cache
def network() -> Context:
    """The network's context, built once per process."""
    ctx, errors = context_from_mapping("network", NETWORK, where="network", samplers={})
    if errors or ctx is None:
        raise RuntimeError(f"the network context does not build: {errors}")
    return ctx
