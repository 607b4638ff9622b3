"""read_roster: the course's list of students (``student_id, name`` plus any other columns).

Extra columns -- Canvas ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, an email -- are
kept per entry under their header names, so exports can carry every identifier an LMS needs.
Duplicate ids are reported (the first entry is kept); rows without an id are refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.gradebook.csvin import CsvTable, read_csv_table
from grader.model import Location, Message, Reason, Severity, frozen_mapping

REQUIRED = ("student_id", "name")


@dataclass(frozen=True)
class RosterEntry:
    """One student on the roster; `extra` holds the other columns by header name."""

    student_id: str
    name: str
    extra: Mapping[str, str] = field(default_factory=frozen_mapping)
    location: Location = field(default_factory=lambda: Location(""))


@dataclass(frozen=True)
class Roster:
    """The roster's entries in file order, one per student id."""

    entries: tuple[RosterEntry, ...] = ()
    source: str = ""
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


def _extra_columns(table: CsvTable) -> list[tuple[str, str]]:
    """(key, header name) of every column besides the required ones, first of each name."""
    seen: set[str] = set(REQUIRED)
    columns: list[tuple[str, str]] = []
    for key, name in zip(table.keys, table.columns, strict=True):
        if key and key not in seen:
            seen.add(key)
            columns.append((key, name.strip()))
    return columns


def read_roster(path: Path) -> tuple[Roster, list[Message]]:
    """The roster in `path` and the messages about it (an unreadable file: an empty roster)."""
    table, messages = read_csv_table(path, REQUIRED)
    if table is None:
        return Roster(source=str(path)), messages
    extra = _extra_columns(table)
    entries: dict[str, RosterEntry] = {}
    for row in table.rows:
        location = Location(table.path, line=row.line)
        student = row.get("student_id").strip()
        if not student:
            text = "the student_id cell is empty; row ignored"
            messages.append(Message(Severity.ERROR, text, location, Reason.IDENTITY_INVALID))
            continue
        if student in entries:
            text = (f"student {student!r} is already on line "
                    f"{entries[student].location.line}; the first entry is kept")  # fmt: skip
            messages.append(Message(Severity.WARNING, text, location, Reason.DUPLICATE_ID))
            continue
        cells = frozen_mapping({name: row.get(key) for key, name in extra})
        entries[student] = RosterEntry(student, row.get("name").strip(), cells, location)
    return Roster(tuple(entries.values()), table.path), messages
