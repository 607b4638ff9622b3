"""read_results: a gradebook's results.json read back into the model's types.

Exports work from results.json -- the gradebook's contract for machines -- rather than from a
live batch, so staff can export a gradebook graded earlier, elsewhere or by CI. The file is
checked field by field before anything is exported: another format or version, or a field of
the wrong type, is refused with ResultsFormatError naming the field; nothing is half-read.
Fields that only inform (reasons, flags, methods) tolerate values a newer grader may add.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from grader.export.errors import ResultsFormatError
from grader.gradebook.results import FORMAT, VERSION
from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Location,
    Message,
    Method,
    Outcome,
    PartInfo,
    PartScore,
    QuestionInfo,
    Reason,
    Severity,
    Status,
    frozen_mapping,
)

MAX_RESULTS_BYTES = 200_000_000
_E = TypeVar("_E", bound=Enum)


class _Fields:
    """Typed access to one JSON object; every failure names the field's path."""

    def __init__(self, path: Path, value: object, where: str) -> None:
        self.path = path
        self.where = where
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
        self.data: dict[str, Any] = value

    def fail(self, where: str, problem: str) -> NoReturn:
        raise ResultsFormatError(self.path, f"field {where or '(top level)'} {problem}")

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self.data.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str):
            self.fail(self.at(key), "must be a string")
        return value

    def maybe_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(self.at(key), "must be a string or null")
        return value

    def number(self, key: str) -> float:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(self.at(key), "must be a number")
        try:
            number = float(value)
        except OverflowError:
            self.fail(self.at(key), "is too large")
        if not math.isfinite(number):  # json accepts NaN and Infinity; points never are
            self.fail(self.at(key), "must be finite")
        return number

    def maybe_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            self.fail(self.at(key), "must be an integer or null")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(self.at(key), "must be true or false")
        return value

    def items(self, key: str, *, optional: bool = False) -> list[Any]:
        value = self.data.get(key, [] if optional else None)
        if not isinstance(value, list):
            self.fail(self.at(key), "must be a list")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key, optional=True)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"{self.at(key)}[{index}]", "must be a string")
        return tuple(values)

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail(self.at(key), "must be an object")
        return frozen_mapping(value)

    def child(self, key: str) -> _Fields:
        return _Fields(self.path, self.data.get(key), self.at(key))

    def children(self, key: str, *, optional: bool = False) -> list[_Fields]:
        where = self.at(key)
        return [
            _Fields(self.path, item, f"{where}[{index}]")
            for index, item in enumerate(self.items(key, optional=optional))
        ]

    def choice(self, key: str, kind: type[_E]) -> _E:
        """A required enum value (outcomes, statuses: exports depend on them)."""
        value = self.data.get(key)
        try:
            return kind(value)
        except ValueError:
            self.fail(self.at(key), f"has an unknown value {value!r}")

    def lenient(self, key: str, kind: type[_E], default: _E | None) -> _E | None:
        """An informative enum value; unknown values (a newer grader) give `default`."""
        try:
            return kind(self.data.get(key))
        except ValueError:
            return default


def _load(path: Path) -> object:
    """The parsed JSON document of `path` (size-bounded, UTF-8)."""
    try:
        if path.stat().st_size > MAX_RESULTS_BYTES:
            raise ResultsFormatError(path, f"larger than {MAX_RESULTS_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise ResultsFormatError(path, "not found (grade the folder first, or pass "
                                       "--gradebook DIR)") from error  # fmt: skip
    except OSError as error:
        raise ResultsFormatError(path, f"cannot be read: {error.strerror or error}") from error
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ResultsFormatError(path, f"is not valid JSON: {error}") from error


def _assignment(fields: _Fields) -> AssignmentInfo:
    questions = []
    for q in fields.children("questions"):
        qid = q.text("id")
        parts = tuple(
            PartInfo(
                answer_id=p.text("part"),
                question=qid,
                max_points=p.number("max_points"),
                kind=p.text("kind"),
                scored=p.flag("scored"),
            )  # fmt: skip
            for p in q.children("parts", optional=True)
        )
        questions.append(QuestionInfo(qid, q.text("title", optional=True),
                                      q.number("max_points"), q.flag("bonus"), parts))  # fmt: skip
    return AssignmentInfo(
        id=fields.text("id"), title=fields.text("title", optional=True),
        max_total=fields.number("max_total"), questions=tuple(questions),
        rubric_path=fields.text("rubric", optional=True),
        late_policy=fields.flag("late_policy"),
    )  # fmt: skip


def _message(fields: _Fields) -> Message:
    where = fields.child("location")
    location = Location(
        file=where.text("file", optional=True), answer_id=where.maybe_text("answer_id"),
        line=where.maybe_int("line"), column=where.maybe_int("column"),
        cell=where.maybe_int("cell"), offset=where.maybe_int("offset"),
    )  # fmt: skip
    severity = fields.choice("severity", Severity)
    return Message(severity, fields.text("text"), location, fields.lenient("reason", Reason, None))


def _part(fields: _Fields) -> PartScore:
    return PartScore(
        answer_id=fields.text("part"), question=fields.text("question"),
        points=fields.number("points"), max_points=fields.number("max_points"),
        outcome=fields.choice("outcome", Outcome), feedback=fields.texts("feedback"),
        needs_review=fields.flag("needs_review"),
        method=fields.lenient("method", Method, Method.NONE) or Method.NONE,
        answer_text=fields.maybe_text("answer"), grader=fields.maybe_text("grader"),
        comment=fields.maybe_text("comment"), staff=fields.texts("staff"),
        detail=fields.mapping("detail"),
    )  # fmt: skip


def _questions(fields: _Fields) -> Mapping[str, float]:
    points = fields.child("questions")
    return frozen_mapping({key: points.number(key) for key in points.data})


def _row(fields: _Fields) -> GradedSubmission:
    flags = []
    for index, value in enumerate(fields.items("flags", optional=True)):
        try:
            flags.append(Reason(value))
        except ValueError:
            if not isinstance(value, str):
                fields.fail(f"{fields.at('flags')}[{index}]", "must be a string")
    return GradedSubmission(
        student_id=fields.text("student_id"), name=fields.text("name", optional=True),
        source=fields.text("source", optional=True), status=fields.choice("status", Status),
        question_points=_questions(fields), base=fields.number("base"),
        bonus=fields.number("bonus"), total=fields.number("total"),
        max_total=fields.number("max_total"),
        parts=tuple(_part(p) for p in fields.children("parts", optional=True)),
        messages=tuple(_message(m) for m in fields.children("messages", optional=True)),
        flags=tuple(flags), detail=fields.mapping("detail"),
    )  # fmt: skip


def read_results(path: Path) -> Gradebook:
    """The gradebook stored in `path` (a results.json written by grader.gradebook).

    Raises ResultsFormatError when the file is missing, unreadable, not JSON, of another
    format or version, or has a field of the wrong type.
    """
    top = _Fields(path, _load(path), "")
    found_format, found_version = top.data.get("format"), top.data.get("version")
    if found_format != FORMAT or found_version != VERSION:
        raise ResultsFormatError(
            path,
            f"format {found_format!r} version {found_version!r} is not a gradebook this grader "
            f"reads (format {FORMAT!r} version {VERSION}); re-grade with this version",
        )
    return Gradebook(
        assignment=_assignment(top.child("assignment")),
        rows=tuple(_row(row) for row in top.children("rows")),
        messages=tuple(_message(m) for m in top.children("messages", optional=True)),
    )
