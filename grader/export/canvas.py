"""The Canvas gradebook import CSV (lms-and-ci-formats.md section 1).

Layout, as Canvas's own exporter writes it and its importer reads it by position::

    Student,ID,SIS User ID,SIS Login ID,Section,<Title> (<id>)[,<Title> <qid> (<id>)...]
        Points Possible,,,,,30[,8...]
    "Lovelace, Ada",4411,s1000001,alovelace,A,28.5[,8...]

- `ID` is Canvas's own user id, taken only from a roster that has it (a Canvas export, or an
  ``ID`` column); otherwise it is left empty -- a student number there would be tried as a
  Canvas user id first. `SIS User ID` is the student id (or the roster's), `SIS Login ID`,
  `Section` and `Student` ("Last, First") come from the roster when it has them.
- The assignment column is ``<Title> (<id>)`` with --canvas-assignment-id, else ``<Title>``
  (Canvas then matches by exact title, or creates the assignment). Per-question columns are
  ``<Title> <qid>``, with `` (<id>)`` only when that question's id is given. A title Canvas
  would misread is refused (ExportUsageError): one containing a reserved header word (the
  column would be silently dropped), ending in ``(digits)`` without an id (read as an id),
  starting like a formula, or empty.
- Cells: the total (or no score for `missing` rows and held reviews, 0 when unreadable).
  Text is neutralised with grader.gradebook's apostrophe convention (``'=cmd...``), the same as
  every gradebook CSV, rather than Canvas's ``="..."`` wrapping: both stop a spreadsheet from
  evaluating the cell, and ours is reversible by grader.gradebook.unneutralise. Names are put
  on one line. UTF-8, comma, LF, no blank line; a BOM only when asked (Excel users).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grader.export.common import export_rows, lms_question, lms_total
from grader.export.errors import ExportUsageError
from grader.export.lms_ids import Directory, identity_of
from grader.gradebook.csvout import Cell, csv_bytes
from grader.gradebook.text import FORMULA_STARTS, one_line
from grader.model import AssignmentInfo, Gradebook, frozen_mapping

IDENTITY_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"
# Header cells containing any of these are read-only totals to Canvas's importer: dropped.
RESERVED_HEADER_WORDS = (
    "Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
    "Final Grade", "Override Score", "Override Grade", "Override Status",
)  # fmt: skip
# Canvas's importer reads an assignment column as "<title> (<assignment id>)".
ASSIGNMENT_COLUMN = re.compile(r"\A(.*)\s\((\d+)\)\Z", re.DOTALL)
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CanvasOptions:
    """How to lay out the Canvas CSV."""

    title: str
    assignment_id: int | None = None
    per_question: bool = False
    question_ids: Mapping[str, int] = field(default_factory=frozen_mapping)
    bom: bool = False
    hold_review: bool = False


def column_title(title: str, canvas_id: int | None) -> str:
    """An assignment column's header: ``<title> (<id>)``, or the bare title without an id."""
    return f"{title} ({canvas_id})" if canvas_id is not None else title


def header_problem(header: str, canvas_id: int | None) -> str | None:
    """Why Canvas would misread `header` as an assignment column, or None when it reads it
    back as (title, canvas_id)."""
    if not header.strip():
        return "is empty"
    lowered = header.lower()
    for word in RESERVED_HEADER_WORDS:
        if word.lower() in lowered:
            return f"contains {word!r}, which Canvas treats as a read-only total and drops"
    if header.startswith(FORMULA_STARTS):
        return "starts like a spreadsheet formula"
    match = ASSIGNMENT_COLUMN.match(header)
    if canvas_id is None and match:
        return f"ends in '({match.group(2)})', which Canvas reads as an assignment id"
    if canvas_id is not None and (match is None or int(match.group(2)) != canvas_id):
        return "does not parse back to its assignment id"
    return None


def assignment_columns(info: AssignmentInfo, options: CanvasOptions) -> list[tuple[str, float]]:
    """(header, points possible) of every assignment column; raises ExportUsageError for a
    header Canvas would misread or a question id given for a question that does not exist."""
    title = one_line(options.title)
    unknown = sorted(set(options.question_ids) - {q.id for q in info.questions})
    if unknown:
        raise ExportUsageError(f"no question {', '.join(map(repr, unknown))} in {info.id!r}")
    columns = [(column_title(title, options.assignment_id), options.assignment_id,
                info.max_total)]  # fmt: skip
    if options.per_question:
        for q in info.questions:
            canvas_id = options.question_ids.get(q.id)
            columns.append((column_title(f"{title} {q.id}", canvas_id), canvas_id, q.max_points))
    for header, canvas_id, _ in columns:
        problem = header_problem(header, canvas_id)
        if problem:
            raise ExportUsageError(
                f"Canvas column title {header!r} {problem}; choose another with --title"
            )
    return [(header, points) for header, _, points in columns]


def canvas_csv(book: Gradebook, directory: Directory, options: CanvasOptions) -> bytes:
    """The whole Canvas import file for `book`."""
    columns = assignment_columns(book.assignment, options)
    header = [*IDENTITY_HEADER, *(name for name, _ in columns)]
    points_row: list[Cell] = [POINTS_POSSIBLE, None, None, None, None]
    points_row += [points for _, points in columns]
    rows: list[Sequence[Cell]] = [points_row]
    questions = [q.id for q in book.assignment.questions] if options.per_question else []
    for row in export_rows(book):
        who = identity_of(row, directory)
        cells: list[Cell] = [
            who.sortable_name or who.name, who.canvas_id or None, who.sis_user_id,
            who.sis_login_id or None, who.section or None, lms_total(row, options.hold_review),
        ]  # fmt: skip
        cells += [lms_question(row, qid, options.hold_review) for qid in questions]
        rows.append(cells)
    data = csv_bytes(header, rows)
    return UTF8_BOM + data if options.bom else data
