"""Equivalent forms of random expressions are judged equal; a changed constant is not.

A random scalar expression over the `network` context of rubrics/practical-1.yaml (sums,
products, negations, small integer constants; every quantity read as a scalar, as in the
sheet's hint) is the reference. A variant is made by rewrites that keep the value: commuting
and reassociating sums and products, distributing a factor over a sum, and writing a defined
quantity by its definition (z2 as f2(s2), z1 as f1(s1), s2 as W2 z1 -- the sheet's own
equivalences). The judge must call the variant equivalent. Changing a constant the reference
depends on changes the function, and the judge must say so. Whether the reference depends on a
constant is decided here, independently of the judge: the expression is a polynomial in the
context's independent quantities (x_in, W1, W2, W_out, y_gt and the values f_k(s_k), f_k'(s_k) of
arbitrary functions), evaluated exactly with Fractions at random integer points; a constant
counts only if changing it changes such a value (`3 * (x_in - x_in)` depends on no constant).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.engine import Context, SymbolicSpec, context_from_mapping, judge
from grader.mathlang import parse

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "practical-1.yaml"
SYMBOLS = (
    "x_in", "W1", "s1", "z1", "W2", "s2", "z2", "W_out", "s_out", "z_out", "y_out", "y_gt",
    "f1'(s1)", "f2'(s2)", "f3'(s_out)",
)  # fmt: skip
DEFINITIONS: Mapping[str, str | tuple[str, str]] = MappingProxyType(
    {"z2": "f2(s2)", "z1": "f1(s1)", "s2": ("W2", "z1")}
)


@cache
def network() -> Context:
    """The rubric's own `network` context (our own file, read with safe_load)."""
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))["contexts"]["network"]
    context, errors = context_from_mapping("network", data, where="network", samplers={})
    assert errors == [] and context is not None
    return context


# ----- expression trees -------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """A quantity (or one written out by its definition) or an integer constant."""

    text: str
    constant: bool = False


@dataclass(frozen=True)
class Op:
    """A sum ("+"), a product ("*") or a negation ("-", one child)."""

    op: str
    children: tuple[Tree, ...]


Tree = Leaf | Op


def render(tree: Tree) -> str:
    """Plain text with brackets around every compound operand."""
    if isinstance(tree, Leaf):
        return tree.text
    parts = [render(c) if isinstance(c, Leaf) else f"({render(c)})" for c in tree.children]
    if tree.op == "-":
        return f"-{parts[0]}"
    return f" {tree.op} ".join(parts)


def _leaves() -> st.SearchStrategy[Tree]:
    constants = st.integers(2, 9).map(lambda n: Leaf(str(n), constant=True))
    return st.sampled_from(SYMBOLS).map(Leaf) | constants


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    return (
        st.builds(Op, st.just("+"), many)
        | st.builds(Op, st.just("*"), many)
        | st.builds(Op, st.just("-"), children.map(lambda c: (c,)))
    )


TREES = st.recursive(_leaves(), _extend, max_leaves=9)


def constants(tree: Tree) -> list[Leaf]:
    if isinstance(tree, Leaf):
        return [tree] if tree.constant else []
    return [leaf for child in tree.children for leaf in constants(child)]


def with_constant(tree: Tree) -> Tree:
    """The tree, times 3 when it holds no constant (so there is one to perturb)."""
    return tree if constants(tree) else Op("*", (Leaf("3", constant=True), tree))


# ----- rewrites that keep the value --------------------------------------------------------------
def rewrite(tree: Tree, rng: random.Random) -> Tree:
    """An equivalent tree: every node possibly commuted, regrouped, distributed or, for a
    defined quantity, written by its definition."""
    if isinstance(tree, Leaf):
        return _substitute(tree, rng)
    children = tuple(rewrite(child, rng) for child in tree.children)
    if tree.op == "-":
        return Op("-", children)
    items = list(children)
    rng.shuffle(items)  # commute
    node = Op(tree.op, tuple(items))
    if len(node.children) >= 3 and rng.random() < 0.5:
        node = _regroup(node, rng)
    if tree.op == "*" and rng.random() < 0.5:
        return _distribute(node)
    return node


def _substitute(leaf: Leaf, rng: random.Random) -> Tree:
    definition = DEFINITIONS.get(leaf.text)
    if definition is None or rng.random() < 0.5:
        return leaf
    if isinstance(definition, tuple):
        return Op("*", tuple(Leaf(name) for name in definition))
    return Leaf(definition)


def _distribute(product: Op) -> Op:
    """a * (b + c) * d -> a*b*d + a*c*d, for the first sum among the factors."""
    for index, factor in enumerate(product.children):
        if isinstance(factor, Op) and factor.op == "+":
            others = product.children[:index] + product.children[index + 1 :]
            return Op("+", tuple(Op("*", (*others, term)) for term in factor.children))
    return product


def _regroup(node: Op, rng: random.Random) -> Op:
    """(a op b op c) -> a op (b op c) (or another contiguous pair)."""
    start = rng.randrange(len(node.children) - 1)
    group = Op(node.op, node.children[start : start + 2])
    return Op(node.op, (*node.children[:start], group, *node.children[start + 2 :]))


def perturb(tree: Tree, target: Leaf) -> Tree:
    """The tree with the constant leaf `target` (by identity) increased by one."""
    if isinstance(tree, Leaf):
        return Leaf(str(int(tree.text) + 1), constant=True) if tree is target else tree
    return Op(tree.op, tuple(perturb(child, target) for child in tree.children))


# ----- an independent model of the context: exact values at integer points ----------------------
FREE = ("x_in", "W1", "W2", "W_out", "y_gt", "a1", "d1", "a2", "d2", "a3", "d3")
# Every leaf text (SYMBOLS and the definitions written out) in the free quantities: a_k is the
# value f_k(s_k), d_k the value f_k'(s_k); the scalar reading of the network context.
LEAF_VALUES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "x_in": ("x_in",), "W1": ("W1",), "s1": ("W1", "x_in"), "z1": ("a1",),
        "W2": ("W2",), "s2": ("W2", "a1"), "z2": ("a2",), "W_out": ("W_out",),
        "s_out": ("W_out", "a2"), "z_out": ("a3",), "y_out": ("a3",), "y_gt": ("y_gt",),
        "f1'(s1)": ("d1",), "f2'(s2)": ("d2",), "f3'(s_out)": ("d3",),
        "f1(s1)": ("a1",), "f2(s2)": ("a2",),
    }
)  # fmt: skip


def value(tree: Tree, point: Mapping[str, Fraction]) -> Fraction:
    """The exact value of a tree at a point of the free quantities."""
    if isinstance(tree, Leaf):
        if tree.constant:
            return Fraction(int(tree.text))
        product = Fraction(1)
        for name in LEAF_VALUES[tree.text]:
            product *= point[name]
        return product
    values = [value(child, point) for child in tree.children]
    if tree.op == "-":
        return -values[0]
    total = Fraction(0 if tree.op == "+" else 1)
    for item in values:
        total = total + item if tree.op == "+" else total * item
    return total


def depends_on(tree: Tree, target: Leaf) -> bool:
    """Whether changing the constant `target` changes the function (at 3 random points: a
    nonzero polynomial of degree <= 9 vanishes at one with probability below 1/200)."""
    rng = random.Random(0)
    changed = perturb(tree, target)
    for _ in range(3):
        point = {name: Fraction(rng.randint(-1000, 1000)) for name in FREE}
        if value(tree, point) != value(changed, point):
            return True
    return False


# ----- properties ---------------------------------------------------------------------------------
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TREES, st.randoms(use_true_random=False), st.integers(0, 2**32))
def test_an_equivalent_form_is_judged_equal(tree: Tree, rng: random.Random, seed: int) -> None:
    reference = with_constant(tree)
    variant = rewrite(reference, rng)
    spec = SymbolicSpec(reference=parse(render(reference)))
    result = judge(parse(render(variant)), spec, network(), seed=seed)
    assert result.equivalent and result.credit == 1.0, (render(reference), render(variant))


@SETTINGS
@given(TREES, st.randoms(use_true_random=False), st.data(), st.integers(0, 2**32))
def test_a_changed_constant_is_judged_different(
    tree: Tree, rng: random.Random, data: st.DataObject, seed: int
) -> None:
    reference = with_constant(tree)
    targets = [leaf for leaf in constants(reference) if depends_on(reference, leaf)]
    assume(targets)  # e.g. 3 * (x_in - x_in): no constant changes the function
    target = data.draw(st.sampled_from(targets))
    changed = rewrite(perturb(reference, target), rng)
    spec = SymbolicSpec(reference=parse(render(reference)))
    result = judge(parse(render(changed)), spec, network(), seed=seed)
    assert not result.equivalent and result.credit == 0.0, (render(reference), render(changed))
    assert not result.undecided


def test_the_independent_model_sees_which_constants_matter() -> None:
    three = Leaf("3", constant=True)
    vanishing = Op("*", (three, Op("+", (Leaf("x_in"), Op("-", (Leaf("x_in"),))))))
    assert not depends_on(vanishing, three)
    two = Leaf("2", constant=True)
    defined = Op("+", (Leaf("s2"), Op("-", (Op("*", (Leaf("W2"), Leaf("z1"))),)), two))
    assert depends_on(defined, two)
    # s2 - W2 z1 is identically zero in the context: only the added constant matters
    four = Leaf("4", constant=True)
    scaled = Op("*", (four, Op("+", (Leaf("s2"), Op("-", (Op("*", (Leaf("W2"), Leaf("z1"))),))))))
    assert not depends_on(scaled, four)
