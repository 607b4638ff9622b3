"""What grading says about a loaded sheet before checking it, from the rubric's structure only.

Both `grade FOLDER` (grader.pipeline) and `grade check` (grader.selfcheck) attach these, so a
student sees in CI the warnings the gradebook would show. They need no checker, solver or
worker pool, and live here so that `grade check` does not import the grading pipeline.
"""

from __future__ import annotations

from dataclasses import replace

from grader.checkers.prepare import PreparedRubric
from grader.loaders import answer_errors
from grader.loaders.notes import unknown_answer_notes
from grader.model import Location, Message, Reason, Severity, Submission, frozen_mapping


def with_answer_errors(submission: Submission) -> Submission:
    """Attach the loader's per-answer errors to the answers (so they score `unparseable`)."""
    errors = answer_errors(submission)
    if not errors:
        return submission
    answers = dict(submission.answers)
    for answer_id, messages in errors.items():
        answer = answers.get(answer_id)
        if answer is not None and answer.value is None:
            answers[answer_id] = replace(answer, error="; ".join(m.text for m in messages))
    return replace(submission, answers=frozen_mapping(answers))


def unknown_answers(
    prepared: PreparedRubric, submission: Submission, *, summary: bool = False
) -> tuple[Message, ...]:
    """Warnings for answer ids the rubric does not know (the answer is not graded), at most
    50 named (with `summary`, one more counts the rest), look-alike characters in them named
    (see grader.loaders.notes)."""
    known = {p.answer_id for p in prepared.rubric.parts()}
    return unknown_answer_notes(submission, known, summary=summary)


def wrong_assignment(prepared: PreparedRubric, submission: Submission) -> tuple[Message, ...]:
    """A warning when a sheet names another assignment than the one it is graded against."""
    if submission.assignment and submission.assignment != prepared.rubric.id:
        return (
            Message(
                Severity.WARNING,
                f"the sheet names assignment {submission.assignment!r}; graded against "
                f"{prepared.rubric.id!r}",
                Location(submission.source),
                Reason.WRONG_ASSIGNMENT,
            ),
        )
    return ()
