"""The third course, Stats-1, written from docs/course-authoring.md alone (issue 9's check
that the guide suffices): a chain with conventions and carried credit, a course's own mistake
kind (`halved`, from the guide's example), a buggy expression, `simplified` and
`no_derivatives` forms, a `lab_<id>` file-name rule and `rounding: 1`. Graded against the
instructor's hand marks, part by part."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.model import Outcome
from grader.pipeline import BatchOptions, grade_folder

COURSE = Path(__file__).resolve().parent / "courses" / "stats-1"


def test_stats_1_matches_the_hand_marks_part_by_part() -> None:
    batch = grade_folder(
        BatchOptions(folder=COURSE / "submissions", rubric=COURSE / "rubrics" / "stats-1.yaml",
                     workers=0)
    )  # fmt: skip
    with (COURSE / "hand_marks.csv").open(encoding="utf-8", newline="") as handle:
        hand = {(r["student_id"], r["part"]): float(r["points"]) for r in csv.DictReader(handle)}
    graded = {(row.student_id, p.answer_id): p.points for row in batch.gradebook.rows
              for p in row.parts}  # fmt: skip
    assert len(hand) == 25
    assert graded == hand
    outcome = {(row.student_id, p.answer_id): p.outcome for row in batch.gradebook.rows
               for p in row.parts}  # fmt: skip
    assert outcome["s03", "moments.variance"] is Outcome.CARRIED
    assert outcome["s04", "moments.variance"] is Outcome.PARTIAL  # the course's `halved` rule
    assert [row.total for row in batch.gradebook.rows] == [4, 10, 8.5, 6, 6]
