"""Statements as answers (open contexts): equations, inequalities, and/or of them.

When the reference is a statement, the answer must be one too, and they are compared as
STACK's AlgEquiv compares them:
- equations only (`x^2 = 4`, `x = 2 or x = -2`): each equation is read as lhs - rhs = 0 and a
  disjunction as the product of its equations, so `a = 0 or b = 0` is `a b = 0`; two of these
  are equivalent when the ratio of the two products is a nonzero constant (`2x + 2y = 1` and
  `y = 0.5 - x`), decided exactly on the numerators of the combined fractions when sympy can,
  else by evaluating the ratio at the test points; both identically zero (`x = x`) agree too.
  Multiplicities count (`(x - 2)^2 = 0` is not `x = 2`), as they do in STACK; `|u| = |v|` is
  read as u^2 = v^2.
- anything with an inequality, `!=` or `and`: the truth values are compared at the test points
  (continuous values and a lattice of simple values, so boundaries such as x = 1 are seen);
  points where a side has no real value are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy

from grader.engine.exact import MAX_IR_NODES, UnsupportedTree, build_pair
from grader.engine.ir import IR, Apply, Binary, Bool, Cond, Const, ir_walk
from grader.engine.precise import Undefined, Unsupported, evaluate_precise, evaluate_truth
from grader.engine.precise_trials import MIN_POINTS, PreciseTrials
from grader.model import Method

if TYPE_CHECKING:
    from grader.engine.context import Context

# Relative spread of the ratio of two equations' sides that still counts as constant.
RATIO_TOLERANCE = 1e-20


@dataclass(frozen=True)
class StatementVerdict:
    """Whether two statements are equivalent (None: no test point decided), and how."""

    equal: bool | None
    method: Method
    compared: int = 0


def equational(tree: IR) -> bool:
    """Only equations, joined by `or`."""
    if isinstance(tree, Cond):
        return tree.op == "="
    return isinstance(tree, Bool) and tree.op == "or" and all(equational(i) for i in tree.items)


def _product(tree: IR) -> IR:
    """An equational statement as one expression that is zero exactly where it holds;
    `|u| = |v|` is read as u^2 = v^2 (the same solutions, as a polynomial equation)."""
    if isinstance(tree, Cond):
        left, right = _abs_arg(tree.left), _abs_arg(tree.right)
        if left is not None and right is not None:
            two = Const(Fraction(2))
            squares = Binary("pow", left, two, tree.src), Binary("pow", right, two, tree.src)
            return Binary("sub", *squares, tree.src)
        return Binary("sub", tree.left, tree.right, tree.src)
    if not isinstance(tree, Bool):
        raise TypeError(f"not a statement: {type(tree).__name__}")
    factors = [_product(item) for item in tree.items]
    result = factors[0]
    for factor in factors[1:]:
        result = Binary("mul", result, factor, tree.src)
    return result


def _abs_arg(tree: IR) -> IR | None:
    """u for |u|, else None."""
    if isinstance(tree, Apply) and tree.builtin and tree.func == "abs":
        return tree.args[0]
    return None


def compare_statements(answer: IR, reference: IR, context: Context, seed: int) -> StatementVerdict:
    """Equivalence of two statements (see the module docstring)."""
    trials = PreciseTrials(context, seed)
    if equational(answer) and equational(reference):
        a, b = _product(answer), _product(reference)
        exact = _exact_ratio(a, b, context)
        if exact is not None:
            return StatementVerdict(exact, Method.EXACT)
        return _numeric_ratio(a, b, trials)
    if equational(answer) != equational(reference) and not _has_inequality(answer, reference):
        return StatementVerdict(False, Method.STRUCTURAL)
    return _truth_table(answer, reference, trials)


def _has_inequality(*trees: IR) -> bool:
    return any(isinstance(n, Cond) and n.op != "=" for t in trees for n in ir_walk(t))


def _exact_ratio(a: IR, b: IR, context: Context) -> bool | None:
    """Whether the numerators of a and b are proportional (None: sympy cannot tell cheaply)."""
    if len(ir_walk(a)) + len(ir_walk(b)) > MAX_IR_NODES:
        return None
    try:
        sa, sb = build_pair(a, b, context)
        na, nb = sympy.fraction(sympy.together(sa))[0], sympy.fraction(sympy.together(sb))[0]
        if na == 0 or nb == 0:
            return bool(na == 0 and nb == 0)
        ratio = sympy.cancel(sympy.expand(na) / sympy.expand(nb))
    except (UnsupportedTree, ArithmeticError, ValueError, TypeError, sympy.PolynomialError):
        return None
    if ratio.free_symbols:
        return None  # not proportional as written: the numbers decide (roots may cancel)
    return bool(ratio != 0 and ratio.is_finite)


def _numeric_ratio(a: IR, b: IR, trials: PreciseTrials) -> StatementVerdict:
    """The ratio a/b at the test points: the same nonzero value everywhere."""
    ctx = trials.high
    ratios: list[Any] = []
    compared = 0
    for env, functions in trials.environments((a, b)):
        try:
            va = evaluate_precise(a, ctx, env, functions)
            vb = evaluate_precise(b, ctx, env, functions)
        except (Undefined, Unsupported):
            continue
        compared += 1
        tiny = ctx.mpf(10) ** (-30)
        if abs(va) <= tiny * (1 + abs(vb)) and abs(vb) <= tiny * (1 + abs(va)):
            continue  # both hold here
        if abs(vb) <= tiny * abs(va) or abs(va) <= tiny * abs(vb):
            return StatementVerdict(False, Method.RANDOM, compared)  # one side holds alone
        ratios.append(va / vb)
    if compared == 0:
        return StatementVerdict(None, Method.NONE)
    if not ratios:  # both sides zero wherever evaluated: both always hold
        return StatementVerdict(True, Method.RANDOM, compared)
    first = ratios[0]
    spread = all(abs(r - first) <= RATIO_TOLERANCE * abs(first) for r in ratios)
    return StatementVerdict(spread, Method.RANDOM, compared)


def _truth_table(a: IR, b: IR, trials: PreciseTrials) -> StatementVerdict:
    """The statements hold at the same test points. Statements that hold at none of them
    (`x = 1/3 and y = 2`: a point the lattice does not hold) are not told apart by this:
    undecided, a TA looks."""
    ctx = trials.high
    compared = held = 0
    for env, functions in trials.environments((a, b)):
        try:
            ta = evaluate_truth(a, ctx, env, functions)
            tb = evaluate_truth(b, ctx, env, functions)
        except (Undefined, Unsupported):
            continue
        compared += 1
        held += ta
        if ta != tb:
            return StatementVerdict(False, Method.RANDOM, compared)
    if compared < MIN_POINTS or held == 0:
        return StatementVerdict(None, Method.NONE, compared)
    return StatementVerdict(True, Method.RANDOM, compared)
