"""Building and printing reference expressions as answer-language trees.

Solvers build `grader.mathlang.ast` nodes directly (never by parsing text) and print them with
`render`, a small printer for the subset of the language the references use. The printer puts
parentheses wherever a reader, or our parser, could group differently: a right operand of the
same precedence, mixed `*` / `.*` products, a unary minus or a sum used as an operand. So the
printed text reads back to the very tree that was built (checked by the tests against the parser).
"""

from __future__ import annotations

from fractions import Fraction

from grader.mathlang.ast import (
    BinOp,
    Call,
    Indicator,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    Sum,
    Transpose,
)


class UnsupportedNode(TypeError):
    """A node type or shape the reference printer does not handle."""


# Binding strength of the binary operators (higher binds tighter).
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "hadamard": 2, "^": 3}
_POSTFIX = 4  # transposes
_ATOM = 5  # names, numbers, calls, indicators, parenthesised groups
_OP_TEXT = {"+": " + ", "-": " - ", "*": " * ", "/": " / ", "hadamard": " .* ", "^": "^"}
_REL_TEXT = {"=": " = ", "!=": " != ", "<": " < ", "<=": " <= ", ">": " > ", ">=": " >= "}


# ---------------------------------------------------------------------------------------------
# builders


def name(base: str, sub: str | None = None, sub_expr: Node | None = None) -> Name:
    """A name node: `name("s", "out")` is `s_out`, `name("W1")` is `W1`."""
    return Name(base, sub, sub_expr)


def number(value: int | Fraction) -> Number:
    """A non-negative integer literal (negative values are built with `Neg`)."""
    if value < 0 or Fraction(value).denominator != 1:
        raise UnsupportedNode(f"only non-negative integer literals are printed, got {value}")
    return Number(str(int(value)), Fraction(value))


def call(func: Name, *args: Node, primes: int = 0) -> Call:
    """`func(args)`, with `primes` derivative marks (`f3'(s_out)`)."""
    return Call(func, tuple(args), primes)


def mul(left: Node, right: Node) -> Node:
    """The product `left * right`, re-associated to the left.

    Products are associative (for matrices too), so `a * (b * c)` is built as `(a * b) * c`:
    the form a person writes without brackets.
    """
    if isinstance(right, BinOp) and right.op == "*":
        return BinOp("*", mul(left, right.left), right.right)
    return BinOp("*", left, right)


def hadamard(left: Node, right: Node) -> BinOp:
    """The elementwise product `left .* right`."""
    return BinOp("hadamard", left, right)


def minus(left: Node, right: Node) -> BinOp:
    """`left - right`."""
    return BinOp("-", left, right)


def plus(left: Node, right: Node) -> BinOp:
    """`left + right`."""
    return BinOp("+", left, right)


def transpose(operand: Node) -> Transpose:
    """`operand^T`."""
    return Transpose(operand)


# ---------------------------------------------------------------------------------------------
# views


def scalar_view(node: Node) -> Node:
    """The scalar reading of a matrix-form tree: transposes dropped, `.*` read as `*`.

    This is how the sheet's hint writes gradients (every quantity a scalar).
    """
    if isinstance(node, Transpose):
        return scalar_view(node.operand)
    if isinstance(node, BinOp):
        op = "*" if node.op == "hadamard" else node.op
        return BinOp(op, scalar_view(node.left), scalar_view(node.right))
    if isinstance(node, Neg):
        return Neg(scalar_view(node.operand))
    if isinstance(node, Call):
        return Call(node.func, tuple(scalar_view(a) for a in node.args), node.primes)
    if isinstance(node, (Name, Number)):
        return node
    raise UnsupportedNode(f"no scalar view of {type(node).__name__}")


# ---------------------------------------------------------------------------------------------
# printing


def render(node: Node) -> str:
    """The node as answer-language text (plain ASCII)."""
    text, _ = _render(node)
    return text


def _render(node: Node) -> tuple[str, int]:
    """Text and binding strength of `node`."""
    if isinstance(node, Name):
        return _name_text(node), _ATOM
    if isinstance(node, Number):
        return node.text, _ATOM
    if isinstance(node, Call):
        args = ", ".join(render(a) for a in node.args)
        return f"{_name_text(node.func)}{chr(39) * node.primes}({args})", _ATOM
    if isinstance(node, Transpose):
        return _wrap(node.operand, _POSTFIX) + "^T", _POSTFIX
    if isinstance(node, Neg):
        return "-" + _wrap(node.operand, _PRECEDENCE["^"]), 0
    if isinstance(node, BinOp):
        return _render_binop(node), _PRECEDENCE[node.op]
    if isinstance(node, Indicator):
        return "1[" + ", ".join(render(c) for c in node.conditions) + "]", _ATOM
    if isinstance(node, Relation):
        return render(node.left) + _REL_TEXT[node.op] + render(node.right), 0
    if isinstance(node, Sum):
        return _render_sum(node), 0
    raise UnsupportedNode(f"the reference printer does not print {type(node).__name__}")


def _render_binop(node: BinOp) -> str:
    prec = _PRECEDENCE[node.op]
    if node.op == "^":  # right-associative
        return _wrap(node.left, prec + 1) + "^" + _wrap(node.right, prec)
    product = node.op if prec == _PRECEDENCE["*"] else None
    left = _wrap(node.left, prec, other_products=product, allow_neg=prec == 1)
    right = _wrap(node.right, prec + 1)
    return left + _OP_TEXT[node.op] + right


def _wrap(
    node: Node, needed: int, *, other_products: str | None = None, allow_neg: bool = False
) -> str:
    """Text of an operand, parenthesised unless it binds at least as tightly as `needed`.

    A unary minus (strength 0) is only left bare as the first term of a sum; products of a
    different kind (`*` inside `.*` or the reverse) are always parenthesised.
    """
    text, strength = _render(node)
    if isinstance(node, Neg) and allow_neg:
        return text
    mixed = (
        other_products is not None
        and isinstance(node, BinOp)
        and node.op != other_products
        and _PRECEDENCE[node.op] == 2
    )
    if strength < needed or mixed:
        return f"({text})"
    return text


def _render_sum(node: Sum) -> str:
    if node.lower is not None or node.upper is not None or not node.conditions:
        raise UnsupportedNode("the reference printer prints sums with conditions only")
    conditions = ", ".join(render(c) for c in node.conditions)
    return f"sum_{{{conditions}}}({render(node.body)})"


def _name_text(node: Name) -> str:
    if node.sub is None:
        return node.base
    if node.sub.isascii() and node.sub.isalnum():
        return f"{node.base}_{node.sub}"
    return f"{node.base}_{{{node.sub}}}"
