"""EqualComAss on the resolved tree: commutativity and associativity of + and *, nothing else."""

from __future__ import annotations

import pytest

from grader.engine import SymbolicSpec, judge
from grader.engine.context import CAS_CONSTANTS, open_context
from grader.engine.ir import IR
from grader.engine.judge import open_reading
from grader.engine.resolve import resolve
from grader.engine.structural import canonical, equal_com_ass
from grader.mathlang import parse
from grader.model import Method

CONTEXT = open_context(constants=CAS_CONSTANTS)


def tree(text: str, other: str = "1") -> IR:
    node = parse(text)
    return resolve(node, open_reading(CONTEXT, node, parse(other))).ir


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
        ("1.0", "1", False),  # a decimal literal is not a whole-number literal
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
        ("x*(-y)", "-x*y", True),
        ("(-x)*(-x)", "x*x", False),  # two signs do not cancel
        ("(-x)/y", "-(x/y)", True),
        ("x/(-y)", "-(x/y)", False),  # a sign in a denominator stays there
        ("--x", "x", False),
        ("(a*b)/c", "a*(b/c)", True),
        ("(1/2)*(a+b)", "(a+b)/2", False),
        ("x_1 + x1", "x1 + x_1", True),
    ],
)
def test_equal_com_ass(a: str, b: str, equal: bool) -> None:
    assert equal_com_ass(tree(a, b), tree(b, a)) is equal
    assert equal_com_ass(tree(b, a), tree(a, b)) is equal


def test_through_the_judge() -> None:
    spec = SymbolicSpec(reference=parse("x*2+1"), equality="structural")
    right = judge(parse("1+2*x"), spec, CONTEXT, seed=0)
    assert right.equivalent and right.method is Method.STRUCTURAL
    wrong = judge(parse("1+x+x"), spec, CONTEXT, seed=0)
    assert not wrong.equivalent and wrong.method is Method.STRUCTURAL


def test_exp_call_and_constant_power_share_a_form() -> None:
    assert canonical(tree("exp(x)")) == canonical(tree("E^x"))
    assert canonical(tree("exp(x)")) != canonical(tree("exp(-x)"))
