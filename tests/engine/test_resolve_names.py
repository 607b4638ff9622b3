"""Name resolution against a context: spellings, families, Kronecker deltas, sums, errors."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from grader.engine import Context, ResolveError, context_from_mapping
from grader.engine.ir import (
    Apply,
    Binary,
    Const,
    Constant,
    Delta,
    Family,
    IndexRole,
    IndexValue,
    Indicator,
    Summation,
    Sym,
    Unary,
    ir_walk,
    uses_matrix_notation,
)
from grader.engine.resolve import MAX_DEPTH, resolve
from grader.mathlang import parse
from grader.mathlang.ast import Name, Neg
from grader.model import Reason

NETWORK = {
    "dims": ["n0", "n1", "n2"],
    "symbols": {
        "x_in": {"kind": "vector", "shape": ["n0"], "aliases": ["x"]},
        "W1": {"kind": "matrix", "shape": ["n1", "n0"]},
        "z1": {"kind": "vector", "shape": ["n1"]},
        "W2": {"kind": "matrix", "shape": ["n2", "n1"]},
        "z2": {"kind": "vector", "shape": ["n2"]},
        "W_out": {"kind": "matrix", "shape": [1, "n2"]},
        "s_out": {"kind": "scalar"},
        "y_out": {"kind": "scalar"},
        "y_gt": {"kind": "scalar", "aliases": ["y"]},
        "f2": {"kind": "function"},
        "f3": {"kind": "function"},
    },
}

INDEX = {
    "sampler": "s",
    "free_index": "j",
    "symbols": {
        "k": {"kind": "count"},
        "y_i": {"kind": "label", "aliases": ["y"]},
        "o": {"kind": "family"},
        "p": {"kind": "family"},
        "margin": {"kind": "scalar", "aliases": ["m", "Delta"]},
    },
}


def _sampler(rng: np.random.Generator) -> Mapping[str, Any]:
    return {}


def make(data: Mapping[str, Any]) -> Context:
    ctx, errors = context_from_mapping("c", data, where="c", samplers={"s": _sampler})
    assert errors == [] and ctx is not None
    return ctx


def ir(text: str, data: Mapping[str, Any] = NETWORK) -> Any:
    return resolve(parse(text), make(data)).ir


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("W_out", "W_out"),
        ("W_{out}", "W_out"),
        ("Wout", "W_out"),
        ("W_{\\text{out}}", "W_out"),
        ("x", "x_in"),
        ("x_{in}", "x_in"),
        ("z_2", "z2"),
        ("z_{2}", "z2"),
        ("y", "y_gt"),
    ],
)
def test_spellings_resolve_to_the_declared_symbol(text: str, name: str) -> None:
    assert ir(text) == Sym(name)


def test_declared_functions_with_primes() -> None:
    for text in ("f3'(s_out)", "f_3'(s_{out})", "f_3^{\\prime}(s_{out})"):
        assert ir(text) == Apply("f3", (Sym("s_out"),), 1, False)


def test_builtins_and_constants() -> None:
    assert ir("exp(s_out)") == Apply("exp", (Sym("s_out"),), 0, True)
    assert ir("\\ln(s_out)") == Apply("log", (Sym("s_out"),), 0, True)
    assert ir("arctan(s_out)") == Apply("atan", (Sym("s_out"),), 0, True)
    assert ir("sgn(s_out)") == Apply("sign", (Sym("s_out"),), 0, True)
    assert ir("e") == Constant("e")
    assert ir("\\pi") == Constant("pi")
    with pytest.raises(ResolveError):  # the imaginary unit only where a context names it
        ir("I")
    found = ir("max(0, s_out)")
    assert isinstance(found, Apply) and found.func == "max" and found.builtin


def test_a_declared_symbol_shadows_a_builtin_name() -> None:
    data = {"symbols": {"e": {"kind": "scalar"}, "exp": {"kind": "function"}}}
    assert ir("e", data) == Sym("e")
    assert ir("exp(e)", data) == Apply("exp", (Sym("e"),), 0, False)


def test_a_value_followed_by_brackets_is_a_product() -> None:
    assert ir("z2 (y_out - y_gt)") == Binary(
        "mul", Sym("z2"), Binary("sub", Sym("y_out"), Sym("y_gt"))
    )


def test_names_written_together_split_into_a_product_with_a_note() -> None:
    resolved = resolve(parse("W2z1"), make(NETWORK))
    assert resolved.ir == Binary("mul", Sym("W2"), Sym("z1"))
    assert len(resolved.notes) == 1


def test_matrix_notation_detection() -> None:
    assert uses_matrix_notation(ir("z2^T"))
    assert uses_matrix_notation(ir("z2 .* z2"))
    assert uses_matrix_notation(ir("diag(z2)"))
    assert not uses_matrix_notation(ir("W2 z1 y_out"))


@pytest.mark.parametrize(
    ("text", "reason", "name"),
    [
        ("q", Reason.UNKNOWN_SYMBOL, "q"),
        ("w1", Reason.UNKNOWN_SYMBOL, "w1"),
        ("g(z2)", Reason.UNKNOWN_FUNCTION, "g"),
        ("f(z2)", Reason.UNKNOWN_FUNCTION, "f"),
        ("f2", Reason.SYNTAX, "f2"),
        ("f2(z1, z2)", Reason.SYNTAX, "f2"),
        ("z2'(x)", Reason.UNKNOWN_FUNCTION, "z2"),
        ("exp'(x)", Reason.SYNTAX, "exp"),
        ("sum_{l != 1} z2", Reason.SYNTAX, None),
    ],
)
def test_errors_name_the_symbol(text: str, reason: Reason, name: str | None) -> None:
    with pytest.raises(ResolveError) as info:
        ir(text)
    assert info.value.reason is reason
    assert info.value.name == name
    if name is not None:
        assert name in info.value.message


def test_errors_carry_the_span_of_the_offending_name() -> None:
    text = "z2 + qq"
    with pytest.raises(ResolveError) as info:
        ir(text)
    span = info.value.span
    assert span is not None and text[span.start : span.end] == "qq"


def test_too_deep_trees_are_refused_without_recursion() -> None:
    node: Any = Name("z2")
    for _ in range(MAX_DEPTH + 5):
        node = Neg(node)
    with pytest.raises(ResolveError) as info:
        resolve(node, make(NETWORK))
    assert info.value.reason is Reason.TOO_DEEP


# ----- index contexts ---------------------------------------------------------------------------
def test_families_indexed_by_free_index_labels_and_aliases() -> None:
    free = ir("p_j", INDEX)
    assert isinstance(free, Family) and free.name == "p" and free.index.role is IndexRole.FREE
    for text in ("p_{y_i}", "p_y", "p_{y_{i}}"):
        found = ir(text, INDEX)
        assert isinstance(found, Family) and found.index.role is IndexRole.LABEL
        assert found.index.name == "y_i"


@pytest.mark.parametrize(
    "text", ["\\delta_{jy_i}", "\\delta_{j,y_i}", "delta_{jy}", "\\delta_{y_i j}", "δ_{j y}"]
)
def test_kronecker_deltas_split_their_subscript(text: str) -> None:
    found = ir(text, INDEX)
    assert isinstance(found, Delta)
    roles = {found.left.role, found.right.role}
    assert roles == {IndexRole.FREE, IndexRole.LABEL}


def test_kronecker_delta_with_a_bound_index() -> None:
    found = ir("sum_{l != y} delta_{lj}", INDEX)
    assert isinstance(found, Summation) and found.axis == 1
    body = found.body
    assert isinstance(body, Delta) and body.left.role is IndexRole.BOUND
    assert body.left.axis == 1


def test_nested_sums_get_their_own_axes() -> None:
    found = ir("sum_l sum_n p_l p_n", INDEX)
    axes = sorted(n.axis for n in ir_walk(found) if isinstance(n, Summation))
    assert axes == [1, 2]


def test_indices_as_numbers_and_indicators() -> None:
    found = ir("1[j = y_i]", INDEX)
    assert isinstance(found, Indicator)
    cond = found.conds[0]
    assert isinstance(cond.left, IndexValue) and cond.left.index.role is IndexRole.FREE
    assert isinstance(cond.right, IndexValue) and cond.right.index.role is IndexRole.LABEL


def test_the_margin_aliases() -> None:
    for text in ("m", "\\Delta", "Δ", "margin"):
        assert ir(text, INDEX) == Sym("margin")


def test_a_sum_index_may_shadow_the_class_count() -> None:
    context = make(INDEX)
    resolved = resolve(parse("\\sum_{k \\neq y_i} p_k"), context)
    assert isinstance(resolved.ir, Summation) and isinstance(resolved.ir.body, Family)
    assert resolved.ir.body.index.role is IndexRole.BOUND
    assert any("sum's index" in note for note in resolved.notes)
    # bounds are outside the sum: there k is still the number of classes
    bounded = resolve(parse("\\sum_{k=1}^{k} p_k"), context).ir
    assert isinstance(bounded, Summation) and bounded.upper == Sym("k")


def test_index_errors() -> None:
    with pytest.raises(ResolveError) as info:
        ir("p", INDEX)
    assert info.value.reason is Reason.SYNTAX
    with pytest.raises(ResolveError) as info:
        ir("p_1", INDEX)
    assert info.value.reason is Reason.SYNTAX
    with pytest.raises(ResolveError) as info:
        ir("delta_{jq}", INDEX)
    assert info.value.reason is Reason.UNKNOWN_SYMBOL
    with pytest.raises(ResolveError) as info:
        ir("sum_{p != y} p_p", INDEX)  # p is a family
    assert info.value.reason is Reason.SYNTAX
    with pytest.raises(ResolveError) as info:
        ir("sum_{m != y} p_m", INDEX)  # m is the margin
    assert info.value.reason is Reason.SYNTAX
    with pytest.raises(ResolveError) as info:
        ir("sum_a sum_b sum_c sum_d p_a", INDEX)
    assert info.value.reason is Reason.TOO_DEEP


def test_a_bound_index_shadows_the_free_index() -> None:
    found = ir("sum_j p_j", INDEX)
    assert isinstance(found, Summation)
    body = found.body
    assert isinstance(body, Family) and body.index.role is IndexRole.BOUND


def test_numbers_are_exact() -> None:
    assert ir("0.1") == Const(Fraction(1, 10))
    assert ir("-z2") == Unary("neg", Sym("z2"))
