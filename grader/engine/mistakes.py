"""Partial-credit mistakes: the rules that rewrite a reference the way a mistake would.

A rubric declares mistakes by `kind`; each kind is a `MistakeRule` of `MISTAKE_RULES`, which
turns the resolved reference into the variants the mistake produces, each with a sentence for
the student. An answer equal to a variant earns the mistake's credit. New kinds are new rules
in this registry, or a course's own rules (its solver module's `MISTAKE_RULES`, handed to the
Mistake as `rule`); the judge needs no change. Kind "expression" is a buggy answer written out
in the rubric (STACK's "buggy answers"): the mistake's expression is the variant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from grader.engine.context import Context, ContextError
from grader.engine.ir import IR, Apply, Binary, Unary, ir_walk
from grader.engine.resolve import ResolveError, resolve
from grader.engine.spec import Mistake
from grader.engine.variants import replace_node
from grader.mathlang import final_rhs, to_text

EXPRESSION_KIND = "expression"


@dataclass(frozen=True)
class Variant:
    """The reference as a mistake makes it, and the sentence that names the mistake."""

    tree: IR
    sentence: str


@dataclass(frozen=True)
class MistakeRule:
    """A kind of mistake. `variants` rewrites a resolved reference (empty: nothing to try);
    `specific` says whether our sentence adds to a rubric's own feedback (it names the missing
    factor) or only stands in for a missing one; `on_values`, when given, applies the mistake
    to values, so that it can be tried against a solver's reference function too (rules
    without it need a reference expression)."""

    kind: str
    variants: Callable[[IR], list[Variant]]
    specific: bool = False
    on_values: Callable[[Any], Any] | None = None
    sentence: str = ""


SIGN_SENTENCE = "Your answer has the wrong overall sign."


def _negated(reference: IR) -> list[Variant]:
    return [Variant(Unary("neg", reference, reference.src), SIGN_SENTENCE)]


def _dropped_factors(reference: IR) -> list[Variant]:
    """The reference with one derivative factor (a primed declared function) replaced by 1."""
    out = []
    for node in ir_walk(reference):
        if isinstance(node, Apply) and not node.builtin and node.primes > 0:
            sentence = f"Your answer is missing the factor {to_text(node.src)}."
            out.append(Variant(replace_node(reference, node), sentence))
    return out


def _without_transpose(reference: IR) -> list[Variant]:
    """The reference with one transpose left out (`delta z^T` written `delta z`)."""
    out = []
    for node in ir_walk(reference):
        if isinstance(node, Unary) and node.op == "transpose":
            sentence = f"Your answer is missing the transpose of {to_text(node.operand.src)}."
            out.append(Variant(replace_node(reference, node, node.operand), sentence))
    return out


# Operations whose two sides a student may swap by mistake (a - b, a / b, a^b, A B).
_ORDERED = frozenset({"sub", "div", "pow", "matmul", "mul"})


def _swapped(reference: IR) -> list[Variant]:
    """The reference with the two sides of one ordered operation, or the arguments of one
    function of several arguments, swapped (`b - a` for `a - b`, `g(y, x)` for `g(x, y)`)."""
    out = []
    for node in ir_walk(reference):
        if isinstance(node, Binary) and node.op in _ORDERED:
            swapped: IR = Binary(node.op, node.right, node.left, node.src)
        elif isinstance(node, Apply) and len(node.args) >= 2:
            swapped = Apply(node.func, node.args[::-1], node.primes, node.builtin, node.src)
        else:
            continue
        sentence = f"Your answer has the two sides of {to_text(node.src)} swapped."
        out.append(Variant(replace_node(reference, node, swapped), sentence))
    return out


MISTAKE_RULES: Mapping[str, MistakeRule] = MappingProxyType(
    {
        "drop_factor": MistakeRule("drop_factor", _dropped_factors, specific=True),
        "negate": MistakeRule(
            "negate", _negated, on_values=lambda value: -value, sentence=SIGN_SENTENCE
        ),
        "missing_transpose": MistakeRule("missing_transpose", _without_transpose, specific=True),
        "swapped_arguments": MistakeRule("swapped_arguments", _swapped, specific=True),
    }
)
MISTAKE_KINDS = frozenset(MISTAKE_RULES)


def rule_of(mistake: Mistake) -> MistakeRule | None:
    """The rule a mistake applies: the course's own, else the built-in one of its kind."""
    if isinstance(mistake.rule, MistakeRule):
        return mistake.rule
    return MISTAKE_RULES.get(mistake.kind)


def variants(mistake: Mistake, reference: IR, context: Context | None = None) -> list[Variant]:
    """The variants of `reference` under `mistake` (none for an unknown kind). A buggy
    expression is resolved in `context` (the rubric checked that it resolves)."""
    if mistake.expression is not None:
        if context is None:
            return []
        try:
            tree = resolve(final_rhs(mistake.expression)[0], context).ir
        except ResolveError as exc:
            raise ContextError(f"mistake {mistake.id}: {exc.message}") from exc
        return [Variant(tree, f"Your answer matches a known mistake ({mistake.id}).")]
    rule = rule_of(mistake)
    return [] if rule is None else rule.variants(reference)


def feedback(mistake: Mistake, sentence: str) -> list[str]:
    """The rubric's sentence for a mistake, plus ours when it adds something: a specific
    sentence (the missing factor) is always given; a generic one only stands in for a missing
    rubric sentence."""
    if not mistake.feedback:
        return [sentence]
    rule = rule_of(mistake)
    if mistake.expression is None and rule is not None and rule.specific:
        return [mistake.feedback, sentence]
    return [mistake.feedback]


def problems(
    mistakes: tuple[Mistake, ...], has_expression: bool, context: Context | None = None
) -> list[str]:
    """Rubric-time problems of declared mistakes (ids, kinds, credit; a buggy expression must
    resolve in `context`)."""
    found = []
    ids = [m.id for m in mistakes]
    if len(set(ids)) != len(ids):
        found.append("mistake ids must be unique")
    for mistake in mistakes:
        if not 0.0 <= mistake.credit <= 1.0:
            found.append(f"mistake {mistake.id}: credit must be within 0..1")
        if mistake.expression is not None:
            found += _expression_problems(mistake, context)
            continue
        rule = rule_of(mistake)
        if rule is None:
            found.append(f"mistake {mistake.id}: kind must be one of {sorted(MISTAKE_KINDS)}")
        elif rule.on_values is None and not has_expression:
            found.append(f"mistake {mistake.id}: {mistake.kind} needs a reference expression")
    return found


def _expression_problems(mistake: Mistake, context: Context | None) -> list[str]:
    if context is None or mistake.expression is None:
        return []
    try:
        resolve(final_rhs(mistake.expression)[0], context)
    except ResolveError as exc:
        return [f"mistake {mistake.id}: the expression does not resolve: {exc.message}"]
    return []
