"""Our tree -> sympy in the open context: names, numbers, functions, guards against bombs."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
import sympy
from sympy.core.function import AppliedUndef

from grader.engine.cas import (
    CasError,
    constant_value,
    parse_assumption,
    symbol_name,
    to_sympy,
)
from grader.mathlang import parse
from grader.mathlang.ast import BinOp, Call, ListLit, Name, Neg, Node, Number, TupleLit
from grader.model import Reason

x = sympy.Symbol("x", real=True)


def num(text: str) -> Number:
    return Number(text, Fraction(text))


def conv(text: str, **assumptions: str) -> Any:
    return to_sympy(parse(text), assumptions=assumptions)


def test_names_are_real_symbols_and_subscripts_stay_apart() -> None:
    assert conv("x") == x
    assert conv("x1") != conv("x_1")
    assert symbol_name(Name("x", "1")) == "x_1" and symbol_name(Name("x1")) == "x1"
    assert conv("X") != conv("x")
    assert conv("x").is_real


def test_assumptions() -> None:
    a = conv("a", a="positive")
    assert a.is_positive
    assert conv("(a^b)^c", a="positive") == conv("a^(b*c)", a="positive")
    assert conv("(a^b)^c") != conv("a^(b*c)")
    assert parse_assumption("a>0") == ("a", "positive")
    assert parse_assumption(" t >= 0 ") == ("t", "nonnegative")
    with pytest.raises(CasError):
        parse_assumption("a>1")
    with pytest.raises(CasError):
        to_sympy(parse("a"), assumptions={"a": "imaginary"})


def test_numbers_are_exact_rationals_from_their_text() -> None:
    assert conv("0.5") == sympy.Rational(1, 2)
    assert conv("0.333333333333333") != sympy.Rational(1, 3)
    assert conv("5.1e-2") == sympy.Rational(51, 1000)
    assert conv("4^(-1/2)") == sympy.Rational(1, 2)


def test_constants() -> None:
    assert conv("pi") == sympy.pi
    assert conv("e") == sympy.E and conv("E") == sympy.E
    assert conv("I^2") == -1
    assert conv("E^x") == sympy.exp(x)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cosec(x)", sympy.csc(x)),
        ("ln(x)", sympy.log(x)),
        ("lg(100)", sympy.Integer(2)),
        ("log(8, 2)", sympy.Integer(3)),
        ("root(8, 3)", sympy.Integer(2)),
        ("abs(x)", sympy.Abs(x)),
        ("Abs(x)", sympy.Abs(x)),
        ("arcsin(x)", sympy.asin(x)),
        ("sqrt(x^2)", sympy.Abs(x)),  # real symbols
        ("factorial(5)", sympy.Integer(120)),
        ("binomial(5, 2)", sympy.Integer(10)),
    ],
)
def test_known_functions(text: str, expected: object) -> None:
    assert conv(text) == expected


def test_undefined_functions_and_symbols_differ() -> None:
    value = conv("F(x)")
    assert isinstance(value, AppliedUndef)
    assert conv("F") != value
    assert conv("F(x) - F(x)") == 0


def test_primes_become_derivatives() -> None:
    f = sympy.Function("f", real=True)
    assert conv("Derivative(f(x), x)") == sympy.Derivative(f(x), x)
    prime = to_sympy(Call(Name("f"), (Name("x"),), primes=2))
    assert prime == sympy.Derivative(f(x), (x, 2))
    chained = to_sympy(Call(Name("f"), (BinOp("^", Name("x"), num("2")),), primes=1))
    assert isinstance(chained, sympy.Subs)
    assert to_sympy(Call(Name("sin"), (Name("x"),), primes=1)) == sympy.cos(x)
    assert to_sympy(Call(Name("sin"), (Name("x"),), primes=2)) == -sympy.sin(x)


def test_derivative_forms_agree() -> None:
    q = sympy.Function("q", real=True)
    s = sympy.Symbol("s", real=True)
    expected = sympy.Derivative(q(s), (s, 2))
    assert conv("Derivative(q(s), (s, 2))") == expected
    assert conv("diff(q(s), s, 2)") == expected
    assert conv("Derivative(q(s), s, s)") == expected


def test_indicators_hold_relations() -> None:
    value = conv("1[x > 0] * y")
    assert value.has(sympy.Piecewise)
    assert value.subs(x, 2) == sympy.Symbol("y", real=True)


def test_sums_and_matrices() -> None:
    total = conv("Sum(k^2, (k, 1, n))")
    assert isinstance(total, sympy.Sum)
    assert total.doit().subs(sympy.Symbol("n", real=True), 3) == 14
    matrix = conv("Matrix([[1, 2], [3, x]])")
    assert isinstance(matrix, sympy.ImmutableMatrix) and matrix.shape == (2, 2)
    assert conv("Matrix([[1, 2], [3, 4]]) * Matrix([[1], [1]])") == sympy.ImmutableMatrix([3, 7])
    assert to_sympy(ListLit((num("1"), num("2")))).shape == (1, 2)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Matrix([[1, 2], [3]])", Reason.WRONG_SHAPE),
        ("Matrix([[1, 2]]) + 1", Reason.WRONG_SHAPE),
        ("Matrix([[1, 2]]) * Matrix([[1, 2]])", Reason.WRONG_SHAPE),
        ("1 / Matrix([[1, 2]])", Reason.WRONG_SHAPE),
        ("sin(Matrix([[1, 2]]))", Reason.WRONG_SHAPE),
        ("x^(1/100000)", Reason.TOO_LARGE),
        ("Derivative(q(s), (s, 11))", Reason.TOO_LARGE),
        ("Sum(k, (k, 1, 10^6))", Reason.TOO_LARGE),
        ("root(x, 0)", Reason.TOO_LARGE),
        ("log(x, 2, 3)", Reason.SYNTAX),
        ("x = 3", Reason.SYNTAX),
        ("(1, 2)", Reason.SYNTAX),
        ("Derivative(x, (x, y))", Reason.SYNTAX),
        ("1/0", Reason.NOT_FINITE),
        ("log(0)", Reason.NOT_FINITE),
        ("x^(-1) * 0^(-1)", Reason.NOT_FINITE),
        ("Derivative(x^2, 2)", Reason.SYNTAX),
    ],
)
def test_refusals(text: str, reason: Reason) -> None:
    with pytest.raises(CasError) as info:
        conv(text)
    assert info.value.reason is reason


def power(base: Node, exponent: Node) -> BinOp:
    return BinOp("^", base, exponent)


# Trees built by hand: the parser refuses most of these itself; the CAS must not rely on that.
BOMBS = [
    power(num("10"), power(num("10"), num("10"))),
    power(num("2"), num("100000")),
    power(Name("x"), num("100001")),
    power(Name("x"), BinOp("/", num("1"), num("100000"))),
    Call(Name("factorial"), (num("1000000"),)),
    Call(Name("binomial"), (power(num("10"), num("6")), num("5"))),
    Call(Name("sqrt"), (power(num("10"), num("999")),)),
    Number("1e20001", Fraction(10**20001)),
    Call(Name("f"), (Name("x"),), primes=11),
    Call(Name("sin"), (Name("x"),), primes=11),
]


@pytest.mark.parametrize("tree", BOMBS)
def test_bombs_are_refused_before_sympy(tree: Node) -> None:
    with pytest.raises(CasError) as info:
        to_sympy(tree)
    assert info.value.reason is Reason.TOO_LARGE


def test_total_derivative_order_is_bounded() -> None:
    order = TupleLit((Name("s"), num("6")))
    inner = Call(Name("Derivative"), (Call(Name("q"), (Name("s"),)), order))
    nested = Call(Name("Derivative"), (inner, order))
    assert isinstance(to_sympy(inner), sympy.Derivative)
    with pytest.raises(CasError) as info:
        to_sympy(nested)
    assert info.value.reason is Reason.TOO_LARGE


def test_huge_products_of_constants_are_refused() -> None:
    big = "*".join(["10^5000"] * 3)
    with pytest.raises(CasError) as info:
        conv(big)
    assert info.value.reason is Reason.TOO_LARGE


def test_deep_and_large_trees_are_refused() -> None:
    deep: Node = Name("x")
    for _ in range(300):
        deep = Neg(deep)
    with pytest.raises(CasError) as info:
        to_sympy(deep)
    assert info.value.reason is Reason.TOO_DEEP
    wide: Node = Name("x")
    for i in range(3000):
        wide = BinOp("+", Name(f"y{i % 7}"), wide) if i % 2 else BinOp("+", wide, num("1"))
    with pytest.raises(CasError) as info:
        to_sympy(wide)
    assert info.value.reason in (Reason.TOO_LARGE, Reason.TOO_DEEP)


def test_matrix_size_limit() -> None:
    row = ListLit(tuple(num("1") for _ in range(60)))
    with pytest.raises(CasError) as info:
        to_sympy(Call(Name("Matrix"), (ListLit(tuple(row for _ in range(60))),)))
    assert info.value.reason is Reason.TOO_LARGE


def test_names_are_never_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[object] = []

    def record(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    evil = Name("__import__('os').system('echo hi')")
    value = to_sympy(BinOp("+", evil, Call(Name("__import__('os').system"), (Name("x"),))))
    assert isinstance(value, sympy.Add)
    assert calls == []


def test_constant_value() -> None:
    pi = constant_value(parse("pi"))
    assert abs(pi - Fraction("3.14159265358979323846264338327950288")) < Fraction(1, 10**34)
    assert constant_value(parse("1.500")) == Fraction(3, 2)
    assert abs(constant_value(parse("1/7")) - Fraction(1, 7)) < Fraction(1, 10**55)
    for text in ("x", "sqrt(-1)", "Matrix([[1]])", "Sum(k, (k, 1, 1/2))"):
        with pytest.raises(CasError) as info:
            constant_value(parse(text))
        assert info.value.reason is Reason.NOT_A_NUMBER
