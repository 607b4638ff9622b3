"""Exact decisions in the scalar interpretation, with sympy, when they are cheap.

Sympy objects are built directly with constructors from the RESOLVED tree, never from text:
symbols get names made from the context's ("v_W2") and the assumptions an open context states
for them (positive, integer...), declared functions become undefined sympy functions with
such names ("F_f2_d0"), numbers become exact Rationals (so 0.333333333333333 is not 1/3).
Defined symbols are replaced by their definitions (so `z2`, `f2(s2)` and `f2(W2 z1)` become
the same expression). A derivative `f2'(x)` becomes its own undefined function ("F_f2_d1"): a
proof that treats f and f' as unrelated functions is still a proof for the real ones, and it
keeps `expand` fast.

`decide` answers True (proved equal: `expand(a - b) == 0`), False (proved different: the
difference is a rational function with rational coefficients -- no functions, roots or
constants such as pi -- that does not cancel to 0; equality as functions, ignoring removable
singularities, as STACK does), or None (left to random testing).

Budgets keep this cheap: trees above MAX_IR_NODES, constant exponents above MAX_EXPONENT (so
`(x-a)^6000` is never expanded), expansions estimated above MAX_TERMS, max/min (whose sympy
forms compare arguments under assumptions), indicators and matrices are not tried.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sympy

from grader.engine.ir import (
    IR,
    Apply,
    Binary,
    Const,
    Constant,
    FiniteSum,
    Local,
    Sym,
    Unary,
    ir_children,
    ir_walk,
)

if TYPE_CHECKING:
    from grader.engine.context import Context

MAX_IR_NODES = 400
MAX_IR_DEPTH = 40  # sympy recurses several frames per level
MAX_EXPONENT = 64
MAX_TERMS = 2000
MAX_SUM_DEGREE = 10  # a finite sum with symbolic bounds is summed when its body is a polynomial
MAX_SUM_EXPANDED = 200  # a finite sum with whole-number bounds is expanded up to this many terms

_SYMPY_FUNCS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "exp": sympy.exp,
        "sqrt": sympy.sqrt,
        "abs": sympy.Abs,
        "root": sympy.root,
        "lg": lambda x: sympy.log(x, 10),
        **{
            name: getattr(sympy, name)
            for name in (
                "sin cos tan sec csc cot asin acos atan asec acsc acot "
                "sinh cosh tanh sech csch coth asinh acosh atanh floor sign factorial binomial"
            ).split()
        },
        "ceil": sympy.ceiling,
        "atan2": sympy.atan2,
        "diag": lambda x: x,  # the identity on scalars
        **{norm: sympy.Abs for norm in ("norm", "norm1", "norm2", "norminf")},  # of a scalar
    }
)
_CONSTANTS: Mapping[str, Any] = MappingProxyType({"e": sympy.E, "pi": sympy.pi, "i": sympy.I})


class UnsupportedTree(Exception):
    """The tree holds something this prover does not handle (left to random testing)."""


_Unsupported = UnsupportedTree


def prove_equal(a: IR, b: IR, context: Context) -> bool:
    """True when `a` and `b` are proved equal as scalar expressions; False when not proved
    (which says nothing about inequality)."""
    return decide(a, b, context) is True


def decide(a: IR, b: IR, context: Context) -> bool | None:
    """True: proved equal; False: proved different; None: not decided (see the module
    docstring)."""
    return Decider(context).decide(a, b)


class Decider:
    """Exact decisions in one context, keeping what it learns about the trees given as `b`
    (a rubric's reference and its mistake variants): their sizes, depths and sympy forms are
    worked out once however many answers are decided against them. Symbols and functions are
    named after the context's names, so a sympy form does not depend on which trees were
    built before it (the decisions of a Decider are independent of their order)."""

    def __init__(self, context: Context) -> None:
        self.builder = _Builder(context)
        self.known: dict[IR, tuple[int, int, Any]] = {}

    def decide(self, a: IR, b: IR) -> bool | None:
        """`decide(a, b, context)` (see the module docstring), with `b` remembered."""
        size, depth, built = self._known(b)
        if len(ir_walk(a)) + size > MAX_IR_NODES or max(_depth(a), depth) > MAX_IR_DEPTH:
            return None
        if built is None:  # building `b` failed: not decided, as when both were built anew
            return None
        try:
            return _decided(self.builder.build(a) - built)
        except _Unsupported:
            return None
        except (ArithmeticError, ValueError, TypeError, RecursionError, sympy.PolynomialError):
            # "not decided" is always a safe answer: random testing decides
            return None

    def _known(self, b: IR) -> tuple[int, int, Any]:
        """Size, depth and sympy form (None: over budget, or building it failed) of `b`."""
        found = self.known.get(b)
        if found is None:
            size, depth = len(ir_walk(b)), _depth(b)
            built: Any = None
            if size <= MAX_IR_NODES and depth <= MAX_IR_DEPTH:
                try:
                    built = self.builder.build(b)
                except _BUILD_ERRORS:
                    built = None
            found = self.known[b] = (size, depth, built)
        return found


def _decided(difference: Any) -> bool | None:
    """The decision on a built difference (may raise the errors `Decider.decide` catches)."""
    if difference == 0:
        return True
    if _is_plain_rational(difference):
        if _expansion(difference) > MAX_TERMS:
            return None
        return bool(sympy.cancel(difference) == 0)
    if _estimated_terms(difference, {}) > MAX_TERMS:
        return None
    return True if sympy.expand(difference) == 0 else None


def build_pair(a: IR, b: IR, context: Context) -> tuple[Any, Any]:
    """Both trees as sympy expressions with shared symbols (budgets as for `decide`).
    Raises UnsupportedTree."""
    if max(_depth(a), _depth(b)) > MAX_IR_DEPTH:
        raise UnsupportedTree("too deep")
    builder = _Builder(context)
    return builder.build(a), builder.build(b)


def _depth(node: IR) -> int:
    """The depth of a resolved tree (definitions not expanded), iteratively."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ir_children(current))
    return deepest


_BUILD_ERRORS = (
    UnsupportedTree,
    ArithmeticError,
    ValueError,
    TypeError,
    RecursionError,
    sympy.PolynomialError,
)


class _Builder:
    """IR -> sympy, with names made from the context's (`v_W2`, `F_f2_d1`): a symbol or
    function is the same sympy object whichever tree met it first. Definitions are built once
    and kept."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.symbols: dict[str, sympy.Symbol] = {}
        self.functions: dict[tuple[str, int], Any] = {}
        self.defined: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}

    def build(self, node: IR) -> Any:
        if isinstance(node, Const):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Constant):
            return _CONSTANTS[node.name]
        if isinstance(node, Sym):
            return self._symbol(node.name)
        if isinstance(node, Local) and node.name in self.locals:
            return self.locals[node.name]
        if isinstance(node, Apply):
            return self._apply(node)
        if isinstance(node, Unary):
            inner = self.build(node.operand)
            return -inner if node.op == "neg" else inner  # transposes: identity on scalars
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, FiniteSum):
            return self._sum(node)
        raise _Unsupported(type(node).__name__)

    def _symbol(self, name: str) -> Any:
        definition = self.context.definitions.get(name)
        if definition is not None:
            if name not in self.defined:
                self.defined[name] = self.build(definition)
            return self.defined[name]
        if name not in self.symbols:
            assumption = self.context.assumptions.get(name)
            facts = {"real": True} if assumption is None else {"real": True, assumption: True}
            self.symbols[name] = sympy.Symbol(f"v_{name}", **facts)
        return self.symbols[name]

    def _apply(self, node: Apply) -> Any:
        args = [self.build(a) for a in node.args]
        if not node.builtin:
            key = (node.func, node.primes)
            if key not in self.functions:
                self.functions[key] = sympy.Function(f"F_{node.func}_d{node.primes}")
            return self.functions[key](*args)
        if node.func == "log":
            return sympy.log(args[0]) / (sympy.log(args[1]) if len(args) == 2 else 1)
        if node.func not in _SYMPY_FUNCS:
            # max/min: sympy compares their arguments under assumptions, which can be slow
            raise _Unsupported(node.func)
        if node.func in ("factorial", "binomial") and any(
            abs(a) > 1000 for a in args if a.is_Number
        ):
            raise _Unsupported(node.func)
        return _SYMPY_FUNCS[node.func](*args)

    def _binary(self, node: Binary) -> Any:
        left = self.build(node.left)
        right = self.build(node.right)
        if node.op == "pow" and right.is_Number and abs(right) > MAX_EXPONENT:
            # sympy would build enormous exact numbers or expansions: test randomly instead
            raise _Unsupported("exponent")
        if node.op == "add":
            return left + right
        if node.op == "sub":
            return left - right
        if node.op == "div":
            return left / right
        if node.op == "pow":
            return sympy.Pow(left, right)
        return left * right  # every product is the ordinary one on scalars

    def _sum(self, node: FiniteSum) -> Any:
        lower, upper = self.build(node.lower), self.build(node.upper)
        index = sympy.Dummy(node.var, integer=True)
        outer = self.locals.get(node.var)
        self.locals[node.var] = index
        try:
            body = self.build(node.body)
        finally:
            if outer is None:
                del self.locals[node.var]
            else:
                self.locals[node.var] = outer
        total = sympy.Sum(body, (index, lower, upper))
        if lower.is_Integer and upper.is_Integer and abs(upper - lower) <= MAX_SUM_EXPANDED:
            return total.doit()
        if body.is_polynomial(index) and sympy.degree(body, index) <= MAX_SUM_DEGREE:
            return total.doit()
        raise _Unsupported("sum")


def _is_plain_rational(expr: Any) -> bool:
    """Only +, *, integer powers, symbols and rational numbers (no pi, I, functions, roots)."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Add, sympy.Mul, sympy.Symbol, sympy.Rational)):
            continue
        if isinstance(node, sympy.Pow) and isinstance(node.exp, sympy.Integer):
            continue
        return False
    return True


def _expansion(expr: Any) -> int:
    """An upper estimate of the number of terms of a plain rational function once its
    numerator and denominator are expanded (capped), for `cancel`."""
    cap = 10**9
    if isinstance(expr, sympy.Add):
        return min(cap, sum(_expansion(arg) for arg in expr.args))
    if isinstance(expr, sympy.Mul):
        return min(cap, math.prod(_expansion(arg) for arg in expr.args))
    if isinstance(expr, sympy.Pow):
        terms, n = _expansion(expr.base), abs(int(expr.exp))
        if terms == 1:
            return 1
        if n > 200:
            return cap
        return min(cap, math.comb(terms + n - 1, n))
    return 1


def _estimated_terms(expr: Any, memo: dict[int, int]) -> int:
    """An upper estimate of the number of terms `expand` would produce (capped)."""
    cached = memo.get(id(expr))
    if cached is not None:
        return cached
    if isinstance(expr, sympy.Add):
        count = sum(_estimated_terms(a, memo) for a in expr.args)
    elif isinstance(expr, sympy.Mul):
        count = 1
        for arg in expr.args:
            count = min(count * _estimated_terms(arg, memo), MAX_TERMS + 1)
    elif isinstance(expr, sympy.Pow) and expr.exp.is_Integer and expr.exp > 0:
        base = _estimated_terms(expr.base, memo)
        count = 1 if base == 1 else min(base ** min(int(expr.exp), 64), MAX_TERMS + 1)
    else:
        # function arguments are expanded too: count them, but they do not multiply
        count = max([1, *(_estimated_terms(a, memo) for a in expr.args)])
    count = min(count, MAX_TERMS + 1)
    memo[id(expr)] = count
    return count
