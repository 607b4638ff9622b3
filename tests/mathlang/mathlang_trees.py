"""Helpers for the answer-language tests: a tiny tree notation for YAML tables, and hypothesis
strategies that generate trees.

Tree notation (YAML lists, decoded by `build`; nothing is evaluated):
  "x"  -> Name("x");  "s_out" -> Name("s", "out") (split at the first "_");  7 -> Number("7")
  [num, "5.1e-2"] / [num, "5.1e-2", "51/1000"]      Number (value from fractions.Fraction)
  [name, base] / [name, base, sub] / [name, base, sub, <tree>]
  [call, <func>, [<args>...]] / [call, <func>, [<args>...], primes]   (<func>: "f" or a name tree)
  [add|sub|mul|imul|div|pow|had, <left>, <right>]   BinOp ("imul": juxtaposition; same equality)
  [neg|T|fact|abs, <operand>]
  [rel, op, <left>, <right>]         [ind, <rel>...]
  [sum, <index>, <body>, {conds: [<rel>...], lower: <tree>, upper: <tree>}]
  [tuple, <item>...]                 [list, <item>...]      [set, <item>...]     dots
  [deriv, <body>, <var>] / [deriv, <body>, <var>, order]   Derivative
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from grader.mathlang.ast import (
    Abs,
    BinOp,
    Call,
    Derivative,
    Dots,
    Factorial,
    Indicator,
    ListLit,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    SetLit,
    Sum,
    Transpose,
    TupleLit,
)

_BINARY = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "imul": "*",
    "div": "/",
    "pow": "^",
    "had": "hadamard",
}
_UNARY: dict[str, type[Neg | Transpose | Factorial | Abs]] = {
    "neg": Neg,
    "T": Transpose,
    "fact": Factorial,
    "abs": Abs,
}


def build(spec: Any) -> Node:
    """The tree a notation spec describes (see the module docstring)."""
    if isinstance(spec, bool):
        raise ValueError(f"bad tree spec {spec!r}")
    if isinstance(spec, int):
        return Number(str(spec), Fraction(spec))
    if spec == "dots":
        return Dots()
    if isinstance(spec, str):
        base, _, sub = spec.partition("_")
        return Name(base, sub or None)
    head, *rest = spec
    if head == "num":
        return Number(rest[0], Fraction(rest[1] if len(rest) > 1 else rest[0]))
    if head == "name":
        sub_expr = build(rest[2]) if len(rest) > 2 else None
        return Name(rest[0], rest[1] if len(rest) > 1 else None, sub_expr)
    if head == "call":
        func = build(rest[0])
        if not isinstance(func, Name):
            raise ValueError(f"bad function in {spec!r}")
        primes = rest[2] if len(rest) > 2 else 0
        return Call(func, tuple(build(arg) for arg in rest[1]), primes)
    if head in _BINARY:
        return BinOp(_BINARY[head], build(rest[0]), build(rest[1]), head == "imul")
    if head in _UNARY:
        node: Node = _UNARY[head](build(rest[0]))
        return node
    if head == "rel":
        return Relation(rest[0], build(rest[1]), build(rest[2]))
    if head == "ind":
        return Indicator(tuple(_relation(item) for item in rest))
    if head == "sum":
        return _sum(rest)
    if head == "tuple":
        return TupleLit(tuple(build(item) for item in rest))
    if head == "list":
        return ListLit(tuple(build(item) for item in rest))
    if head == "set":
        return SetLit(tuple(build(item) for item in rest))
    if head == "deriv":
        var = build(rest[1])
        if not isinstance(var, Name):
            raise ValueError(f"bad variable in {spec!r}")
        return Derivative(build(rest[0]), var, rest[2] if len(rest) > 2 else 1)
    raise ValueError(f"unknown tree spec {spec!r}")


def _relation(spec: Any) -> Relation:
    node = build(spec)
    if not isinstance(node, Relation):
        raise ValueError(f"expected a relation, got {spec!r}")
    return node


def _sum(rest: list[Any]) -> Sum:
    index = build(rest[0])
    if not isinstance(index, Name):
        raise ValueError(f"bad sum index {rest[0]!r}")
    options = rest[2] if len(rest) > 2 else {}
    lower = options.get("lower")
    upper = options.get("upper")
    return Sum(
        index,
        build(rest[1]),
        tuple(_relation(item) for item in options.get("conds", ())),
        None if lower is None else build(lower),
        None if upper is None else build(upper),
    )


# ----------------------------------------------------------------------- strategies
_KEYWORDS = frozenset(("and", "sum", "Sum"))
_BASES = st.sampled_from(
    ["x", "y", "z2", "W", "s", "f", "e", "E", "I", "T", "pi", "oo", "l", "partial"]
    + ["delta", "Delta", "alpha", "lambda", "varpi", "delta2", "yhat", "margin", "Wout", "Alpha"]
) | st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,4}", fullmatch=True).filter(
    lambda base: base not in _KEYWORDS
)
_SUBS = st.sampled_from(["out", "in", "1", "y_i", "j,y_i", "y_i,j", "jy_i", "k"]) | st.from_regex(
    r"[A-Za-z0-9]{1,3}", fullmatch=True
)
_ONE = Number("1", Fraction(1))
# Arithmetic subscripts with the expression they stand for.
_SUB_EXPRS = st.sampled_from(
    [
        ("k-1", BinOp("-", Name("k"), _ONE)),
        ("i+1", BinOp("+", Name("i"), _ONE)),
        ("-1", Neg(_ONE)),
        ("2*k", BinOp("*", Number("2", Fraction(2)), Name("k"))),
    ]
)
NUMBER_TEXT = r"(?:[0-9]{1,3}(?:\.[0-9]{0,3})?|\.[0-9]{1,3})(?:[eE][+-]?[0-9])?"

NAMES = st.builds(Name, _BASES, st.none() | _SUBS) | st.builds(
    lambda base, pair: Name(base, pair[0], pair[1]), _BASES, _SUB_EXPRS
)
NUMBERS = st.from_regex(NUMBER_TEXT, fullmatch=True).map(lambda text: Number(text, Fraction(text)))
_FUNCS = NAMES.filter(lambda name: name.base not in _KEYWORDS)
_RELATION_OPS = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
_BINARY_OPS = st.sampled_from(["+", "-", "*", "/", "^", "hadamard"])
_INDICES = st.builds(Name, st.sampled_from(["l", "j", "n", "k"]), st.none() | st.just("1"))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    relations = st.builds(Relation, _RELATION_OPS, children, children)
    optional = st.none() | children
    return st.one_of(
        st.builds(BinOp, _BINARY_OPS, children, children),
        st.builds(Neg, children),
        st.builds(Transpose, children),
        st.builds(Factorial, children),
        st.builds(Abs, children),
        st.builds(
            Call, _FUNCS, st.lists(children, min_size=1, max_size=3).map(tuple), st.integers(0, 2)
        ),
        st.builds(Indicator, st.lists(relations, min_size=1, max_size=2).map(tuple)),
        st.builds(
            Sum, _INDICES, children, st.lists(relations, max_size=2).map(tuple), optional, optional
        ),
        st.builds(TupleLit, st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(ListLit, st.lists(children, max_size=3).map(tuple)),
        st.builds(SetLit, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(Derivative, children, NAMES, st.integers(1, 3)),
    )


# Random trees of the kinds `parse` produces (relations only inside indicators and sums).
EXPRESSIONS: st.SearchStrategy[Node] = st.recursive(NAMES | NUMBERS, _extend, max_leaves=12)

# A whole answer: an expression, or an equation / relation chain at the top.
ANSWERS: st.SearchStrategy[Node] = (
    EXPRESSIONS
    | st.builds(Relation, st.just("="), EXPRESSIONS, EXPRESSIONS)
    | st.builds(
        lambda a, b, c, op: Relation(op, Relation("=", a, b), c),
        EXPRESSIONS,
        EXPRESSIONS,
        EXPRESSIONS,
        _RELATION_OPS,
    )
)
