"""Open contexts (no declared names) on the one judge: hand-worked cases, refusals, methods,
assumptions, determinism and safety (table in test_judge_open.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.engine import (
    ContextError,
    Judgement,
    ResolveError,
    SymbolicSpec,
    context_from_mapping,
    judge,
    validate_spec,
)
from grader.engine.context import CAS_CONSTANTS, DEFAULT_CONSTANTS, Context, open_context
from grader.engine.values import constant_value
from grader.mathlang import parse
from grader.mathlang.ast import BinOp, Call, Name, Number
from grader.model import Method, Reason

TABLE: Mapping[str, Any] = yaml.safe_load(
    Path(__file__).with_name("test_judge_open.yaml").read_text(encoding="utf-8")
)


@cache
def context(constants: str = "", **assume: str) -> Context:
    table = CAS_CONSTANTS if constants == "cas" else DEFAULT_CONSTANTS
    return open_context(assumptions=assume, constants=table)


def run(
    answer: str, reference: str, seed: int = 0, constants: str = "", **assume: str
) -> Judgement:
    spec = SymbolicSpec(reference=parse(reference))
    return judge(parse(answer), spec, context(constants, **assume), seed=seed)


def state(result: Judgement) -> bool | str:
    return "undecided" if result.undecided else result.equivalent


CASES = TABLE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['answer']} vs {c['reference']}" for c in CASES])
def test_hand_worked_cases(case: Mapping[str, Any]) -> None:
    result = run(
        case["answer"],
        case["reference"],
        constants=case.get("constants", ""),
        **case.get("assume", {}),
    )
    assert state(result) == case["equal"], result.feedback


@pytest.mark.parametrize(
    "case", CASES[:40], ids=[f"{c['reference']} vs {c['answer']}" for c in CASES[:40]]
)
def test_symmetry(case: Mapping[str, Any]) -> None:
    result = run(
        case["reference"],
        case["answer"],
        constants=case.get("constants", ""),
        **case.get("assume", {}),
    )
    assert state(result) == case["equal"]


REFUSED = TABLE["refused"]


@pytest.mark.parametrize("case", REFUSED, ids=[c["answer"] for c in REFUSED])
def test_refusals_name_their_reason(case: Mapping[str, Any]) -> None:
    with pytest.raises(ResolveError) as info:
        run(case["answer"], "1")
    assert info.value.reason is Reason(case["reason"])
    assert info.value.message


def test_methods() -> None:
    assert run("(x-1)*(x+1)", "x^2-1").method is Method.EXACT
    assert run("sin(x)^2+cos(x)^2", "1").method in (Method.EXACT, Method.RANDOM)
    assert run("sin(x)^2+cos(x)^2", "1").equivalent
    assert run("exp(I*x)+exp(-I*x)", "2*cos(x)", constants="cas").method is Method.RANDOM
    wrong = run("(k+7)/(k^2+4*k-12)", "(k+8)/(k^2+4*k-12)")
    assert not wrong.equivalent and wrong.reasons == (Reason.NOT_EQUIVALENT,)
    assert run("x", "y").interpretation == "scalar"


def test_the_imaginary_unit_only_where_the_context_names_it() -> None:
    assert run("I*I", "-1", constants="cas").equivalent
    assert not run("I*I", "-1").equivalent  # here I is an ordinary name


def test_assumptions_change_the_verdict() -> None:
    assert not run("(a^b)^c", "a^(b*c)").equivalent
    assert run("(a^b)^c", "a^(b*c)", a="positive").equivalent
    assert run("sqrt(a^2)", "a", a="nonnegative").equivalent
    assert not run("sqrt(a^2)", "a", a="nonpositive").equivalent
    assert run("(-1)^n", "cos(pi*n)", n="integer").equivalent


def test_unknown_assumptions_and_constants_are_refused() -> None:
    with pytest.raises(ContextError):
        open_context(assumptions={"a": "imaginary"})
    with pytest.raises(ContextError):
        open_context(constants={"j": "j"})


def test_deterministic_for_a_seed_and_stable_across_seeds() -> None:
    first = run("x^log(y)", "y^log(x)", seed=7)
    assert run("x^log(y)", "y^log(x)", seed=7) == first
    pairs = [
        ("cos(x+y)", "cos(x)*cos(y)+sin(x)*sin(y)", False),
        ("x", "sqrt(x^2)", False),
        ("1/sqrt(x)", "sqrt(1/x)", True),
        ("log(a^2*b)", "2*log(a)+log(b)", True),
        ("(a^b)^c", "a^(b*c)", False),
    ]
    for seed in (1, 2, 3, 11):
        for a, b, equal in pairs:
            assert run(a, b, seed=seed).equivalent is equal, (a, b, seed)


def test_an_equation_is_judged_on_its_right_side() -> None:
    result = run("y = (x+1)^2", "x^2+2*x+1")
    assert result.equivalent
    assert result.feedback[0] == "Judged the right-hand side of your equation."


def test_a_rubric_can_declare_an_open_context() -> None:
    data = {"open": True, "assume": {"a": "positive"}, "symbols": {"f": {"kind": "function"}}}
    ctx, errors = context_from_mapping("c", data, where="c", samplers={})
    assert errors == [] and ctx is not None and ctx.open
    spec = SymbolicSpec(reference=parse("f(a x)"))
    assert validate_spec(spec, ctx) == []
    assert judge(parse("f(x a)"), spec, ctx, seed=0).equivalent
    assert not judge(parse("f(x) a"), spec, ctx, seed=0).equivalent
    assert judge(
        parse("log(a^2)"), SymbolicSpec(reference=parse("2 log(a)")), ctx, seed=0
    ).equivalent


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"open": "yes"}, "c.open"),
        ({"open": True, "assume": {"a": "big"}}, "c.assume"),
        ({"symbols": {"x": {"kind": "scalar"}}, "assume": {"x": "positive"}}, "c.assume"),
        ({"open": True, "symbols": {"v": {"kind": "vector", "shape": [1]}}}, "c.symbols.v"),
        ({"open": True, "constants": {"i": "j"}}, "c.constants"),
    ],
)
def test_open_context_declarations_are_checked(data: Mapping[str, Any], problem: str) -> None:
    ctx, errors = context_from_mapping("c", data, where="c", samplers={})
    assert ctx is None and any(e.startswith(problem) for e in errors), errors


def test_constant_values_are_exact_to_sixty_digits() -> None:
    pi = constant_value(parse("pi"))
    assert abs(pi - Fraction("3.14159265358979323846264338327950288")) < Fraction(1, 10**34)
    assert constant_value(parse("1.500")) == Fraction(3, 2)
    assert abs(constant_value(parse("1/7")) - Fraction(1, 7)) < Fraction(1, 10**55)
    assert constant_value(parse("sqrt(2)^2")) == 2 or abs(
        constant_value(parse("sqrt(2)^2")) - 2
    ) < Fraction(1, 10**55)
    for text in ("x", "sqrt(-1)", "Matrix([[1]])", "Sum(k, (k, 1, 1/2))", "1/0", "log(0)"):
        with pytest.raises(ResolveError) as info:
            constant_value(parse(text))
        assert info.value.reason in (Reason.NOT_A_NUMBER, Reason.NOT_FINITE), text


def power(base: Any, exponent: Any) -> BinOp:
    return BinOp("^", base, exponent)


def num(text: str) -> Number:
    return Number(text, Fraction(text))


# Trees built by hand: the parser refuses most of these itself; the engine must not rely on it.
BOMBS = [
    power(num("10"), power(num("10"), num("10"))),
    power(num("2"), num("100000")),
    power(Name("x"), num("100001")),
    power(Name("x"), BinOp("/", num("1"), num("100000"))),
    Call(Name("factorial"), (num("1000000"),)),
    Call(Name("binomial"), (power(num("10"), num("6")), num("5"))),
    Call(Name("sqrt"), (power(num("10"), num("999")),)),
    Number("1e20001", Fraction(10**20001)),
    power(power(power(num("2"), num("60")), num("60")), num("60")),
]


@pytest.mark.parametrize("tree", BOMBS, ids=lambda t: type(t).__name__)
def test_bombs_end_in_a_verdict_not_a_hang(tree: Any) -> None:
    spec = SymbolicSpec(reference=parse("x + 1"))
    result = judge(tree, spec, context(), seed=0)
    assert not result.equivalent


def test_names_are_never_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[object] = []

    def record(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    evil = Name("__import__('os').system('echo hi')")
    tree = BinOp("+", evil, Call(Name("__import__('os').system"), (Name("x"), Name("y"))))
    result = judge(tree, SymbolicSpec(reference=tree), context(), seed=0)
    assert result.equivalent and calls == []


def test_never_parses_text_with_sympy(monkeypatch: pytest.MonkeyPatch) -> None:
    import sympy
    import sympy.parsing.sympy_parser as parser

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("sympy must not read text")

    monkeypatch.setattr(parser, "parse_expr", refuse)
    monkeypatch.setattr(sympy, "sympify", refuse)
    assert run("F(k)*exp(1000*k)", "F(k)*exp(1000*k)").equivalent
    assert not run("Derivative(y(x), x)", "0").equivalent
