"""`form:` on a symbolic part: an equivalent answer must also be written in a form (expanded,
factored, simplified, no derivatives left; see `grader.engine.forms` for what each means on our
tree). The rubric sets the credit of an equivalent answer in the wrong form and the feedback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.engine.forms import FORMS, form_problems
from grader.model import CheckResult, Outcome, Reason, frozen_mapping

DEFAULT_CREDIT = 0.5


@dataclass(frozen=True)
class FormRequirement:
    """`form: {require: expanded, credit: 0.5, feedback: "..."}`: an equivalent answer not in
    the form earns `credit` (a share of the part's points) with the feedback."""

    require: str
    credit: float
    feedback: str


def forms_from(raw: Any) -> tuple[FormRequirement, ...]:
    """The part's form requirements (validated by `validate_forms`)."""
    items = raw if isinstance(raw, (list, tuple)) else (raw,) if raw else ()
    return tuple(
        FormRequirement(
            str(i["require"]), float(i.get("credit", DEFAULT_CREDIT)), str(i.get("feedback", ""))
        )
        for i in items
    )


def validate_forms(raw: Any, where: str) -> list[str]:
    """Problems of a `form:` entry (a mapping or a list of them)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else (raw,)
    problems = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("require") not in FORMS:
            problems.append(f"{where}: `require:` one of {', '.join(FORMS)}")
            continue
        if set(map(str, item)) - {"require", "credit", "feedback"}:
            problems.append(f"{where}: keys are require, credit and feedback")
        credit = item.get("credit", DEFAULT_CREDIT)
        if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 <= credit <= 1:
            problems.append(f"{where}.credit: a share of the part's points between 0 and 1")
    return problems


def with_forms(
    result: CheckResult, tree: Any, forms: tuple[FormRequirement, ...], context: Any = None
) -> CheckResult:
    """An equivalent answer checked against the part's form requirements."""
    if result.outcome is not Outcome.CORRECT or not forms:
        return result
    failed = [(f, form_problems(f.require, tree, context)) for f in forms]
    failed = [(f, why) for f, why in failed if why]
    if not failed:
        return result
    credit = min(f.credit for f, _ in failed)
    sentences = [s for f, why in failed for s in ([f.feedback] if f.feedback else []) + why]
    return replace(
        result,
        fraction=credit,
        outcome=Outcome.PARTIAL if credit > 0 else Outcome.INCORRECT,
        reasons=(*result.reasons, Reason.FORM),
        feedback=(*result.feedback, *sentences),
        detail=frozen_mapping({**result.detail, "form": tuple(f.require for f, _ in failed)}),
    )
