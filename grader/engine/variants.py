"""Rewriting resolved trees: the reference as a declared mistake would make it."""

from __future__ import annotations

from dataclasses import fields, replace
from fractions import Fraction

from grader.engine.ir import IR, Const


def replace_node(tree: IR, target: IR, by: IR | None = None) -> IR:
    """`tree` with the node `target` (found by identity, not equality, so that one of two
    equal factors can be dropped) replaced by `by` (default: the constant 1)."""
    new = by if by is not None else Const(Fraction(1), target.src)
    return _rebuild(tree, target, new)


def _rebuild(node: IR, target: IR, new: IR) -> IR:
    if node is target:
        return new
    changes: dict[str, object] = {}
    for item in fields(node):
        value = getattr(node, item.name)
        if item.name == "src":
            continue
        if isinstance(value, tuple):
            items = tuple(_rebuild_any(v, target, new) for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[item.name] = items
        else:
            rebuilt_one = _rebuild_any(value, target, new)
            if rebuilt_one is not value:
                changes[item.name] = rebuilt_one
    return replace(node, **changes) if changes else node  # type: ignore[arg-type]


def _rebuild_any(value: object, target: IR, new: IR) -> object:
    if hasattr(value, "__dataclass_fields__") and hasattr(value, "src"):
        return _rebuild(value, target, new)  # type: ignore[arg-type]
    return value
