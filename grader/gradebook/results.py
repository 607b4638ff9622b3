"""results.json: the whole gradebook for machines.

Assignment structure, one object per row with its parts and messages, the batch messages and
summary counts. Numbers are rounded exactly as in the CSVs; strings are cleaned so the file is
always valid UTF-8; keys are sorted and there is no timestamp, so equal input gives equal bytes.
Staff notes are included (this file is for course staff and scripts); reference values only when
the writer is told to show them, as in the feedback files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from grader.gradebook.feedback import REFERENCE_KEY
from grader.gradebook.numbers import json_points
from grader.gradebook.paths import course_relative
from grader.gradebook.tables import ordered_parts, part_order, sorted_rows
from grader.gradebook.text import clean_text
from grader.model import AssignmentInfo, Gradebook, GradedSubmission, Location, Message, PartScore

FORMAT = "grader-gradebook"
VERSION = 1
_MAX_DEPTH = 20


def plain(value: object, depth: int = 0) -> Any:
    """`value` as JSON data: enums by value, mappings with string keys, sequences as lists,
    numbers finite (others as their name), anything else by its type name (never its repr,
    which may hold a memory address and break byte-identical re-runs)."""
    if depth > _MAX_DEPTH:
        return "<too deep>"
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return plain(value.value, depth + 1)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float | Decimal | Fraction):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, Mapping):
        return {clean_text(str(k)): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        items = [plain(item, depth + 1) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return plain(tolist(), depth + 1)
    return f"<{type(value).__name__}>"


def _location(location: Location) -> dict[str, Any]:
    return {
        "file": clean_text(location.file), "answer_id": plain(location.answer_id),
        "line": location.line, "column": location.column, "cell": location.cell,
        "offset": location.offset,
    }  # fmt: skip


def _message(message: Message) -> dict[str, Any]:
    return {
        "severity": message.severity.value, "text": clean_text(message.text),
        "location": _location(message.location), "reason": plain(message.reason),
    }  # fmt: skip


def _part(part: PartScore, *, show_reference: bool) -> dict[str, Any]:
    detail = {k: v for k, v in part.detail.items() if show_reference or k != REFERENCE_KEY}
    return {
        "part": clean_text(part.answer_id), "question": clean_text(part.question),
        "points": json_points(part.points), "max_points": json_points(part.max_points),
        "outcome": part.outcome.value, "method": part.method.value,
        "needs_review": part.needs_review, "feedback": plain(part.feedback),
        "answer": plain(part.answer_text), "grader": plain(part.grader),
        "comment": plain(part.comment), "staff": plain(part.staff), "detail": plain(detail),
    }  # fmt: skip


def _row(
    row: GradedSubmission, info: AssignmentInfo, feedback_file: str, *, show_reference: bool
) -> dict[str, Any]:
    order = part_order(info)
    return {
        "student_id": clean_text(row.student_id), "name": clean_text(row.name),
        "source": clean_text(row.source), "status": row.status.value,
        "questions": {k: json_points(v) for k, v in row.question_points.items()},
        "base": json_points(row.base), "bonus": json_points(row.bonus),
        "total": json_points(row.total), "max_total": json_points(row.max_total),
        "flags": [flag.value for flag in row.flags],
        "messages": [_message(m) for m in row.messages],
        "parts": [_part(p, show_reference=show_reference) for p in ordered_parts(row, order)],
        "feedback_file": feedback_file,
        "detail": plain(row.detail),
    }  # fmt: skip


def _assignment(info: AssignmentInfo) -> dict[str, Any]:
    # `variants` only when there are some: a course without them keeps its bytes.
    return ({"variants": True} if info.variants else {}) | {
        "id": info.id, "title": info.title, "max_total": json_points(info.max_total),
        "rubric": course_relative(info.rubric_path), "late_policy": info.late_policy,
        "questions": [
            {"id": q.id, "title": q.title, "max_points": json_points(q.max_points),
             "bonus": q.bonus,
             "parts": [{"part": p.answer_id, "max_points": json_points(p.max_points),
                        "kind": p.kind, "scored": p.scored} for p in q.parts]}
            for q in info.questions
        ],
    }  # fmt: skip


def _summary(book: Gradebook, review_count: int) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for row in book.rows:
        statuses[row.status.value] = statuses.get(row.status.value, 0) + 1
    return {
        "rows": len(book.rows),
        "students": len({row.student_id for row in book.rows}),
        "by_status": statuses,
        "parts_awaiting_review": review_count,
    }


def _encode(value: Any) -> str:
    # Compact, sorted keys: the C encoder (indent= would force the pure-Python one, 4 s per
    # 1,000 sheets); equal input still gives equal bytes.
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def row_text(
    row: GradedSubmission, info: AssignmentInfo, feedback_file: str, *, show_reference: bool
) -> str:
    """The JSON text of one row of results.json."""
    return _encode(_row(row, info, feedback_file, show_reference=show_reference))


def results_chunks(
    book: Gradebook,
    feedback_files: Sequence[str],
    *,
    show_reference: bool,
    row_texts: Callable[[int], str] | None = None,
) -> Iterator[str]:
    """results.json as text pieces, one per row, so no whole-document tree is ever built.

    The pieces join to exactly ``json.dumps(document, sort_keys=True, separators=(",", ":"))``
    plus a newline: top-level keys are written in sorted order (assignment, format, messages,
    rows, summary, version) and the summary, which follows the rows, is counted on the way.
    `row_texts(i)`: the :func:`row_text` of the i-th row in sorted order, when the caller has
    it already.
    """
    rows = sorted_rows(book)
    yield '{"assignment":' + _encode(plain(_assignment(book.assignment)))
    yield ',"format":' + _encode(FORMAT)
    yield ',"messages":' + _encode([_message(m) for m in book.messages])
    yield ',"rows":['
    review_count = 0
    for index, (row, name) in enumerate(zip(rows, feedback_files, strict=True)):
        review_count += sum(1 for part in row.parts if part.needs_review)
        if row_texts is not None:
            encoded = row_texts(index)
        else:
            encoded = row_text(row, book.assignment, name, show_reference=show_reference)
        yield ("," if index else "") + encoded
    yield '],"summary":' + _encode(_summary(book, review_count))
    yield ',"version":' + _encode(VERSION) + "}\n"


def results_bytes(book: Gradebook, feedback_files: Sequence[str], *, show_reference: bool) -> bytes:
    """The results.json file; `feedback_files` are the rows' feedback paths in sorted-row order."""
    chunks = results_chunks(book, feedback_files, show_reference=show_reference)
    return "".join(chunks).encode("utf-8")
