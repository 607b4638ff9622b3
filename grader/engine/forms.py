"""Form requirements on a written answer, as STACK's answer tests have them.

Equivalence says an answer has the right value; a form requirement says it is written the way
the exercise asks. Each form is decided on the parsed tree of the answer's right-hand side (what
the student wrote, before names are resolved), so `2(x + 1)` and `2x + 2` differ here even
though they are equal:

- `expanded` (STACK's Expanded): no product or quotient numerator with a sum as a factor and no
  whole-number power (>= 2) of a sum, anywhere, function arguments included. A sum subtracted
  or negated is fine (`w - (a + b)` expands to itself once brackets in sums are dropped).
- `factored` (STACK's FacForm, on our tree): no sum anywhere whose terms all share a factor
  (a name, a call, a power's base or a whole number > 1); the whole answer is then a product of
  irreducible-looking factors. Polynomial factorisations that need algebra (`x^2 - 1` as
  `(x - 1)(x + 1)`) are not looked for.
- `simplified`: no arithmetic left on numbers alone (`2*3`, `1 + 1`, `2^3`, `4/2`), no
  identity operation (`*1`, `/1`, `+0`, `-0`, `^1`, `^0`, `0*x`), no double minus, and no two
  like terms in one sum (`x + x`, `2 w - w`: terms equal up to a numeric coefficient).
- `no_derivatives`: no derivative left to evaluate: no `Derivative(...)`/`diff(...)` call, no
  `d/dx`, `\\partial`, `\\nabla` or `dL/dW` quotient of differentials, no primed function
  (`sigma'(x)` where the exercise asks for the derivative worked out).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from fractions import Fraction
from types import MappingProxyType

from grader.engine.context import Context
from grader.engine.functions import BUILTINS
from grader.engine.symbols import SymbolKind, key_of
from grader.mathlang import final_rhs, to_text
from grader.mathlang.ast import BinOp, Call, Derivative, Name, Neg, Node, Number, walk

FormCheck = Callable[[Node], list[str]]

_DERIVATIVE_CALLS = frozenset({"Derivative", "diff", "D", "grad", "deriv", "nabla"})
_DERIVATIVE_NAMES = frozenset({"partial", "nabla", "d"})


def _strip(node: Node) -> Node:
    while isinstance(node, Neg):
        node = node.operand
    return node


def _is_sum(node: Node) -> bool:
    node = _strip(node)
    return isinstance(node, BinOp) and node.op in ("+", "-")


def _terms(node: Node) -> list[Node]:
    """The terms of a sum (signs dropped), flattened."""
    node = _strip(node)
    if isinstance(node, BinOp) and node.op in ("+", "-"):
        return _terms(node.left) + _terms(node.right)
    return [node]


def _factors(node: Node) -> list[Node]:
    """The factors of a product (signs dropped), flattened."""
    node = _strip(node)
    if isinstance(node, BinOp) and node.op == "*":
        return _factors(node.left) + _factors(node.right)
    return [node]


def _expanded(tree: Node) -> list[str]:
    for node in walk(tree):
        if not isinstance(node, BinOp):
            continue
        sides = {"*": (node.left, node.right), "/": (node.left,)}.get(node.op, ())
        if node.op == "^" and _is_sum(node.left):
            power = _strip(node.right)
            if isinstance(power, Number) and power.value.denominator == 1 and power.value >= 2:
                sides = (node.left,)
        if any(_is_sum(side) for side in sides):
            return [f"{to_text(node)} is not expanded: multiply out the brackets."]
    return []


def _base(factor: Node) -> Node:
    """A factor without its power, so that x and x^2 share x."""
    if isinstance(factor, BinOp) and factor.op == "^":
        return factor.left
    return factor


def _common(terms: list[Node]) -> str | None:
    """A factor every term shares (as text), or None."""
    shared: set[str] | None = None
    numbers: list[Fraction] = []
    for term in terms:
        factors = _factors(term)
        numbers.append(
            next((f.value for f in factors if isinstance(f, Number)), Fraction(1))
        )
        names = {to_text(_base(f)) for f in factors if not isinstance(f, Number)}
        shared = names if shared is None else shared & names
    if shared:
        return sorted(shared)[0]
    whole = [n for n in numbers if n.denominator == 1 and n != 0]
    if len(whole) == len(numbers):
        divisor = 0
        for n in whole:
            divisor = _gcd(divisor, abs(n.numerator))
        if divisor > 1:
            return str(divisor)
    return None


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _factored(tree: Node) -> list[str]:
    for node in walk(tree):
        if isinstance(node, BinOp) and node.op in ("+", "-"):
            shared = _common(_terms(node))
            if shared is not None:
                return [f"{to_text(node)} is not factored: every term has the factor {shared}."]
    return []


def _numeric(node: Node) -> bool:
    return isinstance(_strip(node), Number)


def _value(node: Node) -> Fraction | None:
    inner = _strip(node)
    return inner.value if isinstance(inner, Number) else None


def _identity(node: BinOp) -> bool:
    left, right = _value(node.left), _value(node.right)
    if node.op == "*":
        return left in (0, 1) or right in (0, 1)
    if node.op == "/":
        return right == 1 or left == 0
    if node.op in ("+", "-"):
        return left == 0 or right == 0
    if node.op == "^":
        return right in (0, 1)
    return False


def _like_terms(node: Node) -> str | None:
    seen: set[str] = set()
    for term in _terms(node):
        rest = sorted(to_text(f) for f in _factors(term) if not isinstance(f, Number))
        key = " * ".join(rest)
        if not key:
            continue
        if key in seen:
            return key
        seen.add(key)
    return None


def _simplified(tree: Node) -> list[str]:
    for node in walk(tree):
        if isinstance(node, Neg) and isinstance(node.operand, Neg):
            return [f"{to_text(node)} has a double minus."]
        if not isinstance(node, BinOp):
            continue
        if node.op in ("+", "-", "*", "/", "^") and _numeric(node.left) and _numeric(node.right):
            if not (node.op == "/" and _lowest_terms(node)):
                return [f"{to_text(node)} can still be worked out."]
        if _identity(node):
            return [f"{to_text(node)} contains an operation that changes nothing."]
        if node.op in ("+", "-"):
            like = _like_terms(node)
            if like is not None:
                return [f"{to_text(node)} has like terms in {like} to collect."]
    return []


def _lowest_terms(node: BinOp) -> bool:
    """A written fraction of whole numbers in lowest terms (`1/3` is simplified, `2/4` not)."""
    top, bottom = _value(node.left), _value(node.right)
    if top is None or bottom is None or top.denominator != 1 or bottom.denominator != 1:
        return False
    return bottom not in (0, 1) and _gcd(abs(top.numerator), abs(bottom.numerator)) == 1


def _differential(node: Node) -> bool:
    return isinstance(node, Name) and node.sub is None and len(node.base) >= 2 and (
        node.base[0] == "d" and node.base[1].isalpha()
    )


def _no_derivatives(tree: Node) -> list[str]:
    for node in walk(tree):
        if isinstance(node, Derivative):  # `\\frac{\\partial L}{\\partial W}`, `Derivative(f, x)`
            return [f"{to_text(node)} is a derivative left to work out."]
        if isinstance(node, Call) and (node.primes or node.func.base in _DERIVATIVE_CALLS):
            return [f"{to_text(node)} is a derivative left to work out."]
        if isinstance(node, Name) and node.base in _DERIVATIVE_NAMES:
            return [f"{to_text(node)} is a derivative operator left in the answer."]
        if (
            isinstance(node, BinOp)
            and node.op == "/"
            and _differential(_factors(node.left)[0])
            and _differential(_factors(node.right)[0])
        ):
            return [f"{to_text(node)} is a derivative left to work out."]
    return []


FORMS: Mapping[str, FormCheck] = MappingProxyType(
    {
        "expanded": _expanded,
        "factored": _factored,
        "simplified": _simplified,
        "no_derivatives": _no_derivatives,
    }
)


def form_problems(form: str, answer: Node, context: Context | None = None) -> list[str]:
    """Why `answer` (its right-hand side) is not in `form` (empty when it is); KeyError for
    a form that does not exist (the rubric loader checks names against FORMS). With a
    `context`, `eta (g + w)` is a product, as the resolver reads it, not a call of `eta`."""
    tree = final_rhs(answer)[0]
    return FORMS[form](_products(tree, context) if context is not None else tree)


def _is_call(node: Call, context: Context) -> bool:
    info = context.lookup(key_of(node.func))
    if info is not None:
        return info.kind is SymbolKind.FUNCTION
    return node.func.base in BUILTINS or node.func.base == "delta" or bool(node.primes)


def _products(node: Node, context: Context) -> Node:
    """The tree with every bracket after a non-function name read as a product."""
    changes: dict[str, object] = {}
    for item in fields(node):
        value = getattr(node, item.name)
        if isinstance(value, tuple):
            new = tuple(_products(v, context) if _is_node(v) else v for v in value)
            if new != value:
                changes[item.name] = new
        elif _is_node(value) and item.name != "sub_expr":
            rebuilt = _products(value, context)
            if rebuilt is not value:
                changes[item.name] = rebuilt
    node = replace(node, **changes) if changes else node  # type: ignore[arg-type]
    if isinstance(node, Call) and len(node.args) == 1 and not _is_call(node, context):
        return BinOp("*", node.func, node.args[0], True, node.span)
    return node


def _is_node(value: object) -> bool:
    return hasattr(value, "__dataclass_fields__") and hasattr(value, "span")
