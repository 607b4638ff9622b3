"""Random instances: distinct non-square dimensions, declared shapes, consistent definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from grader.engine import Context, ContextError, context_from_mapping
from grader.engine.evaluate import Interpretation
from grader.engine.functions import RandomFunction
from grader.engine.sample import draw_instance

NETWORK = {
    "dims": ["n0", "n1", "n2"],
    "symbols": {
        "x_in": {"kind": "vector", "shape": ["n0"]},
        "W1": {"kind": "matrix", "shape": ["n1", "n0"]},
        "s1": {"kind": "vector", "shape": ["n1"], "define": "W1 x_in"},
        "z1": {"kind": "vector", "shape": ["n1"], "define": "f1(s1)"},
        "W_out": {"kind": "matrix", "shape": [1, "n1"]},
        "s_out": {"kind": "scalar", "define": "W_out z1"},
        "y": {"kind": "scalar", "define": "f2(s_out) + 1"},
        "f1": {"kind": "function"},
        "f2": {"kind": "function"},
    },
}

INDEX = {
    "sampler": "s",
    "free_index": "j",
    "symbols": {
        "k": {"kind": "count"},
        "y_i": {"kind": "label"},
        "p": {"kind": "family"},
        "margin": {"kind": "scalar"},
        "g": {"kind": "function"},
    },
}


def make(data: Mapping[str, Any], sampler: Any = None) -> Context:
    ctx, errors = context_from_mapping("c", data, where="c", samplers={"s": sampler})
    assert errors == [] and ctx is not None
    return ctx


@pytest.mark.parametrize("seed", range(20))
def test_matrix_instances(seed: int) -> None:
    inst = draw_instance(make(NETWORK), Interpretation.MATRIX, np.random.default_rng(seed))
    dims = inst.dims
    assert len(set(dims.values())) == 3 and all(2 <= d <= 7 for d in dims.values())
    val = inst.values
    assert val["x_in"].shape == (dims["n0"], 1)
    assert val["W1"].shape == (dims["n1"], dims["n0"])
    assert val["W_out"].shape == (1, dims["n1"])
    assert np.array_equal(val["s1"], val["W1"] @ val["x_in"])
    assert np.array_equal(val["z1"], val["f1"](val["s1"]))
    assert np.allclose(val["s_out"], val["W_out"] @ val["z1"], rtol=1e-15)
    assert val["s_out"].shape == (1, 1)
    assert np.allclose(val["y"], val["f2"](val["s_out"]) + 1, rtol=1e-15)


def test_scalar_instances() -> None:
    inst = draw_instance(make(NETWORK), Interpretation.SCALAR, np.random.default_rng(0))
    val = inst.values
    assert all(np.ndim(val[n]) == 0 for n in ("x_in", "W1", "s1", "z1", "s_out", "y"))
    assert val["s1"] == val["W1"] * val["x_in"]
    assert val["z1"] == val["f1"](val["s1"])
    assert isinstance(val["f1"], RandomFunction) and val["f1"] != val["f2"]


def test_instances_depend_only_on_the_generator() -> None:
    ctx = make(NETWORK)
    first = draw_instance(ctx, Interpretation.MATRIX, np.random.default_rng([5, 1]))
    again = draw_instance(ctx, Interpretation.MATRIX, np.random.default_rng([5, 1]))
    other = draw_instance(ctx, Interpretation.MATRIX, np.random.default_rng([5, 2]))
    assert np.array_equal(first.values["W1"], again.values["W1"])
    assert first.values["f1"] == again.values["f1"]
    assert first.values["f1"] != other.values["f1"]


def test_many_dimensions_stay_distinct() -> None:
    dims = [f"d{i}" for i in range(9)]
    data = {"dims": dims, "symbols": {"v": {"kind": "vector", "shape": ["d8"]}}}
    inst = draw_instance(make(data), Interpretation.MATRIX, np.random.default_rng(0))
    assert len(set(inst.dims.values())) == 9 and min(inst.dims.values()) >= 2


def good_sampler(rng: np.random.Generator) -> Mapping[str, Any]:
    return {"k": 4, "y_i": 1, "p": np.full(4, 0.25), "margin": 0.5}


def test_index_instances_come_from_the_sampler() -> None:
    inst = draw_instance(make(INDEX, good_sampler), Interpretation.INDEX, np.random.default_rng(0))
    assert inst.k == 4 and inst.values["y_i"] == 1
    assert inst.values["p"].shape == (4,) and float(inst.values["margin"]) == 0.5
    assert isinstance(inst.values["g"], RandomFunction)


@pytest.mark.parametrize(
    "broken",
    [
        {"k": 4, "y_i": 1, "p": np.full(3, 0.25), "margin": 0.5},  # family of the wrong length
        {"k": 4, "y_i": 4, "p": np.full(4, 0.25), "margin": 0.5},  # label out of range
        {"k": 4, "y_i": 1.0, "p": np.full(4, 0.25), "margin": 0.5},  # label not an integer
        {"k": 0, "y_i": 0, "p": np.zeros(0), "margin": 0.5},  # no classes
        {"k": 31, "y_i": 0, "p": np.full(31, 1 / 31), "margin": 0.5},  # too many classes
        {"k": 4, "y_i": 1, "p": np.full(4, 0.25)},  # a symbol missing
        {"k": 4, "y_i": 1, "p": np.full(4, 0.25), "margin": [1, 2]},  # not a number
    ],
)
def test_malformed_sampler_output_is_a_context_error(broken: Mapping[str, Any]) -> None:
    ctx = make(INDEX, lambda rng: broken)
    with pytest.raises(ContextError):
        draw_instance(ctx, Interpretation.INDEX, np.random.default_rng(0))
