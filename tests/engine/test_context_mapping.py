"""Reading rubric contexts: declarations, keys, definitions and the errors reported."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from grader.engine import Context, SymbolKind, context_from_mapping
from grader.engine.symbols import name_key

NETWORK: dict[str, Any] = {
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


def build(
    data: Mapping[str, Any], samplers: Mapping[str, Any] | None = None
) -> tuple[Context | None, list[str]]:
    return context_from_mapping("c", data, where="contexts.c", samplers=samplers or {})


def with_symbol(name: str, entry: Any) -> dict[str, Any]:
    data = copy.deepcopy(NETWORK)
    data["symbols"][name] = entry
    return data


def test_the_network_context_builds() -> None:
    ctx, errors = build(NETWORK)
    assert errors == [] and ctx is not None
    assert ctx.symbols["W_out"].shape == (1, "n2")
    assert ctx.symbols["x_in"].shape == ("n0", 1)
    assert ctx.symbols["s_out"].shape == (1, 1)
    assert ctx.symbols["f2"].kind is SymbolKind.FUNCTION
    assert ctx.functions() == ("f1", "f2", "f3")
    assert ctx.has_arrays


def test_definitions_are_ordered_by_dependency() -> None:
    ctx, _ = build(NETWORK)
    assert ctx is not None
    order = ctx.define_order
    assert set(order) == {"s1", "z1", "s2", "z2", "s_out", "z_out", "y_out"}
    chain = ["s1", "z1", "s2", "z2", "s_out", "z_out", "y_out"]
    assert [order.index(n) for n in chain] == sorted(order.index(n) for n in chain)


@pytest.mark.parametrize(
    ("written", "declared"),
    [
        (("s", "1"), "s1"),
        (("s1", None), "s1"),
        (("W", "out"), "W_out"),
        (("Wout", None), "W_out"),
        (("x", "in"), "x_in"),
        (("x", None), "x_in"),
        (("y", "gt"), "y_gt"),
    ],
)
def test_loose_spelling_keys(written: tuple[str, str | None], declared: str) -> None:
    ctx, _ = build(NETWORK)
    assert ctx is not None
    info = ctx.lookup(name_key(*written))
    assert info is not None and info.name == declared


def test_keys_are_case_sensitive() -> None:
    ctx, _ = build(NETWORK)
    assert ctx is not None
    assert ctx.lookup(name_key("w", "1")) is None
    assert ctx.lookup(name_key("w1")) is None


def test_latex_and_subscript_keys_of_declared_names() -> None:
    data = {
        "dims": ["a", "b"],
        "symbols": {
            "delta_k": {"kind": "vector", "shape": ["a"]},
            "z_{k-1}": {"kind": "vector", "shape": ["b"], "aliases": ["a_{k-1}"]},
            "m": {"kind": "scalar", "aliases": ["\\Delta"]},
        },
    }
    ctx, errors = build(data)
    assert errors == [] and ctx is not None
    found = ctx.lookup(name_key("z", "k-1"))
    assert found is not None and found.name == "z_{k-1}"
    alias = ctx.lookup(name_key("a", "k-1"))
    assert alias is not None and alias.name == "z_{k-1}"
    delta = ctx.lookup(name_key("Delta"))
    assert delta is not None and delta.name == "m"


def test_two_symbols_with_one_key_are_an_error() -> None:
    ctx, errors = build(with_symbol("W_1", {"kind": "matrix", "shape": ["n1", "n0"]}))
    assert ctx is None
    assert len(errors) == 1 and errors[0].startswith("contexts.c.symbols.")


def test_an_alias_clashing_with_a_symbol_is_an_error() -> None:
    ctx, errors = build(with_symbol("b", {"kind": "scalar", "aliases": ["s_1"]}))
    assert ctx is None and errors[0].startswith("contexts.c.symbols.b:")


def test_a_definition_cycle_is_an_error() -> None:
    data = copy.deepcopy(NETWORK)
    data["symbols"]["x_in"]["define"] = "W1^T s1"  # s1 = W1 x_in, x_in = W1^T s1
    ctx, errors = build(data)
    assert ctx is None
    assert any(e.startswith("contexts.c.symbols.x_in.define:") for e in errors)
    assert any(e.startswith("contexts.c.symbols.s1.define:") for e in errors)


def test_a_definition_of_the_wrong_shape_is_an_error() -> None:
    ctx, errors = build(with_symbol("t", {"kind": "vector", "shape": ["n1"], "define": "W2 z1"}))
    assert ctx is None and errors == [errors[0]]
    assert errors[0].startswith("contexts.c.symbols.t.define:")


def test_a_definition_that_does_not_fit_is_an_error() -> None:
    ctx, errors = build(with_symbol("t", {"kind": "vector", "shape": ["n2"], "define": "W2 z2"}))
    assert ctx is None and errors[0].startswith("contexts.c.symbols.t.define:")


def test_a_definition_with_unknown_names_is_an_error() -> None:
    ctx, errors = build(with_symbol("t", {"kind": "scalar", "define": "q + 1"}))
    assert ctx is None and errors[0].startswith("contexts.c.symbols.t.define:")


def test_all_errors_are_reported_at_once() -> None:
    data = copy.deepcopy(NETWORK)
    data["bogus"] = 1
    data["symbols"]["a"] = {"kind": "tensor"}
    data["symbols"]["b"] = {"kind": "vector", "shape": ["n9"]}
    data["symbols"]["c"] = {"kind": "matrix", "shape": ["n1"]}
    data["symbols"]["d"] = {"kind": "family"}
    data["symbols"]["e2"] = {"kind": "scalar", "colour": "red"}
    data["free_index"] = "W1"
    data["sampler"] = "nope"
    ctx, errors = build(data)
    assert ctx is None
    for where in (
        "contexts.c:",
        "contexts.c.symbols.a.kind:",
        "contexts.c.symbols.b.shape:",
        "contexts.c.symbols.c.shape:",
        "contexts.c.symbols.e2:",
        "contexts.c.free_index:",
        "contexts.c.sampler:",
    ):
        assert any(e.startswith(where) for e in errors), where


def test_families_need_a_sampler() -> None:
    data = {"free_index": "j", "symbols": {"p": {"kind": "family"}, "y": {"kind": "label"}}}
    ctx, errors = build(data)
    assert ctx is None and len(errors) == 2
    ctx, errors = build({**data, "sampler": "s"}, {"s": lambda rng: {}})
    assert errors == [] and ctx is not None and ctx.free_index == "j"


def test_index_contexts_hold_no_vectors_or_definitions() -> None:
    data = {
        "free_index": "j",
        "sampler": "s",
        "symbols": {"v": {"kind": "vector", "shape": [2]}, "c": {"kind": "scalar", "define": "1"}},
    }
    ctx, errors = build(data, {"s": lambda rng: {}})
    assert ctx is None and len(errors) == 2


def test_not_a_mapping() -> None:
    ctx, errors = build(["dims"])  # type: ignore[arg-type]
    assert ctx is None and len(errors) == 1


def test_dims_must_be_names() -> None:
    ctx, errors = build({**NETWORK, "dims": ["n0", "n0", "n1", "n2"]})
    assert ctx is None and errors[0].startswith("contexts.c.dims:")


def test_literal_dimensions_are_accepted() -> None:
    ctx, errors = build({"symbols": {"v": {"kind": "vector", "shape": ["3"]}}})
    assert errors == [] and ctx is not None and ctx.shape_of("v") == (3, 1)


def test_contexts_compare_by_value_and_pickle() -> None:
    import pickle

    first, _ = build(NETWORK)
    second, _ = build(NETWORK)
    assert first == second
    assert pickle.loads(pickle.dumps(first)) == first


def test_the_sampler_is_kept() -> None:
    def sampler(rng: np.random.Generator) -> Mapping[str, Any]:
        return {"p": np.ones(3) / 3}

    ctx, errors = build(
        {"free_index": "j", "sampler": "s", "symbols": {"p": {"kind": "family"}}}, {"s": sampler}
    )
    assert errors == [] and ctx is not None and ctx.sampler is sampler
