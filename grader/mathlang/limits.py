"""Size limits for parsing student answers.

Everything a student controls is bounded: the text length, bracket nesting, the number and depth of
tree nodes, the digits of a literal, and the magnitude of constant exponents and factorials (so that
`9**9**9**9` or `factorial(10**10)` never reaches a computer-algebra system).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Bounds applied by `parse`; every field must be a positive integer.

    `max_tree_depth` bounds the depth of the finished tree (operator chains such as `a+b+c+...` nest
    without brackets), so that code walking a parsed tree recursively stays far from Python's
    recursion limit.
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


DEFAULT_LIMITS = Limits()
