"""Size limits for parsing student answers.

Everything a student controls is bounded: the text length, bracket nesting, the number and depth of
tree nodes, the digits of a literal, and the magnitude of constant exponents and factorials (so that
`9**9**9**9` or `factorial(10**10)` never reaches a computer-algebra system).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MAX_NESTING = 200  # the largest max_depth / max_tree_depth (see Limits)


@dataclass(frozen=True)
class Limits:
    """Bounds applied by `parse`; every field must be a positive integer.

    `max_tree_depth` bounds the depth of the finished tree (operator chains such as `a+b+c+...` nest
    without brackets), so that code walking a parsed tree recursively stays far from Python's
    recursion limit. For the same reason `max_depth` and `max_tree_depth` are at most
    `MAX_NESTING` (200): comparing or printing a tree takes 2-3 Python frames per level.
    """

    max_length: int = 2000  # characters of text
    max_depth: int = 60  # bracket nesting (all kinds, including |...| and LaTeX braces)
    max_nodes: int = 3000  # nodes in the tree
    max_digits: int = 60  # digits in one numeric literal
    max_exponent: int = 10000  # largest |constant exponent| (also of a literal's e-notation)
    max_factorial: int = 1000  # largest constant argument of !, factorial(), binomial()
    max_tree_depth: int = 100  # depth of the finished tree

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{item.name} must be a positive integer, not {value!r}")
        if max(self.max_depth, self.max_tree_depth) > MAX_NESTING:
            raise ValueError(f"Limits.max_depth and max_tree_depth must be at most {MAX_NESTING}")


DEFAULT_LIMITS = Limits()
