"""feedback/<student>.md: what one student reads about one submission.

Header (name, id, total / max, status), then per question its points and per part: points /
max, outcome in words, the checker's sentences, the TA's comment for parts a TA scored, and the
reference value only when the writer is told to show references and the part carries one
(``PartScore.detail["reference"]``, which the scorer sets only where the rubric allows it).
Messages about the file come last. Staff notes never appear here. Every piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.gradebook.markdown import code_block, code_span, escape_markdown
from grader.gradebook.numbers import format_points
from grader.gradebook.tables import comment_to_show, ordered_parts, part_order
from grader.model import (
    VARIANT_DETAIL,
    AssignmentInfo,
    GradedSubmission,
    Outcome,
    PartScore,
    Status,
)

REFERENCE_KEY = "reference"

OUTCOME_WORDS: Mapping[Outcome, str] = MappingProxyType({
    Outcome.CORRECT: "correct",
    Outcome.PARTIAL: "partly correct",
    Outcome.CARRIED: "correct given your earlier answers",
    Outcome.INCORRECT: "incorrect",
    Outcome.MISSING: "no answer given",
    Outcome.UNPARSEABLE: "could not be read",
    Outcome.NEEDS_REVIEW: "provisional, awaiting a TA's review",
    Outcome.OVERRIDDEN: "scored by a TA",
    Outcome.INTERNAL_ERROR: "not checked: the grader failed; a TA will mark it",
})  # fmt: skip

STATUS_WORDS: Mapping[Status, str] = MappingProxyType({
    Status.GRADED: "graded",
    Status.NEEDS_REVIEW: "provisional: some parts await a TA's review",
    Status.UNREADABLE: "your file could not be read",
    Status.MISSING: "no submission received",
})  # fmt: skip


def _header(row: GradedSubmission, info: AssignmentInfo) -> list[str]:
    lines = [
        f"# {escape_markdown(info.title or info.id)}: feedback",
        "",
        f"- Name: {escape_markdown(row.name)}",
        f"- Student id: {escape_markdown(row.student_id)}",
        f"- Total: **{format_points(row.total)} / {format_points(row.max_total)}**",
    ]
    if any(q.bonus for q in info.questions):
        lines.append(
            f"- Base: {format_points(row.base)}, bonus counted: {format_points(row.bonus)}"
        )
    lines.append(f"- Status: {escape_markdown(STATUS_WORDS[row.status])}")
    lines += _variant(row)
    if row.source:
        lines.append(f"- File: {escape_markdown(row.source)}")
    return lines


def _flat(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return str(value)


def _variant(row: GradedSubmission) -> list[str]:
    """Which numbers the sheet was graded against, when each student has their own."""
    used = row.detail.get(VARIANT_DETAIL)
    if not isinstance(used, Mapping):
        return []
    data = used.get("data")
    numbers = [
        code_span(f"{name} = {_flat(value)}")
        for name, value in (data.items() if isinstance(data, Mapping) else ())
    ]
    label = escape_markdown(str(used.get("label", "")))
    return [f"- Graded with your own numbers (variant {label}): " + ", ".join(numbers)]


def _part(part: PartScore, *, show_reference: bool) -> list[str]:
    title = (
        f"### {escape_markdown(part.answer_id)}: {format_points(part.points)} / "
        f"{format_points(part.max_points)} ({escape_markdown(OUTCOME_WORDS[part.outcome])})"
    )
    lines = ["", title, ""]
    bullets = [_sentence(sentence) for sentence in part.feedback if sentence.strip()]
    comment = comment_to_show(part)
    if comment:
        who = f" ({escape_markdown(part.grader)})" if part.grader else ""
        bullets.append(f"TA comment{who}: {escape_markdown(comment)}")
    reference = part.detail.get(REFERENCE_KEY)
    if show_reference and isinstance(reference, str) and reference:
        bullets.append(f"Reference answer: {code_span(reference)}")
    lines += [f"- {bullet}" for bullet in bullets] or ["- (no further feedback)"]
    return lines


READ_AS = "Read as: "


def _sentence(sentence: str) -> str:
    """One feedback sentence as Markdown: how an answer was read goes in a code span, a
    multi-line sentence (an answer with a caret under the error) in a code block."""
    if sentence.startswith(READ_AS) and "\n" not in sentence:
        return READ_AS.strip() + " " + code_span(sentence[len(READ_AS) :])
    if "\n" in sentence:
        return "\n".join(code_block(sentence.strip("\n")))[2:]
    return escape_markdown(sentence)


def _questions(row: GradedSubmission, info: AssignmentInfo, *, show_reference: bool) -> list[str]:
    """One section per question in rubric order, then parts the rubric does not know."""
    parts = ordered_parts(row, part_order(info))
    if not parts and not row.question_points:
        return ["", "No answers were scored."]
    lines: list[str] = []
    for question in info.questions:
        points = row.question_points.get(question.id)
        shown = format_points(points) if points is not None else "not scored"
        title = f": {escape_markdown(question.title)}" if question.title else ""
        bonus = " (bonus)" if question.bonus else ""
        lines += ["", f"## {escape_markdown(question.id)}{title}{bonus} \u2014 "
                  f"{shown} / {format_points(question.max_points)}"]  # fmt: skip
        for part in parts:
            if part.question == question.id:
                lines += _part(part, show_reference=show_reference)
    known = {q.id for q in info.questions}
    others = [part for part in parts if part.question not in known]
    if others:
        lines += ["", "## Other answers"]
        for part in others:
            lines += _part(part, show_reference=show_reference)
    return lines


def render_feedback(row: GradedSubmission, info: AssignmentInfo, *, show_reference: bool) -> str:
    """The Markdown text of one student's feedback file (ends with a newline)."""
    lines = _header(row, info) + _questions(row, info, show_reference=show_reference)
    if row.messages:
        lines += ["", "## About your file", ""]
        lines += [f"- {escape_markdown(str(message))}" for message in row.messages]
    return "\n".join(lines) + "\n"
