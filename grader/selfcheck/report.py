"""What `grade check` found about one answer sheet: a status per answer slot, file messages and,
only when the rubric says `feedback: scores`, points.

Every renderer (text, JSON, JUnit, GitHub annotations and summary, the Classroom result object)
works from a :class:`CheckReport` alone, so none of them can reveal more than the report holds:
with `feedback: none` it holds no points earned and nothing about correctness.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from grader.model import Location, Message, Reason, Severity


class SlotStatus(StrEnum):
    """The form of one answer slot (never whether it is right)."""

    OK = "ok"  # present and readable (or answered through all of its alternatives)
    MISSING = "missing"  # required and not given
    UNREADABLE = "unreadable"  # given, but not of the form asked (numbers, expression...)
    NOT_GIVEN = "not_given"  # optional (bonus, choice, unused alternative) and not given
    IGNORED = "ignored"  # an alternative given together with its main slot: not graded
    UNKNOWN = "unknown"  # an id the rubric does not know: not graded


FAILING = frozenset({SlotStatus.MISSING, SlotStatus.UNREADABLE})


@dataclass(frozen=True)
class SlotReport:
    """One answer slot of the rubric (or an unknown id found in the sheet).

    `required` slots must be given for the sheet to be complete (scored, non-bonus parts);
    `pointer` is the caret block under a syntax error; `points` is set only when scoring.
    """

    answer_id: str
    question: str
    kind: str  # "symbolic" | "numeric" | "text" | "choice" | "unknown"
    status: SlotStatus
    max_points: float = 0.0
    scored: bool = False
    required: bool = False
    alternative_of: str | None = None
    location: Location | None = None
    reasons: tuple[Reason, ...] = ()
    messages: tuple[Message, ...] = ()
    pointer: str = ""
    points: float | None = None
    provisional: bool = False  # the points await a TA's review (free text, undecided)
    via_alternatives: bool = False  # left blank but answered through all of its alternatives

    @property
    def failed(self) -> bool:
        """True when this slot makes the sheet incomplete or malformed."""
        return self.status in FAILING


@dataclass(frozen=True)
class QuestionReport:
    """One question of the rubric; `points` only when scoring."""

    id: str
    title: str
    max_points: float
    bonus: bool
    points: float | None = None


@dataclass(frozen=True)
class Totals:
    """The grade of the sheet (only when scoring): `total = base + bonus` (bonus after the
    rubric's bonus rule). Late penalties are not applied: a check has no submission time."""

    base: float
    bonus: float
    total: float
    max_total: float


@dataclass(frozen=True)
class CheckReport:
    """Everything `grade check` says about one sheet."""

    assignment: str
    title: str
    file: str  # the sheet's path as given on the command line
    rubric: str  # the rubric file's path
    readable: bool
    slots: tuple[SlotReport, ...]
    questions: tuple[QuestionReport, ...]
    messages: tuple[Message, ...] = ()  # about the whole file
    totals: Totals | None = None  # set only with `feedback: scores`

    @property
    def scoring(self) -> bool:
        """True when the report carries points (the rubric says `feedback: scores`)."""
        return self.totals is not None

    @property
    def file_errors(self) -> tuple[Message, ...]:
        """ERROR messages about the whole file (unreadable, broken YAML...)."""
        return tuple(m for m in self.messages if m.severity is Severity.ERROR)

    @property
    def complete(self) -> bool:
        """True when the file is readable and every slot is well-formed and present as needed."""
        return self.readable and not self.file_errors and not any(s.failed for s in self.slots)

    def required(self) -> tuple[SlotReport, ...]:
        """The slots the sheet must answer."""
        return tuple(s for s in self.slots if s.required)

    def problems(self) -> tuple[SlotReport, ...]:
        """The failing slots, in rubric order."""
        return tuple(s for s in self.slots if s.failed)

    def slots_of(self, question: str) -> tuple[SlotReport, ...]:
        """The slots (unknown ids included) whose question id is `question`."""
        return tuple(s for s in self.slots if s.question == question)
