"""Points for one sheet, only for rubrics that say `feedback: scores`.

The sheet is graded exactly as `grade FOLDER` grades it (grader.pipeline's functions, checks
run in this process), then the points are copied into the form report. Only points travel:
no outcome words, no checker sentences, no reference values.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from grader.checkers.prepare import prepare_rubric
from grader.checkers.sheet_messages import with_answer_errors
from grader.model import GradedSubmission, Submission
from grader.pipeline import BatchOptions, check_answers, score_all
from grader.rubric.spec import Rubric
from grader.selfcheck.report import CheckReport, Totals


def grade_sheet(rubric: Rubric, submission: Submission, folder: Path) -> GradedSubmission:
    """The gradebook row of one sheet (raises RubricError when the rubric cannot be prepared)."""
    prepared = prepare_rubric(rubric)
    sub = with_answer_errors(submission)
    results = check_answers(prepared, [sub], BatchOptions(folder=folder, workers=0))
    return score_all(prepared, [sub], results, {})[0]


def with_points(report: CheckReport, row: GradedSubmission) -> CheckReport:
    """The report with the row's points per scored slot and question, and its totals."""
    parts = {p.answer_id: p for p in row.parts}
    slots = []
    for slot in report.slots:
        part = parts.get(slot.answer_id)
        if slot.scored and part is not None:
            slot = replace(slot, points=part.points, provisional=part.needs_review)
        elif slot.scored:
            slot = replace(slot, points=0.0)
        slots.append(slot)
    questions = tuple(
        replace(q, points=float(row.question_points.get(q.id, 0.0))) for q in report.questions
    )
    totals = Totals(base=row.base, bonus=row.bonus, total=row.total, max_total=row.max_total)
    return replace(report, slots=tuple(slots), questions=questions, totals=totals)
