"""Declared symbols: kinds, declarations and the loose-spelling key of a name.

Name matching is "loose spelling": a written name matches a declared symbol or alias when their
KEYS are equal, key = base + subscript with '_', '{', '}' and spaces removed, case-sensitive
(`s_1`, `s_{1}` and `s1` share the key "s1"; `w1` does not match `W1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from grader.engine.shapes import Shape
from grader.mathlang import to_text
from grader.mathlang.ast import BinOp, Call, Derivative, Name, Node

_KEY_DROP = MappingProxyType(str.maketrans("", "", "_{} "))


def name_key(base: str, sub: str | None = None) -> str:
    """The loose-spelling key of a name: base + subscript without '_', '{', '}' and spaces."""
    return (base + (sub or "")).translate(_KEY_DROP)


def key_of(name: Name) -> str:
    """The loose-spelling key of a parsed name."""
    return name_key(name.base, name.sub)


def derivative_key(body: Name, var: Name | None, order: int = 1) -> str:
    """The key of a derivative written as one quantity (`\\frac{\\partial L}{\\partial w}`,
    `\\nabla_w L`), so that a rubric can declare it as a symbol."""
    wrt = "" if var is None else key_of(var)
    return f"d{order}({key_of(body)})/d({wrt})"


def layer_key(name: Name, index: Node) -> str:
    """The key of a name with a layer index as a superscript (`\\delta^{(k)}`, `z^{(k-1)}`)."""
    return f"{key_of(name)}^({to_text(index).replace(' ', '')})"


def spelling_key(node: Node) -> str | None:
    """The key of a declared spelling: a name, a derivative of a name by a name, or a name with
    a layer superscript; None for anything else."""
    if isinstance(node, Name):
        return key_of(node)
    if isinstance(node, Derivative) and isinstance(node.body, Name):
        return derivative_key(node.body, node.var, node.order)
    if (
        isinstance(node, Call)
        and node.func.base == "nabla"
        and not node.primes
        and len(node.args) == 1
        and isinstance(node.args[0], Name)
    ):
        var = None if node.func.sub is None else Name(node.func.sub)
        return derivative_key(node.args[0], var)
    if isinstance(node, BinOp) and node.op == "^" and node.layer and isinstance(node.left, Name):
        return layer_key(node.left, node.right)
    return None


def name_text(name: Name) -> str:
    """A name as a student would recognise it (`W_out`, `z_{k-1}`), for messages."""
    if name.sub is None:
        return name.base
    if name.sub.isalnum():
        return f"{name.base}_{name.sub}"
    return f"{name.base}_{{{name.sub}}}"


class SymbolKind(StrEnum):
    """What a declared symbol is."""

    SCALAR = "scalar"
    VECTOR = "vector"  # a column vector
    MATRIX = "matrix"
    FUNCTION = "function"  # elementwise, differentiable: primes are derivatives
    FAMILY = "family"  # a vector indexed by class (o_j, p_{y_i})
    LABEL = "label"  # a class index value (the true class y_i)
    COUNT = "count"  # the number of classes


# Kinds that have a numeric value of their own (usable in products and sums).
VALUE_KINDS = frozenset({SymbolKind.SCALAR, SymbolKind.VECTOR, SymbolKind.MATRIX, SymbolKind.COUNT})


@dataclass(frozen=True)
class SymbolInfo:
    """One declared symbol. `shape` is (rows, cols) for scalars, vectors and matrices."""

    name: str
    kind: SymbolKind
    shape: Shape | None = None
    aliases: tuple[str, ...] = ()
    define: Node | None = None
