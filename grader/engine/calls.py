"""Resolving calls: a name followed by brackets, and the special forms written as calls.

- a declared function (or, in an open context, a name used as a function): `f3'(s_out)`;
- a built-in (`grader.engine.functions.BUILTINS`), including `\\log_2 x`, `\\log_b x`,
  `log(x, b)` and `lg`;
- `delta(j, y_i)` (a Kronecker delta, index contexts);
- `Derivative(expr, x)`, `diff(expr, x, 2)`, `Derivative(expr, (x, 2))`: differentiated here
  (`grader.engine.calculus`), at most MAX_DERIVATIVE orders in one answer;
- open contexts: `Matrix([[1, 2], [3, 4]])` / `matrix([1, 2], [3, 4])` are matrix literals;
- anything else is a value times a bracket (`z2 (a + b)`, `x(x+1)`).
The mixin is part of `grader.engine.resolve._Resolver`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from grader.engine.calculus import NotDifferentiable, differentiate
from grader.engine.errors import ResolveError
from grader.engine.functions import BUILTINS, NORMS
from grader.engine.ir import IR, Apply, Binary, Const, Delta, Index, MatrixLit, Sym, ir_walk
from grader.engine.matrices import determinant
from grader.engine.symbols import VALUE_KINDS, SymbolKind, derivative_key, key_of, name_text
from grader.mathlang.ast import BinOp, Call, ListLit, Name, Node, Number, TupleLit, walk
from grader.mathlang.ast import Derivative as AstDerivative
from grader.model import Reason

if TYPE_CHECKING:
    from grader.engine.context import Context

MAX_DERIVATIVE = 10  # total order of all derivatives in one expression
MAX_MATRIX = 2500  # entries of a matrix literal
DERIVATIVES = frozenset({"Derivative", "diff"})
# Operators of the product level: a bracket after `a ⊙ \\frac{d f}{dx}` applies to the last
# factor (the parser reads `a ⊙ b (x)` as (a ⊙ b) (x)).
_PRODUCT_OPS = frozenset({"*", "hadamard", "/"})
MATRICES = frozenset({"Matrix", "matrix"})


def _error(reason: Reason, message: str, node: Node, name: str | None = None) -> ResolveError:
    return ResolveError(reason, message, node.span, name)


def called_as_functions(node: Node, context: Context) -> set[str]:
    """Exact spellings of the names an open context must read as functions: those written with
    a prime (`q'(s)`) or with several arguments (`F(x, y)`), unless built in or declared."""
    found = set()
    for item in walk(node):
        if (
            isinstance(item, BinOp)
            and item.op == "*"
            and isinstance(item.left, AstDerivative)
            and isinstance(item.left.body, Name)
            and context.lookup(key_of(item.left.body)) is None
        ):  # `\frac{d f}{dx}(x)`: f is a function
            found.add(exact_name(item.left.body))
        if not isinstance(item, Call) or not (item.primes or len(item.args) >= 2):
            continue
        func = item.func
        special = func.base in DERIVATIVES or func.base in MATRICES
        special = special or func.base in ("delta", "det", "nabla")
        if func.sub is None and (func.base in BUILTINS or special):
            continue
        if context.lookup(key_of(func)) is None:
            found.add(exact_name(func))
    return found


def _trailing(node: Node) -> Call | None:
    """The derivative of a bare name at the right end of a product (`a \\frac{d f}{dx}`,
    `a \\cdot \\frac{d f}{dx}`), as the primed call it becomes when a bracket follows (`f'(...)`,
    with no argument yet); None when there is none."""
    while isinstance(node, BinOp) and node.op in _PRODUCT_OPS:
        node = node.right
    if isinstance(node, AstDerivative) and isinstance(node.body, Name):
        return Call(node.body, (), node.order, node.span)
    return None


def trailing_derivative(left: Node, arg: Node, context: Context) -> Node | None:
    """`left arg` where `left` ends with the derivative of a declared function written in
    Leibniz notation (`(y - t) \\frac{d f_3}{d s}(s)`): the same product with that factor
    applied to `arg` (`(y - t) f_3'(s)`); None otherwise."""
    head = _trailing(left)
    if head is None:
        return None
    info = context.lookup(key_of(head.func))
    if info is None or info.kind is not SymbolKind.FUNCTION:
        return None
    applied = Call(head.func, (arg,), head.primes, head.span)
    return _replace_trailing(left, applied)


def _replace_trailing(node: Node, applied: Node) -> Node:
    if isinstance(node, BinOp) and node.op in _PRODUCT_OPS:
        right = _replace_trailing(node.right, applied)
        return BinOp(node.op, node.left, right, node.implicit, node.span)
    return applied


def exact_name(name: Name) -> str:
    """The exact spelling of a name (open contexts): `x1`, `x_1`, `x_{k-1}`."""
    if name.sub is None:
        return name.base
    return f"{name.base}_{name.sub}" if name.sub.isalnum() else f"{name.base}_{{{name.sub}}}"


def _builtin_sub_ok(func: Name) -> bool:
    """Built-ins carry no subscript, except the base of a logarithm (`\\log_2`, `\\log_b`) and
    the kind of a norm (`\\|x\\|_1`)."""
    if func.sub is None:
        return True
    if func.base == "norm":
        return func.sub in NORMS
    return func.base in ("log", "lg") and func.sub.isalnum() and func.sub not in ("0", "1")


class CallsMixin:
    """Call resolution for `_Resolver` (which provides the attributes below)."""

    context: Context
    notes: list[str]
    derivative_order: int

    def value(self, node: Node) -> IR:  # provided by _Resolver
        raise NotImplementedError

    def _name(self, node: Name) -> IR:  # provided by _Resolver
        raise NotImplementedError

    def _index_token(self, key: str, src: Node) -> Index | None:  # provided by _Resolver
        raise NotImplementedError

    def _call(self, node: Call) -> IR:
        func = node.func
        info = self.context.lookup(key_of(func))
        if info is not None and info.kind is SymbolKind.FUNCTION:
            return self._declared(node, info.name)
        if info is None and func.sub is None and self.context.open and not node.primes:
            if func.base in MATRICES:
                return self._matrix(node)
            if func.base == "det":
                return self._determinant(node)
        if info is None and func.sub is None and func.base in DERIVATIVES and not node.primes:
            return self._derivative(node)
        if info is None and func.base == "nabla" and not node.primes:
            return self._gradient(node)
        if info is None and func.base in BUILTINS and _builtin_sub_ok(func):
            return self._builtin(node)
        if self._delta_head(func, info):
            return self._delta_call(node)
        return self._call_as_product(node)

    def _delta_head(self, func: Name, info: object) -> bool:
        """`delta(j, y_i)`: the Kronecker delta called with its two indices (index contexts);
        `\\delta_{y_i j} (...)` is a delta times a bracket."""
        return (
            info is None
            and func.base == "delta"
            and func.sub is None
            and (self.context.free_index is not None)
        )

    def _declared(self, node: Call, name: str) -> IR:
        count = len(node.args)
        if count != 1 and (not self.context.open or node.primes or count == 0):
            raise _error(
                Reason.SYNTAX,
                f"{name_text(node.func)} takes one argument",
                node,
                name_text(node.func),
            )
        args = tuple(self.value(a) for a in node.args)
        return Apply(name, args, node.primes, False, node)

    def _builtin(self, node: Call) -> IR:
        func = node.func
        builtin = BUILTINS[func.base]
        if node.primes:
            raise _error(
                Reason.SYNTAX,
                f"write the derivative of {func.base} out instead of using a prime",
                node,
                func.base,
            )
        count = len(node.args)
        if count < builtin.min_args or (builtin.max_args is not None and count > builtin.max_args):
            raise _error(
                Reason.SYNTAX, f"{func.base} does not take {count} arguments", node, func.base
            )
        args = tuple(self.value(a) for a in node.args)
        if any(isinstance(a, MatrixLit) for a in args):
            raise _error(
                Reason.WRONG_SHAPE, f"{func.base} of a matrix has no meaning here", node, func.base
            )
        if builtin.name in ("log", "lg") and func.sub is not None:  # \log_2(x), \log_b(x)
            args = (*args, self._log_base(func, node))
        if builtin.name in ("log", "lg") and len(args) == 2:  # log(x, b) = log(x) / log(b)
            numerator = Apply("log", args[:1], 0, True, node)
            return Binary("div", numerator, Apply("log", args[1:], 0, True, node), node)
        if builtin.name == "norm":
            return Apply(NORMS[func.sub or ""], args, 0, True, node)
        return Apply(builtin.name, args, 0, True, node)

    def _log_base(self, func: Name, node: Call) -> IR:
        sub = func.sub or ""
        if sub.isdigit():
            return Const(Fraction(int(sub)), node)
        return self.value(Name(sub, span=func.span))

    def _delta_call(self, node: Call) -> IR:
        indices = [
            self._index_token(key_of(a), a) if isinstance(a, Name) else None for a in node.args
        ]
        if len(indices) == 2 and indices[0] is not None and indices[1] is not None:
            return Delta(indices[0], indices[1], node)
        raise _error(
            Reason.UNKNOWN_FUNCTION,
            "delta(...) needs two indices such as delta(j, y_i)",
            node,
            "delta",
        )

    def bracket_product(self, node: Node) -> tuple[IR, Node] | None:
        """For a call that is really a value times a bracket (`z1 (a + b)`), the value and the
        bracket's content; None for anything else. The parser reads a name before a bracket as
        a call, so a postfix `^T` or power after the bracket lands on the whole call."""
        if not isinstance(node, Call) or node.primes or len(node.args) != 1:
            return None
        func = node.func
        info = self.context.lookup(key_of(func))
        if info is not None and info.kind is SymbolKind.FUNCTION:
            return None
        if info is None and func.base in BUILTINS and _builtin_sub_ok(func):
            return None
        if (
            info is None
            and func.sub is None
            and (
                func.base in DERIVATIVES
                or (self.context.open and (func.base in MATRICES or func.base == "det"))
            )
        ):
            return None
        if self._delta_head(func, info):
            return None
        try:
            head = self._name(func)
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
            raise _error(
                Reason.UNKNOWN_FUNCTION,
                f"{name_text(func)} is not a function, so it cannot carry a prime",
                func,
                name_text(func),
            )
        if head is None:
            known = ", ".join(self.context.functions())
            hint = f" (declared functions: {known})" if known else ""
            raise _error(
                Reason.UNKNOWN_FUNCTION,
                f"unknown function {name_text(func)}{hint}",
                func,
                name_text(func),
            )
        if len(node.args) != 1:
            raise _error(
                Reason.SYNTAX,
                f"{name_text(func)} is not a function and cannot take {len(node.args)} arguments",
                node,
                name_text(func),
            )
        return Binary("mul", head, self.value(node.args[0]), node)

    # ----- derivatives ------------------------------------------------------------------------
    def _derivative(self, node: Call) -> IR:
        """`Derivative(expr, x)`, `Derivative(expr, (x, 2))`, `diff(expr, x, 2)`, `diff(expr)`
        (by the only variable)."""
        if not node.args:
            raise _error(Reason.SYNTAX, f"{node.func.base} needs an expression", node)
        body = self.value(node.args[0])
        specs = self._derivative_specs(node.args[1:], node)
        if not specs:
            names = sorted({n.name for n in _symbols(body)})
            if len(names) != 1:
                raise _error(Reason.SYNTAX, "say which variable to differentiate by", node)
            specs = [(names[0], 1)]
        return self.differentiated(body, specs, node)

    def _gradient(self, node: Call) -> IR:
        """`\\nabla_w L`: a declared symbol of that spelling, or dL/dw worked out."""
        func = node.func
        body = node.args[0] if len(node.args) == 1 else None
        var = None if func.sub is None else Name(func.sub, span=func.span)
        if isinstance(body, Name):
            info = self.context.lookup(derivative_key(body, var))
            if info is not None and info.kind in VALUE_KINDS:
                return Sym(info.name, node)
        if body is None or var is None:
            raise _error(
                Reason.SYNTAX,
                "write the variable of a gradient, as in \\nabla_w L (or use a name the "
                "question declares)",
                node,
                "nabla",
            )
        return self.differentiated(self.value(body), [(self._variable(var), 1)], node)

    def _derivative_node(self, node: AstDerivative) -> IR:
        """`\\frac{\\partial L}{\\partial W}`, `\\frac{d}{dx} f`, `Derivative(f, (x, 2))`."""
        if isinstance(node.body, Name):
            info = self.context.lookup(derivative_key(node.body, node.var, node.order))
            if info is not None and info.kind in VALUE_KINDS:
                return Sym(info.name, node)
        body = self.value(node.body)
        return self.differentiated(body, [(self._variable(node.var), node.order)], node)

    def differentiated(self, body: IR, specs: Sequence[tuple[str, int]], node: Node) -> IR:
        """`body` differentiated by each (variable, order), within the total order budget."""
        self.derivative_order += sum(order for _, order in specs)
        if self.derivative_order > MAX_DERIVATIVE:
            raise _error(
                Reason.TOO_LARGE, f"derivatives beyond order {MAX_DERIVATIVE} in total", node
            )
        for var, order in specs:
            for _ in range(order):
                try:
                    body = differentiate(body, var, self.context.definitions)
                except NotDifferentiable as exc:
                    message = f"cannot differentiate {exc.what} here"
                    raise _error(Reason.SYNTAX, message, node) from None
        return body

    def _derivative_specs(self, args: Sequence[Node], node: Call) -> list[tuple[str, int]]:
        """(variable, order) pairs from `x`, `(x, n)` and Maxima's `x, n`."""
        specs: list[tuple[str, int]] = []
        for arg in args:
            if isinstance(arg, TupleLit) and len(arg.items) == 2:
                specs.append((self._variable(arg.items[0]), _order(arg.items[1], node)))
            elif isinstance(arg, Number) and specs:
                specs[-1] = (specs[-1][0], _order(arg, node))
            else:
                specs.append((self._variable(arg), 1))
        return specs

    def _variable(self, node: Node) -> str:
        value = self.value(node) if isinstance(node, Name) else None
        if not isinstance(value, Sym):
            raise _error(Reason.SYNTAX, "can only differentiate by a variable", node)
        return value.name

    # ----- matrices ---------------------------------------------------------------------------
    def _matrix(self, node: Call) -> IR:
        """`Matrix([[1, 2], [3, 4]])` (sympy) or `matrix([1, 2], [3, 4])` (Maxima)."""
        rows: Sequence[Node] = node.args
        if len(rows) == 1 and isinstance(rows[0], ListLit):
            items = rows[0].items
            rows = items if items and all(isinstance(i, ListLit) for i in items) else rows
        if not all(isinstance(row, ListLit) for row in rows):
            raise _error(Reason.SYNTAX, "Matrix needs rows written as [a, b, ...]", node)
        return self.matrix_rows([row.items for row in rows if isinstance(row, ListLit)], node)

    def _determinant(self, node: Call) -> IR:
        args = [self.value(a) for a in node.args]
        if len(args) != 1 or not isinstance(args[0], MatrixLit):
            raise _error(
                Reason.WRONG_SHAPE,
                "det needs one matrix written out, as in det(Matrix([[a, b], [c, d]]))",
                node,
                "det",
            )
        return determinant(args[0], node)

    def matrix_rows(self, rows: Sequence[Sequence[Node]], node: Node) -> MatrixLit:
        """A matrix literal from rows of entries (equal lengths, bounded size)."""
        if not rows or not rows[0]:
            raise _error(Reason.WRONG_SHAPE, "an empty matrix", node)
        if any(len(row) != len(rows[0]) for row in rows):
            raise _error(Reason.WRONG_SHAPE, "the rows of the matrix have different lengths", node)
        if len(rows) * len(rows[0]) > MAX_MATRIX:
            raise _error(Reason.TOO_LARGE, f"a matrix of more than {MAX_MATRIX} entries", node)
        return MatrixLit(tuple(tuple(self.value(x) for x in row) for row in rows), node)


def _symbols(tree: IR) -> list[Sym]:
    return [n for n in ir_walk(tree) if isinstance(n, Sym)]


def _order(node: Node, where: Node) -> int:
    if not isinstance(node, Number) or node.value.denominator != 1 or node.value < 0:
        raise _error(Reason.SYNTAX, "a derivative order must be a whole number", where)
    if node.value > MAX_DERIVATIVE:
        raise _error(Reason.TOO_LARGE, f"a derivative order must be 0..{MAX_DERIVATIVE}", where)
    return int(node.value)
