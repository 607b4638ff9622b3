"""Size checks on a finished tree: node count, depth, and constants that would explode.

`9**9**9**9` parses into four small numbers, but its outer exponent is a constant far beyond
`max_exponent`; `factorial(10**10)` has a constant argument beyond `max_factorial`. Constant
subexpressions are evaluated here in floating point, together with the base-10 logarithm of their
size, never exactly, so that checking is itself cheap. Everything is iterative.
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import MappingProxyType

from grader.mathlang.ast import (
    BinOp,
    Call,
    Factorial,
    Name,
    Neg,
    Node,
    Number,
    children,
)
from grader.mathlang.errors import Failure
from grader.mathlang.limits import Limits
from grader.model import Reason

# A constant may have at most this many times `max_exponent` decimal digits (`(2^10000)^10000`).
MAGNITUDE_FACTOR = 10
_NAMED_CONSTANTS = MappingProxyType({"pi": math.pi, "E": math.e, "e": math.e})

# A constant's value (possibly inf) and log10 of its absolute value; None when not constant.
Const = tuple[float, float] | None


def check_tree(root: Node, limits: Limits) -> None:
    """Raise Failure (TOO_LARGE / TOO_DEEP) when the tree exceeds `limits`."""
    nodes = _nodes(root, limits)
    if any(isinstance(node, (BinOp, Factorial, Call)) for node in nodes):
        _check_constants(nodes, limits)


def _nodes(root: Node, limits: Limits) -> list[Node]:
    """All nodes in pre-order (like `ast.walk`), checking their number and the tree's depth."""
    out: list[Node] = []
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_tree_depth:
            raise Failure(
                Reason.TOO_DEEP,
                f"The answer is nested more than {limits.max_tree_depth} levels deep.",
                node.span.start,
            )
        if len(out) == limits.max_nodes:
            raise Failure(
                Reason.TOO_LARGE,
                f"The answer has too many parts (more than {limits.max_nodes}).",
                node.span.start,
            )
        out.append(node)
        stack.extend((child, depth + 1) for child in reversed(children(node)))
    return out


def _check_constants(nodes: list[Node], limits: Limits) -> None:
    # In pre-order every node comes before its descendants, so the reverse visits children first.
    values: dict[int, Const] = {}
    bound = MAGNITUDE_FACTOR * limits.max_exponent
    for node in reversed(nodes):
        value = _evaluate(node, values, limits)
        if value is not None and math.isfinite(value[1]) and abs(value[1]) > bound:
            raise Failure(
                Reason.TOO_LARGE,
                f"This constant has more than {bound} digits.",
                node.span.start,
            )
        values[id(node)] = value


def _evaluate(node: Node, values: dict[int, Const], limits: Limits) -> Const:
    if isinstance(node, Number):
        return _from_fraction(node.value)
    if isinstance(node, Name):
        constant = _NAMED_CONSTANTS.get(node.base) if node.sub is None else None
        return None if constant is None else (constant, math.log10(constant))
    if isinstance(node, Neg):
        inner = values[id(node.operand)]
        return None if inner is None else (-inner[0], inner[1])
    if isinstance(node, BinOp):
        return _binary(node, values[id(node.left)], values[id(node.right)], limits)
    if isinstance(node, Factorial):
        return _factorial(node.operand, values[id(node.operand)], limits)
    if isinstance(node, Call):
        return _call(node, [values[id(arg)] for arg in node.args], limits)
    return None


def _from_fraction(value: Fraction) -> Const:
    magnitude = (
        -math.inf
        if value == 0
        else math.log10(abs(value.numerator)) - math.log10(value.denominator)
    )
    try:
        return float(value), magnitude
    except OverflowError:
        return math.copysign(math.inf, value), magnitude


def _make(value: float, magnitude: float) -> Const:
    return None if math.isnan(value) or math.isnan(magnitude) else (value, magnitude)


def _binary(node: BinOp, left: Const, right: Const, limits: Limits) -> Const:
    if node.op == "^":
        return _power(node, left, right, limits)
    if left is None or right is None:
        return None
    (a, ma), (b, mb) = left, right
    if node.op in ("+", "-"):
        value = a + b if node.op == "+" else a - b
        return _make(value, _log10(value, max(ma, mb) + math.log10(2)))
    if node.op in ("*", "hadamard"):
        return _make(a * b, ma + mb)
    if b == 0:
        return None
    return _make(a / b, ma - mb)


def _log10(value: float, fallback: float) -> float:
    """log10|value|, or `fallback` (an upper bound) when value overflowed."""
    if math.isinf(value):
        return fallback
    return -math.inf if value == 0 else math.log10(abs(value))


def _power(node: BinOp, base: Const, exponent: Const, limits: Limits) -> Const:
    if exponent is None:
        return None
    e = exponent[0]
    if abs(e) > limits.max_exponent:
        raise Failure(
            Reason.TOO_LARGE,
            f"This exponent is larger than {limits.max_exponent}.",
            node.right.span.start,
        )
    if base is None or base[1] == -math.inf:  # unknown, or exactly zero
        return None
    if base[0] < 0 and e != int(e):
        return None  # not a real number
    try:
        value = math.pow(base[0], e)
    except (OverflowError, ValueError):  # too large, or a float that underflowed to 0 ** -e
        value = math.inf
    return _make(value, base[1] * e)


def _factorial(argument_node: Node, argument: Const, limits: Limits) -> Const:
    if argument is None:
        return None
    n = argument[0]
    if abs(n) > limits.max_factorial:
        raise Failure(
            Reason.TOO_LARGE,
            f"A factorial of more than {limits.max_factorial} is too large.",
            argument_node.span.start,
        )
    if n < 0 or n != int(n):
        return None
    magnitude = math.lgamma(n + 1) / math.log(10)
    return _make(10.0**magnitude if magnitude < 300 else math.inf, magnitude)


def _call(node: Call, args: list[Const], limits: Limits) -> Const:
    name = node.func.base if node.func.sub is None and node.primes == 0 else ""
    if name == "factorial" and len(args) == 1:
        return _factorial(node.args[0], args[0], limits)
    if name == "binomial":
        for arg_node, arg in zip(node.args, args, strict=True):
            _factorial(arg_node, arg, limits)
        return None
    if name == "exp" and len(args) == 1 and args[0] is not None:
        x = args[0][0]
        if abs(x) > limits.max_exponent:
            raise Failure(
                Reason.TOO_LARGE,
                f"This exponent is larger than {limits.max_exponent}.",
                node.args[0].span.start,
            )
        return _make(math.exp(x) if x < 700 else math.inf, x / math.log(10))
    return None
