"""A Moodle grade import written from Moodle's documented rules (lms-and-ci-formats.md
section 2), independent of the exporter under test.

It pre-selects the mappings the way Moodle's import form does -- a header equal to a user
field's label identifies users; a header containing "(Real)" maps to the grade item named by
the text before it, "(Feedback)" to that item's feedback -- then reads the rows: an unknown
user or a grade above 100 aborts the import (MoodleImportError), empty or "-" is no grade.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from types import MappingProxyType

USER_FIELDS = MappingProxyType(
    {"ID number": "idnumber", "Email address": "email", "Username": "username"}
)
PLAIN_NUMBER = re.compile(r"\A[0-9]+(?:\.[0-9]+)?\Z")
MAX_GRADE = 100.0


class MoodleImportError(Exception):
    """Moodle would abort the import."""


@dataclass
class Mapping:
    """The form's pre-selected mapping."""

    identify_by: tuple[int, str] | None = None  # (column, user field)
    grades: dict[int, str] = field(default_factory=dict)  # column -> item display name
    feedback: dict[int, str] = field(default_factory=dict)  # column -> item display name


def auto_mapping(header: list[str], items: set[str]) -> Mapping:
    """What Moodle pre-selects for `header` in a course with grade items `items`."""
    mapping = Mapping()
    for index, name in enumerate(header):
        if name in USER_FIELDS and mapping.identify_by is None:
            mapping.identify_by = (index, USER_FIELDS[name])
        for marker, target in (("(Real)", mapping.grades), ("(Feedback)", mapping.feedback)):
            if marker in name:
                item = name[: name.index(marker)].strip()
                if item in items:
                    target[index] = item
    return mapping


def moodle_import(
    data: bytes, users: list[dict[str, str]], items: set[str]
) -> dict[str, dict[str, tuple[float | None, str | None]]]:
    """{user's idnumber: {item: (grade, feedback)}} as Moodle would store it."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    mapping = auto_mapping(rows[0], items)
    if mapping.identify_by is None:
        raise MoodleImportError("no column identifies users")
    column, user_field = mapping.identify_by
    stored: dict[str, dict[str, tuple[float | None, str | None]]] = {}
    for record in rows[1:]:
        found = [u for u in users if u.get(user_field) == record[column]]  # case-sensitive
        if not found:
            raise MoodleImportError(f"unknown user {record[column]!r}")
        grades: dict[str, tuple[float | None, str | None]] = {}
        for index, item in mapping.grades.items():
            cell = record[index].strip()
            grade = None
            if cell not in ("", "-"):
                if not PLAIN_NUMBER.match(cell):
                    raise MoodleImportError(f"not a grade: {cell!r}")
                grade = float(cell)
                if grade > MAX_GRADE:
                    raise MoodleImportError(f"grade {cell} above {MAX_GRADE}")
            grades[item] = (grade, None)
        for index, item in mapping.feedback.items():
            grade, _ = grades.get(item, (None, None))
            grades[item] = (grade, record[index])
        stored[found[0]["idnumber"]] = grades
    return stored
