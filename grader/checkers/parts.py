"""The default question grader: every part judged on its own by its checker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.checkers.base import (
    Answers,
    Job,
    PreparedPart,
    PreparedQuestion,
    PrepareEnv,
    QuestionGrader,
    QuestionResult,
    answer_text,
    part_score,
)
from grader.checkers.failures import internal_error
from grader.model import CheckResult
from grader.rubric.errors import RubricError
from grader.rubric.spec import QuestionSpec


def prepare_parts(question: QuestionSpec, env: PrepareEnv) -> dict[str, PreparedPart]:
    """Prepare every part of a question with its checker, collecting all rubric problems."""
    prepared: dict[str, PreparedPart] = {}
    problems: list[str] = []
    for part in question.parts:
        try:
            prepared[part.id] = env.checkers[part.check].prepare(part, env)
        except RubricError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RubricError(problems)
    return prepared


class PreparedParts(PreparedQuestion):
    """Each scored part decided by its own prepared checker."""

    def __init__(self, spec: QuestionSpec, parts: dict[str, PreparedPart], places: int) -> None:
        super().__init__(spec)
        self.parts = parts
        self.places = places

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        return tuple(job for p in self.parts.values() for job in p.requests(answers))

    def execute(self, job: Job) -> CheckResult:
        return self.parts[job.part].execute(job)

    def grade(self, answers: Answers, results: Mapping[Job, CheckResult]) -> QuestionResult:
        scores = []
        for part in self.spec.parts:
            if not part.scored:
                continue
            try:
                result = self.parts[part.id].decide(answers, results)
            except Exception as exc:  # noqa: BLE001 - our bug: this part only, never the batch
                result = internal_error(exc, f"deciding {part.answer_id}")
            text = _text(answers, part.answer_id, self.spec, part.id)
            scores.append(part_score(part, result, text, self.places))
        return QuestionResult(tuple(scores))

    def key(self, convention: str | None) -> dict[str, Any]:
        return {
            p.answer_id: self.parts[p.id].key_value(convention) for p in self.spec.parts if p.scored
        }


def _text(answers: Answers, answer_id: str, spec: QuestionSpec, local: str) -> str | None:
    text = answer_text(answers.get(answer_id))
    if text is not None:
        return text
    # A part answered through alternative slots shows them all (review queue, report).
    alts = [
        f"{p.id}: {answer_text(answers.get(p.answer_id))}"
        for p in spec.parts
        if p.alternative_of == local and answer_text(answers.get(p.answer_id)) is not None
    ]
    return " | ".join(alts) or None


class PartsGrader(QuestionGrader):
    """`grader: parts` (the default)."""

    name = "parts"

    def prepare(self, question: QuestionSpec, env: PrepareEnv) -> PreparedQuestion:
        return PreparedParts(question, prepare_parts(question, env), env.rubric.rounding)
