"""read_roster: the course's list of students, in our layout or as an LMS exports it.

Layouts, recognised by their header (any case, spaces or underscores, any delimiter):

- ours: ``student_id, name`` plus any other columns;
- a Canvas gradebook export: ``Student`` ("Last, First"), ``ID``, ``SIS User ID`` (the student
  id), ``SIS Login ID``, ``Section`` and one column per assignment (``Practical 1 (12345)``,
  whose Canvas id the Canvas export carries over); its ``Points Possible`` row is skipped;
- a Moodle grades or participants export: ``ID number`` (the student id), ``First name``,
  ``Last name`` or ``Surname``, ``Email address``;
- a Gradescope roster or grades export: ``SID``, ``Name`` or ``Full Name`` or ``First Name`` and
  ``Last Name``, ``Email``, ``Role`` (only students are kept).

Extra columns -- Canvas ``ID``, ``SIS Login ID``, ``Section``, an email -- are kept per entry
under their header names, so exports can carry every identifier an LMS needs. In our layout a
row without an id is refused (an ERROR); in an LMS's it is a test student or a staff member
and is skipped with one WARNING for all of them. Duplicate ids are reported (the first entry is
kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.gradebook.csvin import CsvRow, CsvTable, read_csv_choice
from grader.model import Location, Message, Reason, Severity, frozen_mapping

REQUIRED = ("student_id", "name")


@dataclass(frozen=True)
class Layout:
    """How one kind of roster names its columns."""

    label: str
    required: tuple[str, ...]
    student_id: str
    names: tuple[tuple[str, ...], ...]  # name columns tried in order; several are joined
    refuse_empty_id: bool = False


LAYOUTS = (
    Layout("roster", REQUIRED, "student_id", (("name",),), refuse_empty_id=True),
    Layout("Canvas gradebook export", ("student", "sis_user_id"), "sis_user_id", (("student",),)),
    Layout("Moodle export", ("id_number",), "id_number",
           (("first_name", "last_name"), ("first_name", "surname"), ("full_name",))),
    Layout("Gradescope export", ("sid",), "sid",
           (("name",), ("full_name",), ("first_name", "last_name"))),
)  # fmt: skip
MISSING = (
    "missing required column(s): student_id, name (or a Canvas gradebook export with SIS User "
    "ID, a Moodle export with ID number, a Gradescope export with SID)"
)


@dataclass(frozen=True)
class RosterEntry:
    """One student on the roster; `extra` holds the other columns by header name."""

    student_id: str
    name: str
    extra: Mapping[str, str] = field(default_factory=frozen_mapping)
    location: Location = field(default_factory=lambda: Location(""))


@dataclass(frozen=True)
class Roster:
    """The roster's entries in file order, one per student id; `columns` is its header."""

    entries: tuple[RosterEntry, ...] = ()
    source: str = ""
    columns: tuple[str, ...] = ()
    layout: str = "roster"
    _index: Mapping[str, RosterEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, RosterEntry] = {}
        for entry in self.entries:
            index.setdefault(entry.student_id, entry)
        object.__setattr__(self, "_index", frozen_mapping(index))

    def get(self, student_id: str) -> RosterEntry | None:
        """The entry of `student_id`, or None when the student is not on the roster."""
        return self._index.get(student_id)

    def ids(self) -> frozenset[str]:
        """Every student id on the roster."""
        return frozenset(self._index)

    def __contains__(self, student_id: object) -> bool:
        return student_id in self._index

    def __iter__(self) -> Iterator[RosterEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _extra_columns(table: CsvTable, layout: Layout) -> list[tuple[str, str]]:
    """(key, header name) of every column besides our layout's id and name, first of each."""
    seen: set[str] = set(REQUIRED) if layout is LAYOUTS[0] else set()
    columns: list[tuple[str, str]] = []
    for key, name in zip(table.keys, table.columns, strict=True):
        if key and key not in seen:
            seen.add(key)
            columns.append((key, name.strip()))
    return columns


def display_name(row: CsvRow, layout: Layout) -> str:
    """The student's name as the roster gives it, in reading order ("Lovelace, Ada" in Canvas's
    Student column is Ada Lovelace)."""
    for columns in layout.names:
        parts = [row.get(key).strip() for key in columns]
        if all(parts) or (len(parts) == 1 and layout is LAYOUTS[0]):
            name = " ".join(parts)
            if layout.student_id == "sis_user_id" and name.count(",") == 1:
                last, first = (piece.strip() for piece in name.split(","))
                name = f"{first} {last}".strip()
            return name
    return ""


def _staff_row(row: CsvRow) -> bool:
    """A Gradescope row of course staff (its Role column says so)."""
    role = row.get("role").strip().lower()
    return bool(role) and role != "student"


def read_roster(path: Path) -> tuple[Roster, list[Message]]:
    """The roster in `path` and the messages about it (an unreadable file: an empty roster)."""
    table, choice, messages = read_csv_choice(path, [layout.required for layout in LAYOUTS],
                                              MISSING)  # fmt: skip
    if table is None:
        return Roster(source=str(path)), messages
    layout = LAYOUTS[choice]
    extra = _extra_columns(table, layout)
    entries: dict[str, RosterEntry] = {}
    skipped = 0
    for row in table.rows:
        location = Location(table.path, line=row.line)
        student = row.get(layout.student_id).strip()
        if not student or _staff_row(row):
            if layout.refuse_empty_id:
                text = "the student_id cell is empty; row ignored"
                messages.append(Message(Severity.ERROR, text, location, Reason.IDENTITY_INVALID))
            else:
                skipped += 1
            continue
        if student in entries:
            text = (f"student {student!r} is already on line "
                    f"{entries[student].location.line}; the first entry is kept")  # fmt: skip
            messages.append(Message(Severity.WARNING, text, location, Reason.DUPLICATE_ID))
            continue
        cells = frozen_mapping({name: row.get(key) for key, name in extra})
        entries[student] = RosterEntry(student, display_name(row, layout), cells, location)
    if skipped:
        text = (f"{skipped} row(s) of the {layout.label} without a student id or not a student "
                "skipped (e.g. a test student or course staff)")  # fmt: skip
        messages.append(Message(Severity.WARNING, text, Location(table.path)))
    roster = Roster(tuple(entries.values()), table.path, table.columns, layout.label)
    return roster, messages
