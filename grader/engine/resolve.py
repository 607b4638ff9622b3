"""Name resolution: the parser's tree -> the engine's resolved tree, against a rubric context.

Every written name is looked up by its loose-spelling key (see `grader.engine.symbols`), in
this order: an index in scope (a sum's bound index, the free index, a declared label), a
declared symbol or alias, an element of a declared family (`p_{y_i}`: family p at the label),
a Kronecker delta (`\\delta_{jy_i}`, when no declared symbol matches: the subscript split into
exactly two indices), a named constant of the context (`e`, `pi`; `I` where the context says
so), and finally a product of declared names written together (`W2z1` -> W2 * z1, with a
note). In an OPEN context every other name is a real scalar spelled exactly (`x1` and `x_1`
differ); `Resolved.free` lists them. Calls are resolved in `grader.engine.calls`. Anything else
raises ResolveError naming the symbol; the grader reports it as unparseable.

Size and depth are bounded here too (the parser bounds them already; trees may come from
elsewhere), and sums may nest at most MAX_SUM_NESTING deep (the index interpretation holds one
array axis per nesting level).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from grader.engine import matrices
from grader.engine.calls import CallsMixin, exact_name, trailing_derivative
from grader.engine.errors import ResolveError
from grader.engine.functions import BUILTINS
from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Bool,
    Cond,
    Const,
    Constant,
    Delta,
    Family,
    FiniteSum,
    Index,
    IndexRole,
    IndexValue,
    Indicator,
    Local,
    MatrixLit,
    SetOf,
    Summation,
    Sym,
    Unary,
    ir_walk,
)
from grader.engine.symbols import (
    VALUE_KINDS,
    SymbolKind,
    key_of,
    layer_key,
    name_key,
    name_text,
)
from grader.mathlang.ast import (
    Abs,
    BinOp,
    Call,
    Factorial,
    ListLit,
    Logic,
    Name,
    Neg,
    Node,
    Number,
    Relation,
    SetLit,
    Sum,
    Transpose,
    children,
)
from grader.mathlang.ast import Derivative as AstDerivative
from grader.mathlang.ast import Indicator as AstIndicator
from grader.model import Reason

if TYPE_CHECKING:
    from grader.engine.context import Context

MAX_DEPTH = 200
MAX_NODES = 5000
MAX_SUM_NESTING = 3
MAX_SUM_TERMS = 10_000  # terms of a finite sum with whole-number bounds
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})

_BINARY: Mapping[str, str] = MappingProxyType(
    {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "hadamard": "had"}
)


__all__ = ["MAX_DEPTH", "MAX_NODES", "ResolveError", "Resolved", "check_size", "resolve"]


@dataclass(frozen=True)
class Resolved:
    """A resolved tree, the notes resolution produced (e.g. how `W2z1` was read) and, in an
    open context, the free names it uses (exact spellings, in order of first use)."""

    ir: IR
    notes: tuple[str, ...] = ()
    free: tuple[str, ...] = ()


def resolve(node: Node, context: Context) -> Resolved:
    """Resolve every name of `node` against `context`. Raises ResolveError."""
    check_size(node)
    resolver = _Resolver(context)
    ir = resolver.value(node)
    return Resolved(ir, tuple(dict.fromkeys(resolver.notes)), tuple(resolver.free))


def resolve_statement(node: Node, context: Context) -> Resolved:
    """Resolve a whole answer that is a statement: relations (a chain `a < b < c` is two)
    joined by and/or, as Conds and Bools. Raises ResolveError (SYNTAX for an expression)."""
    check_size(node)
    resolver = _Resolver(context)
    ir = resolver.statement(node)
    return Resolved(ir, tuple(dict.fromkeys(resolver.notes)), tuple(resolver.free))


def is_statement(node: Node) -> bool:
    """Whether a whole answer is a statement (an equation, inequality or and/or of them)."""
    return isinstance(node, Logic) or (isinstance(node, Relation) and node.op in _COMPARISONS)


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


class _Resolver(CallsMixin):
    """One resolution pass: the context, the sums in scope and the notes so far."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.scope: list[_Bound] = []
        self.locals: list[str] = []  # variables of enclosing finite sums (open contexts)
        self.notes: list[str] = []
        self.free: dict[str, None] = {}  # open names used, in order
        self.derivative_order = 0
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
            Neg: lambda n: self.unary("neg", self.value(n.operand), n),
            Transpose: self._transpose,
            Abs: self._abs,
            Factorial: lambda n: Apply("factorial", (self.value(n.operand),), 0, True, n),
            BinOp: self._binop,
            AstIndicator: lambda n: Indicator(tuple(self._cond(c) for c in n.conditions), n),
            Sum: self._sum,
            ListLit: self._list,
            AstDerivative: self._derivative_node,
            SetLit: self._set,
        }

    def statement(self, node: Node) -> IR:
        """Conds and Bools for a whole-answer statement (see `resolve_statement`)."""
        if isinstance(node, Logic):
            return Bool(node.op, tuple(self.statement(item) for item in node.items), node)
        if isinstance(node, Relation) and isinstance(node.left, Relation):
            # a chain `a < b < c` (nested to the left by the parser): a < b and b < c
            return Bool(
                "and",
                (
                    self.statement(node.left),
                    self._cond(Relation(node.op, node.left.right, node.right, node.span)),
                ),
                node,
            )
        if isinstance(node, Relation):
            return self._cond(node)
        raise ResolveError(
            Reason.SYNTAX, "this answer should be an equation or an inequality", node.span
        )

    def _set(self, node: SetLit) -> IR:
        """In an open context `\\{a, b\\}` is a finite set of values."""
        if not self.context.open:
            raise ResolveError(Reason.SYNTAX, "a set cannot be part of this answer", node.span)
        return SetOf(tuple(self.value(item) for item in node.items), node)

    def _list(self, node: ListLit) -> IR:
        """In an open context `[a, b]` is a 1 x n matrix and `[[a, b], [c, d]]` its rows."""
        if not self.context.open:
            raise ResolveError(Reason.SYNTAX, "a list cannot be part of this answer", node.span)
        items = node.items
        if items and all(isinstance(item, ListLit) for item in items):
            return self.matrix_rows(
                [item.items for item in items if isinstance(item, ListLit)], node
            )
        return self.matrix_rows([items], node)

    def _transpose(self, node: Transpose) -> IR:
        split = self.bracket_product(node.operand)
        if split is not None:  # `z1 (a + b)^T` means z1 * (a + b)^T
            head, arg = split
            return self.binary("mul", head, self.unary("transpose", self.value(arg), node), node)
        return self.unary("transpose", self.value(node.operand), node)

    def _binop(self, node: BinOp) -> IR:
        if node.op == "^" and node.layer and isinstance(node.left, Name):
            info = self.context.lookup(layer_key(node.left, node.right))
            if info is not None and info.kind in VALUE_KINDS:  # `\delta^{(k)}` declared
                return Sym(info.name, node)
        if node.op == "*" and node.bracket:
            applied = trailing_derivative(node.left, node.right, self.context)
            if applied is not None:  # `\frac{d f_2}{d s_2}(s_2)` is f_2'(s_2)
                return self.value(applied)
        split = self.bracket_product(node.left) if node.op == "^" else None
        if split is not None:  # `z2 (a + b)^2` means z2 * (a + b)^2
            head, arg = split
            power = self.binary("pow", self.value(arg), self.value(node.right), node)
            return self.binary("mul", head, power, node)
        if node.op not in _BINARY:
            raise ResolveError(
                Reason.SYNTAX, "\\setminus belongs in the range of a sum", node.span, "setminus"
            )
        return self.binary(_BINARY[node.op], self.value(node.left), self.value(node.right), node)

    def binary(self, op: str, left: IR, right: IR, node: Node) -> IR:
        """`left op right`; with a matrix literal on a side, the folded literal."""
        if isinstance(left, MatrixLit) or isinstance(right, MatrixLit):
            return matrices.combine(op, left, right, node)
        return Binary(op, left, right, node)

    def unary(self, op: str, operand: IR, node: Node) -> IR:
        """A negation or transpose; of a matrix literal, the folded literal."""
        if isinstance(operand, MatrixLit):
            return matrices.negate(operand) if op == "neg" else matrices.transpose(operand)
        return Unary(op, operand, node)

    def _abs(self, node: Abs) -> IR:
        """`|x|`; of a matrix literal, its determinant."""
        operand = self.value(node.operand)
        if isinstance(operand, MatrixLit):
            return matrices.determinant(operand, node)
        return Apply("abs", (operand,), 0, True, node)

    def _name(self, node: Name) -> IR:
        if self.locals and exact_name(node) in self.locals:
            return Local(exact_name(node), node)
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
        if node.sub is None and node.base in self.context.constants:
            return Constant(self.context.constants[node.base], node)
        if node.sub is None and node.base in BUILTINS:
            raise ResolveError(
                Reason.SYNTAX,
                f"{node.base} is a function: apply it to its argument, as in {node.base}(x)",
                node.span,
                node.base,
            )
        if self.context.open:
            name = exact_name(node)
            self.free[name] = None
            return Sym(name, node)
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

    # ----- conditions and sums ----------------------------------------------------------------
    def _cond(self, node: Node) -> Cond:
        if not isinstance(node, Relation) or node.op not in _COMPARISONS:
            raise ResolveError(
                Reason.SYNTAX, "a condition must be a comparison such as l != y_i", node.span
            )
        return Cond(node.op, self.value(node.left), self.value(node.right), node)

    def _sum(self, node: Sum) -> IR:
        if self.context.open:
            return self._finite_sum(node)
        if self.context.free_index is None:
            raise ResolveError(Reason.SYNTAX, "a sum has no meaning in this answer", node.span)
        if len(self.scope) >= MAX_SUM_NESTING:
            raise ResolveError(Reason.TOO_DEEP, "sums are nested too deeply", node.span)
        key = key_of(node.index)
        shadowed = self.context.lookup(key)
        if shadowed is not None and shadowed.kind is not SymbolKind.COUNT:
            raise ResolveError(
                Reason.SYNTAX,
                f"the sum index {name_text(node.index)} is already the {shadowed.kind.value} "
                f"{shadowed.name}: use another letter",
                node.index.span,
                name_text(node.index),
            )
        if shadowed is not None:  # `\sum_{k \neq y_i}` where k counts the classes
            self.notes.append(
                f"Inside the sum, {name_text(node.index)} is read as the sum's index (not as "
                f"the {shadowed.kind.value} {shadowed.name})."
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

    def _finite_sum(self, node: Sum) -> IR:
        """`sum_{k=a}^{b} body` in an open context: a sum over whole numbers k = a..b."""
        if node.conditions or node.lower is None or node.upper is None:
            raise ResolveError(
                Reason.SYNTAX, "a sum needs explicit bounds here, as in sum_{k=1}^{n}", node.span
            )
        lower, upper = self.value(node.lower), self.value(node.upper)
        low, high = constant_number(lower), constant_number(upper)
        if low is not None and high is not None and abs(high - low) > MAX_SUM_TERMS:
            raise ResolveError(
                Reason.TOO_LARGE, f"a sum of more than {MAX_SUM_TERMS} terms", node.span
            )
        var = exact_name(node.index)
        self.locals.append(var)
        try:
            body = self.value(node.body)
        finally:
            self.locals.pop()
        return FiniteSum(var, lower, upper, body, node)


def constant_number(tree: IR) -> float | None:
    """The value of a tree without names (a sum's bound such as 10^6), or None."""
    if any(isinstance(n, (Sym, Local)) for n in ir_walk(tree)):
        return None
    # Imported here: mpmath is needed for a bound such as 10^6, not to resolve names.
    from grader.engine.precise import Undefined, Unsupported, evaluate_precise, make_context

    ctx = make_context(30)
    try:
        value = evaluate_precise(tree, ctx, {}, {})
    except (Undefined, Unsupported):
        return None
    return None if isinstance(value, ctx.mpc) else float(value)


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
        "TupleLit": "a tuple",
        "SetLit": "a set",
        "Dots": "\\dots (a range belongs in a sum's subscript)",
        "ListLit": "a list",
        "Indicator": "an indicator",
    }
    return names.get(type(node).__name__, type(node).__name__)
