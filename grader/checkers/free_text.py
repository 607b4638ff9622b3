"""Free-text parts: a provisional score from the ideas the answer mentions, always reviewed.

The ideas (a model sentence and regular expressions each) come from the solver module or are
listed in the rubric. The score is provisional: the part is marked `needs_review` until a TA's
score replaces it (`--scores`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from grader.checkers.base import (
    Answers,
    Job,
    PartChecker,
    PreparedPart,
    PrepareEnv,
    is_blank,
    missing,
    unreadable_answer,
)
from grader.model import CheckResult, Method, Outcome, Reason, frozen_mapping
from grader.references import Idea
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec

# Patterns are bounded (no unbounded repeats next to each other) and matching runs as a job,
# in a worker with a deadline; the cap bounds the work for hostile input all the same.
MAX_TEXT = 20_000
NOT_TEXT = "This answer should be text."


class PreparedFreeText(PreparedPart):
    """A free-text part bound to its ideas."""

    def __init__(self, spec: PartSpec, ideas: tuple[Idea, ...], per_idea: float) -> None:
        super().__init__(spec)
        self.ideas = ideas
        self.per_idea = per_idea
        self.patterns = tuple(
            tuple(re.compile(p, re.IGNORECASE) for p in idea.patterns) for idea in ideas
        )

    def _text(self, answers: Answers) -> str | None:
        answer = answers.get(self.spec.answer_id)
        if is_blank(answer) or answer is None or answer.error or not isinstance(answer.value, str):
            return None
        return " ".join(answer.value[:MAX_TEXT].split())

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        text = self._text(answers)
        return () if text is None else (Job(self.spec.question, self.spec.id, (text,)),)

    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        answer = answers.get(self.spec.answer_id)
        if is_blank(answer):
            return missing(self.spec)
        broken = unreadable_answer(answer)
        if broken is not None:
            return replace(broken, needs_review=True)
        (job,) = self.requests(answers) or (None,)
        if job is None:
            return CheckResult(
                fraction=0.0,
                outcome=Outcome.UNPARSEABLE,
                reasons=(Reason.WRONG_TYPE,),
                feedback=(NOT_TEXT,),
                needs_review=True,
            )
        return results[job]

    def execute(self, job: Job) -> CheckResult:
        (text,) = job.payload
        found = [
            idea
            for idea, pats in zip(self.ideas, self.patterns, strict=True)
            if any(p.search(str(text)) for p in pats)
        ]
        points = min(self.spec.points, self.per_idea * len(found))
        fraction = points / self.spec.points if self.spec.points else 0.0
        named = ", ".join(idea.id.replace("_", " ") for idea in found) or "none of the listed ideas"
        return CheckResult(
            fraction=fraction,
            outcome=Outcome.NEEDS_REVIEW,
            method=Method.KEYWORDS,
            reasons=(Reason.FREE_TEXT,),
            feedback=(
                f"Provisional score from the ideas recognised ({named}); a TA will review it.",
            ),
            needs_review=True,
            detail=frozen_mapping({"ideas": tuple(idea.id for idea in found)}),
        )

    def key_value(self, convention: str | None) -> Any:
        return "\n".join(f"- {idea.text}" for idea in self.ideas) + "\n"


class FreeTextChecker(PartChecker):
    """`check: free_text` with `ideas:` (a solver function name or a list) and
    `points_per_idea:` (default 1)."""

    name = "free_text"
    kind = "text"
    options = frozenset({"ideas", "points_per_idea"})
    required = frozenset({"ideas"})

    def validate(self, part: PartSpec) -> list[str]:
        per_idea = part.options.get("points_per_idea", 1)
        if isinstance(per_idea, bool) or not isinstance(per_idea, (int, float)) or per_idea <= 0:
            return [f"{part.where}.points_per_idea: must be a positive number"]
        return []

    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        raw = part.options["ideas"]
        where = f"{part.where}.ideas"
        ideas = (
            env.solver(raw, where)(env.rubric.data) if isinstance(raw, str) else _inline(raw, where)
        )
        problems = [
            f"{where}: idea {idea.id!r}: bad pattern {p!r}: {exc}"
            for idea in ideas
            for p in idea.patterns
            for exc in _pattern_errors(p)
        ]
        if problems:
            raise RubricError(problems)
        return PreparedFreeText(part, tuple(ideas), float(part.options.get("points_per_idea", 1)))


def _inline(raw: Any, where: str) -> tuple[Idea, ...]:
    if not isinstance(raw, (list, tuple)):
        raise RubricError([f"{where}: a solver function name or a list of ideas"])
    ideas = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or "id" not in item or "patterns" not in item:
            raise RubricError([f"{where}[{index}]: an idea needs `id:` and `patterns:`"])
        ideas.append(
            Idea(
                str(item["id"]),
                str(item.get("text", item["id"])),
                tuple(str(p) for p in item["patterns"]),
            )
        )
    return tuple(ideas)


def _pattern_errors(pattern: str) -> list[str]:
    try:
        re.compile(pattern)
    except re.error as exc:
        return [str(exc)]
    return []
