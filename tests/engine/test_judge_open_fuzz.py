"""Random trees in an open context: the judge reads them or refuses them with ResolveError,
never crashes, calls every tree equal to itself and never rejects a true identity."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.engine import ResolveError, SymbolicSpec, judge
from grader.engine.context import open_context
from grader.mathlang.ast import Abs, BinOp, Call, Factorial, Name, Neg, Node, Number

NAMES = st.sampled_from([Name("x"), Name("y"), Name("x", "1"), Name("pi"), Name("e")])
NUMBERS = st.sampled_from(["0", "1", "2", "0.5", "3", "10", "1e3", "0.25"]).map(
    lambda t: Number(t, Fraction(t))
)
FUNCTIONS = st.sampled_from(["sin", "exp", "log", "sqrt", "Abs", "f", "factorial", "atan", "sech"])
CONTEXT = open_context()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(BinOp, st.sampled_from(["+", "-", "*", "/", "^"]), children, children),
        st.builds(Neg, children),
        st.builds(lambda f, a: Call(Name(f), (a,)), FUNCTIONS, children),
        st.builds(lambda a: Call(Name("g"), (a,), primes=1), children),
        st.builds(Abs, children),
        st.builds(Factorial, children),
    )


TREES = st.recursive(st.one_of(NAMES, NUMBERS), extend, max_leaves=12)


@SETTINGS
@given(TREES)
def test_random_trees_are_judged_or_refused_and_equal_to_themselves(tree: Node) -> None:
    try:
        result = judge(tree, SymbolicSpec(reference=tree), CONTEXT, seed=0)
    except ResolveError:
        return
    assert result.equivalent or result.undecided


def _times_trig_one(tree: Node) -> Node:
    """tree * sin(y)^2 + tree * cos(y)^2: equal to tree, but not by sympy's automatic rules."""
    two = Number("2", Fraction(2))
    sin2 = BinOp("^", Call(Name("sin"), (Name("y"),)), two)
    cos2 = BinOp("^", Call(Name("cos"), (Name("y"),)), two)
    return BinOp("+", BinOp("*", sin2, tree), BinOp("*", cos2, tree))


@SETTINGS
@given(TREES)
def test_a_true_identity_is_never_rejected(tree: Node) -> None:
    try:
        result = judge(_times_trig_one(tree), SymbolicSpec(reference=tree), CONTEXT, seed=0)
    except ResolveError:
        return
    assert result.equivalent or result.undecided, result.feedback
