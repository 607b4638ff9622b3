"""The expression tree of the answer language.

The parser (plain text and LaTeX alike) builds these nodes and nothing else; no student text
is ever handed to `eval`, `sympify` or any other interpreter. Names are kept *unresolved*
(`Name(base, sub)`): which names exist, which are functions, vectors, index families or the
Kronecker delta is decided later against the rubric's context (`grader.engine`).

Every node carries a `span` (start, end offsets into the answer text) for located messages;
spans take no part in equality, so two trees compare equal when they have the same structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) of a node in the text it was parsed from."""

    start: int
    end: int


NO_SPAN = Span(0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Number:
    """A numeric literal. `value` is exact (the decimal text read as a fraction: 0.1 == 1/10);
    `text` is the literal as written (`1.50`, `5.1e-2`) for significant-figure rules."""

    text: str
    value: Fraction
    span: Span = _span()


@dataclass(frozen=True)
class Name:
    """An identifier with an optional subscript, not yet resolved against a context.

    `base` is canonical: LaTeX commands lose their backslash and Greek letters are spelled out
    (`\\delta`, `δ` and `delta` all give "delta"; `\\mathcal{L}` gives "L"). `sub` is the
    subscript's canonical text: braces, spaces, `\\text{}`/`\\mathrm{}` wrappers removed
    (`s_{out}`, `s_out`, `s_{\\text{out}}` all give sub "out"; `z_{k - 1}` gives "k-1";
    `p_{y_i}` gives "y_i"). `sub_expr` is the subscript parsed as an expression when it is one
    (`k-1` -> BinOp), else None. Plain `W1` is Name("W1", None): deciding that it means the same
    as `W_1` is the resolver's job.
    """

    base: str
    sub: str | None = None
    sub_expr: Node | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    """A function application `f(x, y)`, possibly with primes for derivatives.

    `f3'(s)`, `f_3'(s)` and `f_3^{\\prime}(s)` give Call(Name("f3" or "f","3"), primes=1).
    `\\exp`, `\\log`, `\\max`, `\\sqrt{x}` (-> "sqrt"), `\\sqrt[n]{x}` (-> "root", args (x, n)),
    `\\operatorname{diag}(v)` (-> "diag") are calls too. A name followed by a bracket is always
    parsed as a call; the resolver turns `z2 (a+b)` into a product when `z2` is not a function.
    """

    func: Name
    args: tuple[Node, ...]
    primes: int = 0
    span: Span = _span()


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Node
    span: Span = _span()


# Binary operators: "+", "-", "*", "/", "^", and "hadamard" for ⊙ / \odot / .* / \circ.
# "*" is the one product of the language: `*`, `\cdot`, `\times`, `·`, `×` and juxtaposition all
# give it; whether it is a scalar, matrix or elementwise product is decided by the shapes.
BINARY_OPS = frozenset({"+", "-", "*", "/", "^", "hadamard", "setminus"})


@dataclass(frozen=True)
class BinOp:
    """A binary operation; `op` is one of BINARY_OPS. `implicit` marks juxtaposition;
    `bracket` a juxtaposed right operand written in parentheses (`\\frac{d f}{ds}(s)` may be the
    derivative at s); `layer` a power written with a bracketed superscript (`\\delta^{(k)}`,
    `W^{[2]}`), which a rubric may declare as a layer index. None takes part in equality."""

    op: str
    left: Node
    right: Node
    implicit: bool = field(default=False, compare=False)
    span: Span = _span()
    layer: bool = field(default=False, compare=False, repr=False)
    bracket: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True)
class Transpose:
    """`A^T`, `A^{T}`, `A^\\top`, `A^{\\top}`, `A^⊤`."""

    operand: Node
    span: Span = _span()


@dataclass(frozen=True)
class Factorial:
    """`n!`."""

    operand: Node
    span: Span = _span()


@dataclass(frozen=True)
class Abs:
    """`|x|`, `\\left| x \\right|`, `\\lvert x \\rvert` (and `Abs(x)`/`abs(x)` stay calls)."""

    operand: Node
    span: Span = _span()


# Relation operators, canonical: "=", "!=", "<", "<=", ">", ">=", "in" (`\\in`, `∈`, in a sum's
# range), and ":=" for a top-level assignment (`:=`, `\\leftarrow`, `\\gets`, `←`).
RELATION_OPS = frozenset({"=", "!=", "<", "<=", ">", ">=", "in", ":="})


@dataclass(frozen=True)
class Relation:
    """`a op b`: inside indicators and sum conditions, or a whole answer `LHS = RHS`."""

    op: str
    left: Node
    right: Node
    span: Span = _span()


@dataclass(frozen=True)
class Logic:
    """A whole answer made of relations joined by `and` or `or` (`x > 1 and x < 5`,
    `x = 2 or x = -2`); `op` is "and" or "or", an "or" may hold "and"s, never the reverse."""

    op: str
    items: tuple[Node, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Indicator:
    """`1[c]`, `\\mathbb{1}[c]`, `\\mathbb{1}\\{c\\}`, `\\mathbf{1}_{c}`, `𝟙[c]`, Iverson `[c]`.

    Several conditions (comma or `\\land`/`and`) mean all of them."""

    conditions: tuple[Relation, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Sum:
    """`\\sum_{l \\neq y_i} body`, `\\sum_{l=1}^{k} body`, `sum_{l != y}(body)`, `\\sum_l body`.

    `index` is the bound index; `conditions` restrict it (`l != y_i`); `lower`/`upper` give a
    range when written (`l=1`, `^{k}`). The body of a LaTeX sum is the product term that follows
    (up to the next `+`/`-` at the same level). `Sum(body, (n, 0, 3))` is parsed to this node too.
    """

    index: Name
    body: Node
    conditions: tuple[Relation, ...] = ()
    lower: Node | None = None
    upper: Node | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Derivative:
    """The `order`-th derivative of `body` by the variable `var`.

    `\\frac{\\partial L}{\\partial W}`, `\\frac{d f_2}{d s_2}`, `\\frac{dy}{dx}`,
    `\\frac{\\partial^2 f}{\\partial x^2}`, the operator forms `\\frac{d}{dx} f` (the product term
    that follows) and `Derivative(f, x)`, `Derivative(f, (x, 2))`. What it means (a declared
    symbol, a derivative worked out, a function's derivative applied to what follows) is the
    resolver's business."""

    body: Node
    var: Name
    order: int = 1
    span: Span = _span()


@dataclass(frozen=True)
class SetLit:
    """`\\{a, b\\}`, `\\{2\\}` (a one-element set is a set), `\\{1, \\dots, k\\}`."""

    items: tuple[Node, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Dots:
    """The `\\dots` of a range `\\{1, \\dots, k\\}`."""

    span: Span = _span()


@dataclass(frozen=True)
class TupleLit:
    """`(a, b, c)` with two or more items, e.g. the `(s, 2)` of `Derivative(q(s), (s, 2))`."""

    items: tuple[Node, ...]
    span: Span = _span()


@dataclass(frozen=True)
class ListLit:
    """`[a, b]`: a list (rows of `Matrix([[1, 2], [3, 4]])`, answers such as `[3.141, 1.414]`)."""

    items: tuple[Node, ...]
    span: Span = _span()


Node = (
    Number
    | Name
    | Call
    | Neg
    | BinOp
    | Transpose
    | Factorial
    | Abs
    | Relation
    | Indicator
    | Logic
    | Sum
    | Derivative
    | SetLit
    | Dots
    | TupleLit
    | ListLit
)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in reading order (subscript expressions excluded)."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, (Neg, Transpose, Factorial, Abs)):
        return (node.operand,)
    if isinstance(node, (BinOp, Relation)):
        return (node.left, node.right)
    if isinstance(node, Indicator):
        return node.conditions
    if isinstance(node, Logic):
        return node.items
    if isinstance(node, Sum):
        extra = tuple(n for n in (node.lower, node.upper) if n is not None)
        return (node.index, *node.conditions, *extra, node.body)
    if isinstance(node, (TupleLit, ListLit, SetLit)):
        return node.items
    if isinstance(node, Derivative):
        return (node.body, node.var)
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes of the tree in pre-order, iteratively (trees may be deep)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out
