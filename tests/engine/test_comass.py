"""EqualComAss on our tree: commutativity and associativity of + and *, nothing else."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.engine.cas import CasError
from grader.engine.comass import canonical, equal_com_ass
from grader.mathlang import parse
from grader.mathlang.ast import BinOp, Call, Name, Neg, Node, Number
from grader.model import Reason

x, y = Name("x"), Name("y")


def num(text: str) -> Number:
    return Number(text, Fraction(text))


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("a+b+c", "c+(b+a)", True),
        ("a*b*c", "(c*a)*b", True),
        ("a-b", "-b+a", True),
        ("a-b", "b-a", False),
        ("2+2", "4", False),
        ("1*x", "x", False),
        ("x+0", "x", False),
        ("x^2", "x*x", False),
        ("x^(a+b)", "x^(b+a)", True),  # commutativity inside an exponent
        ("2^x", "x^2", False),  # powers do not commute
        ("sin(x+y)", "sin(y+x)", True),
        ("sin(x)", "cos(x)", False),
        ("f(x, y)", "f(y, x)", False),  # argument order is kept
        ("exp(x)", "e^x", True),
        ("exp(x+1)", "E^(1+x)", True),
        ("sqrt(x)", "x^(1/2)", False),
        ("0.5", ".5", True),
        ("0.5", "1/2", False),
        ("1.0", "1", False),  # a decimal literal is not an integer literal
        ("2/4", "1/2", False),
        ("a/b/c", "a/c/b", True),
        ("a/(b*c)", "a/(c*b)", True),
        ("-(a+b)", "-(b+a)", True),
        ("-(a+b)", "-a-b", False),  # no distribution
        ("(a+b)*(c+d)", "(d+c)*(b+a)", True),
        ("[a+b, c]", "[b+a, c]", True),
        ("[a, c]", "[c, a]", False),
        ("ln(x+1)", "log(1+x)", True),  # one function, two spellings
        ("|x|", "Abs(x)", True),
        ("n!", "factorial(n)", True),
        ("cosec(x)", "csc(x)", True),
        ("ln(x)", "lg(x)", False),
    ],
)
def test_equal_com_ass(a: str, b: str, equal: bool) -> None:
    assert equal_com_ass(parse(a), parse(b)) is equal
    assert equal_com_ass(parse(b), parse(a)) is equal


def test_minus_signs_on_hand_built_trees() -> None:
    neg_y, neg_x = Neg(y), Neg(x)
    product = BinOp("*", x, y)
    # x*(-y) == -(x*y) == (-x)*y
    assert equal_com_ass(BinOp("*", x, neg_y), Neg(product))
    assert equal_com_ass(BinOp("*", neg_x, y), Neg(product))
    # (-x)*(-x) != x*x: two signs do not cancel
    assert not equal_com_ass(BinOp("*", neg_x, neg_x), BinOp("*", x, x))
    # (-x)/y == -(x/y), but x/(-y) != -(x/y)
    assert equal_com_ass(BinOp("/", neg_x, y), Neg(BinOp("/", x, y)))
    assert not equal_com_ass(BinOp("/", x, neg_y), Neg(BinOp("/", x, y)))
    # --x is not x
    assert not equal_com_ass(Neg(Neg(x)), x)


def test_division_is_multiplication_by_an_inverse() -> None:
    a, b, c = Name("a"), Name("b"), Name("c")
    assert equal_com_ass(BinOp("/", BinOp("*", a, b), c), BinOp("*", a, BinOp("/", b, c)))
    half = BinOp("/", num("1"), num("2"))
    total = BinOp("+", a, b)
    assert not equal_com_ass(BinOp("*", half, total), BinOp("/", total, num("2")))


def test_exp_call_and_constant_power_share_a_form() -> None:
    call = Call(Name("exp"), (x,))
    assert canonical(call) == canonical(BinOp("^", Name("E"), x))
    assert canonical(call) == canonical(BinOp("^", Name("e"), x))
    assert canonical(Call(Name("exp"), (x,), primes=1)) != canonical(call)


def test_size_limits_apply() -> None:
    deep: Node = x
    for _ in range(400):
        deep = Neg(deep)
    with pytest.raises(CasError) as info:
        equal_com_ass(deep, x)
    assert info.value.reason is Reason.TOO_DEEP
