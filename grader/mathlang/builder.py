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
    Abs,
    BinOp,
    Call,
    Factorial,
    Indicator,
    ListLit,
    Name,
    Neg,
    Node,
    Number,
    Relation,
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
        if single:
            return finish(items[0])
        raise _fail(
            "Sets such as \\{a, b\\} are not part of the answer language.", group.span.start
        )
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


def _sum_range(head: SumHead) -> tuple[Name, Node | None, tuple[Relation, ...]]:
    """Index, lower bound and conditions of `\\sum_{l}`, `\\sum_{l=1}`, `\\sum_{l \\neq y}`."""
    if head.index is not None:
        return head.index, None, ()
    first, rest = head.items[0], head.items[1:]
    if not isinstance(first, Conds):
        index = finish(first)
        if not isinstance(index, Name):
            raise _fail(
                "The index of a sum must be a name, as in \\sum_{l=1}^{k} or \\sum_{l \\neq y_i}.",
                index.span.start,
            )
        return index, None, relations(rest)
    conditions = relations(head.items)
    lead = conditions[0]
    if not isinstance(lead.left, Name):
        raise _fail(
            "Start the sum's subscript with its index, as in \\sum_{l=1}^{k} or "
            "\\sum_{l \\neq y_i}.",
            lead.span.start,
        )
    if lead.op == "=":
        return lead.left, lead.right, conditions[1:]
    return lead.left, None, conditions


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

    def top_chain(self, c: list[Any]) -> Node:
        chain: Chain = c[0]
        result: Node = chain.operands[0]
        for op, right in zip(chain.ops, chain.operands[1:], strict=True):
            result = Relation(op, result, right, Span(chain.span.start, right.span.end))
        return result

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
        return self._binary("*", c, implicit=True)

    def pow(self, c: list[Any]) -> BinOp:
        return self._binary("^", c)

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
        return _sympy_sum(func, args, tok.primes, span) or Call(func, args, tok.primes, span)

    def call1(self, c: list[Any]) -> Call:
        tok, arg = _tok(c[0]), finish(c[1])
        return Call(name_of(tok), (arg,), 0, Span(tok.start, arg.span.end))

    def abs(self, c: list[Any]) -> Abs:
        return Abs(finish(c[1]), _span(c[0], c[2]))

    def frac(self, c: list[Any]) -> BinOp:
        return BinOp("/", finish(c[2]), finish(c[5]), False, _span(c[0], c[6]))

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
        index, lower, conditions = _sum_range(head)
        return Sum(index, body, conditions, lower, head.upper, Span(head.span.start, body.span.end))

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
