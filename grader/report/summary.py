"""The class report as data: counts, statistics, per-part summaries and conventions.

Everything here is computed from a Gradebook without I/O, into frozen dataclasses the Markdown,
HTML and PNG renderers share, so the three files always agree. Statistics of totals cover the
submissions that were read (status graded or needs_review): an unreadable file or a missing
submission scores 0 in the gradebook but says nothing about how the class did.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.gradebook.tables import sorted_rows
from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Status,
)
from grader.report.bins import Bin, finite, total_bins
from grader.report.groups import WrongAnswers, wrong_answers
from grader.report.shared import StaffSignals, staff_signals

READ_STATUSES = frozenset({Status.GRADED, Status.NEEDS_REVIEW})
CONVENTION_KEY = "convention"  # PartScore.detail: the convention a chain part was marked against
NAMED_KEY = "named"  # GradedSubmission.detail[question]: whether the student named it


@dataclass(frozen=True)
class TotalStats:
    """Mean, median, minimum and maximum of the totals of read submissions (None when none)."""

    count: int
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class PartSummary:
    """One scored part: how it went across the class."""

    answer_id: str
    question: str
    kind: str
    max_points: float
    scored: int  # rows that have this part
    mean_points: float | None
    outcomes: tuple[tuple[Outcome, int], ...]  # every Outcome, in enum order
    wrong: WrongAnswers


@dataclass(frozen=True)
class ConventionUse:
    """How many students were marked against one convention, and whether they named it."""

    convention: str
    students: int
    named: int
    not_named: int
    unknown: int
    mean_points: float | None  # mean points on the question


@dataclass(frozen=True)
class ConventionSummary:
    """The conventions used in one question whose parts carry detail["convention"]."""

    question: str
    title: str
    uses: tuple[ConventionUse, ...]


@dataclass(frozen=True)
class ClassReport:
    """Everything the report files show."""

    assignment: str
    title: str
    max_total: float
    rows: int
    students: int
    statuses: tuple[tuple[Status, int], ...]  # every Status, in enum order
    totals: TotalStats
    bins: tuple[Bin, ...]
    parts: tuple[PartSummary, ...]
    conventions: tuple[ConventionSummary, ...]
    staff: StaffSignals | None = None  # per-student numbers: the staff-only section


def total_stats(totals: Sequence[float]) -> TotalStats:
    """Statistics of the finite `totals`."""
    values = finite(totals)
    if not values:
        return TotalStats(0)
    return TotalStats(
        count=len(values),
        mean=statistics.fmean(values),
        median=float(statistics.median(values)),
        minimum=min(values),
        maximum=max(values),
    )


def _mean(values: Sequence[float]) -> float | None:
    numbers = finite(values)
    return statistics.fmean(numbers) if numbers else None


PartsById = Sequence[Mapping[str, PartScore]]  # per row: its parts by answer id


def parts_by_id(rows: Sequence[GradedSubmission]) -> PartsById:
    """Each row's parts by answer id (the first, should a row hold one twice), looked up
    once for every summary instead of searched for each slot of each row."""
    out = []
    for row in rows:
        parts: dict[str, PartScore] = {}
        for part in row.parts:
            parts.setdefault(part.answer_id, part)
        out.append(parts)
    return out


def part_summary(
    slot: PartInfo, rows: Sequence[GradedSubmission], index: PartsById | None = None
) -> PartSummary:
    """The summary of one slot over `rows` (in the gradebook's stable order); `index`:
    :func:`parts_by_id` of `rows`, when the caller has it."""
    index = parts_by_id(rows) if index is None else index
    parts = [p for p in (by_id.get(slot.answer_id) for by_id in index) if p is not None]
    counts = {outcome: 0 for outcome in Outcome}
    for part in parts:
        counts[part.outcome] += 1
    return PartSummary(
        answer_id=slot.answer_id,
        question=slot.question,
        kind=slot.kind,
        max_points=slot.max_points,
        scored=len(parts),
        mean_points=_mean([p.points for p in parts]),
        outcomes=tuple(counts.items()),
        wrong=wrong_answers(slot.kind, parts),
    )


def _row_convention(parts: Mapping[str, PartScore], question: QuestionInfo) -> str | None:
    """The convention a row's `parts` of `question` were marked against (first in rubric
    order), or None."""
    for slot in question.parts:
        part = parts.get(slot.answer_id)
        value = part.detail.get(CONVENTION_KEY) if part is not None else None
        if isinstance(value, str) and value:
            return value
    return None


def _named(row: GradedSubmission, question: str) -> bool | None:
    """Whether the student named the convention (GradedSubmission.detail[question]["named"])."""
    entry = row.detail.get(question)
    named = entry.get(NAMED_KEY) if isinstance(entry, Mapping) else None
    return named if isinstance(named, bool) else None


def convention_summary(
    question: QuestionInfo, rows: Sequence[GradedSubmission], index: PartsById | None = None
) -> ConventionSummary | None:
    """The conventions of `question`, or None when none of its parts carries one; `index`:
    :func:`parts_by_id` of `rows`, when the caller has it."""
    index = parts_by_id(rows) if index is None else index
    by_convention: dict[str, list[GradedSubmission]] = {}
    for row, parts in zip(rows, index, strict=True):
        convention = _row_convention(parts, question)
        if convention is not None:
            by_convention.setdefault(convention, []).append(row)
    if not by_convention:
        return None
    uses = []
    for convention in sorted(by_convention, key=lambda c: (-len(by_convention[c]), c)):
        group = by_convention[convention]
        named = [_named(row, question.id) for row in group]
        uses.append(
            ConventionUse(
                convention=convention,
                students=len(group),
                named=sum(1 for n in named if n is True),
                not_named=sum(1 for n in named if n is False),
                unknown=sum(1 for n in named if n is None),
                mean_points=_mean([row.question_points.get(question.id, 0.0) for row in group]),
            )
        )
    return ConventionSummary(question.id, question.title, tuple(uses))


def _conventions(
    info: AssignmentInfo, rows: Sequence[GradedSubmission], index: PartsById
) -> tuple[ConventionSummary, ...]:
    found = (convention_summary(question, rows, index) for question in info.questions)
    return tuple(summary for summary in found if summary is not None)


def build_report(book: Gradebook) -> ClassReport:
    """The class report of `book`."""
    rows = sorted_rows(book)
    info = book.assignment
    read = [row for row in rows if row.status in READ_STATUSES]
    index = parts_by_id(read)
    statuses = {status: 0 for status in Status}
    for row in rows:
        statuses[row.status] += 1
    return ClassReport(
        assignment=info.id,
        title=info.title,
        max_total=info.max_total,
        rows=len(rows),
        students=len({row.student_id for row in rows}),
        statuses=tuple(statuses.items()),
        totals=total_stats([row.total for row in read]),
        bins=total_bins([row.total for row in read], info.max_total),
        parts=tuple(part_summary(slot, read, index) for slot in info.slots() if slot.scored),
        conventions=_conventions(info, read, index),
        staff=staff_signals(info, read),
    )
