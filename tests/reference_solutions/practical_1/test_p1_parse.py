"""The reference texts read back, through the project's parser, to the very trees they were
printed from; and the printer's brackets survive the parser for random trees."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.mathlang import parse
from grader.mathlang.ast import BinOp, Indicator, Neg, Node, Number, Relation, Sum
from reference_solutions.practical_1 import SOLVERS
from reference_solutions.practical_1.backprop import (
    DELTA_K,
    SHEET_NETWORK,
    Z_PREVIOUS,
    matrix_gradient,
    scalar_form,
    weight_gradient,
)
from reference_solutions.practical_1.ex3 import case_trees, display_tree
from reference_solutions.practical_1.tree import call, name, render, scalar_view, transpose


def reference_trees() -> list[Node]:
    mini = weight_gradient(DELTA_K, Z_PREVIOUS)
    return [
        *(matrix_gradient(SHEET_NETWORK, k) for k in (1, 2, 3)),
        *(scalar_form(SHEET_NETWORK, k) for k in (1, 2, 3)),
        mini,
        scalar_view(mini),
        display_tree(),
        *case_trees().values(),
    ]


@pytest.mark.parametrize("tree", reference_trees(), ids=render)
def test_reference_text_parses_to_its_tree(tree: Node) -> None:
    assert parse(render(tree)) == tree


@pytest.mark.parametrize(
    "solver", ["ex1_dL_dWout", "ex1_dL_dW2", "ex1_dL_dW1", "mini_dW_k", "ex3_gradient"]
)
def test_every_solver_text_parses(solver: str) -> None:
    reference = SOLVERS[solver]({})
    if hasattr(reference, "display"):
        texts = [reference.display, *reference.cases.values()]
    else:
        texts = [reference.scalar, reference.matrix]
    for text in texts:
        assert parse(text) is not None


# ---------------------------------------------------------------------------------------------
# random trees of the subset the references use

LEAVES = st.sampled_from(
    [
        name("a"),
        name("b"),
        name("s", "out"),
        name("p", "y_i"),
        name("z", "k-1", Z_PREVIOUS.sub_expr),
        name("W1"),
        Number("1", Fraction(1)),
        Number("2", Fraction(2)),
    ]
)
BINARY = ("+", "-", "*", "/", "hadamard", "^")


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    relation = st.builds(lambda x, y: Relation(">", x, y), children, children)
    return st.one_of(
        st.builds(BinOp, st.sampled_from(BINARY), children, children),
        st.builds(Neg, children),
        st.builds(transpose, children),
        st.builds(lambda x: call(name("f2"), x, primes=1), children),
        st.builds(lambda r: Indicator((r,)), relation),
        st.builds(
            lambda body: Sum(name("l"), body, (Relation("!=", name("l"), name("y", "i")),)),
            children,
        ),
    )


@settings(max_examples=300, deadline=None)
@given(tree=st.recursive(LEAVES, extend, max_leaves=12))
def test_printed_random_trees_parse_back(tree: Node) -> None:
    assert parse(render(tree)) == tree
