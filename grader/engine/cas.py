"""Our expression tree -> sympy, for the OPEN context (no declared names).

sympy objects are built only with constructors (sympy.Symbol, sympy.Add, ...), never from text:
no sympify, parse_expr, S("...") or lambdify ever sees what a student wrote. Every name becomes a
real Symbol (`x1` and `x_1` stay different), a name followed by brackets that is not a known
function becomes an undefined real Function, known functions map through one explicit table.
Numbers become exact Rationals from their text (0.333333333333333 is not 1/3; 0.5 is 1/2).

Bombs are refused before sympy sees them (CasError with Reason.TOO_LARGE / TOO_DEEP): trees
larger or deeper than the limits, exponents beyond +-10000, constant powers, products and sums
with more than 10000 digits, factorials/binomials of big constants, derivatives of total order
> 10, sums of more than 10000 terms, matrices of more than 2500
entries, roots of constants with more than 300 digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import sympy

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
    Sum,
    Transpose,
    TupleLit,
    children,
)
from grader.model import Reason
from grader.numeric.mpeval import (
    Undefined,
    Unsupported,
    compile_expr,
    evaluate,
    make_context,
    to_fraction,
)

MAX_NODES = 5000
MAX_DEPTH = 200
MAX_EXPONENT = 10_000  # |numerator| of a constant exponent
MAX_ROOT = 1000  # denominator of a constant exponent, degree of root()
MAX_DIGITS = 10_000  # digits of any exact constant sympy is asked to form
MAX_FACTORIAL = 2000
MAX_ROOT_DIGITS = 300  # digits of a constant under a root (sympy looks for perfect powers)
MAX_DERIVATIVE = 10  # total order of all derivatives in one expression
MAX_SUM_TERMS = 10_000
MAX_MATRIX = 2500

EMPTY: Mapping[str, str] = MappingProxyType({})
ASSUMPTIONS = frozenset({"positive", "negative", "nonnegative", "nonpositive", "integer", "real"})
_ASSUME = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*0\s*")
_ASSUME_KIND = MappingProxyType(
    {">": "positive", ">=": "nonnegative", "<": "negative", "<=": "nonpositive"}
)

Value = Any  # a sympy expression or an ImmutableMatrix (sympy is not precisely typed)


class CasError(ValueError):
    """The tree cannot (or must not) become a sympy expression: `reason` says why."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(reason, message)  # args match __init__: picklable
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message


def parse_assumption(text: str) -> tuple[str, str]:
    """`a>0` -> ("a", "positive"); also >=0 (nonnegative), <0, <=0. Raises CasError otherwise."""
    match = _ASSUME.fullmatch(text)
    if match is None:
        raise CasError(Reason.SYNTAX, f"unsupported assumption {text!r} (use e.g. a>0)")
    return match.group(1), _ASSUME_KIND[match.group(2)]


def symbol_name(name: Name) -> str:
    """The sympy name of a Name: its base, or base_sub (so `x1` and `x_1` differ)."""
    return name.base if name.sub is None else f"{name.base}_{name.sub}"


CONSTANTS: Mapping[str, Value] = MappingProxyType(
    {"pi": sympy.pi, "E": sympy.E, "e": sympy.E, "I": sympy.I}
)


def to_sympy(node: Node, *, assumptions: Mapping[str, str] = EMPTY) -> Value:
    """The sympy expression (or ImmutableMatrix) for `node` in the open context.

    `assumptions` maps a symbol name to one of ASSUMPTIONS ("positive" where the question says
    a>0); other symbols are real. Raises CasError (TOO_LARGE, TOO_DEEP, SYNTAX, WRONG_SHAPE,
    NOT_FINITE for 1/0 or log(0)) for what cannot or must not be built. A relation is only
    accepted inside an indicator `1[x > 0]`.
    """
    for key, kind in assumptions.items():
        if kind not in ASSUMPTIONS:
            raise CasError(Reason.SYNTAX, f"unknown assumption {kind!r} for {key}")
    check_size(node)
    try:
        value = _Builder(assumptions).build(node)
    except (TypeError, NotImplementedError, AttributeError) as exc:
        # sympy's own refusals of a combination we let through (a safety net, not a path)
        raise CasError(Reason.SYNTAX, f"cannot build this expression: {exc}") from None
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise CasError(Reason.NOT_FINITE, "the expression divides by zero or is infinite")
    return value


def constant_value(node: Node, *, dps: int = 60) -> Fraction:
    """The real value of a constant expression (`pi`, `sqrt(2)`, `1/7`, `3.14`), evaluated with
    mpmath at `dps` digits and returned exactly as a Fraction (a Number's value is returned as
    is). Raises CasError: NOT_A_NUMBER for free names, complex or undefined values (and, from
    to_sympy, NOT_FINITE for `1/0`)."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Neg) and isinstance(node.operand, Number):
        return -node.operand.value
    value = to_sympy(node)
    if isinstance(value, sympy.MatrixBase) or value.free_symbols:
        raise CasError(Reason.NOT_A_NUMBER, "the expression is not a single constant")
    try:
        ctx = make_context(dps)
        return to_fraction(ctx, evaluate(compile_expr(value), ctx, {}))
    except (Undefined, Unsupported) as exc:
        raise CasError(Reason.NOT_A_NUMBER, f"the value is not a real number: {exc}") from None


def check_size(node: Node) -> None:
    """Refuse trees with too many nodes or nested too deep (CasError TOO_LARGE / TOO_DEEP),
    iteratively, before any recursive walk."""
    stack = [(node, 1)]
    count = 0
    while stack:
        current, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise CasError(Reason.TOO_LARGE, f"the expression has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise CasError(Reason.TOO_DEEP, f"the expression is nested deeper than {MAX_DEPTH}")
        stack.extend((child, depth + 1) for child in children(current))


def check_constant(value: Value) -> Value:
    """Refuse exact rational constants with more than MAX_DIGITS digits."""
    if isinstance(value, sympy.Rational):
        for part in (value.p, value.q):
            if part != 0 and abs(part).bit_length() * 0.30103 > MAX_DIGITS:
                raise CasError(Reason.TOO_LARGE, f"a number with more than {MAX_DIGITS} digits")
    return value


def _digits(value: sympy.Rational) -> float:
    """Decimal digits of the larger of numerator and denominator."""
    return max(abs(int(value.p)).bit_length(), abs(int(value.q)).bit_length()) * 0.30103


def power(base: Value, exponent: Value) -> Value:
    """base**exponent, refusing exponents and constant results beyond the limits."""
    if isinstance(exponent, sympy.Rational):
        if abs(int(exponent.p)) > MAX_EXPONENT or int(exponent.q) > MAX_ROOT:
            raise CasError(Reason.TOO_LARGE, f"the exponent {exponent} is beyond the limits")
        if isinstance(base, sympy.Rational) and base != 0:
            if exponent.is_Integer and _digits(base) * abs(int(exponent.p)) > MAX_DIGITS:
                raise CasError(Reason.TOO_LARGE, "the power has too many digits")
            if not exponent.is_Integer and _digits(base) > MAX_ROOT_DIGITS:
                raise CasError(Reason.TOO_LARGE, "the root of a too large number")
    if isinstance(base, sympy.MatrixBase):
        if not (isinstance(exponent, sympy.Integer) and base.is_square):
            raise CasError(Reason.WRONG_SHAPE, "only square matrices have integer powers")
        return sympy.ImmutableMatrix(base**exponent)
    if isinstance(exponent, sympy.MatrixBase):
        raise CasError(Reason.WRONG_SHAPE, "a matrix cannot be an exponent")
    return check_constant(sympy.Pow(base, exponent))


def _integer_arg(value: Value, limit: int, what: str) -> None:
    """Refuse a constant integer argument beyond `limit` (factorial, binomial)."""
    if isinstance(value, sympy.Integer) and abs(int(value)) > limit:
        raise CasError(Reason.TOO_LARGE, f"{what} of {value} is too large")


def _factorial(x: Value) -> Value:
    _integer_arg(x, MAX_FACTORIAL, "the factorial")
    return sympy.factorial(x)


def _binomial(n: Value, k: Value) -> Value:
    _integer_arg(n, MAX_FACTORIAL, "the binomial coefficient")
    _integer_arg(k, MAX_FACTORIAL, "the binomial coefficient")
    return sympy.binomial(n, k)


def _log(x: Value, base: Value | None = None) -> Value:
    return sympy.log(x) if base is None else sympy.log(x, base)


def _lg(x: Value, base: Value | None = None) -> Value:
    return sympy.log(x, 10 if base is None else base)


def _root(x: Value, n: Value) -> Value:
    if not isinstance(n, sympy.Integer) or not 1 <= int(n) <= MAX_ROOT:
        raise CasError(Reason.TOO_LARGE, "root() needs a whole degree between 1 and 1000")
    return power(x, sympy.Rational(1, int(n)))


# name -> (builder, fewest args, most args). The only functions a student can reach.
_UNARY = {
    name: getattr(sympy, name)
    for name in (
        "sin cos tan sec csc cot asin acos atan sinh cosh tanh asinh acosh atanh exp Abs"
    ).split()
}
FUNCTIONS: Mapping[str, tuple[Callable[..., Value], int, int]] = MappingProxyType(
    {
        **{name: (fn, 1, 1) for name, fn in _UNARY.items()},
        "sqrt": (lambda x: power(x, sympy.S.Half), 1, 1),
        "cosec": (sympy.csc, 1, 1),
        "arcsin": (sympy.asin, 1, 1),
        "arccos": (sympy.acos, 1, 1),
        "arctan": (sympy.atan, 1, 1),
        "abs": (sympy.Abs, 1, 1),
        "log": (_log, 1, 2),
        "ln": (_log, 1, 1),
        "lg": (_lg, 1, 2),
        "root": (_root, 2, 2),
        "factorial": (_factorial, 1, 1),
        "binomial": (_binomial, 2, 2),
    }
)
SPECIAL_FUNCTIONS = frozenset({"Derivative", "diff", "Sum", "sum", "Matrix"})
_RELATIONS: Mapping[str, Callable[[Value, Value], Value]] = MappingProxyType(
    {
        "=": sympy.Eq,
        "!=": sympy.Ne,
        "<": sympy.Lt,
        "<=": sympy.Le,
        ">": sympy.Gt,
        ">=": sympy.Ge,
    }
)


def is_known_function(name: str) -> bool:
    """Whether `name(...)` is a known function in the open context."""
    return name in FUNCTIONS or name in SPECIAL_FUNCTIONS


def _is_matrix(value: Value) -> bool:
    return isinstance(value, sympy.MatrixBase)


class _Builder:
    """One conversion: symbol and function caches, the assumptions."""

    def __init__(self, assumptions: Mapping[str, str]) -> None:
        self.assumptions = assumptions
        self.symbols: dict[str, sympy.Symbol] = {}
        self.functions: dict[str, Any] = {}
        self.derivative_order = 0  # summed over the whole tree: nesting must not multiply work

    def count_derivatives(self, order: int) -> None:
        self.derivative_order += order
        if self.derivative_order > MAX_DERIVATIVE:
            raise CasError(Reason.TOO_LARGE, f"derivatives beyond order {MAX_DERIVATIVE} in total")

    def symbol(self, name: str) -> sympy.Symbol:
        if name not in self.symbols:
            kind = self.assumptions.get(name, "real")
            self.symbols[name] = sympy.Symbol(name, **{kind: True})
        return self.symbols[name]

    def function(self, name: str) -> Any:
        if name not in self.functions:
            self.functions[name] = sympy.Function(name, real=True)
        return self.functions[name]

    def build(self, node: Node) -> Value:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise CasError(Reason.SYNTAX, f"{type(node).__name__} is not supported here")
        return method(node)

    def scalar(self, node: Node) -> Value:
        value = self.build(node)
        if _is_matrix(value):
            raise CasError(Reason.WRONG_SHAPE, "a matrix where a single value is needed")
        return value

    def _number(self, node: Number) -> Value:
        value = sympy.Rational(node.value.numerator, node.value.denominator)
        return check_constant(value)

    def _name(self, node: Name) -> Value:
        name = symbol_name(node)
        if name in CONSTANTS:
            return CONSTANTS[name]
        return self.symbol(name)

    def _neg(self, node: Neg) -> Value:
        value = self.build(node.operand)
        return -value if _is_matrix(value) else check_constant(sympy.Mul(-1, value))

    def _binop(self, node: BinOp) -> Value:
        left, right = self.build(node.left), self.build(node.right)
        try:
            return self._combine(node.op, left, right)
        except sympy.ShapeError as exc:
            raise CasError(Reason.WRONG_SHAPE, f"matrix shapes do not fit: {exc}") from None

    def _combine(self, op: str, left: Value, right: Value) -> Value:
        matrices = _is_matrix(left) or _is_matrix(right)
        if op == "^":
            return power(left, right)
        if op == "/":
            if _is_matrix(right):
                raise CasError(Reason.WRONG_SHAPE, "cannot divide by a matrix")
            if matrices:
                return sympy.ImmutableMatrix(left * power(right, sympy.Integer(-1)))
            return check_constant(sympy.Mul(left, power(right, sympy.Integer(-1))))
        if op == "hadamard" and _is_matrix(left) and _is_matrix(right):
            return sympy.ImmutableMatrix(left.multiply_elementwise(right))
        if matrices:
            if op in ("+", "-") and not (_is_matrix(left) and _is_matrix(right)):
                raise CasError(Reason.WRONG_SHAPE, "cannot add a matrix and a number")
            result = {"+": lambda: left + right, "-": lambda: left - right}.get(
                op, lambda: left * right
            )()
            return sympy.ImmutableMatrix(result)
        if op == "+":
            return check_constant(sympy.Add(left, right))
        if op == "-":
            return check_constant(sympy.Add(left, sympy.Mul(-1, right)))
        return check_constant(sympy.Mul(left, right))  # "*" and scalar "hadamard"

    def _transpose(self, node: Transpose) -> Value:
        value = self.build(node.operand)
        return sympy.ImmutableMatrix(value.T) if _is_matrix(value) else value

    def _factorial(self, node: Factorial) -> Value:
        return _factorial(self.scalar(node.operand))

    def _abs(self, node: Abs) -> Value:
        return sympy.Abs(self.scalar(node.operand))

    def _relation(self, node: Relation) -> Value:
        raise CasError(Reason.SYNTAX, "an equation or inequality is not an expression here")

    def condition(self, node: Relation) -> Value:
        return _RELATIONS[node.op](self.scalar(node.left), self.scalar(node.right))

    def _indicator(self, node: Indicator) -> Value:
        conditions = [self.condition(c) for c in node.conditions]
        return sympy.Piecewise((sympy.Integer(1), sympy.And(*conditions)), (sympy.Integer(0), True))

    def _listlit(self, node: ListLit) -> Value:
        """[a, b] is a 1 x n matrix; [[a, b], [c, d]] a matrix of rows."""
        if all(isinstance(item, ListLit) for item in node.items):
            rows = [[self.scalar(x) for x in item.items] for item in node.items]  # type: ignore[union-attr]
        else:
            rows = [[self.scalar(x) for x in node.items]]
        return _matrix(rows)

    def _tuplelit(self, node: TupleLit) -> Value:
        raise CasError(Reason.SYNTAX, "a bracketed list of values is not an expression")

    def _sum(self, node: Sum) -> Value:
        if node.conditions or node.lower is None or node.upper is None:
            raise CasError(Reason.SYNTAX, "a sum needs explicit bounds here (sum_{k=1}^{n})")
        index = self.symbol(symbol_name(node.index))
        return _make_sum(self.scalar(node.body), index, self.scalar(node.lower),
                         self.scalar(node.upper))

    def _call(self, node: Call) -> Value:
        name = symbol_name(node.func)
        if name in SPECIAL_FUNCTIONS:
            if node.primes:
                raise CasError(Reason.SYNTAX, f"{name} cannot carry primes")
            return getattr(self, f"_special_{name.lower()}")(node.args)
        args = [self.scalar(arg) for arg in node.args]
        if name in FUNCTIONS:
            builder, fewest, most = FUNCTIONS[name]
            if not fewest <= len(args) <= most:
                raise CasError(Reason.SYNTAX, f"{name} takes {fewest}..{most} arguments")
            if node.primes:
                self.count_derivatives(node.primes)
                return _derivative_of_known(builder, args, node.primes)
            return builder(*args)
        function = self.function(name)
        if node.primes:
            self.count_derivatives(node.primes)
            return _derivative_of_undefined(function, args, node.primes)
        return function(*args)

    def _special_derivative(self, args: Sequence[Node]) -> Value:
        if not args:
            raise CasError(Reason.SYNTAX, "Derivative needs an expression")
        expr = self.scalar(args[0])
        specs = self._derivative_specs(args[1:], expr)
        return sympy.Derivative(expr, *specs)

    _special_diff = _special_derivative

    def _derivative_specs(self, args: Sequence[Node], expr: Value) -> list[tuple[Value, int]]:
        """(x, n) pairs from `x`, `(x, n)` and Maxima's `x, n`."""
        specs: list[tuple[Value, int]] = []
        for arg in args:
            if isinstance(arg, TupleLit) and len(arg.items) == 2:
                specs.append((self._variable(arg.items[0]), _order(self.scalar(arg.items[1]))))
            elif isinstance(arg, Number) and specs:
                specs[-1] = (specs[-1][0], specs[-1][1] - 1 + _order(self._number(arg)))
            else:
                specs.append((self._variable(arg), 1))
        if not specs:
            free = sorted(expr.free_symbols, key=str)
            if len(free) != 1:
                raise CasError(Reason.SYNTAX, "say which variable to differentiate by")
            specs.append((free[0], 1))
        self.count_derivatives(sum(n for _, n in specs))
        return specs

    def _variable(self, node: Node) -> Value:
        value = self.scalar(node)
        if not isinstance(value, sympy.Symbol):
            raise CasError(Reason.SYNTAX, "can only differentiate by a variable")
        return value

    def _special_sum(self, args: Sequence[Node]) -> Value:
        """sum(body, k, a, b) (Maxima) or Sum(body, (k, a, b)) (sympy) if not already a Sum."""
        parts: list[Node] = list(args)
        if len(parts) == 2 and isinstance(parts[1], TupleLit):
            parts = [parts[0], *parts[1].items]
        if len(parts) != 4:
            raise CasError(Reason.SYNTAX, "sum needs a body, an index and two bounds")
        index = self._variable(parts[1])
        return _make_sum(self.scalar(parts[0]), index, self.scalar(parts[2]),
                         self.scalar(parts[3]))

    def _special_matrix(self, args: Sequence[Node]) -> Value:
        """Matrix([[1, 2], [3, 4]]) (sympy) or matrix([1, 2], [3, 4]) (Maxima)."""
        rows_nodes: Sequence[Node] = args
        if len(args) == 1 and isinstance(args[0], ListLit):
            items = args[0].items
            rows_nodes = items if all(isinstance(i, ListLit) for i in items) else (args[0],)
        rows = []
        for row in rows_nodes:
            if not isinstance(row, ListLit):
                raise CasError(Reason.SYNTAX, "Matrix needs rows written as [a, b, ...]")
            rows.append([self.scalar(x) for x in row.items])
        return _matrix(rows)


def _order(value: Value) -> int:
    if not isinstance(value, sympy.Integer) or int(value) < 0:
        raise CasError(Reason.SYNTAX, "a derivative order must be a whole number")
    if int(value) > MAX_DERIVATIVE:
        raise CasError(Reason.TOO_LARGE, f"a derivative order must be 0..{MAX_DERIVATIVE}")
    return int(value)


def _make_sum(body: Value, index: Value, lower: Value, upper: Value) -> Value:
    if not isinstance(index, sympy.Symbol):
        raise CasError(Reason.SYNTAX, "the index of a sum must be a variable")
    if isinstance(lower, sympy.Integer) and isinstance(upper, sympy.Integer):
        if abs(int(upper) - int(lower)) > MAX_SUM_TERMS:
            raise CasError(Reason.TOO_LARGE, f"a sum of more than {MAX_SUM_TERMS} terms")
    return sympy.Sum(body, (index, lower, upper))


def _matrix(rows: list[list[Value]]) -> Value:
    if not rows or not rows[0]:
        raise CasError(Reason.WRONG_SHAPE, "an empty matrix")
    if any(len(row) != len(rows[0]) for row in rows):
        raise CasError(Reason.WRONG_SHAPE, "the rows of the matrix have different lengths")
    if len(rows) * len(rows[0]) > MAX_MATRIX:
        raise CasError(Reason.TOO_LARGE, f"a matrix of more than {MAX_MATRIX} entries")
    return sympy.ImmutableMatrix(rows)


def _derivative_of_undefined(function: Any, args: list[Value], primes: int) -> Value:
    """f'(x) -> Derivative(f(x), x); f'(g(x)) -> Subs(Derivative(f(u), u), u, g(x))."""
    if len(args) != 1:
        raise CasError(Reason.SYNTAX, "primes need a function of one argument")
    if primes > MAX_DERIVATIVE:
        raise CasError(Reason.TOO_LARGE, f"derivatives beyond order {MAX_DERIVATIVE}")
    arg = args[0]
    if isinstance(arg, sympy.Symbol):
        return sympy.Derivative(function(arg), (arg, primes))
    dummy = sympy.Dummy("u", real=True)
    return sympy.Subs(sympy.Derivative(function(dummy), (dummy, primes)), dummy, arg)


def _derivative_of_known(builder: Callable[..., Value], args: list[Value], primes: int) -> Value:
    """sin'(x) and the like: the derivative of the known function, evaluated at the argument."""
    if len(args) != 1:
        raise CasError(Reason.SYNTAX, "primes need a function of one argument")
    if primes > MAX_DERIVATIVE:
        raise CasError(Reason.TOO_LARGE, f"derivatives beyond order {MAX_DERIVATIVE}")
    dummy = sympy.Dummy("u", real=True)
    return sympy.diff(builder(dummy), dummy, primes).xreplace({dummy: args[0]})
