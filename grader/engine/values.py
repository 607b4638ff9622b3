"""The exact value of a constant expression (`pi`, `sqrt(2)`, `1/7`, `3.14`), for numeric answer
tests whose teacher's answer is symbolic.

The expression is resolved in an open context (the one resolver), must use no free name, and is
evaluated by the precise evaluator at `dps` digits; the result is the exact binary value of
that evaluation, as a Fraction. A Number is returned as is.
"""

from __future__ import annotations

from fractions import Fraction

from grader.engine.context import CAS_CONSTANTS, Context, open_context
from grader.engine.errors import ResolveError
from grader.engine.ir import MatrixLit
from grader.engine.precise import (
    Undefined,
    Unsupported,
    evaluate_precise,
    make_context,
    to_fraction,
)
from grader.engine.resolve import resolve
from grader.mathlang.ast import Neg, Node, Number
from grader.model import Reason

DEFAULT_DPS = 60


def constant_value(
    node: Node, context: Context | None = None, *, dps: int = DEFAULT_DPS
) -> Fraction:
    """The real value of a constant expression. Raises ResolveError: NOT_A_NUMBER for free
    names, matrices, complex values; NOT_FINITE where it has no finite value (`1/0`); and the
    resolver's reasons for what cannot be read."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Neg) and isinstance(node.operand, Number):
        return -node.operand.value
    resolved = resolve(node, context or open_context(constants=CAS_CONSTANTS))
    if resolved.free or isinstance(resolved.ir, MatrixLit):
        raise ResolveError(
            Reason.NOT_A_NUMBER, "the expression is not a single constant", node.span
        )
    ctx = make_context(dps)
    try:
        return to_fraction(ctx, evaluate_precise(resolved.ir, ctx, {}, {}))
    except Undefined as exc:
        reason = Reason.NOT_A_NUMBER if "real" in str(exc) else Reason.NOT_FINITE
        raise ResolveError(
            reason, f"the value is not a finite real number: {exc}", node.span
        ) from None
    except Unsupported as exc:
        raise ResolveError(
            Reason.NOT_A_NUMBER, f"the value cannot be computed: {exc}", node.span
        ) from None
