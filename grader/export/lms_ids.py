"""Who a gradebook row is in an LMS: the identifiers an import matches students on.

The gradebook knows a student id and a name. LMS imports match on their own ids first (Canvas:
its user id, then SIS User ID, SIS Login ID, name; Moodle: ID number or email), so a roster
can add them. The roster is read by grader.gradebook.read_roster, the same reader `grade
--roster` uses: our roster (``student_id, name`` plus optional columns ``ID`` -- Canvas's own
user id --, ``SIS User ID``, ``SIS Login ID``, ``Section``, ``Student`` or ``sortable_name`` or
``last_name``/``first_name``, and an email column), or a Canvas, Moodle or Gradescope export as
downloaded. A Canvas gradebook export also gives the assignment's Canvas id (its column
``Practical 1 (12345)``), which the Canvas export carries over.

Without a roster entry a row's own id is its SIS User ID and its name is used as is.
A Canvas user id that is not a whole number is not one: it is left out, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.export.errors import ExportUsageError
from grader.gradebook import read_roster
from grader.gradebook.csvin import normalise_key
from grader.gradebook.roster import Roster
from grader.gradebook.text import one_line
from grader.model import GradedSubmission, Location, Message, Reason, Severity, frozen_mapping

EMAIL_KEYS = ("email", "email_address", "e_mail", "mail")
# Canvas's gradebook export names assignment columns "<title> (<assignment id>)".
_ASSIGNMENT_COLUMN = re.compile(r"\A(.*\S)\s*\((\d+)\)\Z", re.DOTALL)


@dataclass(frozen=True)
class Identity:
    """Everything an export may say about who a student is ("" when unknown)."""

    student_id: str
    name: str
    sortable_name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""


@dataclass(frozen=True)
class Directory:
    """The roster's identities by student id (empty when no roster was given)."""

    entries: Mapping[str, Identity] = field(default_factory=frozen_mapping)
    source: str = ""
    assignments: Mapping[str, int] = field(default_factory=frozen_mapping)  # Canvas: title -> id

    def canvas_assignment(self, title: str) -> int | None:
        """The Canvas id of the assignment titled `title` in the roster (a Canvas export), or
        of its only assignment column; None when unknown or ambiguous."""
        if title in self.assignments:
            return self.assignments[title]
        folded = {name.casefold(): number for name, number in self.assignments.items()}
        if title.casefold() in folded:
            return folded[title.casefold()]
        return next(iter(self.assignments.values())) if len(self.assignments) == 1 else None

    def get(self, student_id: str) -> Identity | None:
        """The roster's identity of `student_id`, or None."""
        return self.entries.get(student_id)

    def __contains__(self, student_id: object) -> bool:
        return student_id in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def identity_of(row: GradedSubmission, directory: Directory) -> Identity:
    """The identity of `row`: the roster's when it lists the student, else from the row."""
    known = directory.get(row.student_id)
    if known is not None:
        return known
    name = one_line(row.name)
    return Identity(row.student_id, name, sortable_name=name, sis_user_id=row.student_id)


def _cell(cells: Mapping[str, str], *keys: str) -> str:
    """The first non-empty cell among `keys` (normalised header names), on one line."""
    for key in keys:
        value = one_line(cells.get(key, ""))
        if value:
            return value
    return ""


def _canvas_id(value: str, where: Location, messages: list[Message]) -> str:
    if value and not (value.isascii() and value.isdigit()):
        text = f"ID {value!r} is not a Canvas user id (a whole number); it is left out"
        messages.append(Message(Severity.WARNING, text, where, Reason.IDENTITY_INVALID))
        return ""
    return value


def _identity(
    student_id: str, name: str, cells: Mapping[str, str], where: Location, messages: list[Message]
) -> Identity:
    last, first = _cell(cells, "last_name", "lastname"), _cell(cells, "first_name", "firstname")
    sortable = _cell(cells, "student", "sortable_name") or (
        f"{last}, {first}" if last and first else ""
    )
    return Identity(
        student_id=student_id, name=one_line(name), sortable_name=sortable or one_line(name),
        canvas_id=_canvas_id(_cell(cells, "id"), where, messages),
        sis_user_id=_cell(cells, "sis_user_id") or student_id,
        sis_login_id=_cell(cells, "sis_login_id"), section=_cell(cells, "section"),
        email=_cell(cells, *EMAIL_KEYS),
    )  # fmt: skip


def _from_roster(roster: Roster, messages: list[Message]) -> dict[str, Identity]:
    found: dict[str, Identity] = {}
    for entry in roster:
        cells = {normalise_key(name): value for name, value in entry.extra.items()}
        found[entry.student_id] = _identity(
            entry.student_id, entry.name, cells, entry.location, messages
        )
    return found


def assignment_ids(columns: Sequence[str]) -> dict[str, int]:
    """Canvas assignment ids by title, from a Canvas gradebook export's header
    (``Practical 1 (12345)``)."""
    found: dict[str, int] = {}
    for column in columns:
        match = _ASSIGNMENT_COLUMN.match(column.strip())
        if match:
            found.setdefault(one_line(match.group(1)), int(match.group(2)))
    return found


def read_directory(path: Path) -> tuple[Directory, list[Message]]:
    """The identities in the roster `path` (our roster or an LMS's export, as
    grader.gradebook.read_roster reads it) and the warnings about it. Raises ExportUsageError
    when the file is unreadable or has no column naming the students."""
    roster, messages = read_roster(path)
    errors = [m for m in messages if m.severity is Severity.ERROR]
    if errors and not len(roster):
        raise ExportUsageError("; ".join(str(m) for m in errors))
    warnings = [m for m in messages if m.severity is not Severity.ERROR] + errors
    entries = _from_roster(roster, warnings)
    ids = assignment_ids(roster.columns) if roster.layout.startswith("Canvas") else {}
    return Directory(frozen_mapping(entries), str(path), frozen_mapping(ids)), warnings
