"""Algebraic equivalence: hand-worked cases, methods, matrices, determinism, safety."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
import yaml

from grader.engine.algequiv import Verdict, alg_equiv, sympy_equiv
from grader.engine.cas import CasError
from grader.mathlang import parse
from grader.mathlang.ast import BinOp, Call, Name, Number
from grader.model import Method, Reason

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).with_name("test_algequiv_cases.yaml")).read_text(encoding="utf-8")
)


def judge(a: str, b: str, seed: int = 0, **assume: str) -> Verdict:
    return alg_equiv(parse(a), parse(b), assumptions=assume, seed=seed)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['a']} vs {c['b']}" for c in CASES])
def test_hand_worked_cases(case: dict[str, Any]) -> None:
    verdict = judge(case["a"], case["b"], **case.get("assume", {}))
    assert verdict.equal is case["equal"], verdict.note


def test_symmetry_on_the_cases() -> None:
    for case in CASES[:12]:
        assert judge(case["b"], case["a"], **case.get("assume", {})).equal is case["equal"]


def test_methods() -> None:
    assert judge("(x-1)*(x+1)", "x^2-1").method is Method.EXACT
    assert judge("(k+7)/(k^2+4*k-12)", "(k+8)/(k^2+4*k-12)") == Verdict(
        False, Method.EXACT, "as rational functions"
    )
    assert judge("sin(x)^2+cos(x)^2", "1").method is Method.RANDOM
    assert judge("sqrt(11+6*sqrt(2))", "3+sqrt(2)").method is Method.NUMERIC


def test_chain_rule_with_primes() -> None:
    x = Name("x")
    square = BinOp("^", x, Number("2", Fraction(2)))
    prime_of_square = Call(Name("f"), (square,), primes=1)
    student = BinOp("*", BinOp("*", Number("2", Fraction(2)), x), prime_of_square)
    teacher = parse("Derivative(f(x^2), x)")
    assert alg_equiv(student, teacher).equal is True
    assert alg_equiv(prime_of_square, teacher).equal is False


def test_undecidable_is_none() -> None:
    verdict = judge("Sum(1/k, (k, 1, x^2 + 1/2))", "x")  # bounds never integers at sample points
    assert verdict.equal is None and verdict.method is Method.NONE


def test_matrix_against_scalar() -> None:
    assert judge("Matrix([[1]])", "1").equal is False


def test_deterministic_for_a_seed() -> None:
    first = judge("x^log(y)", "y^log(x)", seed=7)
    assert judge("x^log(y)", "y^log(x)", seed=7) == first
    assert judge("(a^b)^c", "a^(b*c)", seed=3).equal is False
    assert judge("(a^b)^c", "a^(b*c)", seed=11).equal is False


def test_other_seeds_decide_the_same_on_distinctions() -> None:
    pairs = [("cos(x+y)", "cos(x)*cos(y)+sin(x)*sin(y)", False),
             ("x", "sqrt(x^2)", False), ("1/sqrt(x)", "sqrt(1/x)", True),
             ("log(a^2*b)", "2*log(a)+log(b)", True)]
    for seed in (1, 2, 3):
        for a, b, equal in pairs:
            assert judge(a, b, seed=seed).equal is equal


def test_refuses_bombs() -> None:
    million = BinOp("^", Number("10", Fraction(10)), Number("6", Fraction(6)))
    bomb = BinOp("^", Number("2", Fraction(2)), million)  # the parser refuses 2^(10^6) itself
    with pytest.raises(CasError) as info:
        alg_equiv(bomb, parse("1"))
    assert info.value.reason is Reason.TOO_LARGE


def test_never_parses_text_with_sympy(monkeypatch: pytest.MonkeyPatch) -> None:
    import sympy.parsing.sympy_parser as parser

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parse_expr must not be called")

    monkeypatch.setattr(parser, "parse_expr", refuse)
    assert judge("F(k)*exp(1000*k)", "F(k)*exp(1000*k)").equal is True
    assert judge("Derivative(y(x), x)", "0").equal is False


def test_sympy_equiv_accepts_matrices_directly() -> None:
    x = sympy.Symbol("x", real=True)
    left = sympy.ImmutableMatrix([[x + x, 1]])
    assert sympy_equiv(left, sympy.ImmutableMatrix([[2 * x, 1]])).equal is True
    assert sympy_equiv(left, sympy.ImmutableMatrix([[2 * x, 2]])).equal is False
