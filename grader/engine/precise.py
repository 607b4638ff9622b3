"""High-precision evaluation of resolved trees with mpmath (open contexts, constants).

A tree is evaluated in a private mpmath context (`make_context(dps)`), so no global precision
is ever changed. Values follow sympy's principal branches (sqrt(-1) = i, log(-1) = i pi,
(-8)^(1/3) complex), which is what a CAS answer test compares. The random functions that stand
in for a context's functions are evaluated with mpmath's sine.

A point where the tree has no finite value (division by zero, log 0, a pole of gamma, a finite
sum whose bounds are not whole numbers, a comparison of non-real values) raises Undefined; so
do values that would exhaust the budget (exp of more than MAX_EXP, powers with more than about
MAX_POWER_BITS binary digits), which keeps `exp(exp(exp(x)))` from eating memory. Nodes that
only make sense elsewhere (families, index sums, matrix literals) raise Unsupported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from mpmath.ctx_mp import MPContext

from grader.engine.functions import RandomFunction
from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Bool,
    Cond,
    Const,
    Constant,
    FiniteSum,
    Indicator,
    Local,
    Sym,
    Unary,
)

MAX_EXP = 10**6  # |Re z| allowed in exp(z), sinh, cosh
MAX_POWER_BITS = 4 * 10**6  # |exponent| * log2|base| allowed in a power
MAX_TRIG_ARG = 10**100
MAX_GAMMA_ARG = 10**5
MAX_SUM_TERMS = 10_000

Env = Mapping[str, Any]  # symbol name -> mpmath value
Functions = Mapping[tuple[str, int], RandomFunction]  # (name, arity) -> stand-in


class Undefined(ArithmeticError):
    """The tree has no finite value at this point."""


class Unsupported(ValueError):
    """The tree holds a node this evaluator does not know."""


def make_context(dps: int) -> MPContext:
    """A private mpmath context working at `dps` decimal digits."""
    ctx = MPContext()
    ctx.dps = dps
    return ctx


def evaluate_precise(node: IR, ctx: MPContext, env: Env, functions: Functions) -> Any:
    """The value of `node` (an mpf or mpc); raises Undefined where it has none."""
    try:
        value = _Precise(ctx, env, functions).visit(node)
    except (ZeroDivisionError, OverflowError) as exc:
        raise Undefined(str(exc)) from None
    except ValueError as exc:
        if isinstance(exc, Unsupported):
            raise
        raise Undefined(str(exc)) from None
    return finite(ctx, value)


def evaluate_truth(node: IR, ctx: MPContext, env: Env, functions: Functions) -> bool:
    """Whether a statement (Conds joined by Bools) holds at this point; raises Undefined
    where a side has no real value."""
    evaluator = _Precise(ctx, env, functions)
    try:
        return evaluator.truth(node)
    except (ZeroDivisionError, OverflowError) as exc:
        raise Undefined(str(exc)) from None
    except ValueError as exc:
        if isinstance(exc, Unsupported):
            raise
        raise Undefined(str(exc)) from None


def finite(ctx: MPContext, value: Any) -> Any:
    """`value`, or Undefined when it is infinite or not a number."""
    if ctx.isinf(value) or ctx.isnan(value):
        raise Undefined("not finite")
    return value


def to_fraction(ctx: MPContext, value: Any) -> Fraction:
    """The exact value of a real mpmath number (raises Undefined for complex values)."""
    if isinstance(value, ctx.mpc):
        if value.imag != 0:
            raise Undefined("the value is not real")
        value = value.real
    value = finite(ctx, ctx.mpf(value))
    man, exp = value.man_exp
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def real(ctx: MPContext, value: Any) -> Any:
    """A real value or Undefined (comparisons, floor, sign need real values)."""
    if isinstance(value, ctx.mpc):
        if abs(value.imag) > ctx.mpf(10) ** (-ctx.dps // 2) * max(1, abs(value)):
            raise Undefined("a comparison of non-real values")
        return value.real
    return value


def _whole(ctx: MPContext, value: Any) -> int:
    """A (numerically) whole real value as an int, else Undefined."""
    x = real(ctx, value)
    n = int(ctx.nint(x))
    if abs(x - n) > ctx.mpf(10) ** (-ctx.dps // 2):
        raise Undefined("a bound that is not a whole number")
    return n


def _guard_power(ctx: MPContext, base: Any, exponent: Any) -> None:
    if base != 0 and abs(exponent) * (abs(ctx.mag(base)) + 1) > MAX_POWER_BITS:
        raise Undefined("the power is too large to evaluate")


def _power(ctx: MPContext, base: Any, exponent: Any) -> Any:
    _guard_power(ctx, base, exponent)
    if base == 0:
        if ctx.re(exponent) > 0:
            return ctx.mpf(0)
        raise Undefined("0 to a non-positive power")
    if not isinstance(exponent, ctx.mpc) and ctx.isint(exponent) and abs(exponent) < 2**31:
        return base ** int(exponent)
    if isinstance(base, ctx.mpc) or isinstance(exponent, ctx.mpc) or base < 0:
        return ctx.exp(exponent * ctx.log(base))  # principal branch, as sympy
    return ctx.power(base, exponent)


def _gamma(ctx: MPContext, x: Any) -> Any:
    if abs(x) > MAX_GAMMA_ARG:
        raise Undefined("gamma of a too large argument")
    return ctx.gamma(x)  # raises ValueError at poles


def _limited(name: str, limit: float, by_real_part: bool = False) -> Callable[..., Any]:
    def run(ctx: MPContext, x: Any) -> Any:
        size = abs(ctx.re(x)) if by_real_part else abs(x)
        if size > limit:
            raise Undefined(f"{name} of a too large argument")
        return getattr(ctx, name)(x)

    return run


def _plain(name: str) -> Callable[..., Any]:
    return lambda ctx, x: getattr(ctx, name)(x)


def _sign(ctx: MPContext, x: Any) -> Any:
    x = real(ctx, x)
    return ctx.mpf(0) if x == 0 else ctx.mpf(1 if x > 0 else -1)


_ONE_ARG: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "exp": _limited("exp", MAX_EXP, by_real_part=True),
        "sinh": _limited("sinh", MAX_EXP, by_real_part=True),
        "cosh": _limited("cosh", MAX_EXP, by_real_part=True),
        **{name: _limited(name, MAX_TRIG_ARG) for name in "sin cos tan sec csc cot".split()},
        **{
            name: _plain(name)
            for name in (
                "log sqrt asin acos atan asec acsc acot tanh sech csch coth asinh acosh atanh"
            ).split()
        },
        **{name: (lambda ctx, x: abs(x)) for name in ("abs", "norm", "norm1", "norm2", "norminf")},
        "lg": lambda ctx, x: ctx.log(x) / ctx.log(10),
        "floor": lambda ctx, x: ctx.floor(real(ctx, x)),
        "ceil": lambda ctx, x: ctx.ceil(real(ctx, x)),
        "sign": _sign,
        "factorial": lambda ctx, x: _gamma(ctx, x + 1),
        "diag": lambda ctx, x: x,  # the identity on scalars
    }
)

_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
)


class _Precise:
    """One evaluation: the context, the point, the stand-in functions, sum variables."""

    def __init__(self, ctx: MPContext, env: Env, functions: Functions) -> None:
        self.ctx = ctx
        self.env = env
        self.functions = functions
        self.locals: dict[str, Any] = {}

    def visit(self, node: IR) -> Any:
        handler = _DISPATCH.get(type(node))
        if handler is None:
            raise Unsupported(f"{type(node).__name__} has no value here")
        return handler(self, node)

    def _const(self, node: Const) -> Any:
        p, q = node.value.numerator, node.value.denominator
        return self.ctx.mpf(p) if q == 1 else self.ctx.mpf(p) / q

    def _constant(self, node: Constant) -> Any:
        ctx = self.ctx
        return {"e": lambda: +ctx.e, "pi": lambda: +ctx.pi, "i": lambda: ctx.mpc(0, 1)}[node.name]()

    def _sym(self, node: Sym) -> Any:
        return self.env[node.name]

    def _local(self, node: Local) -> Any:
        return self.locals[node.name]

    def _unary(self, node: Unary) -> Any:
        value = self.visit(node.operand)
        return -value if node.op == "neg" else value  # transposes: identity on scalars

    def _binary(self, node: Binary) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op == "add":
            return left + right
        if node.op == "sub":
            return left - right
        if node.op == "div":
            if right == 0:
                raise Undefined("division by zero")
            return left / right
        if node.op == "pow":
            return _power(self.ctx, left, right)
        return left * right  # every product is the ordinary one on scalars

    def _apply(self, node: Apply) -> Any:
        ctx = self.ctx
        args = [self.visit(a) for a in node.args]
        if not node.builtin:
            function = self.functions.get((node.func, len(args)))
            if function is None:
                raise Unsupported(f"no stand-in for the function {node.func}")
            return function.of(args, node.primes, ctx.sin, +ctx.pi)
        if node.func in ("log", "lg") and len(args) == 2:
            return ctx.log(args[0]) / ctx.log(args[1])
        if node.func in _ONE_ARG:
            return finite(ctx, _ONE_ARG[node.func](ctx, args[0]))
        if node.func == "root":
            return _power(ctx, args[0], 1 / args[1])
        if node.func in ("max", "min"):
            values = [real(ctx, a) for a in args]
            return max(values) if node.func == "max" else min(values)
        if node.func == "atan2":
            return ctx.atan2(real(ctx, args[0]), real(ctx, args[1]))
        if node.func == "binomial":
            n, k = args
            return _gamma(ctx, n + 1) / (_gamma(ctx, k + 1) * _gamma(ctx, n - k + 1))
        raise Unsupported(f"the function {node.func}")

    def _cond(self, node: Cond) -> bool:
        ctx = self.ctx
        a, b = finite(ctx, self.visit(node.left)), finite(ctx, self.visit(node.right))
        if node.op in ("=", "!="):
            close = abs(a - b) <= ctx.mpf(10) ** (-ctx.dps // 2) * max(1, abs(a), abs(b))
            return bool(close) == (node.op == "=")
        return _COMPARE[node.op](real(ctx, a), real(ctx, b))

    def truth(self, node: IR) -> bool:
        if isinstance(node, Bool):
            values = [self.truth(item) for item in node.items]
            return all(values) if node.op == "and" else any(values)
        if isinstance(node, Cond):
            return self._cond(node)
        raise Unsupported(f"{type(node).__name__} is not a statement")

    def _indicator(self, node: Indicator) -> Any:
        holds = all(self._cond(c) for c in node.conds)
        return self.ctx.mpf(1 if holds else 0)

    def _sum(self, node: FiniteSum) -> Any:
        """Term by term (Karr's convention for an upper bound below the lower one)."""
        lo = _whole(self.ctx, self.visit(node.lower))
        hi = _whole(self.ctx, self.visit(node.upper))
        sign = 1
        if hi < lo:
            lo, hi, sign = hi + 1, lo - 1, -1
        if hi - lo + 1 > MAX_SUM_TERMS:
            raise Undefined("a sum with too many terms")
        outer = self.locals.get(node.var)
        total = self.ctx.mpf(0)
        try:
            for k in range(lo, hi + 1):
                self.locals[node.var] = self.ctx.mpf(k)
                total += self.visit(node.body)
        finally:
            if outer is None:
                self.locals.pop(node.var, None)
            else:
                self.locals[node.var] = outer
        return sign * total


_DISPATCH: Mapping[type, Callable[[_Precise, Any], Any]] = MappingProxyType(
    {
        Const: _Precise._const,
        Constant: _Precise._constant,
        Sym: _Precise._sym,
        Local: _Precise._local,
        Unary: _Precise._unary,
        Binary: _Precise._binary,
        Apply: _Precise._apply,
        Indicator: _Precise._indicator,
        FiniteSum: _Precise._sum,
    }
)
