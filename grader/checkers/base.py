"""The contracts of checkers (one answer part) and question graders (a whole question).

Grading runs in two phases so that expensive work can run in worker processes with deadlines
and identical answers are decided once per batch:
1. `requests(answers)` lists the `Job`s a submission needs (e.g. "judge this expression");
   the pipeline de-duplicates them across the batch and executes each with `execute(job)`,
   possibly in another process (so jobs and results must pickle);
2. `grade(answers, results)` turns the results into `PartScore`s, cheaply, in the main process.
Checkers without expensive work (numbers, free text) do everything in phase 2.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from grader.model import CheckResult, Outcome, PartScore, RawAnswer, Reason, frozen_mapping
from grader.numeric import round_points
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec, QuestionSpec, Rubric

Answers = Mapping[str, RawAnswer]

# How much of one answer the review queue, the report and results.json repeat: enough for any
# answer the maths language reads (2000 characters), bounded for a pasted essay or array dump.
MAX_ANSWER_TEXT = 2000


@dataclass(frozen=True)
class Job:
    """A unit of expensive, deterministic work for one answer part."""

    question: str
    part: str
    payload: tuple[Hashable, ...]


@dataclass(frozen=True)
class PrepareEnv:
    """What preparation may use: the rubric, its solver's functions, the engine contexts and
    the registered part checkers (question graders prepare their parts with them)."""

    rubric: Rubric
    solvers: Mapping[str, Callable[..., Any]] = field(default_factory=frozen_mapping)
    contexts: Mapping[str, Any] = field(default_factory=frozen_mapping)
    checkers: Mapping[str, PartChecker] = field(default_factory=frozen_mapping)
    mistake_rules: Mapping[str, Any] = field(default_factory=frozen_mapping)  # the course's own

    def solver(self, name: str, where: str) -> Callable[..., Any]:
        """The solver function `name`, or a RubricError listing the valid names."""
        if name in self.solvers:
            return self.solvers[name]
        valid = ", ".join(sorted(self.solvers)) or "(the rubric names no solver module)"
        raise RubricError([f"{where}: unknown solver function {name!r}; valid: {valid}"])


class PreparedPart(ABC):
    """A part checker bound to one rubric part, with its reference computed."""

    def __init__(self, spec: PartSpec) -> None:
        self.spec = spec

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        """Expensive jobs this part needs for these answers (none by default)."""
        return ()

    def execute(self, job: Job) -> CheckResult:
        """Run one job (possibly in a worker process)."""
        raise NotImplementedError(f"{type(self).__name__} has no jobs")

    @abstractmethod
    def decide(self, answers: Answers, results: Mapping[Job, CheckResult]) -> CheckResult:
        """Judge the part from the answers and the results of its jobs."""

    def key_value(self, convention: str | None) -> Any:
        """The reference answer as it would appear on a filled-in sheet (`grade key`)."""
        return None


class PartChecker(ABC):
    """A registered kind of part check; `options` are the rubric keys it accepts."""

    name: ClassVar[str]
    kind: ClassVar[str]
    options: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[frozenset[str]] = frozenset()

    def validate(self, part: PartSpec) -> list[str]:
        """Rubric problems with this part's options (structure only, no solver needed)."""
        return []

    @abstractmethod
    def prepare(self, part: PartSpec, env: PrepareEnv) -> PreparedPart:
        """Bind to the part and compute its reference; raise RubricError on problems."""


@dataclass(frozen=True)
class QuestionResult:
    """The scored parts of one question plus details for feedback (e.g. the convention)."""

    parts: tuple[PartScore, ...]
    detail: Mapping[str, Any] = field(default_factory=frozen_mapping)


class PreparedQuestion(ABC):
    """A question grader bound to one rubric question."""

    def __init__(self, spec: QuestionSpec) -> None:
        self.spec = spec

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        """Expensive jobs for these answers."""
        return ()

    def execute(self, job: Job) -> CheckResult:
        """Run one job."""
        raise NotImplementedError(f"{type(self).__name__} has no jobs")

    @abstractmethod
    def grade(self, answers: Answers, results: Mapping[Job, CheckResult]) -> QuestionResult:
        """Score every scored part of the question."""

    @abstractmethod
    def key(self, convention: str | None) -> dict[str, Any]:
        """Reference answers by dotted answer id (`grade key`)."""


class QuestionGrader(ABC):
    """A registered way of grading a question ("parts": each part alone; "chain": parts that
    depend on each other, with conventions and error carried forward)."""

    name: ClassVar[str]
    options: ClassVar[frozenset[str]] = frozenset()
    part_options: ClassVar[frozenset[str]] = frozenset()  # keys it reads on its parts

    def validate(self, question: QuestionSpec) -> list[str]:
        """Rubric problems with this question's options."""
        return []

    @abstractmethod
    def prepare(self, question: QuestionSpec, env: PrepareEnv) -> PreparedQuestion:
        """Bind to the question; raise RubricError on problems."""


def part_score(
    spec: PartSpec, result: CheckResult, answer_text: str | None, places: int
) -> PartScore:
    """A PartScore from a check result: points are the part's share, rounded half-up to
    `places` decimals (the rubric's `rounding:`)."""
    share = _exact(max(0.0, min(1.0, result.fraction)))
    points = round_points(Fraction(str(spec.points)) * share, places)
    return PartScore(
        answer_id=spec.answer_id,
        question=spec.question,
        points=points,
        max_points=spec.points,
        outcome=result.outcome,
        feedback=result.feedback,
        needs_review=result.needs_review,
        method=result.method,
        answer_text=answer_text,
        staff=result.staff,
        detail=result.detail,
    )


def _exact(fraction: float) -> Fraction:
    # Shares are ratios of small integers (7 of 12 entries, 3.5 of 7 points); recover them
    # exactly so that 0.5 * 3/12 = 0.125 rounds half-up to 0.13 as a human marker would.
    if fraction == 0.0 or fraction == 1.0:  # most parts: what limit_denominator gives them
        return Fraction(int(fraction))
    return Fraction(fraction).limit_denominator(1_000_000)


def missing(spec: PartSpec) -> CheckResult:
    """The result for a part the student left out."""
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.MISSING,
        feedback=(f"No answer was given for {spec.answer_id}.",),
    )


def unreadable_answer(answer: RawAnswer | None) -> CheckResult | None:
    """The result for an answer the loader could not read (None when it could)."""
    if answer is None or not answer.error:
        return None
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.UNPARSEABLE,
        reasons=(Reason.WRONG_TYPE,),
        feedback=(answer.error,),
    )


def answer_text(answer: RawAnswer | None) -> str | None:
    """The student's answer as one line of text (review queue, report), or None."""
    if answer is None or answer.value is None:
        return None
    value = answer.value
    text = value if isinstance(value, str) else _flat(value)
    if len(text) <= MAX_ANSWER_TEXT:
        return text
    # Say how much was left out, so a TA never mistakes the cut text for the whole answer.
    return f"{text[:MAX_ANSWER_TEXT]}... ({len(text) - MAX_ANSWER_TEXT} more characters)"


def _flat(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return str(value)


def is_blank(answer: RawAnswer | None) -> bool:
    """True when an answer is absent or empty (missing, not wrong)."""
    if answer is not None and answer.error:
        return False
    if answer is None or answer.value is None:
        return True
    value = answer.value
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return False
