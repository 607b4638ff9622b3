"""Late submissions: when a sheet was handed in, and the penalty the rubric's policy gives.

The submission time comes, in the order the TA chooses (`--submitted-from`), from the sheet's
`submitted_at:`, from git (the last commit touching the file, when the folder is a git checkout),
or from the file's modification time (not reproducible across copies, so never the default).
The penalty is taken from the total after the bonus rule and never makes a total negative:
`days_late = ceil((time - deadline - grace) / 1 day)`, `penalty = min(max_penalty, days * per_day)`
(per_day and max_penalty in points, or as fractions of max_total when `relative: true`).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from grader.loaders.files import source_path
from grader.model import (
    GradedSubmission,
    Location,
    Message,
    Reason,
    Severity,
    Submission,
    frozen_mapping,
)
from grader.numeric import round_points
from grader.rubric.spec import LatePolicy, parse_time

SOURCES = ("sheet", "git", "mtime")


@dataclass(frozen=True)
class Stamp:
    """A submission time and where it came from."""

    when: datetime
    source: str


def submission_time(submission: Submission, folder: Path, sources: Sequence[str]) -> Stamp | None:
    """The first submission time found among `sources` ("sheet", "git", "mtime")."""
    for source in sources:
        stamp = _from(source, submission, folder)
        if stamp is not None:
            return Stamp(stamp, source)
    return None


def _from(source: str, submission: Submission, folder: Path) -> datetime | None:
    path = source_path(folder, submission.source)  # the source is shown as UTF-8
    if source == "sheet" and submission.submitted_at:
        return parse_time(submission.submitted_at)
    if source == "git" and submission.source:
        return _git_time(path)
    if source == "mtime" and submission.source and path.is_file():
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return None


def _git_time(path: Path) -> datetime | None:
    # A fixed argument list (no shell); `--` keeps a file name from being read as an option.
    try:
        result = subprocess.run(
            ["git", "-C", str(path.parent), "log", "-1", "--format=%cI", "--", path.name],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_time(result.stdout) if result.returncode == 0 and result.stdout.strip() else None


def penalty(policy: LatePolicy, when: datetime, max_total: float) -> tuple[int, float]:
    """(started days late, penalty in points) for a submission at `when`."""
    deadline = parse_time(policy.deadline)
    if deadline is None:
        return 0, 0.0
    over = when - deadline - timedelta(hours=policy.grace_hours)
    if over <= timedelta(0):
        return 0, 0.0
    days = math.ceil(over / timedelta(days=1))
    scale = max_total if policy.relative else 1.0
    return days, min(policy.max_penalty * scale, days * policy.penalty_per_day * scale)


def apply_late(
    row: GradedSubmission,
    policy: LatePolicy,
    stamp: Stamp | None,
    max_total: float,
    places: int = 2,
) -> GradedSubmission:
    """The row with its late penalty taken off the total, and the details kept for exports
    (penalty and total rounded to `places` decimals, the rubric's `rounding:`)."""
    if stamp is None:
        note = Message(
            Severity.WARNING,
            "no submission time found: no late penalty applied",
            Location(row.source),
            Reason.LATE,
        )
        late: dict[str, Any] = {
            "submitted_at": None,
            "days_late": 0,
            "penalty": 0.0,
            "raw_total": row.total,
        }
        return replace(row, messages=row.messages + (note,), detail=_with(row, late))
    days, points = penalty(policy, stamp.when, max_total)
    points = round_points(min(points, row.total), places)
    late = {
        "submitted_at": stamp.when.isoformat(),
        "source": stamp.source,
        "days_late": days,
        "penalty": points,
        "raw_total": row.total,
    }
    if not days:
        return replace(row, detail=_with(row, late))
    note = Message(
        Severity.INFO,
        f"submitted {days} day(s) late ({stamp.when.isoformat()}, from the {stamp.source}): "
        f"-{points:g} points",
        Location(row.source),
        Reason.LATE,
    )
    return replace(
        row,
        total=round_points(row.total - points, places),
        messages=row.messages + (note,),
        detail=_with(row, late),
    )


def _with(row: GradedSubmission, late: Mapping[str, Any]) -> Mapping[str, Any]:
    return frozen_mapping({**row.detail, "late": frozen_mapping(late)})
