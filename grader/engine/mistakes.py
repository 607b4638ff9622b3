"""Partial-credit mistakes: the rules that rewrite a reference the way a mistake would.

A rubric declares mistakes by `kind`; each kind is a `MistakeRule` of `MISTAKE_RULES`, which
turns the resolved reference into the variants the mistake produces, each with a sentence for
the student. An answer equal to a variant earns the mistake's credit. New kinds are new rules
in this registry; the judge needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from grader.engine.ir import IR, Apply, Unary, ir_walk
from grader.engine.spec import Mistake
from grader.engine.variants import replace_node
from grader.mathlang import to_text


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


MISTAKE_RULES: Mapping[str, MistakeRule] = MappingProxyType(
    {
        "drop_factor": MistakeRule("drop_factor", _dropped_factors, specific=True),
        "negate": MistakeRule(
            "negate", _negated, on_values=lambda value: -value, sentence=SIGN_SENTENCE
        ),
    }
)
MISTAKE_KINDS = frozenset(MISTAKE_RULES)


def variants(mistake: Mistake, reference: IR) -> list[Variant]:
    """The variants of `reference` under `mistake` (none for an unknown kind)."""
    rule = MISTAKE_RULES.get(mistake.kind)
    return [] if rule is None else rule.variants(reference)


def feedback(mistake: Mistake, sentence: str) -> list[str]:
    """The rubric's sentence for a mistake, plus ours when it adds something: a specific
    sentence (the missing factor) is always given; a generic one only stands in for a missing
    rubric sentence."""
    if not mistake.feedback:
        return [sentence]
    rule = MISTAKE_RULES.get(mistake.kind)
    if rule is not None and rule.specific:
        return [mistake.feedback, sentence]
    return [mistake.feedback]


def problems(mistakes: tuple[Mistake, ...], has_expression: bool) -> list[str]:
    """Rubric-time problems of declared mistakes (ids, kinds, credit)."""
    found = []
    ids = [m.id for m in mistakes]
    if len(set(ids)) != len(ids):
        found.append("mistake ids must be unique")
    for mistake in mistakes:
        rule = MISTAKE_RULES.get(mistake.kind)
        if rule is None:
            found.append(f"mistake {mistake.id}: kind must be one of {sorted(MISTAKE_KINDS)}")
        if not 0.0 <= mistake.credit <= 1.0:
            found.append(f"mistake {mistake.id}: credit must be within 0..1")
        if rule is not None and rule.on_values is None and not has_expression:
            found.append(f"mistake {mistake.id}: {mistake.kind} needs a reference expression")
    return found
