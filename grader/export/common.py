"""Rules every export shares: which rows, in which order, which score an LMS receives.

- Students are exported sorted by student id (the gradebook's own order); a student with two
  rows (two submissions) is refused, because which one counts is a staff decision.
- A `missing` row (on the roster, nothing handed in) gets no score at all, so an LMS keeps
  whatever it has; an `unreadable` row gets 0, as in the gradebook.
- With `hold_review`, rows still awaiting a TA and unreadable ones get no score either, so
  provisional points (and a 0 for a file nobody has looked at) never reach students through an
  LMS.
- Late submissions: the row's ``detail["late"]`` record (``submitted_at``, ``days_late``,
  ``penalty``, ``raw_total``) when the scorer wrote one; otherwise nothing was deducted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.export.errors import ExportDataError
from grader.gradebook.tables import sorted_rows
from grader.model import Gradebook, GradedSubmission, Status

LATE_KEY = "late"


@dataclass(frozen=True)
class LateRecord:
    """How late a submission was and what that cost (points deducted from `raw_total`)."""

    submitted_at: str | None
    days_late: float
    penalty: float
    raw_total: float


def export_rows(book: Gradebook) -> list[GradedSubmission]:
    """The rows to export, by student id; raises ExportDataError naming every student who has
    more than one row."""
    rows = sorted_rows(book)
    counts = Counter(row.student_id for row in rows)
    repeated = sorted(student for student, count in counts.items() if count > 1)
    if repeated:
        details = "; ".join(
            f"{student!r} ({', '.join(r.source for r in rows if r.student_id == student)})"
            for student in repeated
        )
        raise ExportDataError(
            f"students with more than one submission: {details}; keep one file per student "
            "and grade again"
        )
    return rows


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def late_record(row: GradedSubmission) -> LateRecord | None:
    """The row's late record, None when it has none; raises ExportDataError when the record is
    there but malformed (silently dropping a penalty would change a grade)."""
    raw = row.detail.get(LATE_KEY)
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        days, penalty, total = (_number(raw.get(k)) for k in ("days_late", "penalty", "raw_total"))
        submitted = raw.get("submitted_at")
        if (
            days is not None and penalty is not None and total is not None
            and (submitted is None or isinstance(submitted, str))
        ):  # fmt: skip
            return LateRecord(submitted, days, penalty, total)
    raise ExportDataError(
        f"student {row.student_id!r}: the late record in results.json is malformed "
        "(expected submitted_at, days_late, penalty, raw_total)"
    )


def is_held(row: GradedSubmission, hold_review: bool) -> bool:
    """Whether the row gets no score in an LMS: nothing handed in, or held for review (rows
    awaiting a TA and unreadable submissions, which a TA must look at before a 0 is final)."""
    held = (Status.NEEDS_REVIEW, Status.UNREADABLE)
    return row.status is Status.MISSING or (hold_review and row.status in held)


def lms_total(row: GradedSubmission, hold_review: bool) -> float | None:
    """The final grade an LMS receives, or None for no score."""
    return None if is_held(row, hold_review) else row.total


def lms_question(row: GradedSubmission, question: str, hold_review: bool) -> float | None:
    """A question's points for an LMS column, or None for no score (0 when unreadable)."""
    if is_held(row, hold_review):
        return None
    points = row.question_points.get(question)
    if points is None and row.status is Status.UNREADABLE:
        return 0.0
    return points


def count_status(rows: Sequence[GradedSubmission], status: Status) -> int:
    """How many of `rows` have `status`."""
    return sum(1 for row in rows if row.status is status)
