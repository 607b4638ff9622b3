"""What may be written into a gradebook folder, and what must be carried over unchanged.

`grade` publishes a whole gradebook folder, so it must know whose files are in it:

- :func:`folder_problem` refuses a folder that is not a gradebook (it holds files `grade`
  did not write, such as the submissions or a TA's spreadsheet): writing a gradebook there
  would mix it with, or replace, someone's files.
- :func:`staff_files` lists the files of the folder that belong to people but carry a name
  grade writes, with their bytes, so that they are published unchanged with the new set: a
  review.csv handed back, scores.csv with the rows merged into it, a review.csv holding TA
  scores not handed back yet. Other files people saved there (a roster) are kept by the
  publish itself (grader.gradebook.publish). `grade` never overwrites or deletes a file it was
  given as input, wherever it lies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from grader.gradebook.publish import MANIFEST_FILE
from grader.gradebook.scores import TAScore, read_ta_scores
from grader.gradebook.ta_file import TA_FILE
from grader.gradebook.writer import (
    ERRORS_FILE,
    FEEDBACK_DIR,
    GRADES_FILE,
    PARTS_FILE,
    RESULTS_FILE,
    REVIEW_FILE,
)
from grader.model import AssignmentInfo

EXPORT_DIR = "exports"
WRITTEN = frozenset({GRADES_FILE, PARTS_FILE, REVIEW_FILE, RESULTS_FILE, ERRORS_FILE, TA_FILE})
WRITTEN_DIRS = frozenset({FEEDBACK_DIR, EXPORT_DIR})
_SHOWN = 3


def folder_problem(
    out_dir: Path, known: Iterable[str] = (), inputs: Sequence[Path] = ()
) -> str | None:
    """Why `out_dir` cannot take a gradebook, or None. A missing or empty folder, or a
    gradebook (one holding a file grade writes: its manifest, results.json, grades.csv, ...;
    other files a TA saved there are kept by the publish) is fine. A folder with other things
    and nothing of a gradebook -- the submissions, a home folder -- is refused. `known` adds
    names other writers put there (the report); the run's `inputs` and hidden entries
    (temporaries, locks) do not count."""
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        return f"{out_dir} is a file, not a gradebook folder; choose another --out"
    names = WRITTEN | frozenset(known) | {MANIFEST_FILE}
    allowed = {p.resolve() for p in inputs}
    entries = [e for e in sorted(out_dir.iterdir()) if e.resolve() not in allowed]
    if any(e.name in names for e in entries) or not any(
        not e.name.startswith(".") for e in entries
    ):
        return None
    strangers = [e.name for e in entries if not e.name.startswith(".")]
    shown = ", ".join(strangers[:_SHOWN]) + (", ..." if len(strangers) > _SHOWN else "")
    return (f"{out_dir} is not a gradebook folder (it holds {shown} and no gradebook): grade "
            "into a new or empty folder with --out DIR")  # fmt: skip


def inside(out_dir: Path, path: Path) -> str | None:
    """`path` relative to `out_dir` (POSIX) when it lies inside it, else None."""
    base, target = out_dir.resolve(), path.resolve()
    return target.relative_to(base).as_posix() if target.is_relative_to(base) else None


def input_problem(out_dir: Path, path: Path, option: str) -> str | None:
    """Why an input file lying in the gradebook folder cannot be used: it is a file that grade
    writes there (only review.csv and scores.csv are read back)."""
    relative = inside(out_dir, path)
    if relative is None or relative in (REVIEW_FILE, TA_FILE):
        return None
    first = relative.split("/", 1)[0]
    if relative in WRITTEN or first in WRITTEN_DIRS or relative.startswith("report"):
        return (f"{option} {path}: grade writes this file itself; copy it out of {out_dir} "
                "and pass the copy")  # fmt: skip
    return None


def unmerged(path: Path, info: AssignmentInfo, counting: Mapping[tuple[str, str], TAScore]) -> int:
    """How many TA scores typed into the review.csv at `path` are not the scores that count
    (a TA filled it in but has not handed it back with --scores yet)."""
    if not path.is_file():
        return 0
    scores, _ = read_ta_scores(path, info)
    return sum(
        1
        for score in scores
        if (now := counting.get((score.student_id, score.part))) is None
        or not now.same_score(score)
    )


class StaffFileChanged(Exception):
    """A TA's file of the gradebook folder changed while grading: publishing would lose the
    edit, so nothing is published."""


def live_bytes(path: Path) -> bytes | None:
    """The bytes of the file at `path` now (None: there is no such file)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def staff_files(
    out_dir: Path,
    inputs: Sequence[Path],
    ta_bytes: bytes | None,
    keep_review: bool,
    ta_read: bytes | None,
) -> list[tuple[str, bytes]]:
    """The people's files of the folder, (relative path, bytes), to publish with the new set.

    `ta_read` is scores.csv as it was read at the start of the run. When the run has new bytes
    for it (`ta_bytes`: created, or handed-back scores merged) but a TA saved it in between,
    writing ours would drop their edit: StaffFileChanged is raised instead. Without new bytes
    the file is carried over as it is now."""
    files: dict[str, bytes] = {}
    for path in inputs:  # other files of people's in the folder are kept by the publish
        relative = inside(out_dir, path)
        if relative in (REVIEW_FILE, TA_FILE) and path.is_file():
            files[relative] = path.read_bytes()
    if keep_review and (out_dir / REVIEW_FILE).is_file():
        files[REVIEW_FILE] = (out_dir / REVIEW_FILE).read_bytes()
    now = live_bytes(out_dir / TA_FILE)
    if ta_bytes is not None and now != ta_read:
        raise StaffFileChanged(
            f"{out_dir / TA_FILE} changed while grading (saved during the run): nothing was "
            "published, so the edit is kept as it is; run grade again to grade with it"
        )
    if ta_bytes is not None:
        files[TA_FILE] = ta_bytes
    elif now is not None:
        files[TA_FILE] = now
    return sorted(files.items())
