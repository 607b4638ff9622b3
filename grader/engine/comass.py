"""STACK's EqualComAss on our own tree: equal up to commutativity and associativity of + and *.

No other simplification: `2+2` is not `4`, `1*x` is not `x`, `x+0` is not `x`, `x*x` is not
`x^2`, `2/4` is not `1/2`, `0.75` is not `3/4`, `sqrt(3)` is not `3^(1/2)`.

Canonical form (a hashable tuple per node):
- a sum is the multiset of its terms (nested sums and `a - b` = a + (-b) flattened);
- a product is (number of unary minus signs, multiset of factors): a/b is a * inv(b), products
  nest flat, and a minus sign on a factor moves to the product, so `x*(-y)` = `-x*y` and
  `(-x)/y` = `-(x/y)`, but the count is kept (`(-x)*(-x)` is not `x*x`) and a minus inside a
  denominator stays there (`x/(-y)` is not `-(x/y)`); a product of one factor and no sign is that
  factor;
- `exp(x)` is the power `E^x` (so `exp(x)` = `e^x`); `e` and `E` are the same constant;
- spellings of one function are one function: `ln`/`log`, `cosec`/`csc`, `arcsin`/`asin`...,
  `|x|`/`abs(x)`/`Abs(x)`, `n!`/`factorial(n)`;
- numbers compare by kind and value: an integer literal, or a decimal literal (`0.5` = `.5`);
- everything else (powers, calls, |x|, n!, transposes, lists...) keeps its order.
Trees are walked recursively after the size and depth check of grader.engine.cas.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from grader.engine.cas import check_size
from grader.mathlang.ast import (
    Abs,
    BinOp,
    Call,
    Factorial,
    Indicator,
    ListLit,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    Sum,
    Transpose,
    TupleLit,
)

Canon = tuple[Any, ...]
_E = ("const", "E")
# Spellings of one function (Maxima/STACK treat them as the same function): not simplification.
ALIASES: Mapping[str, str] = MappingProxyType(
    {"ln": "log", "cosec": "csc", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
     "Abs": "abs"}
)


def equal_com_ass(a: Node, b: Node) -> bool:
    """STACK's EqualComAss: equal up to commutativity and associativity of + and *.

    Raises grader.engine.cas.CasError for trees beyond the size and depth limits."""
    check_size(a)
    check_size(b)
    return canonical(a) == canonical(b)


def canonical(node: Node) -> Canon:
    """The canonical form of `node` (see the module docstring)."""
    return _finish(_canon(node))


def _sorted(items: list[Canon]) -> tuple[Canon, ...]:
    return tuple(sorted(items, key=repr))  # repr: a total, deterministic order of mixed tuples


def _finish(form: Canon) -> Canon:
    """Collapse a product of a single factor and no sign into the factor."""
    if form[0] == "mul" and form[1] == 0 and len(form[2]) == 1:
        return form[2][0]
    return form


def _product(negs: int, factors: list[Canon]) -> Canon:
    return ("mul", negs, _sorted(factors))


def _as_product(form: Canon) -> tuple[int, list[Canon]]:
    if form[0] == "mul":
        return form[1], list(form[2])
    return 0, [form]


def _canon(node: Node) -> Canon:
    if isinstance(node, Number):
        return _number(node)
    if isinstance(node, Name):
        if node.sub is None and node.base in ("e", "E"):
            return _E
        return ("name", node.base, node.sub)
    if isinstance(node, Neg):
        negs, factors = _as_product(_canon(node.operand))
        return _product(negs + 1, factors)
    if isinstance(node, BinOp):
        return _binop(node)
    if isinstance(node, Call):
        return _call(node)
    return _other(node)


def _number(node: Number) -> Canon:
    text = node.text.strip().lower()
    is_decimal = "." in text or "e" in text
    value = node.value
    form: Canon = ("num", is_decimal, abs(value))
    return _product(1, [form]) if value < 0 else form


def _binop(node: BinOp) -> Canon:
    if node.op in ("+", "-"):
        terms: list[Canon] = []
        _collect_sum(node, terms, negate=False)
        return ("add", _sorted([_finish(t) for t in terms]))
    if node.op in ("*", "/"):
        negs, factors = _collect_product(node)
        return _finish(_product(negs, factors))
    if node.op == "hadamard":
        items: list[Canon] = []
        _collect_hadamard(node, items)
        return ("hadamard", _sorted(items))
    return ("pow", canonical(node.left), canonical(node.right))


def _collect_sum(node: Node, terms: list[Canon], negate: bool) -> None:
    """Flatten nested + and - into terms; `a - b` contributes b with one more minus sign."""
    if isinstance(node, BinOp) and node.op in ("+", "-"):
        _collect_sum(node.left, terms, negate)
        _collect_sum(node.right, terms, negate if node.op == "+" else True)
        return
    form = _canon(node)
    if negate:
        negs, factors = _as_product(form)
        form = _product(negs + 1, factors)
    terms.append(form)


def _collect_product(node: Node) -> tuple[int, list[Canon]]:
    """Flatten nested * and / into (minus signs, factors); a divisor becomes inv(divisor)."""
    if isinstance(node, BinOp) and node.op in ("*", "/"):
        left_negs, left = _collect_product(node.left)
        if node.op == "*":
            right_negs, right = _collect_product(node.right)
            return left_negs + right_negs, left + right
        return left_negs, [*left, ("inv", canonical(node.right))]
    negs, factors = _as_product(_canon(node))
    return negs, factors


def _collect_hadamard(node: Node, items: list[Canon]) -> None:
    if isinstance(node, BinOp) and node.op == "hadamard":
        _collect_hadamard(node.left, items)
        _collect_hadamard(node.right, items)
        return
    items.append(canonical(node))


def _call(node: Call) -> Canon:
    name = node.func
    if name.sub is None and name.base == "exp" and len(node.args) == 1 and not node.primes:
        return ("pow", _E, canonical(node.args[0]))
    base = ALIASES.get(name.base, name.base) if name.sub is None else name.base
    return ("call", base, name.sub, node.primes, tuple(canonical(a) for a in node.args))


def _other(node: Node) -> Canon:
    if isinstance(node, (Abs, Factorial)):
        name = "abs" if isinstance(node, Abs) else "factorial"
        return ("call", name, None, 0, (canonical(node.operand),))
    if isinstance(node, Transpose):
        return ("transpose", canonical(node.operand))
    if isinstance(node, Relation):
        return ("rel", node.op, canonical(node.left), canonical(node.right))
    if isinstance(node, Indicator):
        return ("indicator", tuple(canonical(c) for c in node.conditions))
    if isinstance(node, (ListLit, TupleLit)):
        return (type(node).__name__, tuple(canonical(i) for i in node.items))
    if isinstance(node, Sum):
        parts = (node.lower, node.upper)
        return (
            "sum",
            canonical(node.index),
            tuple(canonical(c) for c in node.conditions),
            tuple(canonical(p) if p is not None else None for p in parts),
            canonical(node.body),
        )
    raise TypeError(f"unknown node {type(node).__name__}")
