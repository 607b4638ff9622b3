"""Gradescope autograder results (lms-and-ci-formats.md section 3, the Gradescope spec).

One object per submission::

    {"score": 28, "output": "<markdown summary>", "output_format": "md",
     "visibility": "after_published", "stdout_visibility": "hidden",
     "tests": [{"name": "ex1.dL_dWout", "number": "1.1", "score": 2, "max_score": 2,
                "status": "passed", "output": "...", "output_format": "md",
                "visibility": "after_published"}, ...]}

- `score` is the gradebook's final total (bonus rule and any late penalty applied); it
  overrides the sum of the tests, which may differ because of the bonus rule.
- One test per scored answer part, numbered ``<question>.<part>`` by rubric position (1-based,
  unscored slots such as a convention choice skipped). A part the row has no score for
  (unreadable file) is a failed test with 0 points.
- `status` is ``passed`` when the part earned its full points, else ``failed``.
- A part awaiting a TA's review shows its provisional points (what the gradebook holds) and its
  output starts by saying the score is provisional and a TA will review it; a re-export after
  the review carries the TA's score.
- Visibility defaults to ``after_published``: students see results when staff publish grades
  (``--visibility`` changes it); stdout is always hidden. No timestamps or timings are
  written, so the bytes are deterministic.
- Every text a student controls is escaped for Markdown (grader.gradebook.escape_markdown); the
  reference answer appears only where results.json carries it (the rubric allows it).

Folder mode writes ``<safe id>/results.json`` per submission (rows of `missing` students are
not submissions and are skipped); ``--single`` writes the one object of a one-row gradebook,
and for a gradebook with no sheet or several a score-0 object saying so, always visible so the
student can upload again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from grader.export.common import export_rows, late_record
from grader.export.errors import ExportDataError
from grader.gradebook import code_span, escape_markdown, feedback_names, format_points, json_points
from grader.gradebook.feedback import OUTCOME_WORDS, REFERENCE_KEY, STATUS_WORDS
from grader.gradebook.tables import comment_to_show
from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    PartInfo,
    PartScore,
    Severity,
    Status,
)

RESULTS_NAME = "results.json"
MARKDOWN = "md"
_FEEDBACK_SUFFIX = ".md"


class Visibility(StrEnum):
    """When students see a result (Gradescope's four values)."""

    HIDDEN = "hidden"
    AFTER_DUE_DATE = "after_due_date"
    AFTER_PUBLISHED = "after_published"
    VISIBLE = "visible"


class ResultStatus(StrEnum):
    """Gradescope's colour for a test."""

    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class GradescopeOptions:
    """How the results are shown."""

    visibility: Visibility = Visibility.AFTER_PUBLISHED


def _numbered_slots(info: AssignmentInfo) -> list[tuple[str, PartInfo]]:
    """("<question>.<part>", slot) for every scored slot, in rubric order."""
    numbered: list[tuple[str, PartInfo]] = []
    for q_index, question in enumerate(info.questions, start=1):
        scored = [slot for slot in question.parts if slot.scored]
        numbered += [(f"{q_index}.{p_index}", slot) for p_index, slot in enumerate(scored, 1)]
    return numbered


def _part_output(part: PartScore) -> str:
    """The Markdown a student reads under one test."""
    lines = [f"**{format_points(part.points)} / {format_points(part.max_points)}: "
             f"{escape_markdown(OUTCOME_WORDS[part.outcome])}**"]  # fmt: skip
    if part.needs_review:
        lines.append("Provisional score: a TA will review this answer, and the score may change.")
    lines += [f"- {escape_markdown(s)}" for s in part.feedback if s.strip()]
    comment = comment_to_show(part)
    if comment:
        who = f" ({escape_markdown(part.grader)})" if part.grader else ""
        lines.append(f"- TA comment{who}: {escape_markdown(comment)}")
    reference = part.detail.get(REFERENCE_KEY)
    if isinstance(reference, str) and reference:
        lines.append(f"- Reference answer: {code_span(reference)}")
    return "\n".join(lines)


def _test(number: str, slot: PartInfo, part: PartScore | None, row: GradedSubmission,
          visibility: Visibility) -> dict[str, Any]:  # fmt: skip
    if part is None:
        why = "Your file could not be read." if row.status is Status.UNREADABLE else "No answer."
        points, output = 0.0, f"**0 / {format_points(slot.max_points)}**\n{why}"
    else:
        points, output = part.points, _part_output(part)
    passed = slot.max_points > 0 and points >= slot.max_points
    return {
        "name": slot.answer_id, "number": number, "score": json_points(points),
        "max_score": json_points(slot.max_points),
        "status": (ResultStatus.PASSED if passed else ResultStatus.FAILED).value,
        "output": output, "output_format": MARKDOWN, "visibility": visibility.value,
    }  # fmt: skip


def _summary(row: GradedSubmission, info: AssignmentInfo) -> str:
    """The Markdown shown above the tests: total, status, questions, lateness, file problems."""
    lines = [
        f"**Total: {format_points(row.total)} / {format_points(row.max_total)}** "
        f"({escape_markdown(STATUS_WORDS[row.status])})",
        "",
        f"Student id on your sheet: {escape_markdown(row.student_id)}",
        "",
        "| Question | Points |",
        "|---|---|",
    ]
    for q in info.questions:
        got = row.question_points.get(q.id)
        title = escape_markdown(f"{q.id}: {q.title}" if q.title else q.id)
        shown = format_points(got) if got is not None else "-"
        bonus = " (bonus)" if q.bonus and "bonus" not in q.title.lower() else ""
        lines.append(f"| {title}{bonus} | "
                     f"{shown} / {format_points(q.max_points)} |")  # fmt: skip
    if any(q.bonus for q in info.questions):
        lines += ["", f"Bonus points counted: {format_points(row.bonus)}"]
    late = late_record(row)
    if late is not None and late.penalty:
        lines += ["", f"Late by {format_points(late.days_late)} day(s): "
                      f"{format_points(late.penalty)} point(s) deducted from "
                      f"{format_points(late.raw_total)}."]  # fmt: skip
    problems = [m for m in row.messages if m.severity in (Severity.ERROR, Severity.WARNING)]
    if problems:
        lines += ["", "About your file:"]
        lines += [f"- {escape_markdown(str(message))}" for message in problems]
    return "\n".join(lines)


def result_document(
    row: GradedSubmission, info: AssignmentInfo, options: GradescopeOptions
) -> dict[str, Any]:
    """The Gradescope results object of one gradebook row."""
    parts = {part.answer_id: part for part in row.parts}
    tests = [
        _test(number, slot, parts.get(slot.answer_id), row, options.visibility)
        for number, slot in _numbered_slots(info)
    ]
    return {
        "score": json_points(row.total), "output": _summary(row, info),
        "output_format": MARKDOWN, "visibility": options.visibility.value,
        "stdout_visibility": Visibility.HIDDEN.value, "tests": tests,
    }  # fmt: skip


def problem_document(text: str) -> dict[str, Any]:
    """A results object for a submission that could not be graded at all: score 0, always
    visible (it reveals no grade, and the student must see it to upload again)."""
    return {
        "score": 0, "output": escape_markdown(text), "output_format": MARKDOWN,
        "visibility": Visibility.VISIBLE.value, "stdout_visibility": Visibility.HIDDEN.value,
        "tests": [],
    }  # fmt: skip


def document_bytes(document: dict[str, Any]) -> bytes:
    """JSON bytes: sorted keys, UTF-8, LF, ending in a newline (deterministic)."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def gradescope_files(book: Gradebook, options: GradescopeOptions) -> list[tuple[str, bytes]]:
    """(``<safe id>/results.json``, bytes) for every submitted row, by student id."""
    rows = [row for row in export_rows(book) if row.status is not Status.MISSING]
    names = feedback_names([(row.student_id, row.source) for row in rows])
    return [
        (f"{name.removesuffix(_FEEDBACK_SUFFIX)}/{RESULTS_NAME}",
         document_bytes(result_document(row, book.assignment, options)))
        for name, row in zip(names, rows, strict=True)
    ]  # fmt: skip


def single_result(book: Gradebook, options: GradescopeOptions) -> bytes:
    """The results object of a gradebook holding exactly one submission; raises
    ExportDataError otherwise (the caller may then write :func:`problem_document`)."""
    rows = [row for row in book.rows if row.status is not Status.MISSING]
    if len(rows) != 1:
        found = ", ".join(sorted(row.source for row in rows)[:5]) or "none"
        raise ExportDataError(
            f"expected exactly one answer sheet, found {len(rows)} ({found}); "
            "upload one .yaml or .ipynb answer sheet"
        )
    return document_bytes(result_document(rows[0], book.assignment, options))
