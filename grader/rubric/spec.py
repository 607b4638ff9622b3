"""The rubric as data: what `rubrics/<assignment>.yaml` declares, after validation.

These dataclasses hold the *structure* of an assignment (questions, parts, points, checker names
and their options, the bonus rule). Nothing here computes a reference answer: that happens when
the rubric is prepared against its solver module (`grader.checkers.prepare`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.loaders.identity import GENERIC, FileNameRule
from grader.model import AssignmentInfo, FrozenDict, PartInfo, QuestionInfo, frozen_mapping
from grader.rubric.variants import VariantSpec


@dataclass(frozen=True)
class PartSpec:
    """One answer slot of a question (`ex2.W_new`)."""

    id: str
    question: str
    points: float
    check: str  # name of a registered part checker
    kind: str  # "symbolic" | "numeric" | "text" | "choice" (what a student writes)
    options: Mapping[str, Any] = field(default_factory=frozen_mapping)
    shape: str | None = None
    hint: str = ""
    scored: bool = True
    alternative_of: str | None = None  # local id of the scored part this slot can replace
    choices: tuple[str, ...] = ()
    shapes: tuple[tuple[int, ...], ...] = ()  # accepted array shapes (numeric slots)
    where: str = ""  # location in the rubric file, for messages

    @property
    def answer_id(self) -> str:
        """The dotted answer id used by sheets, parts.csv and TA scores."""
        return f"{self.question}.{self.id}"


@dataclass(frozen=True)
class QuestionSpec:
    """One question: a grades.csv column."""

    id: str
    title: str
    points: float
    bonus: bool
    grader: str  # name of a registered question grader ("parts" or "chain")
    parts: tuple[PartSpec, ...]
    options: Mapping[str, Any] = field(default_factory=frozen_mapping)
    where: str = ""

    def part(self, local_id: str) -> PartSpec | None:
        """The part with this local id, or None."""
        return next((p for p in self.parts if p.id == local_id), None)


@dataclass(frozen=True)
class BonusRule:
    """`total = base if base >= cap else min(cap, base + bonus)` (applied after TA scores)."""

    questions: tuple[str, ...]
    cap: float

    def apply(self, base: float, bonus: float) -> float:
        """The final total for a base grade and the bonus points earned."""
        if base >= self.cap:
            return base
        return min(self.cap, base + bonus)


def parse_time(text: str) -> datetime | None:
    """An aware datetime from ISO 8601 text (a `Z` suffix allowed); None when unreadable or
    without a time zone (a deadline must not depend on the grading machine's zone)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


@dataclass(frozen=True)
class LatePolicy:
    """Late submissions: `penalty_per_day` points (or fraction with `relative`) per started day
    after `deadline` + `grace_hours`, at most `max_penalty`."""

    deadline: str  # ISO 8601 with offset
    penalty_per_day: float
    max_penalty: float
    grace_hours: float = 0.0
    relative: bool = False  # penalty as a fraction of max_total


@dataclass(frozen=True)
class Rubric:
    """A validated rubric."""

    id: str
    title: str
    path: str
    max_total: float
    questions: tuple[QuestionSpec, ...]
    bonus: BonusRule | None = None
    solver: str | None = None
    data: Mapping[str, Any] = field(default_factory=frozen_mapping)
    contexts: Mapping[str, Any] = field(default_factory=frozen_mapping)
    tolerances: Mapping[str, Any] = field(default_factory=frozen_mapping)
    rounding: int = 2
    feedback: str = "none"  # `grade check`: "none" reveals nothing, "scores" also scores
    show_reference: bool = False
    late: LatePolicy | None = None
    variants: VariantSpec | None = None  # how each student's numbers are drawn (None: all alike)
    sheet: Mapping[str, str] = field(default_factory=frozen_mapping)  # format -> sheet text file
    identity: FileNameRule = GENERIC  # how file names name students (`identity:`)
    template: Mapping[str, str] = field(default_factory=frozen_mapping)  # `grade template` hints

    def parts(self) -> tuple[PartSpec, ...]:
        """Every part of every question, in rubric order."""
        return tuple(p for q in self.questions for p in q.parts)

    def part(self, answer_id: str) -> PartSpec | None:
        """The part with this dotted id, or None."""
        return next((p for p in self.parts() if p.answer_id == answer_id), None)

    def question(self, qid: str) -> QuestionSpec | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == qid), None)

    def info(self) -> AssignmentInfo:
        """The public structure (no reference answers) for templates, checks and gradebooks."""
        questions = tuple(
            QuestionInfo(
                id=q.id,
                title=q.title,
                max_points=q.points,
                bonus=q.bonus,
                parts=tuple(_part_info(p, q) for p in q.parts),
            )
            for q in self.questions
        )
        return AssignmentInfo(
            id=self.id,
            title=self.title,
            max_total=self.max_total,
            questions=questions,
            rubric_path=self.path,
            late_policy=self.late is not None,
            variants=self.variants is not None,
            file_name=self.identity.pattern or "",
            template_hints=frozen_mapping(dict(self.template)),
        )


def _part_info(part: PartSpec, question: QuestionSpec) -> PartInfo:
    alternative = f"{question.id}.{part.alternative_of}" if part.alternative_of else None
    return PartInfo(
        answer_id=part.answer_id,
        question=question.id,
        max_points=part.points if part.scored else 0.0,
        kind=part.kind,
        shape=part.shape,
        hint=part.hint,
        scored=part.scored,
        alternative_of=alternative,
        choices=part.choices,
        review=part.kind == "text",
        shapes=part.shapes,
    )


def freeze(value: Any) -> Any:
    """Deep read-only copy of YAML data: dicts become FrozenDicts, lists tuples."""
    if isinstance(value, Mapping):
        return FrozenDict({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value
