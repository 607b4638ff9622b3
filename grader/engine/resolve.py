"""Name resolution: the parser's tree -> the engine's resolved tree, against a rubric context.

Every written name is looked up by its loose-spelling key (see `grader.engine.symbols`), in
this order: an index in scope (a sum's bound index, the free index, a declared label), a
declared symbol or alias, an element of a declared family (`p_{y_i}`: family p at the label),
a Kronecker delta (`\\delta_{jy_i}`, when no declared symbol matches: the subscript split into
exactly two indices), Euler's number `e`, and finally a product of declared names written
together (`W2z1` -> W2 * z1, with a note). A name followed by brackets is a call when it names
a declared or built-in function, otherwise a product (`z2 (a + b)`). Anything else raises
ResolveError naming the symbol; the grader reports it as unparseable.

Size and depth are bounded here too (the parser bounds them already; trees may come from
elsewhere), and sums may nest at most MAX_SUM_NESTING deep (the index interpretation holds one
array axis per nesting level).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING

from grader.engine.functions import BUILTINS
from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Cond,
    Const,
    Delta,
    Euler,
    Family,
    Index,
    IndexRole,
    IndexValue,
    Indicator,
    Summation,
    Sym,
    Unary,
)
from grader.engine.symbols import VALUE_KINDS, SymbolKind, key_of, name_key, name_text
from grader.mathlang.ast import (
    Abs,
    BinOp,
    Call,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    Span,
    Sum,
    Transpose,
    children,
)
from grader.mathlang.ast import Indicator as AstIndicator
from grader.model import Reason

if TYPE_CHECKING:
    from grader.engine.context import Context

MAX_DEPTH = 200
MAX_NODES = 5000
MAX_SUM_NESTING = 3

_BINARY: Mapping[str, str] = MappingProxyType(
    {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "hadamard": "had"}
)


class ResolveError(Exception):
    """A name or construct the context cannot give a meaning to.

    `reason` is UNKNOWN_SYMBOL, UNKNOWN_FUNCTION, SYNTAX (a construct that makes no sense
    here), TOO_LARGE or TOO_DEEP; `name` is the offending symbol as written, when there is one.
    """

    def __init__(
        self, reason: Reason, message: str, span: Span | None = None, name: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.span = span
        self.name = name


@dataclass(frozen=True)
class Resolved:
    """A resolved tree and the notes resolution produced (e.g. how `W2z1` was read)."""

    ir: IR
    notes: tuple[str, ...] = ()


def resolve(node: Node, context: Context) -> Resolved:
    """Resolve every name of `node` against `context`. Raises ResolveError."""
    check_size(node)
    resolver = _Resolver(context)
    ir = resolver.value(node)
    return Resolved(ir, tuple(dict.fromkeys(resolver.notes)))


def check_size(node: Node) -> None:
    """Refuse trees deeper than MAX_DEPTH or larger than MAX_NODES, iteratively."""
    count = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ResolveError(Reason.TOO_DEEP, "the expression is nested too deeply")
        if count > MAX_NODES:
            raise ResolveError(Reason.TOO_LARGE, "the expression is too large")
        stack.extend((child, depth + 1) for child in children(current))


@dataclass(frozen=True)
class _Bound:
    key: str
    name: str
    axis: int


class _Resolver:
    """One resolution pass: the context, the sums in scope and the notes so far."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.scope: list[_Bound] = []
        self.notes: list[str] = []
        self.handlers = self._handlers()

    # ----- values -------------------------------------------------------------------------
    def value(self, node: Node) -> IR:
        handler = self.handlers.get(type(node))
        if handler is None:
            raise ResolveError(
                Reason.SYNTAX, f"{_kind_of(node)} cannot be part of this answer", node.span
            )
        return handler(node)

    def _handlers(self) -> dict[type, Callable[..., IR]]:
        return {
            Number: lambda n: Const(n.value, n),
            Name: self._name,
            Call: self._call,
            Neg: lambda n: Unary("neg", self.value(n.operand), n),
            Transpose: self._transpose,
            Abs: lambda n: Apply("abs", (self.value(n.operand),), 0, True, n),
            BinOp: self._binop,
            AstIndicator: lambda n: Indicator(tuple(self._cond(c) for c in n.conditions), n),
            Sum: self._sum,
        }

    def _transpose(self, node: Transpose) -> IR:
        split = self._bracket_product(node.operand)
        if split is not None:  # `z1 (a + b)^T` means z1 * (a + b)^T
            head, arg = split
            return Binary("mul", head, Unary("transpose", self.value(arg), node), node)
        return Unary("transpose", self.value(node.operand), node)

    def _binop(self, node: BinOp) -> IR:
        split = self._bracket_product(node.left) if node.op == "^" else None
        if split is not None:  # `z2 (a + b)^2` means z2 * (a + b)^2
            head, arg = split
            power = Binary("pow", self.value(arg), self.value(node.right), node)
            return Binary("mul", head, power, node)
        return Binary(_BINARY[node.op], self.value(node.left), self.value(node.right), node)

    def _name(self, node: Name) -> IR:
        key = key_of(node)
        index = self._index_token(key, node)
        if index is not None:
            return IndexValue(index, node)
        info = self.context.lookup(key)
        if info is not None:
            if info.kind is SymbolKind.FUNCTION:
                raise ResolveError(
                    Reason.SYNTAX,
                    f"{name_text(node)} is a function: apply it, e.g. {name_text(node)}(...)",
                    node.span,
                    name_text(node),
                )
            if info.kind is SymbolKind.FAMILY:
                raise ResolveError(
                    Reason.SYNTAX,
                    f"{name_text(node)} needs an index, e.g. {name_text(node)}_j",
                    node.span,
                    name_text(node),
                )
            return Sym(info.name, node)
        return self._name_fallbacks(node)

    def _name_fallbacks(self, node: Name) -> IR:
        if node.sub is not None:
            base = self.context.lookup(name_key(node.base))
            if base is not None and base.kind is SymbolKind.FAMILY:
                return Family(base.name, self._family_index(node), node)
            if node.base == "delta" and self.context.free_index is not None:
                return self._kronecker(node)
        if node.base == "e" and node.sub is None:
            return Euler(node)
        product = self._split_product(node)
        if product is not None:
            return product
        raise self._unknown(node)

    def _unknown(self, node: Name) -> ResolveError:
        shown = name_text(node)
        if node.sub is not None and self._index_token(name_key(node.sub), node) is not None:
            # `q_j`: the index is fine, the family q is what is unknown.
            return ResolveError(
                Reason.UNKNOWN_SYMBOL,
                f"unknown symbol {node.base} (in {shown})",
                node.span,
                node.base,
            )
        return ResolveError(Reason.UNKNOWN_SYMBOL, f"unknown symbol {shown}", node.span, shown)

    # ----- indices ------------------------------------------------------------------------
    def _index_token(self, key: str, src: Node) -> Index | None:
        """The index a key names: a bound index in scope (innermost first), the free index,
        or a declared label; None otherwise."""
        for bound in reversed(self.scope):
            if bound.key == key:
                return Index(bound.name, IndexRole.BOUND, bound.axis, src)
        if key and key == self.context.free_index_key:
            return Index(self.context.free_index or key, IndexRole.FREE, 0, src)
        info = self.context.lookup(key)
        if info is not None and info.kind is SymbolKind.LABEL:
            return Index(info.name, IndexRole.LABEL, 0, src)
        return None

    def _family_index(self, node: Name) -> Index:
        sub = node.sub or ""
        index = self._index_token(name_key(sub), node)
        if index is not None:
            return index
        if name_key(sub).isdigit():
            raise ResolveError(
                Reason.SYNTAX,
                f"{name_text(node)}: write the formula for a general class (an index such as "
                "j or l), not for a numbered class",
                node.span,
                name_text(node),
            )
        raise ResolveError(
            Reason.UNKNOWN_SYMBOL,
            f"unknown index {sub} (in {name_text(node)})",
            node.span,
            sub,
        )

    def _kronecker(self, node: Name) -> IR:
        sub = node.sub or ""
        if "," in sub:
            parts = sub.split(",")
            pairs = []
            if len(parts) == 2:
                left = self._index_token(name_key(parts[0]), node)
                right = self._index_token(name_key(parts[1]), node)
                if left is not None and right is not None:
                    pairs.append((left, right))
        else:
            key = name_key(sub)
            pairs = []
            for cut in range(1, len(key)):
                left = self._index_token(key[:cut], node)
                right = self._index_token(key[cut:], node)
                if left is not None and right is not None:
                    pairs.append((left, right))
        distinct = {(a.name, a.role, b.name, b.role) for a, b in pairs}
        if len(distinct) == 1:
            return Delta(pairs[0][0], pairs[0][1], node)
        if len(distinct) > 1:
            raise ResolveError(
                Reason.SYNTAX,
                f"{name_text(node)}: the two indices are ambiguous; separate them with a comma",
                node.span,
                name_text(node),
            )
        raise ResolveError(
            Reason.UNKNOWN_SYMBOL,
            f"unknown symbol {name_text(node)} (not a Kronecker delta of two known indices)",
            node.span,
            name_text(node),
        )

    # ----- products of names written together ----------------------------------------------
    def _split_product(self, node: Name) -> IR | None:
        key = key_of(node)
        names = _segment(key, self._value_keys())
        if names is None:
            return None
        parts: list[IR] = [Sym(n, node) for n in names]
        result = parts[0]
        for part in parts[1:]:
            result = Binary("mul", result, part, node)
        self.notes.append(f"Read {name_text(node)} as the product {' * '.join(names)}.")
        return result

    def _value_keys(self) -> dict[str, str]:
        return {
            key: name
            for key, name in self.context.keys.items()
            if self.context.symbols[name].kind in VALUE_KINDS
        }

    # ----- calls ----------------------------------------------------------------------------
    def _call(self, node: Call) -> IR:
        func = node.func
        info = self.context.lookup(key_of(func))
        if info is not None and info.kind is SymbolKind.FUNCTION:
            if len(node.args) != 1:
                raise ResolveError(
                    Reason.SYNTAX,
                    f"{name_text(func)} takes one argument",
                    node.span,
                    name_text(func),
                )
            return Apply(info.name, (self.value(node.args[0]),), node.primes, False, node)
        if info is None and func.base in BUILTINS and _builtin_sub_ok(func):
            return self._builtin(node)
        if info is None and func.base == "delta" and self.context.free_index is not None:
            return self._delta_call(node)
        return self._call_as_product(node)

    def _builtin(self, node: Call) -> IR:
        func = node.func
        builtin = BUILTINS[func.base]
        if node.primes:
            raise ResolveError(
                Reason.SYNTAX,
                f"write the derivative of {func.base} out instead of using a prime",
                node.span,
                func.base,
            )
        count = len(node.args)
        if count < builtin.min_args or (builtin.max_args is not None and count > builtin.max_args):
            raise ResolveError(
                Reason.SYNTAX, f"{func.base} does not take {count} arguments", node.span, func.base
            )
        args = tuple(self.value(a) for a in node.args)
        if builtin.name == "log" and func.sub is not None:  # \log_2(x)
            args = (*args, Const(Fraction(int(func.sub)), node))
        if builtin.name == "log" and len(args) == 2:  # log(x, b) = log(x) / log(b)
            numerator = Apply("log", args[:1], 0, True, node)
            return Binary("div", numerator, Apply("log", args[1:], 0, True, node), node)
        return Apply(builtin.name, args, 0, True, node)

    def _delta_call(self, node: Call) -> IR:
        indices = [
            self._index_token(key_of(a), a) if isinstance(a, Name) else None for a in node.args
        ]
        if len(indices) == 2 and indices[0] is not None and indices[1] is not None:
            return Delta(indices[0], indices[1], node)
        raise ResolveError(
            Reason.UNKNOWN_FUNCTION,
            "delta(...) needs two indices such as delta(j, y_i)",
            node.span,
            "delta",
        )

    def _bracket_product(self, node: Node) -> tuple[IR, Node] | None:
        """For a call that is really a value times a bracket (`z1 (a + b)`), the value and the
        bracket's content; None for anything else. The parser reads a name before a bracket as
        a call, so a postfix `^T` or power after the bracket lands on the whole call."""
        if not isinstance(node, Call) or node.primes or len(node.args) != 1:
            return None
        info = self.context.lookup(key_of(node.func))
        if info is not None and info.kind is SymbolKind.FUNCTION:
            return None
        if info is None and node.func.base in BUILTINS and _builtin_sub_ok(node.func):
            return None
        if info is None and node.func.base == "delta" and self.context.free_index is not None:
            return None
        try:
            head = self._name(node.func)
        except ResolveError:
            return None
        return head, node.args[0]

    def _call_as_product(self, node: Call) -> IR:
        """`z2 (a + b)`: a value followed by brackets is a product."""
        func = node.func
        try:
            head: IR | None = self._name(func)
        except ResolveError as exc:
            if exc.reason is not Reason.UNKNOWN_SYMBOL:
                raise
            head = None
        if head is not None and node.primes:
            raise ResolveError(
                Reason.UNKNOWN_FUNCTION,
                f"{name_text(func)} is not a function, so it cannot carry a prime",
                func.span,
                name_text(func),
            )
        if head is None:
            known = ", ".join(self.context.functions())
            hint = f" (declared functions: {known})" if known else ""
            raise ResolveError(
                Reason.UNKNOWN_FUNCTION,
                f"unknown function {name_text(func)}{hint}",
                func.span,
                name_text(func),
            )
        if len(node.args) != 1:
            raise ResolveError(
                Reason.SYNTAX,
                f"{name_text(func)} is not a function and cannot take {len(node.args)} arguments",
                node.span,
                name_text(func),
            )
        return Binary("mul", head, self.value(node.args[0]), node)

    # ----- conditions and sums ----------------------------------------------------------------
    def _cond(self, node: Node) -> Cond:
        if not isinstance(node, Relation):
            raise ResolveError(Reason.SYNTAX, "a condition must be a relation", node.span)
        return Cond(node.op, self.value(node.left), self.value(node.right), node)

    def _sum(self, node: Sum) -> IR:
        if self.context.free_index is None:
            raise ResolveError(Reason.SYNTAX, "a sum has no meaning in this answer", node.span)
        if len(self.scope) >= MAX_SUM_NESTING:
            raise ResolveError(Reason.TOO_DEEP, "sums are nested too deeply", node.span)
        key = key_of(node.index)
        if self.context.lookup(key) is not None:
            raise ResolveError(
                Reason.SYNTAX,
                f"the sum index {name_text(node.index)} is already a symbol: use another letter",
                node.index.span,
                name_text(node.index),
            )
        lower = None if node.lower is None else self.value(node.lower)
        upper = None if node.upper is None else self.value(node.upper)
        axis = len(self.scope) + 1
        self.scope.append(_Bound(key, name_text(node.index), axis))
        try:
            conds = tuple(self._cond(c) for c in node.conditions)
            body = self.value(node.body)
        finally:
            self.scope.pop()
        return Summation(name_text(node.index), axis, body, conds, lower, upper, node)


def _builtin_sub_ok(func: Name) -> bool:
    """Built-ins carry no subscript, except a numeric base of a logarithm (`\\log_2`)."""
    if func.sub is None:
        return True
    return func.base == "log" and func.sub.isdigit() and int(func.sub) >= 2


def _segment(key: str, keys: dict[str, str]) -> list[str] | None:
    """Split `key` into the fewest declared keys (two or more); None when impossible or when
    two different fewest splits exist."""
    if len(key) < 2 or len(key) > 60:
        return None
    # best[i]: (parts, ways, names) for the prefix key[:i]
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(key) + 1)
    best[0] = (0, 1, [])
    for end in range(1, len(key) + 1):
        for start in range(end):
            prev = best[start]
            piece = keys.get(key[start:end])
            if prev is None or piece is None:
                continue
            candidate = (prev[0] + 1, prev[1], [*prev[2], piece])
            current = best[end]
            if current is None or candidate[0] < current[0]:
                best[end] = candidate
            elif candidate[0] == current[0]:
                best[end] = (current[0], current[1] + candidate[1], current[2])
    found = best[len(key)]
    if found is None or found[0] < 2 or found[1] != 1:
        return None
    return found[2]


def _kind_of(node: Node) -> str:
    names = {
        "Relation": "an equation or comparison",
        "Factorial": "a factorial",
        "TupleLit": "a tuple",
        "ListLit": "a list",
        "Indicator": "an indicator",
    }
    return names.get(type(node).__name__, type(node).__name__)
