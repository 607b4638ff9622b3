"""The rows of grades.csv, parts.csv and review.csv, built from a Gradebook (no I/O here).

Orders are part of the contract and never depend on input order: submissions by
(student_id, source); parts in rubric order (parts the rubric does not know come last, by id);
review rows free text first, then by student_id and rubric order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.gradebook.csvout import Cell
from grader.gradebook.text import one_line
from grader.model import (
    VARIANT_DETAIL,
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Outcome,
    PartScore,
    Severity,
)

GRADES_LEAD = ("student_id", "name")
GRADES_TAIL = ("base", "bonus", "total", "max_total", "status", "source", "message")
LATE_COLUMNS = ("submitted_at", "days_late", "raw_total", "late_penalty")
PARTS_HEADER = ("student_id", "question", "part", "points", "max_points", "outcome", "feedback")
VARIANT_COLUMN = "variant"
REVIEW_HEADER = (
    "student_id", "part", "points", "grader", "comment",  # the TA fills in points/grader/comment
    "name", "question", "provisional_points", "max_points", "outcome", "answer", "source",
    "students",  # how many students the row stands for (identical unread answers are grouped)
)  # fmt: skip
MESSAGE_SEPARATOR = " | "
_ROW_MESSAGE_LEVELS = frozenset({Severity.ERROR, Severity.WARNING})


def sorted_rows(book: Gradebook) -> list[GradedSubmission]:
    """The gradebook rows by (student_id, source)."""
    return sorted(book.rows, key=lambda row: (row.student_id, row.source))


def part_order(info: AssignmentInfo) -> Mapping[str, int]:
    """Rubric position of every answer slot."""
    return MappingProxyType({slot.answer_id: i for i, slot in enumerate(info.slots())})


def ordered_parts(row: GradedSubmission, order: Mapping[str, int]) -> list[PartScore]:
    """The row's parts in rubric order; unknown parts after them, by id."""
    return sorted(
        row.parts, key=lambda part: (order.get(part.answer_id, len(order)), part.answer_id)
    )


def row_message(row: GradedSubmission) -> str:
    """The `message` cell: the row's errors and warnings, located, then any flag no message
    already explains (e.g. not_on_roster), joined with " | "."""
    texts = [one_line(str(m)) for m in row.messages if m.severity in _ROW_MESSAGE_LEVELS]
    explained = {m.reason for m in row.messages}
    texts += [f"flag: {flag.value}" for flag in row.flags if flag not in explained]
    return MESSAGE_SEPARATOR.join(texts)


def comment_to_show(part: PartScore) -> str | None:
    """The TA's comment when the part's sentences do not already quote it (scoring may put
    "Scored by tb: ..." into the feedback itself), else None: never say it twice."""
    comment = (part.comment or "").strip()
    if not comment or any(comment in sentence for sentence in part.feedback):
        return None
    return comment


def part_feedback(part: PartScore) -> str:
    """The `feedback` cell: the part's sentences, then the TA's comment when there is one."""
    sentences = list(part.feedback)
    comment = comment_to_show(part)
    if comment:
        who = f" ({part.grader})" if part.grader else ""
        sentences.append(f"TA{who}: {comment}")
    return one_line(" ".join(sentences))


def grades_header(info: AssignmentInfo) -> tuple[str, ...]:
    """grades.csv's columns: the lead, one per question in rubric order, the tail."""
    late = LATE_COLUMNS if info.late_policy else ()
    return (*GRADES_LEAD, *(q.id for q in info.questions), *GRADES_TAIL, *late)


def grades_rows(book: Gradebook) -> list[list[Cell]]:
    """One grades.csv row per submission (question points left empty when the row has none)."""
    return [grades_cells(row, book.assignment) for row in sorted_rows(book)]


def grades_cells(row: GradedSubmission, info: AssignmentInfo) -> list[Cell]:
    """The grades.csv row of one submission."""
    questions: list[Cell] = [row.question_points.get(q.id) for q in info.questions]
    late = _late_cells(row) if info.late_policy else []
    return [
        row.student_id, row.name, *questions, row.base, row.bonus, row.total,
        row.max_total, row.status.value, row.source, row_message(row), *late,
    ]  # fmt: skip


def _late_cells(row: GradedSubmission) -> list[Cell]:
    """submitted_at, days_late, raw_total, late_penalty (empty when the row has no details)."""
    late = row.detail.get("late")
    if not isinstance(late, Mapping):
        return [None, None, None, None]
    return [late.get(key) for key in ("submitted_at", "days_late", "raw_total", "penalty")]


def parts_header(info: AssignmentInfo) -> tuple[str, ...]:
    """parts.csv's columns; with variants also `variant` (the numbers a sheet was graded on)."""
    return (*PARTS_HEADER, VARIANT_COLUMN) if info.variants else PARTS_HEADER


def variant_label(row: GradedSubmission) -> str | None:
    """The label of the variant the row was graded against (None without variants)."""
    used = row.detail.get(VARIANT_DETAIL)
    label = used.get("label") if isinstance(used, Mapping) else None
    return label if isinstance(label, str) else None


def parts_rows(book: Gradebook) -> list[list[Cell]]:
    """One parts.csv row per part of every submission."""
    order = part_order(book.assignment)
    variants = book.assignment.variants
    return [cells for row in sorted_rows(book) for cells in parts_cells(row, order, variants)]


def parts_cells(
    row: GradedSubmission, order: Mapping[str, int], variants: bool
) -> list[list[Cell]]:
    """The parts.csv rows of one submission (`order`: :func:`part_order`; `variants`: whether
    the assignment has them, so the `variant` column is there)."""
    return [
        [row.student_id, part.question, part.answer_id, part.points, part.max_points,
         part.outcome.value, part_feedback(part), *([variant_label(row)] if variants else [])]
        for part in ordered_parts(row, order)
    ]  # fmt: skip


def _text_parts(info: AssignmentInfo) -> frozenset[str]:
    return frozenset(slot.answer_id for slot in info.slots() if slot.kind == "text")


# Outcomes of answers the grader could not read or decide: the same text gets the same verdict
# from a TA. An internal error stays one row per student (a bug to look at each time).
_UNREAD = frozenset({Outcome.UNPARSEABLE, Outcome.NEEDS_REVIEW})


def _same_answer(text: str) -> str:
    """An answer as grouping compares it: whitespace runs are one space (nothing else: `X` and
    `x` may differ in maths)."""
    return " ".join(text.split())


def review_rows(book: Gradebook) -> list[list[Cell]]:
    """The review.csv rows: every part awaiting a TA, free text first, then by student and part.

    Identical unread answers to a part that is not free text (same text up to whitespace, same
    outcome, provisional points and variant) are one row for every student who wrote them:
    their ids in `student_id` separated by spaces, their count in `students`; a TA scores the
    form once and --scores applies it to each of them. Free text keeps one row per student (a
    TA reads each).
    """
    order = part_order(book.assignment)
    text = _text_parts(book.assignment)
    groups: dict[tuple[object, ...], list[tuple[GradedSubmission, PartScore]]] = {}
    for row in sorted_rows(book):
        for part in row.parts:
            if not part.needs_review:
                continue
            answer = _same_answer(part.answer_text or "")
            if part.answer_id in text or not answer or part.outcome not in _UNREAD:
                key: tuple[object, ...] = ("one", row.student_id, row.source, part.answer_id)
            else:
                # With variants the same text may be right for one student's numbers only.
                key = ("same", part.answer_id, answer, part.outcome.value, part.points,
                       variant_label(row))  # fmt: skip
            groups.setdefault(key, []).append((row, part))
    queue = []
    for members in groups.values():
        row, part = members[0]
        ids = list(dict.fromkeys(r.student_id for r, _ in members))
        names = list(dict.fromkeys(r.name for r, _ in members if r.name))
        sort_key = (part.answer_id not in text, row.student_id,
                    order.get(part.answer_id, len(order)), part.answer_id, row.source)  # fmt: skip
        cells: list[Cell] = [
            " ".join(ids), part.answer_id, None, None, None, "; ".join(names), part.question,
            part.points, part.max_points, part.outcome.value, part.answer_text or "",
            " ".join(r.source for r, _ in members), len(ids),
        ]  # fmt: skip
        queue.append((sort_key, cells))
    queue.sort(key=lambda item: item[0])
    return [cells for _, cells in queue]
