"""Exact proof of equality in the scalar interpretation, with sympy, when it is cheap.

Sympy objects are built directly with constructors from the RESOLVED tree, never from text:
symbols get generated names ("v0", "v1", ...), declared functions become undefined sympy
functions with generated names ("F0", ...), numbers become exact Rationals. Defined symbols
are replaced by their definitions (so `z2`, `f2(s2)` and `f2(W2 z1)` become the same
expression). A derivative `f2'(x)` becomes its own undefined function ("F1d1"): a proof that
treats f and f' as unrelated functions is still a proof for the real ones, and it keeps
`expand` fast. `expand(a - b) == 0` decides; anything it cannot show is left to random testing.

Budgets keep this cheap: trees above MAX_IR_NODES, constant exponents above MAX_EXPONENT,
expansions estimated above MAX_TERMS, and max/min (whose sympy forms compare arguments under
assumptions) are not tried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sympy

from grader.engine.ir import IR, Apply, Binary, Const, Euler, Sym, Unary, ir_children, ir_walk

if TYPE_CHECKING:
    from grader.engine.context import Context

MAX_IR_NODES = 400
MAX_IR_DEPTH = 40  # sympy recurses several frames per level
MAX_EXPONENT = 64
MAX_TERMS = 2000

_SYMPY_FUNCS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "exp": sympy.exp,
        "sqrt": sympy.sqrt,
        "abs": sympy.Abs,
        "tanh": sympy.tanh,
        "sin": sympy.sin,
        "cos": sympy.cos,
        "root": sympy.root,
        "diag": lambda x: x,  # the identity on scalars
    }
)


class _Unsupported(Exception):
    """The tree holds something this prover does not handle (left to random testing)."""


def prove_equal(a: IR, b: IR, context: Context) -> bool:
    """True when `a` and `b` are proved equal as scalar expressions; False when not proved
    (which says nothing about inequality)."""
    if len(ir_walk(a)) + len(ir_walk(b)) > MAX_IR_NODES:
        return False
    if max(_depth(a), _depth(b)) > MAX_IR_DEPTH:
        return False
    builder = _Builder(context)
    try:
        difference = builder.build(a) - builder.build(b)
        if _estimated_terms(difference, {}) > MAX_TERMS:
            return False
        return bool(sympy.expand(difference) == 0)
    except _Unsupported:
        return False
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        # "not proved" is always a safe answer: random testing decides
        return False


def _depth(node: IR) -> int:
    """The depth of a resolved tree (definitions not expanded), iteratively."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ir_children(current))
    return deepest


class _Builder:
    """IR -> sympy, with generated names, for one proof."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.symbols: dict[str, sympy.Symbol] = {}
        self.functions: dict[tuple[str, int], Any] = {}
        self.defined: dict[str, Any] = {}

    def build(self, node: IR) -> Any:
        if isinstance(node, Const):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Euler):
            return sympy.E
        if isinstance(node, Sym):
            return self._symbol(node.name)
        if isinstance(node, Apply):
            return self._apply(node)
        if isinstance(node, Unary):
            inner = self.build(node.operand)
            return -inner if node.op == "neg" else inner  # transposes: identity on scalars
        if isinstance(node, Binary):
            return self._binary(node)
        raise _Unsupported(type(node).__name__)

    def _symbol(self, name: str) -> Any:
        definition = self.context.definitions.get(name)
        if definition is not None:
            if name not in self.defined:
                self.defined[name] = self.build(definition)
            return self.defined[name]
        if name not in self.symbols:
            self.symbols[name] = sympy.Symbol(f"v{len(self.symbols)}", real=True)
        return self.symbols[name]

    def _apply(self, node: Apply) -> Any:
        args = [self.build(a) for a in node.args]
        if not node.builtin:
            key = (node.func, node.primes)
            if key not in self.functions:
                self.functions[key] = sympy.Function(f"F{len(self.functions)}d{node.primes}")
            return self.functions[key](*args)
        if node.func == "log":
            return sympy.log(args[0]) / (sympy.log(args[1]) if len(args) == 2 else 1)
        if node.func not in _SYMPY_FUNCS:
            # max/min: sympy compares their arguments under assumptions, which can be slow
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
