"""Slots read by other parts and never scored on their own: a choice such as `ex2.convention`,
or an alternative slot such as `ex3.gradient_j_eq_y` (read by the part it is an alternative of)."""

from __future__ import annotations

from collections.abc import Mapping

from grader.checkers.base import Answers, Job, PartChecker, PreparedPart, PrepareEnv
from grader.model import CheckResult, Outcome, frozen_mapping
from grader.rubric.spec import PartSpec


def normalise_choice(
    value: object, choices: tuple[str, ...], synonyms: Mapping[str, str]
) -> str | None:
    """The canonical choice a student's text names, or None when it names none.

    Case, spaces, `_` and `-` are ignored (`Batch Mean`, `batch_mean` -> `batch-mean`);
    `synonyms` maps further spellings (`average` -> `batch-mean`)."""
    if not isinstance(value, str):
        return None
    key = _key(value)
    for choice in choices:
        if _key(choice) == key:
            return choice
    for spelling, choice in synonyms.items():
        if _key(spelling) == key and choice in choices:
            return choice
    return None


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class PreparedChoice(PreparedPart):
    """Reports which choice was named; the question grader uses it."""

    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        answer = answers.get(self.spec.answer_id)
        value = normalise_choice(answer.value if answer else None, self.spec.choices, {})
        return CheckResult(
            fraction=0.0,
            outcome=Outcome.CORRECT if value else Outcome.MISSING,
            detail=frozen_mapping({"choice": value}),
        )


class ChoiceChecker(PartChecker):
    """`check: choice` (or `kind: choice`): one of the part's `choices`."""

    name = "choice"
    kind = "choice"

    def validate(self, part: PartSpec) -> list[str]:
        if not part.choices:
            return [f"{part.where}.choices: a choice part needs a list of choices"]
        return []

    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        return PreparedChoice(part)


class PreparedAlternative(PreparedPart):
    """An alternative slot: the part it belongs to reads and judges it."""

    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        return CheckResult(fraction=0.0, outcome=Outcome.MISSING)


class AlternativeChecker(PartChecker):
    """`alternative_of: <part>` without a check: answered here, judged by that part
    (which names this slot in its `alternatives:`)."""

    name = "alternative"
    kind = "symbolic"

    def validate(self, part: PartSpec) -> list[str]:
        if not part.alternative_of:
            return [f"{part.where}.alternative_of: required by check 'alternative'"]
        return []

    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        return PreparedAlternative(part)
