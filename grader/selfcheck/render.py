"""The report as text for a terminal or a CI log, and as JSON for scripts.

Every line starts with text of ours (a status word, the sheet's path, an indented gutter `|`),
never with text a student wrote, and every line is one line: a CI runner that reads `::command`
lines from the log cannot be steered by an answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from grader.gradebook.numbers import format_points
from grader.gradebook.text import one_line
from grader.model import Location, Message, Severity
from grader.selfcheck.report import CheckReport, QuestionReport, SlotReport, SlotStatus

STATUS_WORDS: Mapping[SlotStatus, str] = MappingProxyType({
    SlotStatus.OK: "ok",
    SlotStatus.MISSING: "missing",
    SlotStatus.UNREADABLE: "unreadable",
    SlotStatus.NOT_GIVEN: "not given",
    SlotStatus.IGNORED: "not graded",
    SlotStatus.UNKNOWN: "unknown id",
})  # fmt: skip
_WIDTH = max(len(w) for w in STATUS_WORDS.values())
GUTTER = "      | "


def slot_points(slot: SlotReport, scoring: bool) -> str:
    """`[2 pts]` (the slot's worth) or, when scoring, `[1.5/2 pts]` (with `(provisional)` when
    the points await a TA); empty for unscored slots."""
    if not slot.scored:
        return ""
    if scoring and slot.points is not None:
        mark = " (provisional)" if slot.provisional else ""
        return f"[{format_points(slot.points)}/{format_points(slot.max_points)} pts]{mark}"
    return f"[{format_points(slot.max_points)} pts]"


def question_points(question: QuestionReport) -> str:
    """`[8 pts]` or, when scoring, `[5.5/8 pts]`."""
    if question.points is not None:
        return f"[{format_points(question.points)}/{format_points(question.max_points)} pts]"
    return f"[{format_points(question.max_points)} pts]"


def summary_line(report: CheckReport) -> str:
    """One sentence: complete or not, and how many required answers are in order."""
    required = report.required()
    good = sum(1 for s in required if not s.failed)
    if report.complete:
        return (
            f"Complete: all {len(required)} required answers are present and readable "
            "(this check says nothing about whether they are right)."
        )
    if not report.readable:
        return "Incomplete: the file could not be read."
    failing = len(report.problems())
    return (
        f"Incomplete: {good} of {len(required)} required answers are present and readable; "
        f"{failing} answer(s) need attention."
    )


def safe_line(text: str) -> str:
    """`text` as one line that no CI runner reads as a `::command` (a path could start so)."""
    line = one_line(text)
    return "> " + line if line.startswith("::") else line


def message_lines(message: Message, pointer: str = "") -> list[str]:
    """A located message on one line, then the caret block under it (syntax errors)."""
    lines = [safe_line(str(message))]
    lines += [GUTTER + line.rstrip() for line in pointer.splitlines()]
    return lines


def render_text(report: CheckReport) -> str:
    """The whole report for a terminal (ends with a newline)."""
    lines = [safe_line(f"grade check: {report.file} ({report.assignment}; rubric {report.rubric})")]
    for question in report.questions:
        bonus = " (bonus)" if question.bonus else ""
        title = f"{question.id}{bonus}: {one_line(question.title)}"
        lines += ["", f"{title} {question_points(question)}"]
        lines += [_slot_line(s, report.scoring) for s in report.slots_of(question.id)]
    known = {q.id for q in report.questions}
    others = [s for s in report.slots if s.question not in known]
    if others:
        lines += ["", "answers the rubric does not know:"]
        lines += [_slot_line(s, report.scoring) for s in others]
    lines += _messages(report)
    if report.totals is not None:
        t = report.totals
        lines += [
            "",
            f"Total: {format_points(t.total)}/{format_points(t.max_total)} "
            f"(base {format_points(t.base)}, bonus counted {format_points(t.bonus)})",
        ]
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def _slot_line(slot: SlotReport, scoring: bool) -> str:
    notes = []
    if slot.status is SlotStatus.NOT_GIVEN:
        notes.append("(optional)")
    if slot.via_alternatives:
        notes.append("(answered through its alternatives)")
    points = slot_points(slot, scoring)
    text = f"  {STATUS_WORDS[slot.status]:<{_WIDTH}}  {one_line(slot.answer_id)}"
    return " ".join([text, points, *notes]).rstrip()


def _messages(report: CheckReport) -> list[str]:
    errors: list[str] = []
    warnings: list[str] = []
    for message in report.messages:
        (errors if message.severity is Severity.ERROR else warnings).extend(message_lines(message))
    for slot in report.slots:
        for index, message in enumerate(slot.messages):
            # The caret block belongs under the message that names the syntax error: the last.
            pointer = slot.pointer if index == len(slot.messages) - 1 else ""
            target = errors if message.severity is Severity.ERROR else warnings
            target.extend(message_lines(message, pointer))
    out: list[str] = []
    if errors:
        out += ["", "problems:", *errors]
    if warnings:
        out += ["", "notes:", *warnings]
    return out


def report_data(report: CheckReport) -> dict[str, Any]:
    """The report as plain JSON data (points only when scoring)."""
    data: dict[str, Any] = {
        "assignment": report.assignment,
        "file": report.file,
        "rubric": report.rubric,
        "complete": report.complete,
        "readable": report.readable,
        "scoring": report.scoring,
        "answers": [_slot_data(s, report.scoring) for s in report.slots],
        "messages": [_message_data(m) for m in report.messages],
        "summary": summary_line(report),
    }
    if report.totals is not None:
        data["questions"] = {q.id: q.points for q in report.questions}
        data["totals"] = {
            "base": report.totals.base,
            "bonus": report.totals.bonus,
            "total": report.totals.total,
            "max_total": report.totals.max_total,
        }
    return data


def render_json(report: CheckReport, extra: Mapping[str, Any] | None = None) -> str:
    """The report as one JSON document (ends with a newline)."""
    data = report_data(report)
    data.update(extra or {})
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def _slot_data(slot: SlotReport, scoring: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": slot.answer_id,
        "question": slot.question,
        "kind": slot.kind,
        "status": slot.status.value,
        "required": slot.required,
        "max_points": slot.max_points,
        "reasons": [r.value for r in slot.reasons],
        "messages": [_message_data(m) for m in slot.messages],
    }
    if slot.alternative_of:
        data["alternative_of"] = slot.alternative_of
    if slot.pointer:
        data["pointer"] = slot.pointer
    if scoring and slot.points is not None:
        data["points"] = slot.points
        data["provisional"] = slot.provisional
    return data


def _message_data(message: Message) -> dict[str, Any]:
    return {
        "severity": message.severity.value,
        "reason": message.reason.value if message.reason else None,
        "text": message.text,
        "location": _location_data(message.location),
    }


def _location_data(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "answer_id": location.answer_id,
        "line": location.line,
        "column": location.column,
        "cell": location.cell,
        "offset": location.offset,
    }
