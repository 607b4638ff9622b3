"""read_ta_scores: the CSV in which TAs score or override answer parts.

Columns ``student_id, part, points, grader, comment`` (grader and comment may be absent; extra
columns such as review.csv's context columns are ignored, so a TA can fill in review.csv and
feed it back). A row with an empty points cell is not scored yet and skipped silently. Unknown
or unscored parts, points that are not numbers or lie outside 0..max_points are refused with
an ERROR naming file:line, student and part, as is a row that looks like an unquoted decimal
comma (``1,5`` read as points 1 and grader "5", or a row wider than the header); of duplicate
(student, part) rows the last valid one wins, with a WARNING. Whether a student exists is for
the caller to judge (locations are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.csvin import CsvRow, CsvTable, read_csv_table
from grader.gradebook.numbers import format_points, parse_points
from grader.gradebook.text import cell_text
from grader.model import AssignmentInfo, Location, Message, PartInfo, Reason, Severity

REQUIRED = ("student_id", "part", "points")


@dataclass(frozen=True)
class TAScore:
    """One TA's score for one student's part, with where it was written."""

    student_id: str
    part: str
    points: float
    grader: str
    comment: str
    location: Location
    origin: str = ""  # scores.csv's `from` cell: the handed-back file and line it came from

    def same_score(self, other: TAScore) -> bool:
        """Whether `other` gives the same points, grader and comment."""
        return (self.points, self.grader, self.comment) == (
            other.points, other.grader, other.comment,
        )  # fmt: skip


def _slot_problem(part: str, slot: PartInfo | None) -> str | None:
    """Why `part` cannot take a TA score, or None when it can."""
    if slot is None:
        return "is not an answer part of this assignment"
    if slot.alternative_of:
        return f"is an alternative form; score {slot.alternative_of!r} instead"
    if not slot.scored:
        return "carries no points"
    return None


def _read_row(row: CsvRow, info: AssignmentInfo, where: str) -> list[TAScore] | Message:
    """The scores a row gives (one per student it names: review.csv groups students who wrote
    the same answer in one row, their ids separated by spaces), or the ERROR refusing it."""
    student, part = row.get("student_id").strip(), row.get("part").strip()
    location = Location(where, answer_id=part or None, line=row.line)

    def refuse(problem: str, reason: Reason) -> Message:
        text = f"student {student!r}, part {part!r}: {problem}"
        return Message(Severity.ERROR, text, location, reason)

    if not student:
        return refuse("the student_id cell is empty", Reason.IDENTITY_INVALID)
    slot = info.slot(part)
    problem = _slot_problem(part, slot)
    if problem is not None or slot is None:
        return refuse(problem or "unknown part", Reason.UNKNOWN_ANSWER_ID)
    raw = row.get("points")
    points = parse_points(raw)
    if points is None:
        return refuse(f"points {raw.strip()!r} is not a number", Reason.NOT_A_NUMBER)
    if not 0 <= float(points) <= slot.max_points:
        text = f"points {raw.strip()} outside 0..{format_points(slot.max_points)}"
        return refuse(text, Reason.OUT_OF_RANGE)
    # Cleaned as our writers clean them, so that a score read back from scores.csv compares
    # equal to the one handed in (the merge appends only changes).
    grader, comment = cell_text(row.get("grader")).strip(), cell_text(row.get("comment")).strip()
    if _split_decimal(raw, grader):
        text = (f"points {raw.strip()} and grader {grader!r} look like the decimal "
                f"{raw.strip()},{grader} split by an unquoted comma: write "
                f"{raw.strip()}.{grader} or quote \"{raw.strip()},{grader}\"")  # fmt: skip
        return refuse(text, Reason.EXTRA_CELLS)
    origin = row.get("from").strip()
    return [
        TAScore(one, part, float(points), grader, comment, location, origin)
        for one in dict.fromkeys(student.split())
    ]


def _split_decimal(points: str, grader: str) -> bool:
    """An integer points cell followed by a grader cell of digits only: ``1,5`` unquoted in a
    comma file, which would otherwise be applied as 1 point by grader "5"."""
    whole = points.strip()
    return whole.isascii() and whole.isdigit() and grader.isascii() and grader.isdigit()


def read_ta_scores(
    path: Path, info: AssignmentInfo, *, repeats_warned: bool = True
) -> tuple[list[TAScore], list[Message]]:
    """The valid scores of `path` (last row wins per student and part, in file order of the
    winning rows) and the messages about the rest. An unreadable file gives no scores.
    `repeats_warned=False` for the TA's own scores.csv, where a later row amending an earlier
    one is how the file works."""
    table, messages = read_csv_table(path, REQUIRED)
    if table is None:
        return [], messages
    return read_score_table(table, info, messages, repeats_warned=repeats_warned)


def valid_scores(
    table: CsvTable, info: AssignmentInfo, messages: list[Message]
) -> list[TAScore]:
    """Every valid score of an already read table, in file order (refused rows reported)."""
    scores: list[TAScore] = []
    for row in table.rows:
        if not row.get("points").strip():
            continue  # not scored yet
        result = _read_row(row, info, table.path)
        if isinstance(result, Message):
            messages.append(result)
        else:
            scores.extend(result)
    return scores


def read_score_table(
    table: CsvTable, info: AssignmentInfo, messages: list[Message], *, repeats_warned: bool
) -> tuple[list[TAScore], list[Message]]:
    """The scores of an already read table (see :func:`read_ta_scores`)."""
    kept: dict[tuple[str, str], TAScore] = {}
    for score in valid_scores(table, info, messages):
        key = (score.student_id, score.part)
        earlier = kept.pop(key, None)
        if earlier is not None and repeats_warned:
            text = (f"student {key[0]!r}, part {key[1]!r}: scored again; this row replaces "
                    f"line {earlier.location.line}")  # fmt: skip
            messages.append(Message(Severity.WARNING, text, score.location, Reason.DUPLICATE_ID))
        kept[key] = score
    return list(kept.values()), messages
