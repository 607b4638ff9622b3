"""The answer language: one safe grammar for the plain text and the LaTeX students write.

`parse` turns an answer into the tree of `grader.mathlang.ast` (and nothing else: no student text is
ever evaluated); `to_text` and `to_latex` render a tree back; `final_rhs` picks the right-hand side
of an equation such as `\\frac{\\partial L}{\\partial W} = ...`. The notation is listed in
LANGUAGE.md next to this file.
"""

from __future__ import annotations

from grader.mathlang.ast import Node, Relation
from grader.mathlang.errors import ParseError
from grader.mathlang.limits import DEFAULT_LIMITS, Limits
from grader.mathlang.parser import parse
from grader.mathlang.printer import to_latex, to_text

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParseError",
    "final_rhs",
    "parse",
    "to_latex",
    "to_text",
]


def final_rhs(node: Node) -> tuple[Node, bool]:
    """The right-hand side of a top-level equation or assignment and True (`LHS = RHS` and
    `w := RHS` -> RHS; for a chain `a = b = c` the last side, c); otherwise `(node, False)`."""
    if isinstance(node, Relation) and node.op in ("=", ":="):
        return node.right, True
    return node, False
