"""Grammar callbacks: each LALR reduction builds its piece of the tree directly.

The callbacks run inside lark's parser loop (no intermediate parse tree, no recursion) and keep no
state. Brackets first become `Group`s, because what a bracket means depends on where it stands:
`(a)` groups, `(a, b)` is a tuple, `[a, b]` a list, `[a > b]` an Iverson indicator, and `[a]` is a
list only inside another list or an argument list (`Matrix([[1]])`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from lark import Transformer

from grader.mathlang import tokens as tk
from grader.mathlang.ast import (
    NO_SPAN,
    Abs,
    BinOp,
    Call,
    Derivative,
    Dots,
    Factorial,
    Indicator,
    ListLit,
    Logic,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    SetLit,
    Span,
    Sum,
    Transpose,
    TupleLit,
)
from grader.mathlang.errors import Failure
from grader.model import Reason


@dataclass(frozen=True)
class Chain:
    """`a < b <= c`: operands and the operators between them."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class Conds:
    """Relation chains joined by `\\land`/`and`/`&&` (one item of a bracket)."""

    chains: tuple[Chain, ...]
    span: Span


@dataclass(frozen=True)
class Group:
    """A bracket whose meaning is not settled yet; kind is "(", "[", "\\{" or "{"."""

    kind: str
    items: tuple[Item, ...]
    trailing_comma: bool
    span: Span


@dataclass(frozen=True)
class Items:
    """The comma-separated content of a bracket."""

    items: tuple[Item, ...]
    trailing_comma: bool


@dataclass(frozen=True)
class SumHead:
    """`\\sum_{...}^{...}`: the subscript (a name, or bracket items) and the upper bound."""

    index: Name | None
    items: tuple[Item, ...]
    upper: Node | None
    span: Span


@dataclass(frozen=True)
class Row:
    """One row of a LaTeX matrix."""

    cells: tuple[Node, ...]
    span: Span


Item = Node | Group | Conds
# `\\sin^{-1}` and friends: the inverse function.
_INVERSES = MappingProxyType(
    {
        "sin": "arcsin",
        "cos": "arccos",
        "tan": "arctan",
        "sec": "arcsec",
        "csc": "arccsc",
        "cot": "arccot",
        "sinh": "arcsinh",
        "cosh": "arccosh",
        "tanh": "arctanh",
        "coth": "arccoth",
    }
)
_GROUP_KINDS = MappingProxyType({tk.LPAR: "(", tk.LSQB: "[", tk.LBRACE: "\\{", tk.LGROUP: "{"})


def _fail(message: str, offset: int) -> Failure:
    return Failure(Reason.SYNTAX, message, offset)


def _tok(child: Any) -> tk.Tok:
    token: tk.Tok = child
    return token


def _start(child: Any) -> int:
    if isinstance(child, tk.Tok):
        return _tok(child).start
    start: int = child.span.start
    return start


def _end(child: Any) -> int:
    if isinstance(child, tk.Tok):
        return _tok(child).end
    end: int = child.span.end
    return end


def _span(first: Any, last: Any) -> Span:
    return Span(_start(first), _end(last))


def number_value(literal: str) -> Fraction:
    """The exact value of a decimal literal (`5.1e-2` -> 51/1000), without floats."""
    mantissa, _, exponent = literal.lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = int((whole + fraction) or "0")
    scale = int(exponent or "0") - len(fraction)
    return Fraction(digits * 10**scale) if scale >= 0 else Fraction(digits, 10**-scale)


def name_of(tok: tk.Tok) -> Name:
    """The Name a NAME, FNAME or FUNC token stands for."""
    return Name(tok.value, tok.sub, tok.sub_expr, Span(tok.start, tok.end))


def finish(item: Any, in_list: bool = False) -> Node:
    """The node an item stands for; brackets are settled here (see the module docstring)."""
    if isinstance(item, Group):
        return _finish_group(item, in_list)
    if isinstance(item, (Conds, Chain)):
        raise _fail(
            "A condition such as 'a > b' can only appear in an indicator such as 1[a > b], "
            "in a sum's subscript or as a whole equation.",
            item.span.start,
        )
    node: Node = item
    return node


def _finish_group(group: Group, in_list: bool) -> Node:
    items = group.items
    if group.kind == "{":
        return finish(items[0])
    conditions = sum(isinstance(item, Conds) for item in items)
    if conditions:
        return _indicator_group(group, conditions)
    single = len(items) == 1 and not group.trailing_comma
    if group.kind == "(":
        if single:
            return finish(items[0])
        if len(items) < 2:
            raise _fail("A tuple needs at least two items, as in (a, b).", group.span.start)
        return TupleLit(tuple(finish(item) for item in items), group.span)
    if group.kind == "\\{":
        if not items:
            raise _fail("An empty set \\{\\} has no meaning here.", group.span.start)
        return SetLit(tuple(finish(item, in_list=True) for item in items), group.span)
    if single and not in_list and not _is_list_bracket(items[0]):
        return finish(items[0])  # `[a + b]` is a grouping
    return ListLit(tuple(finish(item, in_list=True) for item in items), group.span)


def _indicator_group(group: Group, conditions: int) -> Indicator:
    if conditions != len(group.items):
        raise _fail("Conditions and values are mixed in one bracket.", group.span.start)
    if group.kind == "(":
        raise _fail(
            "A condition in parentheses is only read as an indicator after 1, as in 1(a > b); "
            "or write [a > b].",
            group.span.start,
        )
    return Indicator(relations(group.items), group.span)


def _is_list_bracket(item: Item) -> bool:
    """A `[...]` bracket of values directly inside `[...]`: the outer bracket is a list."""
    return (
        isinstance(item, Group)
        and item.kind == "["
        and not any(isinstance(inner, Conds) for inner in item.items)
    )


def relations(items: tuple[Item, ...]) -> tuple[Relation, ...]:
    """The binary relations of condition items; a chain `0 < x < 1` gives two."""
    out: list[Relation] = []
    for item in items:
        if not isinstance(item, Conds):
            raise _fail("Expected a condition such as 'l != y_i' here.", finish(item).span.start)
        for chain in item.chains:
            operands = chain.operands
            for k, op in enumerate(chain.ops):
                left, right = operands[k], operands[k + 1]
                out.append(Relation(op, left, right, Span(left.span.start, right.span.end)))
    return tuple(out)


def arguments(group: Group) -> tuple[Node, ...]:
    """The arguments of a call; `[a]` is a list here (`Matrix([[1]])`)."""
    for item in group.items:
        if isinstance(item, Conds):
            raise _fail("A condition cannot be a function argument.", item.span.start)
    return tuple(finish(item, in_list=True) for item in group.items)


def _set_range(
    lead: Relation, rest: tuple[Relation, ...]
) -> tuple[Node, Node, tuple[Relation, ...]]:
    """`l \\in \\{1, \\dots, k\\} \\setminus \\{y_i\\}`: lower 1, upper k, conditions l != y_i."""
    index, target = lead.left, lead.right
    excluded: tuple[Node, ...] = ()
    if isinstance(target, BinOp) and target.op == "setminus" and isinstance(target.right, SetLit):
        excluded = target.right.items
        target = target.left
    items = target.items if isinstance(target, SetLit) else ()
    ranged = len(items) == 3 and isinstance(items[1], Dots)
    if not ranged or any(isinstance(e, Dots) for e in excluded):
        raise _fail(
            "Write the range of a sum as \\{1, \\dots, k\\}, optionally \\setminus \\{y_i\\}.",
            lead.right.span.start,
        )
    conditions = tuple(Relation("!=", index, item, item.span) for item in excluded)
    return items[0], items[2], conditions + rest


_Range = tuple[Name, Node | None, Node | None, tuple[Relation, ...]]


def _sum_range(head: SumHead) -> _Range:
    """Index, bounds and conditions of `\\sum_{l}`, `\\sum_{l=1}^{k}`, `\\sum_{l \\neq y}`,
    `\\sum_{l \\in \\{1, \\dots, k\\} \\setminus \\{y_i\\}}`."""
    if head.index is not None:
        return head.index, None, head.upper, ()
    first, rest = head.items[0], head.items[1:]
    if not isinstance(first, Conds):
        index = finish(first)
        if not isinstance(index, Name):
            raise _fail(
                "The index of a sum must be a name, as in \\sum_{l=1}^{k} or \\sum_{l \\neq y_i}.",
                index.span.start,
            )
        return index, None, head.upper, relations(rest)
    conditions = relations(head.items)
    lead = conditions[0]
    if not isinstance(lead.left, Name):
        raise _fail(
            "Start the sum's subscript with its index, as in \\sum_{l=1}^{k} or "
            "\\sum_{l \\neq y_i}.",
            lead.span.start,
        )
    if lead.op == "=":
        return lead.left, lead.right, head.upper, conditions[1:]
    if lead.op == "in":
        if head.upper is not None:
            raise _fail("A sum over a set takes no upper bound.", head.upper.span.start)
        lower, upper, rest = _set_range(lead, conditions[1:])
        return lead.left, lower, upper, rest
    return lead.left, None, head.upper, conditions


def _marker(text: str) -> str:
    """The differential mark of a derivative's numerator: "partial" or "d"."""
    return "partial" if "partial" in text or "∂" in text else "d"


def _differential(node: Node, mark: str) -> tuple[Name | None, int]:
    """For a denominator `\\partial x`, `d x^2`, `dx`, `ds_2`: the variable and the order."""
    order = 1
    if isinstance(node, BinOp) and node.op == "*" and node.left == Name(mark):
        var: Node = node.right
        if isinstance(var, BinOp) and var.op == "^":
            order = _whole(var.right)
            var = var.left
        return (var, order) if isinstance(var, Name) and order else (None, 0)
    if isinstance(node, BinOp) and node.op == "^":
        order = _whole(node.right)
        node = node.left
    if mark == "d" and isinstance(node, Name) and _d_prefixed(node):
        return Name(node.base[1:], node.sub, node.sub_expr, node.span), order
    return None, 0


def _d_prefixed(node: Name) -> bool:
    """`dx`, `ds_2`: a name made of `d` and another name."""
    rest = node.base[1:]
    return node.base.startswith("d") and bool(rest) and rest[0].isalpha()


def _whole(node: Node) -> int:
    """A small whole number (an order of differentiation), else 0."""
    if isinstance(node, Number) and node.value.denominator == 1 and 1 <= node.value <= 10:
        return int(node.value)
    return 0


def _numerator(node: Node, mark: str, order: int) -> Node | None:
    """The function of `\\partial f`, `d^2 y`, `dy` (orders must agree), else None."""
    if isinstance(node, BinOp) and node.op == "*":
        head: Node = node.left
        power = 1
        if isinstance(head, BinOp) and head.op == "^":
            power = _whole(head.right)
            head = head.left
        if head == Name(mark) and power == order:
            return node.right
    if mark == "d" and order == 1 and isinstance(node, Name) and _d_prefixed(node):
        return Name(node.base[1:], node.sub, node.sub_expr, node.span)
    return None


def leibniz(top: Node, bottom: Node, span: Span) -> Derivative | None:
    """`\\frac{\\partial L}{\\partial W}`, `\\frac{d f_2}{d s_2}`, `\\frac{dy}{dx}` as a Derivative;
    None when the fraction is not written as a derivative."""
    for mark in ("partial", "d"):
        var, order = _differential(bottom, mark)
        if var is None:
            continue
        body = _numerator(top, mark, order)
        if body is not None:
            return Derivative(body, var, order, span)
    return None


def reads_as_derivative(top: Node, bottom: Node) -> bool:
    """Whether `\\frac{top}{bottom}` would be read as a derivative (or its operator)."""
    if leibniz(top, bottom, NO_SPAN) is not None:
        return True
    return any(top == Name(mark) and _differential(bottom, mark)[0] for mark in ("partial", "d"))


def _derivative_call(func: Name, args: tuple[Node, ...], primes: int, span: Span) -> Node | None:
    """`Derivative(f, x)` and `Derivative(f, (x, n))` written sympy-style are Derivative nodes."""
    if func.base != "Derivative" or func.sub is not None or primes or len(args) != 2:
        return None
    spec = args[1]
    if isinstance(spec, Name):
        return Derivative(args[0], spec, 1, span)
    if isinstance(spec, TupleLit) and len(spec.items) == 2 and isinstance(spec.items[0], Name):
        order = _whole(spec.items[1])
        if order:
            return Derivative(args[0], spec.items[0], order, span)
    return None


def _nested(chain: Chain) -> Node:
    """`a = b = c` as Relation("=", Relation("=", a, b), c): the last side is the answer."""
    result: Node = chain.operands[0]
    for op, right in zip(chain.ops, chain.operands[1:], strict=True):
        result = Relation(op, result, right, Span(chain.span.start, right.span.end))
    return result


def _conjunction(chains: list[Chain]) -> Node:
    """Relations joined by `and` (a chain `0 < x < 1` gives two); one relation alone."""
    relations: list[Node] = []
    for chain in chains:
        operands = chain.operands
        for k, op in enumerate(chain.ops):
            left, right = operands[k], operands[k + 1]
            relations.append(Relation(op, left, right, Span(left.span.start, right.span.end)))
    if len(relations) == 1:
        return relations[0]
    return Logic("and", tuple(relations), Span(relations[0].span.start, relations[-1].span.end))


def _sympy_sum(func: Name, args: tuple[Node, ...], primes: int, span: Span) -> Sum | None:
    """`Sum(body, (n, a, b))` written sympy-style is a Sum node."""
    if func.base != "Sum" or func.sub is not None or primes or len(args) != 2:
        return None
    bounds = args[1]
    if not (isinstance(bounds, TupleLit) and len(bounds.items) == 3):
        return None
    index, lower, upper = bounds.items
    if not isinstance(index, Name):
        return None
    return Sum(index, args[0], (), lower, upper, span)


class Builder(Transformer):
    """lark callbacks, one per grammar alias; `c` is the list of a rule's children."""

    # ------------------------------------------------------------------ top
    def top_expr(self, c: list[Any]) -> Node:
        return finish(c[0])

    def top_logic(self, c: list[Any]) -> Node:
        disjuncts: list[list[Chain]] = c[0]
        if len(disjuncts) == 1 and len(disjuncts[0]) == 1:
            return _nested(disjuncts[0][0])  # one relation or chain, as an equation reads
        items = tuple(_conjunction(chains) for chains in disjuncts)
        if len(items) == 1:
            return items[0]
        return Logic("or", items, Span(items[0].span.start, items[-1].span.end))

    def logic(self, c: list[Any]) -> list[list[Chain]]:
        return [child for child in c if isinstance(child, list)]

    def conj(self, c: list[Any]) -> list[Chain]:
        return [child for child in c if isinstance(child, Chain)]

    def top_assign(self, c: list[Any]) -> Relation:
        left, right = finish(c[0]), finish(c[2])
        return Relation(":=", left, right, Span(left.span.start, right.span.end))

    def relchain(self, c: list[Any]) -> Chain:
        operands = tuple(finish(child) for child in c[0::2])
        ops = tuple(_tok(child).value for child in c[1::2])
        return Chain(operands, ops, _span(c[0], c[-1]))

    def conds(self, c: list[Any]) -> Conds:
        chains = tuple(child for child in c if isinstance(child, Chain))
        return Conds(chains, _span(c[0], c[-1]))

    # ------------------------------------------------------------ operators
    def _binary(self, op: str, c: list[Any], implicit: bool = False) -> BinOp:
        left, right = finish(c[0]), finish(c[-1])
        return BinOp(op, left, right, implicit, Span(left.span.start, right.span.end))

    def add(self, c: list[Any]) -> BinOp:
        return self._binary("+", c)

    def sub(self, c: list[Any]) -> BinOp:
        return self._binary("-", c)

    def mul(self, c: list[Any]) -> BinOp:
        return self._binary("*", c)

    def div(self, c: list[Any]) -> BinOp:
        return self._binary("/", c)

    def had(self, c: list[Any]) -> BinOp:
        return self._binary("hadamard", c)

    def imul(self, c: list[Any]) -> BinOp:
        left, right = finish(c[0]), finish(c[-1])
        raw = c[-1]
        bracket = isinstance(raw, Group) and raw.kind == "(" and len(raw.items) == 1
        span = Span(left.span.start, right.span.end)
        return BinOp("*", left, right, True, span, bracket=bracket)

    def pow(self, c: list[Any]) -> BinOp:
        left, right = finish(c[0]), finish(c[-1])
        layer = _tok(c[1]).value == "^()"
        return BinOp("^", left, right, False, Span(left.span.start, right.span.end), layer)

    def neg(self, c: list[Any]) -> Neg:
        operand = finish(c[1])
        return Neg(operand, Span(_start(c[0]), operand.span.end))

    def pos(self, c: list[Any]) -> Node:
        return finish(c[1])

    def transpose(self, c: list[Any]) -> Transpose:
        operand = finish(c[0])
        return Transpose(operand, Span(operand.span.start, _end(c[1])))

    def factorial(self, c: list[Any]) -> Factorial:
        operand = finish(c[0])
        return Factorial(operand, Span(operand.span.start, _end(c[1])))

    # ---------------------------------------------------------------- atoms
    def number(self, c: list[Any]) -> Number:
        tok = _tok(c[0])
        return Number(tok.value, number_value(tok.value), Span(tok.start, tok.end))

    def name(self, c: list[Any]) -> Name:
        return name_of(_tok(c[0]))

    def braced(self, c: list[Any]) -> Node:
        return finish(c[1])

    def call(self, c: list[Any]) -> Node:
        tok, group = _tok(c[0]), c[1]
        func, args = name_of(tok), arguments(group)
        span = Span(tok.start, group.span.end)
        return (
            _sympy_sum(func, args, tok.primes, span)
            or _derivative_call(func, args, tok.primes, span)
            or Call(func, args, tok.primes, span)
        )

    def funcpow(self, c: list[Any]) -> Node:
        """`\\sin^2 x` is (sin x)^2; `\\sin^{-1} x` is arcsin x (shown as such when read)."""
        tok, exponent, arg = _tok(c[0]), finish(c[2]), finish(c[3])
        span = Span(tok.start, arg.span.end)
        func = name_of(tok)
        if exponent == Neg(Number("1", Fraction(1))):
            inverse = _INVERSES.get(tok.value)
            if inverse is None or func.sub is not None:
                raise _fail(
                    f"\\{tok.value}^{{-1}} has no meaning here: write 1/\\{tok.value}(x) or "
                    "the inverse function by name.",
                    tok.start,
                )
            return Call(Name(inverse, span=func.span), (arg,), 0, span)
        return BinOp("^", Call(func, (arg,), 0, span), exponent, False, span)

    def call1(self, c: list[Any]) -> Call:
        tok, arg = _tok(c[0]), finish(c[1])
        return Call(name_of(tok), (arg,), 0, Span(tok.start, arg.span.end))

    def abs(self, c: list[Any]) -> Abs:
        return Abs(finish(c[1]), _span(c[0], c[2]))

    def norm(self, c: list[Any]) -> Call:
        return Call(Name("norm", span=_span(c[0], c[0])), (finish(c[1]),), 0, _span(c[0], c[2]))

    def norm_sub(self, c: list[Any]) -> Call:
        sub = finish(c[4])
        text = sub.base if isinstance(sub, Name) else getattr(sub, "text", None)
        if not isinstance(text, str) or not text.isalnum():
            message = "The subscript of a norm is a number or a name, as in \\|x\\|_2."
            raise _fail(message, c[3].start)
        func = Name("norm", text, span=_span(c[0], c[0]))
        return Call(func, (finish(c[1]),), 0, _span(c[0], c[4]))

    def floor(self, c: list[Any]) -> Call:
        return Call(Name("floor", span=_span(c[0], c[0])), (finish(c[1]),), 0, _span(c[0], c[2]))

    def ceil(self, c: list[Any]) -> Call:
        return Call(Name("ceil", span=_span(c[0], c[0])), (finish(c[1]),), 0, _span(c[0], c[2]))

    def frac(self, c: list[Any]) -> Node:
        top, bottom, span = finish(c[2]), finish(c[5]), _span(c[0], c[6])
        return leibniz(top, bottom, span) or BinOp("/", top, bottom, False, span)

    def deriv(self, c: list[Any]) -> Derivative:
        tok: tk.Tok = c[0]
        var, order = _differential(finish(c[2]), _marker(tok.value))
        if var is None or order != tok.primes:
            raise _fail(
                "Write the variable of this derivative as in \\frac{d}{dx} or "
                "\\frac{\\partial^2}{\\partial x^2}.",
                _start(c[1]),
            )
        body = finish(c[4])
        return Derivative(body, var, order, Span(tok.start, body.span.end))

    def binom(self, c: list[Any]) -> Call:
        func = Name("binomial", span=_span(c[0], c[0]))
        return Call(func, (finish(c[2]), finish(c[5])), 0, _span(c[0], c[6]))

    def sqrt(self, c: list[Any]) -> Call:
        return Call(Name("sqrt", span=_span(c[0], c[0])), (finish(c[2]),), 0, _span(c[0], c[3]))

    def root(self, c: list[Any]) -> Call:
        func = Name("root", span=_span(c[0], c[0]))
        return Call(func, (finish(c[5]), finish(c[2])), 0, _span(c[0], c[6]))

    def indicator(self, c: list[Any]) -> Indicator:
        group: Group = c[1]
        if not group.items or not all(isinstance(item, Conds) for item in group.items):
            raise _fail("An indicator needs a condition, as in 1[a > b].", group.span.start)
        return Indicator(relations(group.items), _span(c[0], group))

    def indicator_sub(self, c: list[Any]) -> Indicator:
        items: Items = c[3]
        return Indicator(relations(items.items), _span(c[0], c[4]))

    # ------------------------------------------------------------- brackets
    def bracket(self, c: list[Any]) -> Group:
        kind = _GROUP_KINDS[_tok(c[0]).kind]
        if len(c) == 2:
            return Group(kind, (), False, _span(c[0], c[1]))
        content = c[1]
        if isinstance(content, Items):
            return Group(kind, content.items, content.trailing_comma, _span(c[0], c[-1]))
        return Group(kind, (content,), False, _span(c[0], c[-1]))

    def items(self, c: list[Any]) -> Items:
        values = tuple(child for child in c if not isinstance(child, tk.Tok))
        trailing = isinstance(c[-1], tk.Tok)
        return Items(values, trailing)

    # ----------------------------------------------------------------- sums
    def sumhead(self, c: list[Any]) -> SumHead:
        spec: SumHead = next(child for child in c if isinstance(child, SumHead))
        upper = None
        for k, child in enumerate(c):
            if isinstance(child, tk.Tok) and child.kind == tk.POW:
                upper = finish(c[k + 1])
        return SumHead(spec.index, spec.items, upper, _span(c[0], c[-1]))

    def sumsub(self, c: list[Any]) -> SumHead:
        if len(c) == 2:
            return SumHead(name_of(_tok(c[1])), (), None, _span(c[0], c[1]))
        items: Items = c[2]
        return SumHead(None, items.items, None, _span(c[0], c[3]))

    def sum(self, c: list[Any]) -> Sum:
        head: SumHead = c[0]
        body = finish(c[1])
        index, lower, upper, conditions = _sum_range(head)
        return Sum(index, body, conditions, lower, upper, Span(head.span.start, body.span.end))

    def dots(self, c: list[Any]) -> Dots:
        tok = _tok(c[0])
        return Dots(Span(tok.start, tok.end))

    def setminus(self, c: list[Any]) -> BinOp:
        return self._binary("setminus", c)

    # -------------------------------------------------------------- matrices
    def matrix(self, c: list[Any]) -> Call:
        rows: tuple[Row, ...] = c[1]
        if len({len(row.cells) for row in rows}) > 1:
            raise _fail("The rows of this matrix have different lengths.", _start(c[0]))
        span = _span(c[0], c[2])
        listed = ListLit(tuple(ListLit(row.cells, row.span) for row in rows), span)
        return Call(Name("Matrix", span=_span(c[0], c[0])), (listed,), 0, span)

    def mrows(self, c: list[Any]) -> tuple[Row, ...]:
        return tuple(child for child in c if isinstance(child, Row))

    def mrow(self, c: list[Any]) -> Row:
        cells = tuple(finish(child) for child in c if not isinstance(child, tk.Tok))
        return Row(cells, Span(cells[0].span.start, cells[-1].span.end))
