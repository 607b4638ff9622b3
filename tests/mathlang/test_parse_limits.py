"""Each limit of `Limits` at its boundary: the largest allowed input parses, one more fails."""

from __future__ import annotations

import dataclasses

import pytest

from grader.mathlang import DEFAULT_LIMITS, Limits, ParseError, parse, to_text
from grader.mathlang.ast import walk
from grader.model import Reason


def _fails(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Reason, int | None]:
    with pytest.raises(ParseError) as caught:
        parse(text, limits)
    return caught.value.reason, caught.value.offset


def _flat_list(items: int) -> str:
    return "[" + ",".join(["1"] * items) + "]"


def test_defaults() -> None:
    assert DEFAULT_LIMITS == Limits()
    assert (DEFAULT_LIMITS.max_length, DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_nodes) == (
        2000,
        60,
        3000,
    )
    assert (DEFAULT_LIMITS.max_digits, DEFAULT_LIMITS.max_exponent) == (60, 10000)
    assert DEFAULT_LIMITS.max_factorial == 1000


def test_max_length() -> None:
    assert len(_flat_list(999)) == 1999
    parse(_flat_list(999))
    text = _flat_list(1000)
    assert len(text) == 2001
    assert _fails(text) == (Reason.TOO_LARGE, 2000)


def test_max_depth_counts_brackets() -> None:
    parse("(" * 60 + "x" + ")" * 60)
    assert _fails("(" * 61 + "x" + ")" * 61) == (Reason.TOO_DEEP, 60)
    assert _fails("((x))", Limits(max_depth=1)) == (Reason.TOO_DEEP, 1)
    parse("f(g(x))", Limits(max_depth=2))


def test_max_nodes() -> None:
    limits = Limits(max_nodes=10)
    assert len(walk(parse(_flat_list(9), limits))) == 10
    text = "[1,2,3,4,5,6,7,8,9,10]"
    assert _fails(text, limits) == (Reason.TOO_LARGE, text.index("10"))  # the 11th node


def test_max_digits() -> None:
    parse("1" * 60)
    parse("0." + "1" * 59)
    assert _fails("1" * 61) == (Reason.TOO_LARGE, 0)
    assert _fails("x + 1.5", Limits(max_digits=1)) == (Reason.TOO_LARGE, 4)


def test_max_exponent() -> None:
    parse("(x-a)**6000")
    parse("x^10000")
    parse("1e10000")
    assert _fails("x^10001") == (Reason.TOO_LARGE, 2)
    assert _fails("x^(-10001)") == (Reason.TOO_LARGE, 3)
    assert _fails("x^(100*101)") == (Reason.TOO_LARGE, 3)
    assert _fails("1e10001") == (Reason.TOO_LARGE, 0)
    assert _fails("exp(10001)") == (Reason.TOO_LARGE, 4)
    assert _fails("10**10!") == (Reason.TOO_LARGE, 4)  # the exponent 10! = 3628800


def test_non_constant_exponents_are_not_limited() -> None:
    parse("x^(y^10000)")
    parse("2^(n^2)")


def test_constants_may_not_explode() -> None:
    parse("(2^10000)^10")
    assert _fails("(2^10000)^10000") == (Reason.TOO_LARGE, 1)
    assert _fails("(10^-10000)^1000") == (Reason.TOO_LARGE, 1)


def test_max_factorial() -> None:
    parse("1000!")
    parse("factorial(1000)")
    parse("binomial(1000, 3)")
    assert _fails("1001!") == (Reason.TOO_LARGE, 0)
    assert _fails("factorial(1001)") == (Reason.TOO_LARGE, 10)
    assert _fails("(10**10)!") == (Reason.TOO_LARGE, 1)
    assert _fails("binomial(2000, 3)") == (Reason.TOO_LARGE, 9)
    assert _fails("factorial(factorial(10))") == (Reason.TOO_LARGE, 10)


def test_max_tree_depth() -> None:
    parse("+".join(["x"] * 100))  # 99 additions: depth 100
    assert _fails("+".join(["x"] * 101)) == (Reason.TOO_DEEP, 0)
    parse("-" * 99 + "x")
    assert _fails("-" * 100 + "x") == (Reason.TOO_DEEP, 100)


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Limits)])
@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_limits_must_be_positive_integers(field: str, bad: object) -> None:
    with pytest.raises(ValueError):
        Limits(**{field: bad})  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["max_depth", "max_tree_depth"])
def test_nesting_limits_stay_within_safe_recursion(field: str) -> None:
    Limits(**{field: 200})
    with pytest.raises(ValueError):
        Limits(**{field: 201})


def test_deepest_allowed_trees_can_be_compared_and_printed() -> None:
    limits = Limits(max_depth=200, max_tree_depth=200)
    chain = parse("-" * 199 + "x", limits)
    nested = parse("[" * 199 + "x" + "]" * 199, limits)
    assert parse(to_text(chain), limits) == chain
    assert parse(to_text(nested), limits) == nested


def test_limits_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_length = 10  # type: ignore[misc]
