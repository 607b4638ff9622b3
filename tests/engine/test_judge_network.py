"""Judging Exercise-1 and mini-exercise answers (table in test_judge_network.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.engine import (
    Context,
    ContextError,
    Judgement,
    Mistake,
    ResolveError,
    Split,
    SymbolicSpec,
    context_from_mapping,
    judge,
    validate_reference,
    validate_spec,
)
from grader.mathlang import parse
from grader.model import Method, Reason

TABLE = Path(__file__).with_name("test_judge_network.yaml")


@cache
def table() -> Mapping[str, Any]:
    # our own test data, not student input
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))


@cache
def context(name: str) -> Context:
    ctx, errors = context_from_mapping(
        name, table()["contexts"][name], where=f"contexts.{name}", samplers={}
    )
    assert errors == [] and ctx is not None
    return ctx


def spec_for(ref: str, *, orientation: str = "exact", mistakes: bool = True) -> SymbolicSpec:
    entry = table()["references"][ref]
    declared = tuple(Mistake(m["id"], m["kind"], m["credit"]) for m in table()["mistakes"])
    return SymbolicSpec(
        reference=parse(entry["text"]),
        orientation=orientation,
        mistakes=declared if (mistakes and entry["mistakes"]) else (),
    )


def run_case(case: Mapping[str, Any], seed: int = 7) -> Judgement:
    ref = table()["references"][case["ref"]]
    spec = spec_for(
        case["ref"],
        orientation=case.get("orientation", "exact"),
        mistakes=case.get("mistakes", True),
    )
    return judge(parse(case["answer"]), spec, context(ref["context"]), seed=seed)


def case_id(case: Mapping[str, Any]) -> str:
    return f"{case['ref']}:{case['expect']}:{case['answer']}"


CASES = table()["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_table_case(case: Mapping[str, Any]) -> None:
    result = run_case(case)
    expect = case["expect"]
    assert not result.undecided
    if "interpretation" in case:
        assert result.interpretation == case["interpretation"]
    if expect == "equivalent":
        assert result.equivalent and result.credit == 1.0
        assert Reason.EQUIVALENT in result.reasons
        assert result.method in (Method.EXACT, Method.RANDOM)
    elif expect == "not_equivalent":
        assert not result.equivalent and result.credit == 0.0 and result.mistake is None
        assert Reason.NOT_EQUIVALENT in result.reasons
    elif expect == "shape_mismatch":
        assert not result.equivalent and result.credit == 0.0 and result.mistake is None
        assert Reason.SHAPE_MISMATCH in result.reasons
    else:
        mistake_id = expect.split(":", 1)[1]
        assert not result.equivalent
        assert result.mistake is not None and result.mistake.id == mistake_id
        assert result.credit == 0.5
        assert Reason.MISTAKE in result.reasons


def test_every_reference_passes_rubric_validation() -> None:
    for name, entry in table()["references"].items():
        ctx = context(entry["context"])
        assert validate_reference(parse(entry["text"]), ctx) == [], name
        assert validate_spec(spec_for(name), ctx) == [], name


def test_the_scalar_form_is_proved_exactly() -> None:
    result = run_case(
        {"ref": "dL_dW2", "answer": "(y_out - y_gt) f3'(s_out) W_out f2'(W2 z1) f1(s1)"}
    )
    assert result.equivalent and result.method is Method.EXACT


def test_a_matrix_form_is_decided_by_random_testing() -> None:
    answer = "diag(f2'(s2)) W_out^T (y_out - y_gt) f3'(s_out) z1^T"
    result = run_case({"ref": "dL_dW2", "answer": answer})
    assert result.equivalent and result.method is Method.RANDOM


def test_a_wrong_scalar_answer_is_refuted_by_random_testing() -> None:
    result = run_case({"ref": "dL_dWout", "answer": "(y_out - y_gt) * f3(s_out) * z2"})
    assert not result.equivalent and result.method is Method.RANDOM


def test_shape_mismatch_is_structural_and_explained() -> None:
    answer = "((W_out * (y_out - y_gt) * f3'(s_out)) .* f2'(s2)) * z1^T"
    result = run_case({"ref": "dL_dW2", "answer": answer})
    assert result.method is Method.STRUCTURAL
    assert Reason.SHAPE_MISMATCH in result.reasons
    # the clash names the operand the student wrote
    assert any("W_out" in sentence for sentence in result.feedback)


def test_transposed_layout_is_flagged_as_orientation() -> None:
    result = run_case({"ref": "dW_k", "answer": "z_{k-1} delta_k^T", "orientation": "either"})
    assert result.equivalent and Reason.ORIENTATION in result.reasons


def test_mistake_feedback_names_the_missing_factor() -> None:
    result = run_case({"ref": "dL_dW2", "answer": "(W_out^T * (y_out - y_gt) * f3'(s_out)) * z1^T"})
    assert result.mistake is not None and result.mistake.kind == "drop_factor"
    assert any("f2'(s2)" in sentence for sentence in result.feedback)


def test_mistakes_are_tried_in_declared_order_and_their_credit_is_used() -> None:
    spec = replace(
        spec_for("dL_dWout"),
        mistakes=(Mistake("sign", "negate", 0.25, "Check the sign."),),
    )
    result = judge(parse("(y_gt - y_out) f3'(s_out) z2"), spec, context("network"), seed=3)
    assert result.mistake is not None and result.mistake.id == "sign"
    assert result.credit == 0.25
    assert "Check the sign." in result.feedback


def test_same_seed_same_judgement() -> None:
    answer = "diag(f1'(s1)) W2^T diag(f2'(s2)) W_out^T (y_out - y_gt) f3'(s_out) x_in^T"
    case = {"ref": "dL_dW1", "answer": answer}
    assert run_case(case, seed=11) == run_case(case, seed=11)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 2**40 + 5])
def test_verdicts_do_not_depend_on_the_seed(seed: int) -> None:
    good = {"ref": "dL_dW2", "answer": "(W_out^T * f2'(s2)) * z1^T * (y_out - y_gt) * f3'(s_out)"}
    bad = {"ref": "dL_dW2", "answer": "(W_out^T * f2(s2)) * z1^T * (y_out - y_gt) * f3'(s_out)"}
    assert run_case(good, seed=seed).equivalent
    assert not run_case(bad, seed=seed).equivalent


def test_equation_answers_are_judged_on_the_right_hand_side() -> None:
    case = {"ref": "dL_dWout", "answer": "dL/dW_out = (y_out - y_gt) * f3'(s_out) * z2"}
    result = run_case(case)
    assert result.equivalent
    plain = run_case({"ref": "dL_dWout", "answer": "(y_out - y_gt) * f3'(s_out) * z2"})
    assert len(result.feedback) == len(plain.feedback) + 1  # one sentence says so


def test_elementwise_product_of_equal_vectors_earns_a_note() -> None:
    rest = " * z1^T * (y_out - y_gt) * f3'(s_out)"
    noted = run_case({"ref": "dL_dW2", "answer": "(W_out^T * f2'(s2))" + rest})
    plain = run_case({"ref": "dL_dW2", "answer": "(W_out^T .* f2'(s2))" + rest})
    assert noted.equivalent and plain.equivalent
    assert len(noted.feedback) == len(plain.feedback) + 1


def test_product_of_names_written_together_is_read_with_a_note() -> None:
    result = run_case({"ref": "dL_dW2", "answer": "(y_out - y_gt) f3'(s_out) W_out f2'(W2z1) z1"})
    assert result.equivalent


def test_unknown_symbols_and_functions_raise_resolve_error() -> None:
    with pytest.raises(ResolveError) as info:
        run_case({"ref": "dL_dWout", "answer": "(y_out - y_gt) * g'(s_out) * z2"})
    assert info.value.reason is Reason.UNKNOWN_FUNCTION and info.value.name == "g"
    with pytest.raises(ResolveError) as info:
        run_case({"ref": "dL_dWout", "answer": "(y_out - y_true) * f3'(s_out) * z2"})
    assert info.value.reason is Reason.UNKNOWN_SYMBOL and info.value.name == "y_true"
    with pytest.raises(ResolveError) as info:
        run_case({"ref": "dL_dWout", "answer": "(y_out - y_gt) * f'(s_out) * z2"})
    assert info.value.reason is Reason.UNKNOWN_FUNCTION and info.value.name == "f"


def test_case_matters_in_names() -> None:
    with pytest.raises(ResolveError) as info:
        run_case({"ref": "dL_dW2", "answer": "(y_out - y_gt) f3'(s_out) w_out f2'(s2) z1"})
    assert info.value.reason is Reason.UNKNOWN_SYMBOL


def test_an_answer_that_cannot_be_evaluated_is_undecided() -> None:
    # the square root of a negative number is never finite: nothing can be compared
    result = run_case({"ref": "dL_dWout", "answer": "sqrt(-(y_gt^2) - 1) * z2"})
    assert result.undecided and not result.equivalent and result.credit == 0.0
    assert Reason.UNDECIDED in result.reasons and result.method is Method.NONE


def test_parsed_text_is_reported() -> None:
    result = run_case({"ref": "dL_dWout", "answer": "(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2"})
    assert parse(result.parsed) == parse("(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2")


def test_samples_must_be_in_range() -> None:
    with pytest.raises(ValueError):
        judge(parse("z2"), spec_for("dL_dWout"), context("network"), seed=1, samples=0)


@pytest.mark.parametrize(
    "reference",
    [
        "W2 z2",  # shapes do not fit
        "(y_out - y_gt) * g'(s_out) * z2^T",  # unknown function
        "log(-(y_gt^2) - 1) * z2^T",  # never finite
    ],
)
def test_bad_references_are_reported_at_rubric_time(reference: str) -> None:
    assert len(validate_reference(parse(reference), context("network"))) == 1


def test_a_reference_that_does_not_resolve_is_a_context_error_when_judging() -> None:
    spec = SymbolicSpec(reference=parse("(y_out - y_gt) * g'(s_out) * z2"))
    with pytest.raises(ContextError):
        judge(parse("z2"), spec, context("network"), seed=1)


def test_spec_validation() -> None:
    bad = SymbolicSpec(
        reference=parse("delta_k * z_{k-1}^T"),
        orientation="sideways",
        mistakes=(Mistake("a", "drop_factor", 1.5), Mistake("a", "swap", 0.5)),
        splits=(Split("s", "j != y_i", 1.0),),
    )
    problems = validate_spec(bad, context("layer"))
    # orientation, duplicate id, credit, kind, splits without a free index, splits + mistakes
    assert len(problems) >= 6
    assert validate_spec(SymbolicSpec(), context("layer")) != []
