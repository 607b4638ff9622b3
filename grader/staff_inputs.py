"""Course staff's inputs to a batch: the roster and TA scores.

TA scores live in the gradebook's scores.csv (grader.gradebook.ta_file), which the TAs own: it
is applied on every run. A file handed back with ``--scores`` (review.csv, or any scores CSV) is
first checked against the rubric (by the reader) and the students of the batch (here); its rows
that change a score are merged into scores.csv (appended), and the merged file is what counts.
Nothing refused is silent: every refused row or file is an ERROR naming file:line, counted in
`refused`, and the command exits 1. The roster adds a `missing` row for every student without
a submission, gives every student on it the roster's name (flagging a sheet that says another)
and flags submissions whose id is not on it; a refused roster is not applied at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.checkers.prepare import PreparedRubric
from grader.gradebook import read_roster, read_ta_scores
from grader.gradebook.scores import TAScore
from grader.gradebook.ta_file import (
    TAFile,
    current,
    encodable,
    read_ta_file,
    to_append,
    updated_bytes,
)
from grader.model import GradedSubmission, Location, Message, Reason, Severity, Status, Submission
from grader.scoring import empty_row

# A file of refused rows prints this many ERRORs, then one line saying how many more there are
# (a 400,000-row file of bad rows must not print 400,000 lines or fill results.json).
MAX_MESSAGES_PER_FILE = 20


class UsageError(Exception):
    """A problem with how the grader was called (exit status 2)."""


@dataclass(frozen=True)
class Refusals:
    """How many staff inputs were refused, by kind (the summary line counts them)."""

    score_rows: int = 0
    roster_rows: int = 0
    files: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.score_rows or self.roster_rows or self.files)

    def __add__(self, other: Refusals) -> Refusals:
        return Refusals(
            self.score_rows + other.score_rows,
            self.roster_rows + other.roster_rows,
            self.files + other.files,
        )


@dataclass(frozen=True)
class ScoreInputs:
    """The TA scores that count, what was said about them and scores.csv's new bytes."""

    overrides: Mapping[tuple[str, str], TAScore]
    messages: tuple[Message, ...] = ()
    refused: Refusals = field(default_factory=Refusals)
    ta_bytes: bytes | None = None  # scores.csv to write (None: leave it as it is)
    merged: int = 0  # rows appended to scores.csv
    ta_read: bytes | None = None  # scores.csv's bytes when they were read (None: no such file)


def capped(messages: Sequence[Message]) -> list[Message]:
    """`messages` with at most MAX_MESSAGES_PER_FILE ERRORs per file, then one ERROR saying how
    many more were refused there."""
    shown: dict[str, int] = {}
    out: list[Message] = []
    for message in messages:
        if message.severity is not Severity.ERROR:
            out.append(message)
            continue
        count = shown.get(message.location.file, 0) + 1
        shown[message.location.file] = count
        if count <= MAX_MESSAGES_PER_FILE:
            out.append(message)
    for file, count in shown.items():
        if count > MAX_MESSAGES_PER_FILE:
            more = count - MAX_MESSAGES_PER_FILE
            text = (f"... and {more} more row(s) refused in this file (the first "
                    f"{MAX_MESSAGES_PER_FILE} are listed)")  # fmt: skip
            out.append(Message(Severity.ERROR, text, Location(file)))
    return out


_FILE_REASONS = (Reason.MISSING_COLUMN, Reason.FILE_UNREADABLE, Reason.FILE_TOO_LARGE)


def _refused_rows(messages: Sequence[Message]) -> int:
    """Refused rows: located ERRORs that are not about the whole file."""
    return sum(
        1
        for m in messages
        if m.severity is Severity.ERROR and m.location.line and m.reason not in _FILE_REASONS
    )


def _file_refused(messages: Sequence[Message]) -> bool:
    return any(m.severity is Severity.ERROR and m.reason in _FILE_REASONS for m in messages)


def _unknown(score: TAScore, severity: Severity, effect: str) -> Message:
    text = f"TA score for unknown student {score.student_id!r} ({score.part}) {effect}"
    return Message(severity, text, score.location, Reason.UNKNOWN_ANSWER_ID)


def _split_known(scores: Sequence[TAScore], known: set[str]) -> tuple[list[TAScore], list[TAScore]]:
    kept = [s for s in scores if s.student_id in known]
    return kept, [s for s in scores if s.student_id not in known]


def origin_label(path: Path, out_dir: Path | None) -> str:
    """How scores.csv's `from` cells name a handed-back file: relative to the gradebook folder
    when inside it (``review.csv``), else its absolute path."""
    resolved = path.resolve()
    if out_dir is not None and resolved.is_relative_to(out_dir.resolve()):
        return resolved.relative_to(out_dir.resolve()).as_posix()
    return resolved.as_posix()


def _handed_back(
    path: Path, ta: TAFile, prepared: PreparedRubric, known: set[str], out_dir: Path | None
) -> tuple[list[TAScore], list[Message], Refusals]:
    """The rows of the --scores file to append to scores.csv, and what was refused."""
    if not path.is_file():
        problem = "no such file" if not path.exists() else "is not a file"
        message = Message(Severity.ERROR, problem, Location(str(path)), Reason.FILE_UNREADABLE)
        return [], [message], Refusals(files=(str(path),))
    scores, messages = read_ta_scores(path, prepared.rubric.info())
    kept, strangers = _split_known(scores, known)
    messages += [_unknown(s, Severity.ERROR, "was not applied") for s in strangers]
    origin = origin_label(path, out_dir)
    rows = to_append(ta, kept, origin)
    for score in [s for s in rows if not encodable(ta, s)]:
        text = (f"student {score.student_id!r}, part {score.part!r}: {ta.path} is saved as "
                f"{ta.encoding}, which cannot hold this row; save it as 'CSV UTF-8'")  # fmt: skip
        messages.append(Message(Severity.ERROR, text, score.location, Reason.WRONG_TYPE))
    rows = [s for s in rows if encodable(ta, s)]
    messages.sort(key=lambda m: m.location.line or 0)  # in file order, as a TA reads the file
    files = (str(path),) if _file_refused(messages) else ()
    return rows, messages, Refusals(score_rows=_refused_rows(messages), files=files)


def read_scores(
    path: Path | None,
    prepared: PreparedRubric,
    submissions: Sequence[Submission],
    ta_path: Path | None = None,
) -> ScoreInputs:
    """The TA scores of the batch: scores.csv at `ta_path` (None: no TA file) merged with the
    file handed back at `path` (None: none), keyed by (student id, part)."""
    info = prepared.rubric.info()
    known = {s.student_id for s in submissions}
    out_dir = ta_path.parent if ta_path is not None else None
    ta, messages = (
        read_ta_file(ta_path, info) if ta_path is not None else (TAFile(Path(), None), [])
    )
    refused = Refusals(
        score_rows=_refused_rows(messages),
        files=(str(ta_path),) if _file_refused(messages) else (),
    )
    rows: list[TAScore] = []
    if path is not None:
        rows, more, handed = _handed_back(path, ta, prepared, known, out_dir)
        messages += more
        refused += handed
    counting = current([*ta.scores, *rows])
    applied, strangers = _split_known(list(counting.values()), known)
    messages += [_unknown(s, Severity.WARNING, "is kept in scores.csv, not applied")
                 for s in strangers if s in ta.scores]  # fmt: skip
    ta_bytes = None
    if ta_path is not None and ta.appendable and (ta.data is None or rows):
        origin = origin_label(path, out_dir) if path is not None else ""
        ta_bytes = updated_bytes(ta, rows, origin)
    overrides = {(s.student_id, s.part): s for s in applied}
    return ScoreInputs(
        overrides, tuple(capped(messages)), refused, ta_bytes, len(rows), ta.data
    )


_WORD = re.compile(r"\w+")


def _words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return set(_WORD.findall(plain.casefold()))


def names_differ(sheet: str, roster: str) -> bool:
    """Whether a sheet's name is not the roster's: neither name's words (case, accents, order
    and commas aside) hold the other's. "Ada", "ada lovelace" and "Lovelace, Ada" are all Ada
    Lovelace; "Grace Hopper" is not, nor is "Ada Byron"."""
    if not sheet.strip() or not roster.strip():
        return False
    mine, theirs = _words(sheet), _words(roster)
    return not (mine <= theirs or theirs <= mine)


def _on_roster(row: GradedSubmission, entry: Any) -> GradedSubmission:
    """The row with the roster's name, flagged when the sheet says another."""
    if not entry.name or row.name == entry.name:
        return replace(row, name=row.name or entry.name)
    if not names_differ(row.name, entry.name):
        return replace(row, name=entry.name)
    note = Message(
        Severity.WARNING,
        f"the sheet gives the name {row.name!r}; the roster's {entry.name!r} is used",
        Location(row.source),
        Reason.NAME_MISMATCH,
    )
    return replace(
        row,
        name=entry.name,
        messages=row.messages + (note,),
        flags=row.flags + (Reason.NAME_MISMATCH,),
    )


def apply_roster(
    prepared: PreparedRubric, rows: list[GradedSubmission], roster: Any
) -> tuple[list[GradedSubmission], list[Message]]:
    """Add a `missing` row per roster student without a submission; give every student on it
    the roster's name (flagged when the sheet says another); flag ids not on it."""
    entries = {e.student_id: e for e in roster.entries}
    present = {r.student_id for r in rows}
    out = []
    for row in rows:
        entry = entries.get(row.student_id)
        if entry is not None:
            row = _on_roster(row, entry)
        elif row.status is not Status.UNREADABLE:
            note = Message(
                Severity.WARNING,
                f"student id {row.student_id!r} is not on the roster",
                Location(row.source),
                Reason.NOT_ON_ROSTER,
            )
            row = replace(
                row, messages=row.messages + (note,), flags=row.flags + (Reason.NOT_ON_ROSTER,)
            )
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


def with_roster(
    path: Path, prepared: PreparedRubric, rows: list[GradedSubmission]
) -> tuple[list[GradedSubmission], list[Message], Refusals]:
    """The rows with the roster applied, the staff messages about it and what was refused. A
    roster that cannot be read or lacks its columns is refused whole and not applied."""
    if not path.is_file():
        problem = "no such file" if not path.exists() else "is not a file"
        message = Message(Severity.ERROR, problem, Location(str(path)), Reason.FILE_UNREADABLE)
        return rows, [message], Refusals(files=(str(path),))
    roster, messages = read_roster(path)
    if _file_refused(messages):
        return rows, capped(messages), Refusals(files=(str(path),))
    rows, staff = apply_roster(prepared, rows, roster)
    refused = Refusals(roster_rows=_refused_rows(messages))
    return rows, capped(list(messages)) + staff, refused
