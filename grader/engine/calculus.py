"""Differentiation of resolved trees: `Derivative(f(x^2), x)`, `\\frac{d}{dx}`, `\\partial z_2 /
\\partial s_2`.

`differentiate(tree, var, definitions)` returns the derivative as another resolved tree, so
that everything downstream (float and precise evaluation, exact proofs, comparison) treats it
like any other expression. Declared functions carry their derivative order (`f'(u)` is
Apply(f, primes=1)), so the chain rule is exact for the random functions that stand in for
them. A defined symbol (`z2 := f2(s2)`) is differentiated through its definition unless it is
the variable itself, so d z2 / d s2 = f2'(s2). Functions without a derivative here (max, min,
factorial, binomial, and declared functions of several arguments) raise NotDifferentiable; the
derivative of floor, ceil, sign and of indicators is 0 (where it exists). The rules are the
ones of elementwise calculus, as students use them for vectors (d f(s) / d s = f'(s)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType

from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Const,
    Constant,
    FiniteSum,
    Indicator,
    Local,
    MatrixLit,
    Sym,
    Unary,
    ir_walk,
)


class NotDifferentiable(Exception):
    """The tree holds something without a derivative rule; `what` names it."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


ZERO = Const(Fraction(0))
ONE = Const(Fraction(1))


def _num(value: int | Fraction) -> Const:
    return Const(Fraction(value))


def _is(node: IR, value: int) -> bool:
    return isinstance(node, Const) and node.value == value


def add(a: IR, b: IR) -> IR:
    """a + b, without adding zeros."""
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    return Binary("add", a, b, a.src)


def sub(a: IR, b: IR) -> IR:
    """a - b, without subtracting zeros."""
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    return Binary("sub", a, b, a.src)


def mul(a: IR, b: IR) -> IR:
    """a * b, without multiplying by 0 or 1."""
    if _is(a, 0) or _is(b, 0):
        return ZERO
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    return Binary("mul", a, b, a.src)


def div(a: IR, b: IR) -> IR:
    """a / b (0 / b is 0)."""
    if _is(a, 0):
        return ZERO
    if _is(b, 1):
        return a
    return Binary("div", a, b, a.src)


def neg(a: IR) -> IR:
    """-a."""
    return ZERO if _is(a, 0) else Unary("neg", a, a.src)


def power(a: IR, b: IR) -> IR:
    """a ^ b."""
    if _is(b, 1):
        return a
    return Binary("pow", a, b, a.src)


def _call(name: str, *args: IR) -> IR:
    return Apply(name, tuple(args), 0, True, args[0].src)


def _square(a: IR) -> IR:
    return power(a, _num(2))


# d/du of a built-in function of one argument, as a function of u.
_OUTER: Mapping[str, Callable[[IR], IR]] = MappingProxyType(
    {
        "exp": lambda u: _call("exp", u),
        "log": lambda u: div(ONE, u),
        "lg": lambda u: div(ONE, mul(u, _call("log", _num(10)))),
        "sqrt": lambda u: div(ONE, mul(_num(2), _call("sqrt", u))),
        **{name: (lambda u: _call("sign", u)) for name in ("abs", "norm", "norm2")},
        "sin": lambda u: _call("cos", u),
        "cos": lambda u: neg(_call("sin", u)),
        "tan": lambda u: div(ONE, _square(_call("cos", u))),
        "sec": lambda u: mul(_call("sec", u), _call("tan", u)),
        "csc": lambda u: neg(mul(_call("csc", u), _call("cot", u))),
        "cot": lambda u: neg(div(ONE, _square(_call("sin", u)))),
        "asin": lambda u: div(ONE, _call("sqrt", sub(ONE, _square(u)))),
        "acos": lambda u: neg(div(ONE, _call("sqrt", sub(ONE, _square(u))))),
        "atan": lambda u: div(ONE, add(ONE, _square(u))),
        "acot": lambda u: neg(div(ONE, add(ONE, _square(u)))),
        "asec": lambda u: div(ONE, mul(_call("abs", u), _call("sqrt", sub(_square(u), ONE)))),
        "acsc": lambda u: neg(div(ONE, mul(_call("abs", u), _call("sqrt", sub(_square(u), ONE))))),
        "sinh": lambda u: _call("cosh", u),
        "cosh": lambda u: _call("sinh", u),
        "tanh": lambda u: sub(ONE, _square(_call("tanh", u))),
        "sech": lambda u: neg(mul(_call("sech", u), _call("tanh", u))),
        "csch": lambda u: neg(mul(_call("csch", u), _call("coth", u))),
        "coth": lambda u: sub(ONE, _square(_call("coth", u))),
        "asinh": lambda u: div(ONE, _call("sqrt", add(_square(u), ONE))),
        "acosh": lambda u: div(ONE, _call("sqrt", sub(_square(u), ONE))),
        "atanh": lambda u: div(ONE, sub(ONE, _square(u))),
        "floor": lambda u: ZERO,
        "ceil": lambda u: ZERO,
        "sign": lambda u: ZERO,
    }
)


def depends_on(tree: IR, var: str, definitions: Mapping[str, IR]) -> bool:
    """Whether `tree` involves the symbol `var` (through definitions too)."""
    seen: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        for item in ir_walk(node):
            if isinstance(item, Sym):
                if item.name == var:
                    return True
                if item.name in definitions and item.name not in seen:
                    seen.add(item.name)
                    stack.append(definitions[item.name])
    return False


class _Differentiator:
    """d/d var, with the context's definitions."""

    def __init__(self, var: str, definitions: Mapping[str, IR]) -> None:
        self.var = var
        self.definitions = definitions

    def d(self, node: IR) -> IR:
        if isinstance(node, (Const, Constant, Local, Indicator)):
            return ZERO
        if isinstance(node, Sym):
            return self._symbol(node)
        if isinstance(node, Unary):
            return (
                Unary(node.op, self.d(node.operand), node.src)
                if node.op != "neg"
                else neg(self.d(node.operand))
            )
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, Apply):
            return self._apply(node)
        if isinstance(node, FiniteSum):
            return FiniteSum(node.var, node.lower, node.upper, self.d(node.body), node.src)
        if isinstance(node, MatrixLit):
            rows = tuple(tuple(self.d(e) for e in row) for row in node.rows)
            return MatrixLit(rows, node.src)
        raise NotDifferentiable(type(node).__name__)

    def _symbol(self, node: Sym) -> IR:
        if node.name == self.var:
            return ONE
        definition = self.definitions.get(node.name)
        return ZERO if definition is None else self.d(definition)

    def _binary(self, node: Binary) -> IR:
        a, b = node.left, node.right
        da, db = self.d(a), self.d(b)
        if node.op == "add":
            return add(da, db)
        if node.op == "sub":
            return sub(da, db)
        if node.op == "div":
            return div(sub(mul(da, b), mul(a, db)), _square(b))
        if node.op == "pow":
            return self._power(node, da, db)
        product = node.op  # mul, had and the planned products keep their kind
        left = Binary(product, da, b, node.src) if not (_is(da, 0)) else ZERO
        right = Binary(product, a, db, node.src) if not (_is(db, 0)) else ZERO
        return add(left, right)

    def _power(self, node: Binary, da: IR, db: IR) -> IR:
        a, b = node.left, node.right
        if _is(db, 0):  # u^n: n u^(n-1) u'
            lowered = (
                power(a, sub(b, ONE)) if not isinstance(b, Const) else power(a, _num(b.value - 1))
            )
            return mul(mul(b, lowered), da)
        # u^v (v' log u + v u' / u)
        return mul(node, add(mul(db, _call("log", a)), div(mul(b, da), a)))

    def _apply(self, node: Apply) -> IR:
        if not node.builtin:
            if len(node.args) != 1:
                raise NotDifferentiable(f"the function {node.func} of several arguments")
            (u,) = node.args
            outer = Apply(node.func, node.args, node.primes + 1, False, node.src)
            return mul(outer, self.d(u))
        if node.func == "diag":
            return Apply("diag", (self.d(node.args[0]),), 0, True, node.src)
        if node.func in ("log", "lg") and len(node.args) == 2:
            u, base = node.args
            return self.d(div(_call("log", u), _call("log", base)))
        if node.func == "root":
            u, n = node.args
            return self.d(power(u, div(ONE, n)))
        if node.func == "atan2":
            y, x = node.args
            top = sub(mul(x, self.d(y)), mul(y, self.d(x)))
            return div(top, add(_square(x), _square(y)))
        rule = _OUTER.get(node.func)
        if rule is None or len(node.args) != 1:
            raise NotDifferentiable(node.func)
        (u,) = node.args
        du = self.d(u)
        return ZERO if _is(du, 0) else mul(rule(u), du)


def differentiate(tree: IR, var: str, definitions: Mapping[str, IR]) -> IR:
    """The derivative of `tree` with respect to the symbol `var`. Raises NotDifferentiable."""
    return _Differentiator(var, definitions).d(tree)
