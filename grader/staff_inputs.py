"""Course staff's inputs to a batch: the roster and TA scores.

The roster adds a `missing` row for every student without a submission and flags submissions
whose id is not on it; TA scores (`--scores`) replace parts, after being checked against the
rubric (by the reader) and against the students of the batch (here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.checkers.prepare import PreparedRubric
from grader.gradebook import read_roster, read_ta_scores
from grader.model import GradedSubmission, Location, Message, Reason, Severity, Status, Submission
from grader.scoring import TAScoreLike, empty_row


class UsageError(Exception):
    """A problem with how the grader was called (exit status 2)."""


def apply_roster(
    prepared: PreparedRubric, rows: list[GradedSubmission], roster: Any
) -> tuple[list[GradedSubmission], list[Message]]:
    """Add a `missing` row per roster student without a submission; flag ids not on it."""
    entries = {e.student_id: e for e in roster.entries}
    present = {r.student_id for r in rows}
    out = []
    for row in rows:
        if row.student_id not in entries and row.status is not Status.UNREADABLE:
            note = Message(
                Severity.WARNING,
                f"student id {row.student_id!r} is not on the roster",
                Location(row.source),
                Reason.NOT_ON_ROSTER,
            )
            row = replace(
                row, messages=row.messages + (note,), flags=row.flags + (Reason.NOT_ON_ROSTER,)
            )
        elif row.student_id in entries and not row.name:
            row = replace(row, name=entries[row.student_id].name)
        out.append(row)
    for student_id, entry in sorted(entries.items()):
        if student_id not in present:
            note = Message(Severity.INFO, "no submission", Location(""), Reason.NO_SUBMISSION)
            out.append(
                empty_row(prepared.rubric, student_id, entry.name, "", Status.MISSING, (note,))
            )
    flagged = sum(1 for r in out if Reason.NOT_ON_ROSTER in r.flags)
    staff = []
    if flagged:
        staff.append(
            Message(
                Severity.WARNING,
                f"{flagged} submission(s) carry ids not on the roster",
                Location(roster.source),
                Reason.NOT_ON_ROSTER,
            )
        )
    return out, staff


def read_scores(
    path: Path | None, prepared: PreparedRubric, submissions: Sequence[Submission]
) -> tuple[dict[tuple[str, str], TAScoreLike], list[Message]]:
    """TA scores from `path` (None: none), keyed by (student id, part); refused rows reported."""
    if path is None:
        return {}, []
    if not path.is_file():
        raise UsageError(f"--scores: {path} is not a file")
    scores, messages = read_ta_scores(path, prepared.rubric.info())
    known = {s.student_id for s in submissions}
    overrides: dict[tuple[str, str], TAScoreLike] = {}
    for score in scores:
        if score.student_id not in known:
            messages.append(
                Message(
                    Severity.ERROR,
                    f"TA score for unknown student {score.student_id!r} ({score.part})"
                    " was not applied",
                    score.location,
                    Reason.UNKNOWN_ANSWER_ID,
                )
            )
            continue
        overrides[(score.student_id, score.part)] = score
    return overrides, list(messages)


def with_roster(
    path: Path, prepared: PreparedRubric, rows: list[GradedSubmission]
) -> tuple[list[GradedSubmission], list[Message]]:
    """The rows with the roster applied, and the staff messages about it."""
    if not path.is_file():
        raise UsageError(f"--roster: {path} is not a file")
    roster, messages = read_roster(path)
    rows, staff = apply_roster(prepared, rows, roster)
    return rows, list(messages) + staff
