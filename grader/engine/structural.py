"""STACK's EqualComAss on the resolved tree: equal up to commutativity and associativity of
+ and *, and nothing else.

No other simplification: `2+2` is not `4`, `1*x` is not `x`, `x+0` is not `x`, `x*x` is not
`x^2`, `2/4` is not `1/2`, `0.75` is not `3/4`, `sqrt(3)` is not `3^(1/2)`. Working on the
resolved tree means one spelling of a function is one function (`ln`/`log`, `cosec`/`csc`,
`|x|`/`abs(x)`, `n!`/`factorial(n)`) and one name is one name, exactly as the resolver reads it.

Canonical form (a hashable tuple per node):
- a sum is the multiset of its terms (nested sums and `a - b` = a + (-b) flattened);
- a product is (number of minus signs, multiset of factors): a/b is a * inv(b), products nest
  flat, and a minus sign on a factor moves to the product, so `x*(-y)` = `-x*y` and
  `(-x)/y` = `-(x/y)`, but the count is kept (`(-x)*(-x)` is not `x*x`) and a minus inside a
  denominator stays there (`x/(-y)` is not `-(x/y)`); a product of one factor and no sign is
  that factor;
- `exp(x)` is the power `e^x`;
- `=` and `!=` are symmetric (`y = x` is `x = y`), other relations keep their sides; `and`,
  `or` and sets are multisets of their items (`\\{4, 3\\}` is `\\{3, 4\\}`, `\\{4, 4\\}` is not
  `\\{4\\}`);
- numbers compare by kind and value: a whole-number literal, or a decimal one (`0.5` = `.5`);
- everything else (powers, calls, transposes, matrices...) keeps its order.
"""

from __future__ import annotations

from typing import Any

from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Bool,
    Cond,
    Const,
    Constant,
    SetOf,
    Sym,
    Unary,
    ir_children,
)
from grader.mathlang.ast import Number

Canon = tuple[Any, ...]
_E = ("const", "e")
_PRODUCTS = frozenset({"mul", "matmul", "scale", "emul"})


def equal_com_ass(a: IR, b: IR) -> bool:
    """Whether two resolved trees are equal up to commutativity and associativity."""
    return canonical(a) == canonical(b)


def canonical(node: IR) -> Canon:
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


def _canon(node: IR) -> Canon:
    if isinstance(node, Const):
        return _number(node)
    if isinstance(node, Constant):
        return ("const", node.name)
    if isinstance(node, Sym):
        return ("name", node.name)
    if isinstance(node, Unary) and node.op == "neg":
        negs, factors = _as_product(_canon(node.operand))
        return _product(negs + 1, factors)
    if isinstance(node, Binary):
        return _binary(node)
    if isinstance(node, Cond):
        sides = (canonical(node.left), canonical(node.right))
        if node.op in ("=", "!="):  # symmetric relations: `y = x` is `x = y`
            sides = tuple(sorted(sides, key=repr))  # type: ignore[assignment]
        return ("rel", node.op, sides)
    if isinstance(node, (Bool, SetOf)):
        kind = node.op if isinstance(node, Bool) else "set"
        return (kind, _sorted([canonical(item) for item in node.items]))
    if isinstance(node, Apply):
        if node.builtin and node.func == "exp" and len(node.args) == 1:
            return ("pow", _E, canonical(node.args[0]))
        args = tuple(canonical(a) for a in node.args)
        return ("call", node.func, node.builtin, node.primes, args)
    fields = tuple(canonical(child) for child in ir_children(node))
    return (type(node).__name__, _plain_fields(node), fields)


def _plain_fields(node: IR) -> tuple[Any, ...]:
    """The non-tree fields of a node (operator names, variables, shapes), for the rest."""
    kept = []
    for name in ("op", "var", "name"):
        if hasattr(node, name):
            kept.append(getattr(node, name))
    rows = getattr(node, "rows", None)
    if rows is not None:
        kept.append((len(rows), len(rows[0])))
    return tuple(kept)


def _number(node: Const) -> Canon:
    src = node.src
    text = src.text.strip().lower() if isinstance(src, Number) else ""
    is_decimal = "." in text or "e" in text
    form: Canon = ("num", is_decimal, abs(node.value))
    return _product(1, [form]) if node.value < 0 else form


def _binary(node: Binary) -> Canon:
    if node.op in ("add", "sub"):
        terms: list[Canon] = []
        _collect_sum(node, terms, negate=False)
        return ("add", _sorted([_finish(t) for t in terms]))
    if node.op in _PRODUCTS or node.op == "div":
        negs, factors = _collect_product(node)
        return _finish(_product(negs, factors))
    if node.op == "had":
        items: list[Canon] = []
        _collect_hadamard(node, items)
        return ("hadamard", _sorted(items))
    return ("pow", canonical(node.left), canonical(node.right))


def _collect_sum(node: IR, terms: list[Canon], negate: bool) -> None:
    """Flatten nested + and - into terms; `a - b` contributes b with one more minus sign."""
    if isinstance(node, Binary) and node.op in ("add", "sub"):
        _collect_sum(node.left, terms, negate)
        _collect_sum(node.right, terms, negate if node.op == "add" else True)
        return
    form = _canon(node)
    if negate:
        negs, factors = _as_product(form)
        form = _product(negs + 1, factors)
    terms.append(form)


def _collect_product(node: IR) -> tuple[int, list[Canon]]:
    """Flatten nested * and / into (minus signs, factors); a divisor becomes inv(divisor)."""
    if isinstance(node, Binary) and (node.op in _PRODUCTS or node.op == "div"):
        left_negs, left = _collect_product(node.left)
        if node.op != "div":
            right_negs, right = _collect_product(node.right)
            return left_negs + right_negs, left + right
        return left_negs, [*left, ("inv", canonical(node.right))]
    return _as_product(_canon(node))


def _collect_hadamard(node: IR, items: list[Canon]) -> None:
    if isinstance(node, Binary) and node.op == "had":
        _collect_hadamard(node.left, items)
        _collect_hadamard(node.right, items)
        return
    items.append(canonical(node))
