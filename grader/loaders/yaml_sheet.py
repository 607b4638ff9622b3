"""YAML answer sheets (practical-1.md section 1) -> :class:`grader.model.Submission`.

A sheet is a mapping with `student: {id, name}`, `assignment:`, optional `submitted_at:`
(ISO 8601) and `answers:`, a nested mapping question -> part -> value. The answers are
flattened into dotted ids (`ex2.W_new`); a mapping nested deeper is flattened further
(`ex2.a.b`), and a key that already holds dots (`"ex2.W_new": ...`) is used as written: the
rubric decides which ids are known.

Values (RawAnswer.value) are plain data: the scalar's text exactly as written, a tuple of such
values for a list (nested tuples for nested lists), or None for an empty entry (`s:`, `~`,
`null`). A value that cannot be an answer (a mapping inside a list) or an id given twice is
UNPARSEABLE by the package convention: value None plus an ERROR message whose
`location.answer_id` is that id (see `grader.loaders.answer_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from grader.loaders.common import Origin, unreadable_submission
from grader.loaders.identity import clean_name, resolve_identity
from grader.loaders.safe_yaml import (
    MAX_YAML_BYTES,
    YamlError,
    YamlMap,
    YamlNode,
    YamlScalar,
    YamlSeq,
    decode_yaml_bytes,
    parse_yaml_mapping,
)
from grader.model import Location, Message, RawAnswer, Reason, Severity, Submission

SHEET_KEYS = ("student", "assignment", "submitted_at", "answers")
MAX_ANSWER_ID_LENGTH = 200
MAX_ANSWERS = 1000  # distinct answer ids per file; an assignment has a few dozen
_MAX_TIMESTAMP_LENGTH = 64


class _NotPlain(Exception):
    """A mapping where an answer value (text or list) was expected."""

    def __init__(self, node: YamlNode) -> None:
        super().__init__("mapping inside a list")
        self.node = node


@dataclass
class AnswerCollector:
    """Gathers answers from one or more texts (a sheet, notebook cells), refusing repeats."""

    answers: dict[str, RawAnswer] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    dropped: int = 0  # answers beyond MAX_ANSWERS
    first_dropped: Location | None = None

    def add(self, answer: RawAnswer) -> None:
        """Add an answer; an id seen before becomes unparseable (which one counts is unclear).
        Beyond MAX_ANSWERS distinct ids, answers are counted, not kept (see :meth:`finish`)."""
        if len(answer.answer_id) > MAX_ANSWER_ID_LENGTH:
            self.warn(answer.location, Reason.UNKNOWN_ANSWER_ID, "answer id too long: ignored")
            return
        first = self.answers.get(answer.answer_id)
        if first is None:
            if len(self.answers) >= MAX_ANSWERS:
                self.dropped += 1
                self.first_dropped = self.first_dropped or answer.location
                return
            self.answers[answer.answer_id] = answer
            return
        self.answers[answer.answer_id] = RawAnswer(
            answer.answer_id, None, answer.location, review=True
        )
        self.error(
            answer.location,
            Reason.DUPLICATE_ANSWER,
            f"answer {answer.answer_id!r} is given twice (first at {first.location}): "
            "neither is graded",
        )

    def unparseable(self, answer_id: str, where: Location, reason: Reason, text: str) -> None:
        """Record an answer that is there but cannot be read (value None + ERROR message)."""
        self.add(RawAnswer(answer_id, None, where))
        self.error(where, reason, text)

    def error(self, where: Location, reason: Reason, text: str) -> None:
        """Add an ERROR message."""
        self.messages.append(Message(Severity.ERROR, text, where, reason))

    def warn(self, where: Location, reason: Reason | None, text: str) -> None:
        """Add a WARNING message."""
        self.messages.append(Message(Severity.WARNING, text, where, reason))

    def finish(self) -> list[Message]:
        """The messages, with one saying how many answers were over the limit."""
        if self.dropped and self.first_dropped is not None:
            where = Location(self.first_dropped.file, line=self.first_dropped.line,
                             cell=self.first_dropped.cell)  # fmt: skip
            self.warn(
                where,
                Reason.TOO_LARGE,
                f"more than {MAX_ANSWERS} answers: {self.dropped} more, from here on, were ignored",
            )
            self.dropped = 0
        return self.messages


def _plain(node: YamlNode) -> object:
    if isinstance(node, YamlScalar):
        return None if node.is_null else node.text
    if isinstance(node, YamlSeq):
        return tuple(_plain(item) for item in node.items)
    raise _NotPlain(node)


def flatten_answers(node: YamlMap, origin: Origin, out: AnswerCollector, prefix: str = "") -> None:
    """Add every leaf of an `answers:` mapping to `out` under its dotted id."""
    for key, value in node.entries:
        answer_id = prefix + key.text.strip()
        if isinstance(value, YamlMap):
            flatten_answers(value, origin, out, answer_id + ".")
            continue
        where = origin.at(value.line, value.column, answer_id)
        try:
            out.add(RawAnswer(answer_id, _plain(value), where))
        except _NotPlain as exc:
            out.unparseable(
                answer_id,
                origin.at(exc.node.line, exc.node.column, answer_id),
                Reason.WRONG_TYPE,
                "expected a value or a list of values here, not a mapping (key: value)",
            )


@dataclass
class SheetFields:
    """What a sheet (or a notebook's student/answers cell) says, before identity is resolved."""

    raw_id: object = None
    raw_name: object = None
    id_at: Location | None = None
    assignment: str | None = None
    submitted_at: str | None = None
    collector: AnswerCollector = field(default_factory=AnswerCollector)


def _scalar_text(node: YamlNode | None) -> str | None:
    if isinstance(node, YamlScalar) and not node.is_null:
        return node.text
    return None


def read_student(node: YamlNode | None, origin: Origin, fields: SheetFields) -> None:
    """Read `student: {id, name}` (also `student_id:` for the id) into `fields`."""
    if node is None or (isinstance(node, YamlScalar) and node.is_null):
        return
    if not isinstance(node, YamlMap):
        fields.collector.warn(
            origin.at(node.line, node.column),
            Reason.NOT_A_MAPPING,
            "student: must hold `id:` and `name:` on their own lines",
        )
        return
    id_node = node.get("id") or node.get("student_id")
    if id_node is not None:
        fields.id_at = origin.at(id_node.line, id_node.column)
        if isinstance(id_node, YamlScalar):
            fields.raw_id = None if id_node.is_null else id_node.text
        else:
            fields.raw_id = id_node  # a list or mapping: not a single value
    fields.raw_name = _scalar_text(node.get("name"))


def _read_assignment(root: YamlMap, origin: Origin, fields: SheetFields) -> None:
    node = root.get("assignment")
    if node is None:
        return
    if isinstance(node, YamlScalar):
        fields.assignment = clean_name(node.text) or None
        return
    fields.collector.warn(
        origin.at(node.line, node.column), Reason.WRONG_TYPE, "assignment: must be a single name"
    )


def _read_submitted_at(root: YamlMap, origin: Origin, fields: SheetFields) -> None:
    node = root.get("submitted_at")
    if node is None or (isinstance(node, YamlScalar) and node.is_null):
        return
    text = _scalar_text(node)
    if text is not None and len(text.strip()) <= _MAX_TIMESTAMP_LENGTH:
        try:
            datetime.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            fields.submitted_at = text.strip()
            return
    fields.collector.warn(
        origin.at(node.line, node.column),
        Reason.WRONG_TYPE,
        "submitted_at: is not an ISO 8601 date and time (e.g. 2024-05-01T12:00:00+02:00): ignored",
    )


def read_sheet(root: YamlMap, origin: Origin, fields: SheetFields | None = None) -> SheetFields:
    """Read a sheet mapping's known keys into `fields` (a new one by default); unknown
    top-level keys are reported and ignored."""
    fields = fields or SheetFields()
    read_student(root.get("student"), origin, fields)
    _read_assignment(root, origin, fields)
    _read_submitted_at(root, origin, fields)
    answers = root.get("answers")
    if isinstance(answers, YamlMap):
        flatten_answers(answers, origin, fields.collector)
    elif answers is not None and not (isinstance(answers, YamlScalar) and answers.is_null):
        fields.collector.error(
            origin.at(answers.line, answers.column),
            Reason.NOT_A_MAPPING,
            "answers: must be a mapping of questions to parts (ex1: {dL_dWout: ...})",
        )
    for key, _ in root.entries:
        if key.text not in SHEET_KEYS:
            fields.collector.warn(
                origin.at(key.line, key.column),
                Reason.UNKNOWN_ANSWER_ID,
                f"unknown top-level key {key.text[:60]!r} ignored (answers belong under answers:)",
            )
    return fields


def submission_from_fields(fields: SheetFields, source: str, fmt: str) -> Submission:
    """Resolve identity and freeze everything into a readable Submission."""
    identity = resolve_identity(fields.raw_id, fields.raw_name, source, fields.id_at)
    return Submission(
        source=source,
        student_id=identity.student_id,
        name=identity.name,
        assignment=fields.assignment,
        answers=MappingProxyType(dict(fields.collector.answers)),
        messages=(*identity.messages, *fields.collector.finish()),
        readable=True,
        fmt=fmt,
        submitted_at=fields.submitted_at,
    )


def load_yaml_sheet(data: bytes, source: str) -> Submission:
    """Read a YAML answer sheet's bytes; never raises for bad input (unreadable instead)."""
    origin = Origin(source)
    try:
        root = parse_yaml_mapping(decode_yaml_bytes(data, MAX_YAML_BYTES))
    except YamlError as exc:
        return unreadable_submission(
            source, "yaml", exc.reason, exc.message, origin.at(exc.line, exc.column)
        )
    return submission_from_fields(read_sheet(root, origin), source, "yaml")
