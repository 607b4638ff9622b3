"""A Canvas gradebook importer written from Canvas's documented rules
(lms-and-ci-formats.md section 1), independent of the exporter under test.

It does what Canvas's importer does with a file: checks the header, drops read-only total
columns, parses assignment columns, detects the Points Possible and hidden rows, reads cell
values, and matches each row to an enrolled student by ID, then SIS User ID, then SIS Login
ID, then exact name or sortable name. Anything Canvas would refuse raises CanvasImportError.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

RESERVED = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
    "Override Score|Override Grade|Override Status"
)
ASSIGNMENT = re.compile(r"\A(.*)\s\((\d+)\)\Z")
STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID",
                   "Root Account", "Section")  # fmt: skip
NUMBER = re.compile(r"\A[0-9]+(?:[.,][0-9]+)?\Z")
EXCUSED, NO_SCORE = "EX", None


class CanvasImportError(Exception):
    """The file is one Canvas would refuse."""


@dataclass(frozen=True)
class Enrolled:
    """A student as Canvas knows them."""

    canvas_id: int
    sis_user_id: str
    sis_login_id: str
    name: str
    sortable_name: str


@dataclass
class Imported:
    """What Canvas would take from the file."""

    assignments: list[tuple[str, int | None]] = field(default_factory=list)
    points_possible: list[str | None] = field(default_factory=list)
    # per matched student: (how matched, {assignment title: value})
    grades: dict[int, tuple[str, dict[str, object]]] = field(default_factory=dict)
    unmatched: list[list[str]] = field(default_factory=list)


def _delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:3])
    return ";" if head.count(";") > head.count(",") else ","


def _value(cell: str) -> object:
    cell = cell.strip()
    if cell in ("", "-"):
        return NO_SCORE
    if cell.upper() == EXCUSED:
        return EXCUSED
    if not NUMBER.match(cell):
        raise CanvasImportError(f"not a score: {cell!r}")
    return float(cell.replace(",", "."))


def _match(row: dict[str, str], course: list[Enrolled]) -> tuple[str, Enrolled] | None:
    raw_id = row.get("ID", "").strip()
    if raw_id.isdigit():
        found = [s for s in course if s.canvas_id == int(raw_id)]
        if found:
            return "id", found[0]
    for how, key, attr in (("sis_user_id", "SIS User ID", "sis_user_id"),
                           ("sis_login_id", "SIS Login ID", "sis_login_id")):  # fmt: skip
        value = row.get(key, "").strip()
        found = [s for s in course if value and getattr(s, attr) == value]
        if found:
            return how, found[0]
    name = row.get("Student", "")
    found = [s for s in course if name and name in (s.name, s.sortable_name)]
    return ("name", found[0]) if found else None


def _header(header: list[str]) -> tuple[list[str], int]:
    """The header's names and the index of the first assignment column."""
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise CanvasImportError("Invalid header row")
    last_student = max(i for i, name in enumerate(header) if name.strip() in STUDENT_COLUMNS
                       or "Student" in name)  # fmt: skip
    if "Section" not in header[last_student]:
        raise CanvasImportError("the last student column is not Section")
    return [name.strip() for name in header[: last_student + 1]], last_student + 1


def canvas_import(data: bytes, course: list[Enrolled]) -> Imported:
    """Import `data` into a course of `course` students."""
    text = data.decode("utf-8")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
            if any(cell.strip() for cell in r)]  # fmt: skip
    if not rows:
        raise CanvasImportError("empty file")
    identity, first = _header(rows[0])
    kept = [i for i in range(first, len(rows[0])) if not RESERVED.search(rows[0][i])]
    result = Imported()
    for i in kept:
        match = ASSIGNMENT.match(rows[0][i])
        result.assignments.append((match.group(1), int(match.group(2))) if match
                                  else (rows[0][i], None))  # fmt: skip
    body = rows[1:]
    if body and "Points Possible" in body[0][0]:
        result.points_possible = [body[0][i] if i < len(body[0]) else None for i in kept]
        body = body[1:]
    for record in body:
        if all(cell.strip() in ("", "Muted") or cell.startswith("Manual Posting")
               for cell in record):  # fmt: skip
            continue
        row = dict(zip(identity, record, strict=False))
        matched = _match(row, course)
        if matched is None:
            result.unmatched.append(record)
            continue
        how, student = matched
        values = {result.assignments[n][0]: _value(record[i] if i < len(record) else "")
                  for n, i in enumerate(kept)}  # fmt: skip
        if student.canvas_id in result.grades:
            raise CanvasImportError(f"student {student.canvas_id} appears twice")
        result.grades[student.canvas_id] = (how, values)
    return result
