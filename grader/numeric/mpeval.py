"""High-precision evaluation of (our own, trusted) sympy expressions with mpmath.

An expression is compiled once into nested closures and evaluated at many points, each time in
a private mpmath context (`make_context(dps)`), so no global precision is ever changed. Values
follow sympy's principal branches (sqrt(-1) = i, log(-1) = i pi, (-8)**(1/3) complex).

A point where the expression has no finite value (division by zero, log 0, a pole of gamma, a
sum whose bounds are not integers) raises Undefined; so do results that would overflow the
budget (exp of more than 10**6, powers with more than ~10**6 binary digits of exponent), which
keeps a student's `exp(exp(exp(x)))` from eating memory. Objects outside the supported set
raise Unsupported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import sympy
from mpmath.ctx_mp import MPContext
from sympy.core.function import AppliedUndef

MAX_EXP = 10**6  # |Re z| allowed in exp(z), sinh, cosh
MAX_POWER_BITS = 4 * 10**6  # |exponent| * log2|base| allowed in a power
MAX_TRIG_ARG = 10**100
MAX_GAMMA_ARG = 10**5
MAX_SUM_TERMS = 10_000

Env = Mapping[Any, Any]  # sympy Symbol -> mpmath value
Fn = Callable[[MPContext, Env], Any]
# An undefined function's stand-in: (context, argument values) -> value.
Stand_in = Callable[..., Any]
Functions = Mapping[tuple[str, int], Stand_in]
NO_FUNCTIONS: Functions = MappingProxyType({})


class Undefined(ArithmeticError):
    """The expression has no finite value at this point."""


class Unsupported(ValueError):
    """The expression contains an object this evaluator does not know."""


def make_context(dps: int) -> MPContext:
    """A private mpmath context working at `dps` decimal digits."""
    ctx = MPContext()
    ctx.dps = dps
    return ctx


def evaluate(fn: Fn, ctx: MPContext, env: Env) -> Any:
    """Run a compiled expression; raises Undefined when it has no finite value here."""
    try:
        value = fn(ctx, env)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        if isinstance(exc, Unsupported):
            raise
        raise Undefined(str(exc)) from None
    return _finite(ctx, value)


def to_fraction(ctx: MPContext, value: Any) -> Fraction:
    """The exact value of a real mpmath number (raises Undefined for complex or non-finite)."""
    if isinstance(value, ctx.mpc):
        if value.imag != 0:
            raise Undefined("the value is not real")
        value = value.real
    value = _finite(ctx, ctx.mpf(value))
    man, exp = value.man_exp
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def _finite(ctx: MPContext, value: Any) -> Any:
    if ctx.isinf(value) or ctx.isnan(value):
        raise Undefined("not finite")
    return value


def compile_expr(expr: Any, functions: Functions = NO_FUNCTIONS) -> Fn:
    """Compile a sympy expression into a closure (raises Unsupported for unknown objects).

    `functions` supplies stand-ins for undefined functions, keyed by (name, number of
    arguments): `f(g(x))` then evaluates g(x) once and calls the stand-in, so nesting stays
    cheap (substituting a formula symbolically would copy the inner argument into every term).
    """
    return _compile(expr, functions)


def _compile(expr: Any, fs: Functions) -> Fn:
    if isinstance(expr, sympy.Rational):
        p, q = int(expr.p), int(expr.q)
        return lambda ctx, env: ctx.mpf(p) / q if q != 1 else ctx.mpf(p)
    if expr in _CONSTANTS:
        return _CONSTANTS[expr]
    if isinstance(expr, sympy.Symbol):
        return lambda ctx, env: env[expr]
    if expr in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return _undefined
    for kind, compiler in _COMPILERS:
        if isinstance(expr, kind):
            return compiler(expr, fs)
    raise Unsupported(f"cannot evaluate {type(expr).__name__}")


def _undefined(ctx: MPContext, env: Env) -> Any:
    raise Undefined("infinite or undefined")


_CONSTANTS: Mapping[Any, Fn] = {
    sympy.pi: lambda ctx, env: +ctx.pi,
    sympy.E: lambda ctx, env: +ctx.e,
    sympy.I: lambda ctx, env: ctx.mpc(0, 1),
    sympy.EulerGamma: lambda ctx, env: +ctx.euler,
}


def _add(expr: Any, fs: Functions) -> Fn:
    fns = [_compile(a, fs) for a in expr.args]

    def run(ctx: MPContext, env: Env) -> Any:
        total = fns[0](ctx, env)
        for fn in fns[1:]:
            total = total + fn(ctx, env)
        return total

    return run


def _mul(expr: Any, fs: Functions) -> Fn:
    fns = [_compile(a, fs) for a in expr.args]

    def run(ctx: MPContext, env: Env) -> Any:
        product = fns[0](ctx, env)
        for fn in fns[1:]:
            product = product * fn(ctx, env)
        return product

    return run


def _pow(expr: Any, fs: Functions) -> Fn:
    base_fn = _compile(expr.base, fs)
    exponent = expr.exp
    if isinstance(exponent, sympy.Integer):
        n = int(exponent)
        return lambda ctx, env: _int_power(ctx, base_fn(ctx, env), n)
    if exponent == sympy.S.Half:
        return lambda ctx, env: ctx.sqrt(base_fn(ctx, env))
    exp_fn = _compile(exponent, fs)
    return lambda ctx, env: _power(ctx, base_fn(ctx, env), exp_fn(ctx, env))


def _guard_power(ctx: MPContext, base: Any, exponent: Any) -> None:
    if base != 0 and abs(exponent) * (abs(ctx.mag(base)) + 1) > MAX_POWER_BITS:
        raise Undefined("the power is too large to evaluate")


def _int_power(ctx: MPContext, base: Any, n: int) -> Any:
    _guard_power(ctx, base, n)
    if base == 0 and n < 0:
        raise Undefined("division by zero")
    return base**n


def _power(ctx: MPContext, base: Any, exponent: Any) -> Any:
    _guard_power(ctx, base, exponent)
    if base == 0:
        if ctx.re(exponent) > 0:
            return ctx.mpf(0)
        raise Undefined("0 to a non-positive power")
    if isinstance(base, ctx.mpc) or isinstance(exponent, ctx.mpc) or base < 0:
        return ctx.exp(exponent * ctx.log(base))  # principal branch, as sympy
    return ctx.power(base, exponent)


def _guarded(name: str, limit: float | None) -> Callable[[Any, Functions], Fn]:
    """A compiler for a one-argument mpmath function, refusing arguments beyond `limit`."""

    def compiler(expr: Any, fs: Functions) -> Fn:
        (arg_fn,) = [_compile(a, fs) for a in expr.args]

        def run(ctx: MPContext, env: Env) -> Any:
            x = arg_fn(ctx, env)
            if limit is not None and abs(ctx.re(x) if name in _EXP_LIKE else x) > limit:
                raise Undefined(f"{name} of a too large argument")
            return _finite(ctx, getattr(ctx, name)(x))

        return run

    return compiler


_EXP_LIKE = frozenset({"exp", "sinh", "cosh"})
_UNARY: Mapping[type, tuple[str, float | None]] = {
    sympy.exp: ("exp", MAX_EXP),
    sympy.log: ("log", None),
    sympy.sin: ("sin", MAX_TRIG_ARG),
    sympy.cos: ("cos", MAX_TRIG_ARG),
    sympy.tan: ("tan", MAX_TRIG_ARG),
    sympy.sec: ("sec", MAX_TRIG_ARG),
    sympy.csc: ("csc", MAX_TRIG_ARG),
    sympy.cot: ("cot", MAX_TRIG_ARG),
    sympy.asin: ("asin", None),
    sympy.acos: ("acos", None),
    sympy.atan: ("atan", None),
    sympy.asec: ("asec", None),
    sympy.acsc: ("acsc", None),
    sympy.acot: ("acot", None),
    sympy.sinh: ("sinh", MAX_EXP),
    sympy.cosh: ("cosh", MAX_EXP),
    sympy.tanh: ("tanh", None),
    sympy.asinh: ("asinh", None),
    sympy.acosh: ("acosh", None),
    sympy.atanh: ("atanh", None),
    sympy.re: ("re", None),
    sympy.im: ("im", None),
    sympy.arg: ("arg", None),
    sympy.conjugate: ("conj", None),
}


def _unary(expr: Any, fs: Functions) -> Fn:
    name, limit = _UNARY[expr.func]
    return _guarded(name, limit)(expr, fs)


def _abs(expr: Any, fs: Functions) -> Fn:
    arg_fn = _compile(expr.args[0], fs)
    return lambda ctx, env: abs(arg_fn(ctx, env))


def _sign(expr: Any, fs: Functions) -> Fn:
    arg_fn = _compile(expr.args[0], fs)

    def run(ctx: MPContext, env: Env) -> Any:
        x = arg_fn(ctx, env)
        return ctx.mpf(0) if x == 0 else x / abs(x)

    return run


def _gamma_at(ctx: MPContext, x: Any) -> Any:
    if abs(x) > MAX_GAMMA_ARG:
        raise Undefined("gamma of a too large argument")
    return ctx.gamma(x)  # raises ValueError at poles


def _factorial(expr: Any, fs: Functions) -> Fn:
    arg_fn = _compile(expr.args[0], fs)
    return lambda ctx, env: _gamma_at(ctx, arg_fn(ctx, env) + 1)


def _gamma(expr: Any, fs: Functions) -> Fn:
    arg_fn = _compile(expr.args[0], fs)
    return lambda ctx, env: _gamma_at(ctx, arg_fn(ctx, env))


def _binomial(expr: Any, fs: Functions) -> Fn:
    """Gamma(n+1) / (Gamma(k+1) Gamma(n-k+1)), undefined wherever one of them is a pole."""
    n_fn, k_fn = (_compile(a, fs) for a in expr.args)

    def run(ctx: MPContext, env: Env) -> Any:
        n, k = n_fn(ctx, env), k_fn(ctx, env)
        return _gamma_at(ctx, n + 1) / (_gamma_at(ctx, k + 1) * _gamma_at(ctx, n - k + 1))

    return run


def _polygamma(expr: Any, fs: Functions) -> Fn:
    m_fn, x_fn = (_compile(a, fs) for a in expr.args)

    def run(ctx: MPContext, env: Env) -> Any:
        m = m_fn(ctx, env)
        if m != int(m) or not 0 <= m <= 10:
            raise Undefined("polygamma of a non-integer order")
        return ctx.psi(int(m), x_fn(ctx, env))

    return run


def _real(ctx: MPContext, value: Any) -> Any:
    """A real value or Undefined (comparisons need real values)."""
    if isinstance(value, ctx.mpc):
        if abs(value.imag) > ctx.mpf(10) ** (-ctx.dps // 2) * max(1, abs(value)):
            raise Undefined("a comparison of non-real values")
        return value.real
    return value


def _integer(ctx: MPContext, value: Any) -> int:
    """A (numerically) integer real value as an int, else Undefined."""
    x = _real(ctx, value)
    n = int(ctx.nint(x))
    if abs(x - n) > ctx.mpf(10) ** (-ctx.dps // 2):
        raise Undefined("a bound that is not an integer")
    return n


_COMPARE: Mapping[type, Callable[[Any, Any], bool]] = {
    sympy.StrictLessThan: lambda a, b: a < b,
    sympy.LessThan: lambda a, b: a <= b,
    sympy.StrictGreaterThan: lambda a, b: a > b,
    sympy.GreaterThan: lambda a, b: a >= b,
}


def compile_condition(
    cond: Any, fs: Functions = NO_FUNCTIONS
) -> Callable[[MPContext, Env], bool]:
    """A boolean closure for a sympy condition (relations, And, Or, Not, True, False)."""
    if cond in (sympy.true, True):
        return lambda ctx, env: True
    if cond in (sympy.false, False):
        return lambda ctx, env: False
    if isinstance(cond, (sympy.And, sympy.Or)):
        parts = [compile_condition(c, fs) for c in cond.args]
        combine = all if isinstance(cond, sympy.And) else any
        return lambda ctx, env: combine(p(ctx, env) for p in parts)
    if isinstance(cond, sympy.Not):
        inner = compile_condition(cond.args[0], fs)
        return lambda ctx, env: not inner(ctx, env)
    if isinstance(cond, (sympy.Eq, sympy.Ne)):
        return _equality(cond, fs)
    if type(cond) in _COMPARE:
        left, right = _compile(cond.lhs, fs), _compile(cond.rhs, fs)
        test = _COMPARE[type(cond)]
        return lambda ctx, env: test(_real(ctx, left(ctx, env)), _real(ctx, right(ctx, env)))
    raise Unsupported(f"cannot evaluate the condition {type(cond).__name__}")


def _equality(cond: Any, fs: Functions) -> Callable[[MPContext, Env], bool]:
    left, right = _compile(cond.lhs, fs), _compile(cond.rhs, fs)
    negate = isinstance(cond, sympy.Ne)

    def run(ctx: MPContext, env: Env) -> bool:
        a, b = left(ctx, env), right(ctx, env)
        close = abs(a - b) <= ctx.mpf(10) ** (-ctx.dps // 2) * max(1, abs(a), abs(b))
        return bool(close) != negate

    return run


def _piecewise(expr: Any, fs: Functions) -> Fn:
    pieces = [(_compile(e, fs), compile_condition(c, fs)) for e, c in expr.args]

    def run(ctx: MPContext, env: Env) -> Any:
        for value_fn, cond_fn in pieces:
            if cond_fn(ctx, env):
                return value_fn(ctx, env)
        raise Undefined("no piece applies")

    return run


def _sum(expr: Any, fs: Functions) -> Fn:
    """A sum evaluated term by term where its bounds are integers (Karr's convention for an
    upper bound below the lower one: sum_{a}^{b} = -sum_{b+1}^{a-1})."""
    if len(expr.limits) != 1:
        raise Unsupported("a sum over several indices")
    index, lower, upper = expr.limits[0]
    body, lo_fn, hi_fn = _compile(expr.function, fs), _compile(lower, fs), _compile(upper, fs)

    def run(ctx: MPContext, env: Env) -> Any:
        lo, hi = _integer(ctx, lo_fn(ctx, env)), _integer(ctx, hi_fn(ctx, env))
        sign = 1
        if hi < lo:
            lo, hi, sign = hi + 1, lo - 1, -1
        if hi - lo + 1 > MAX_SUM_TERMS:
            raise Undefined("a sum with too many terms")
        local = dict(env)
        total = ctx.mpf(0)
        for k in range(lo, hi + 1):
            local[index] = ctx.mpf(k)
            total += body(ctx, local)
        return sign * total

    return run


def _derivative(expr: Any, fs: Functions) -> Fn:
    """A derivative sympy could not work out, by mpmath's numerical differentiation."""
    body = _compile(expr.expr, fs)
    variables = [v for v, _ in expr.variable_count]
    orders = [int(n) for _, n in expr.variable_count]

    def run(ctx: MPContext, env: Env) -> Any:
        point = [_real(ctx, env[v]) for v in variables]

        def f(*values: Any) -> Any:
            local = dict(env)
            local.update(zip(variables, values, strict=True))
            return body(ctx, local)

        if len(variables) == 1:
            return ctx.diff(f, point[0], orders[0])
        return ctx.diff(f, tuple(point), tuple(orders))

    return run


def _subs(expr: Any, fs: Functions) -> Fn:
    body = _compile(expr.expr, fs)
    variables = list(expr.variables)
    point_fns = [_compile(p, fs) for p in expr.point]

    def run(ctx: MPContext, env: Env) -> Any:
        local = dict(env)
        local.update({v: p(ctx, env) for v, p in zip(variables, point_fns, strict=True)})
        return body(ctx, local)

    return run


def _applied_undef(expr: Any, fs: Functions) -> Fn:
    stand_in = fs.get((str(expr.func), len(expr.args)))
    if stand_in is None:
        raise Unsupported(f"no stand-in for the undefined function {expr.func}")
    arg_fns = [_compile(a, fs) for a in expr.args]
    return lambda ctx, env: stand_in(ctx, *(fn(ctx, env) for fn in arg_fns))


_COMPILERS: tuple[tuple[Any, Callable[[Any, Functions], Fn]], ...] = (
    (sympy.Add, _add),
    (sympy.Mul, _mul),
    (sympy.Pow, _pow),
    (tuple(_UNARY), _unary),
    (sympy.Abs, _abs),
    (sympy.sign, _sign),
    (sympy.factorial, _factorial),
    (sympy.gamma, _gamma),
    (sympy.binomial, _binomial),
    (sympy.polygamma, _polygamma),
    (sympy.Piecewise, _piecewise),
    (sympy.Sum, _sum),
    (sympy.Derivative, _derivative),
    (sympy.Subs, _subs),
    (AppliedUndef, _applied_undef),
)
