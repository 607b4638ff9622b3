"""Late policy: submission times from the sheet, git or the file; penalty per started day."""

from __future__ import annotations

import csv
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from grader.gradebook import write_gradebook
from grader.late import penalty, submission_time
from grader.model import Submission
from grader.pipeline import BatchOptions, grade_folder
from grader.rubric.spec import LatePolicy, parse_time

ROOT = Path(__file__).resolve().parents[1]
POLICY = LatePolicy(
    deadline="2026-11-20T23:59:00+01:00", penalty_per_day=3, max_penalty=9, grace_hours=1
)


def _at(text: str) -> datetime:
    value = parse_time(text)
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("when", "days", "points"),
    [
        ("2026-11-20T23:00:00+01:00", 0, 0),  # on time
        ("2026-11-21T00:30:00+01:00", 0, 0),  # within the hour of grace
        ("2026-11-21T00:59:00+01:00", 0, 0),  # the last moment of grace
        ("2026-11-21T01:00:01+01:00", 1, 3),  # a started day counts
        ("2026-11-21T00:00:01Z", 1, 3),  # same instant logic across zones
        ("2026-11-23T00:00:00+01:00", 2, 6),  # 1 day 23 h late
        ("2026-12-30T00:00:00+01:00", 39, 9),  # capped
    ],
)
def test_penalty_per_started_day_after_grace(when: str, days: int, points: float) -> None:
    assert penalty(POLICY, _at(when), 30) == (days, points)


def test_relative_penalty_is_a_share_of_the_maximum() -> None:
    policy = LatePolicy(
        deadline="2026-11-20T00:00:00Z", penalty_per_day=0.1, max_penalty=0.5, relative=True
    )
    assert penalty(policy, _at("2026-11-22T12:00:00Z"), 30) == (3, pytest.approx(9.0))


def test_times_without_a_zone_are_refused() -> None:
    assert parse_time("2026-11-20T10:00:00") is None
    assert parse_time("next tuesday") is None


def _sub(source: str, submitted_at: str | None = None) -> Submission:
    return Submission(
        source=source, student_id="s", name="S", assignment=None, submitted_at=submitted_at
    )


def test_sheet_then_git_then_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    sheet = submission_time(_sub("a.yaml", "2026-11-19T10:00:00+00:00"), tmp_path, ("sheet", "git"))
    assert sheet is not None and sheet.source == "sheet"
    assert submission_time(_sub("a.yaml"), tmp_path, ("sheet", "git")) is None  # not a git checkout
    env = {
        "GIT_AUTHOR_DATE": "2026-11-22T08:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-11-22T08:00:00+00:00",
        "GIT_AUTHOR_NAME": "s",
        "GIT_AUTHOR_EMAIL": "s@x",
        "GIT_COMMITTER_NAME": "s",
        "GIT_COMMITTER_EMAIL": "s@x",
        "PATH": "/usr/bin:/bin",
    }
    for cmd in (
        ["git", "init", "-q"],
        ["git", "add", "a.yaml"],
        ["git", "commit", "-qm", "hand in"],
    ):
        subprocess.run(cmd, cwd=tmp_path, env=env, check=True)
    stamp = submission_time(_sub("a.yaml"), tmp_path, ("sheet", "git"))
    assert stamp is not None and stamp.source == "git"
    assert stamp.when == _at("2026-11-22T08:00:00+00:00")
    mtime = submission_time(_sub("a.yaml"), tmp_path, ("mtime",))
    assert mtime is not None and mtime.source == "mtime"


def test_grades_show_raw_total_penalty_and_final(tmp_path: Path) -> None:
    rubric = tmp_path / "practical-1.yaml"
    text = (ROOT / "rubrics" / "practical-1.yaml").read_text(encoding="utf-8")
    rubric.write_text(
        text.replace(
            "rounding: 2",
            "rounding: 2\nlate: {deadline: '2026-11-20T23:59:00+01:00', "
            "penalty_per_day: 2, max_penalty: 6}",
        ),
        encoding="utf-8",
    )
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    body = (ROOT / "submissions" / "pen_paper_lovelace.yaml").read_text(encoding="utf-8")
    late = body.replace(
        "assignment: practical-1",
        "assignment: practical-1\nsubmitted_at: '2026-11-22T10:00:00+01:00'",
    )
    (sheets / "pen_paper_late.yaml").write_text(late.replace("s1000001", "s1"), encoding="utf-8")
    ontime = body.replace(
        "assignment: practical-1",
        "assignment: practical-1\nsubmitted_at: '2026-11-20T10:00:00+01:00'",
    )
    (sheets / "pen_paper_ontime.yaml").write_text(
        ontime.replace("s1000001", "s2"), encoding="utf-8"
    )
    (sheets / "pen_paper_notime.yaml").write_text(body.replace("s1000001", "s3"), encoding="utf-8")
    batch = grade_folder(
        BatchOptions(folder=sheets, rubric=rubric, workers=0, submitted_from=("sheet",))
    )
    write_gradebook(batch.gradebook, tmp_path / "gb")
    with (tmp_path / "gb" / "grades.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert (rows["s1"]["raw_total"], rows["s1"]["late_penalty"], rows["s1"]["total"]) == (
        "30",
        "4",
        "26",
    )
    assert rows["s1"]["days_late"] == "2"
    assert (rows["s2"]["late_penalty"], rows["s2"]["total"]) == ("0", "30")
    assert rows["s3"]["submitted_at"] == "" and rows["s3"]["total"] == "30"
    assert "no submission time" in rows["s3"]["message"]
