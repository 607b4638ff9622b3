"""The Moodle grade import CSV (lms-and-ci-formats.md section 2).

Moodle's import form pre-selects its mappings from the header: ``ID number`` (and ``Email
address``) identify the user, a header containing ``(Real)`` maps to the grade item whose
display name is the text before it, and ``(Feedback)`` to that item's feedback. So::

    ID number,Email address,Assignment: <Title> (Real),Assignment: <Title> (Feedback)

imports with no manual mapping (grade and feedback together, as Moodle's docs ask). The email
column is written only when the roster has emails. Grades are plain numbers (``28.5``); a
`missing` row or a held review gets an empty grade (no grade), an unreadable one 0. Moodle
rejects grades above 100, so such a gradebook is refused (ExportDataError) rather than
half-imported. An unknown user aborts a Moodle import, so with a roster, rows of students not on
it are left out (the command warns about them). Feedback is a one-line summary built only from
numbers, question ids and fixed words -- never from student text, which Moodle may render.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.export.common import export_rows, late_record, lms_total
from grader.export.errors import ExportDataError, ExportUsageError
from grader.export.lms_ids import Directory, identity_of
from grader.gradebook.csvout import Cell, csv_bytes
from grader.gradebook.numbers import format_points
from grader.gradebook.text import FORMULA_STARTS, one_line
from grader.model import AssignmentInfo, Gradebook, GradedSubmission, Status

ID_HEADER = "ID number"
EMAIL_HEADER = "Email address"
ITEM_PREFIX = "Assignment: "
GRADE_SUFFIX = " (Real)"
FEEDBACK_SUFFIX = " (Feedback)"
MAX_GRADE = 100.0
_MAPPING_WORDS = ("(real)", "(feedback)")


@dataclass(frozen=True)
class MoodleOptions:
    """How to lay out the Moodle CSV."""

    title: str
    hold_review: bool = False


def item_name(title: str) -> str:
    """The grade item's display name in Moodle (``Assignment: <Title>``); raises
    ExportUsageError for a title the header auto-mapping would misread."""
    text = one_line(title)
    if not text or text.startswith(FORMULA_STARTS):
        raise ExportUsageError(f"Moodle item title {title!r} is empty or starts like a formula")
    if any(word in text.lower() for word in _MAPPING_WORDS):
        raise ExportUsageError(
            f"Moodle item title {title!r} contains (Real) or (Feedback), which Moodle's "
            "column mapping reads as markers; choose another with --title"
        )
    return ITEM_PREFIX + text


def feedback_summary(row: GradedSubmission, info: AssignmentInfo, held: bool) -> str:
    """One line for the student: total, points per question, status, late penalty."""
    if row.status is Status.MISSING:
        return "No submission received."
    if row.status is Status.UNREADABLE:
        return f"Your file could not be read: 0 / {format_points(row.max_total)}."
    pieces = []
    for q in info.questions:
        got = row.question_points.get(q.id)
        shown = format_points(got) if got is not None else "-"
        bonus = " bonus" if q.bonus else ""
        pieces.append(f"{q.id}{bonus} {shown}/{format_points(q.max_points)}")
    text = f"Total {format_points(row.total)}/{format_points(row.max_total)}"
    text += ": " + ", ".join(pieces) + "."
    late = late_record(row)
    if late is not None and late.penalty:
        text += (f" Late by {format_points(late.days_late)} day(s): "
                 f"{format_points(late.penalty)} point(s) deducted from "
                 f"{format_points(late.raw_total)}.")  # fmt: skip
    if row.status is Status.NEEDS_REVIEW:
        text += " Provisional: a TA will review some answers."
        if held:
            text += " The grade will follow after the review."
    return text


def moodle_rows(book: Gradebook, directory: Directory) -> list[GradedSubmission]:
    """The rows Moodle can take: every row, or with a roster only the students on it."""
    rows = export_rows(book)
    return [row for row in rows if not len(directory) or row.student_id in directory]


def moodle_csv(book: Gradebook, directory: Directory, options: MoodleOptions) -> bytes:
    """The whole Moodle import file for `book`; raises ExportDataError when a grade exceeds
    Moodle's limit of 100."""
    item = item_name(options.title)
    rows = moodle_rows(book, directory)
    identities = [identity_of(row, directory) for row in rows]
    with_email = any(who.email for who in identities)
    header = [ID_HEADER, *([EMAIL_HEADER] if with_email else []),
              item + GRADE_SUFFIX, item + FEEDBACK_SUFFIX]  # fmt: skip
    too_high = [row.student_id for row in rows if (lms_total(row, False) or 0) > MAX_GRADE]
    if too_high:
        raise ExportDataError(
            f"Moodle rejects grades above {format_points(MAX_GRADE)} (students "
            f"{', '.join(map(repr, too_high[:5]))}); rescale the rubric's points first"
        )
    out: list[list[Cell]] = []
    for row, who in zip(rows, identities, strict=True):
        cells: list[Cell] = [row.student_id, *([who.email or None] if with_email else [])]
        held = lms_total(row, options.hold_review) is None
        cells += [lms_total(row, options.hold_review),
                  feedback_summary(row, book.assignment, held)]  # fmt: skip
        out.append(cells)
    return csv_bytes(header, out)
