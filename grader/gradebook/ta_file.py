"""scores.csv: the file in the gradebook folder that holds every TA score, owned by the TAs.

`grade` creates it (a header only) on the first run and afterwards only ever appends to it:
the rows of a file handed back with ``--scores`` (review.csv, or any scores CSV) that change a
score are added at the end, in the file's own dialect (delimiter, line breaks, encoding), with a
``from`` cell naming the handed-back file and line. It is never truncated, rewritten or
replaced by other content: the bytes it held are always the start of the bytes it holds. A TA may
also edit it by hand; its last row per (student, part) is the score that counts.

Merging is idempotent: a handed-back row is appended only when it differs both from the score
that counts now and from the last row merged from the same file for that student and part, so
handing the same file back again appends nothing, and a TA's later edit of scores.csv is not
undone by handing back an older file again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grader.gradebook.csvin import read_csv_table
from grader.gradebook.csvout import Cell, csv_line
from grader.gradebook.scores import REQUIRED, TAScore, valid_scores
from grader.model import AssignmentInfo, Message

TA_FILE = "scores.csv"
HEADER = ("student_id", "part", "points", "grader", "comment", "from")


@dataclass(frozen=True)
class TAFile:
    """scores.csv as read: its valid scores in file order, its bytes and how to append to it."""

    path: Path
    data: bytes | None  # None: the file does not exist yet
    scores: tuple[TAScore, ...] = ()  # every valid row, in file order (the last per key counts)
    delimiter: str = ","
    newline: str = "\n"
    encoding: str = "utf-8"
    appendable: bool = True  # False when its header could not be read: it is then left alone


class TAFileError(Exception):
    """scores.csv exists but cannot be read: nothing may be written over it."""


def read_ta_file(path: Path, info: AssignmentInfo) -> tuple[TAFile, list[Message]]:
    """scores.csv at `path` (absent: an empty TAFile) and the messages about its rows.

    Raises TAFileError when the file exists but cannot be read at all."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return TAFile(path, None), []
    except OSError as error:
        raise TAFileError(
            f"{path}: cannot read the TA scores: {error.strerror or error}"
        ) from error
    if not data.strip():
        return TAFile(path, data), []
    table, messages = read_csv_table(path, REQUIRED)
    if table is None:
        return TAFile(path, data, appendable=False), messages
    kept = tuple(valid_scores(table, info, messages))
    newline = "\r\n" if table.crlf else "\n"
    encoding = table.encoding
    if encoding == "utf-16":
        encoding = "utf-16-be" if data.startswith(b"\xfe\xff") else "utf-16-le"
    return TAFile(path, data, kept, table.delimiter, newline, encoding), messages


def plain_number(points: float) -> str:
    """Points exactly as read back (``1.255``, ``2``, ``0.5``): scores.csv keeps a TA's points
    unrounded, so that the rubric's rounding applies to them the same way on every run."""
    text = format(Decimal(repr(float(points))), "f")
    return text[:-2] if text.endswith(".0") else text


def encodable(ta: TAFile, score: TAScore) -> bool:
    """Whether scores.csv's encoding can hold the row of `score` (a Windows-1252 file cannot
    hold every character a TA may type)."""
    try:
        (score.student_id + score.grader + score.comment).encode(ta.encoding)
    except UnicodeEncodeError:
        return False
    return True


def current(scores: Iterable[TAScore]) -> dict[tuple[str, str], TAScore]:
    """The score that counts per (student, part): the last one."""
    out: dict[tuple[str, str], TAScore] = {}
    for score in scores:
        out.pop((score.student_id, score.part), None)
        out[(score.student_id, score.part)] = score
    return out


def _origin_file(origin: str) -> str:
    return origin.rpartition(":")[0] if ":" in origin else origin


def to_append(ta: TAFile, incoming: Sequence[TAScore], origin: str) -> list[TAScore]:
    """The rows of `incoming` (read from the file labelled `origin`) to append to scores.csv."""
    counting = current(ta.scores)
    merged_before: dict[tuple[str, str], TAScore] = {}
    for score in ta.scores:
        if _origin_file(score.origin) == origin:
            merged_before[(score.student_id, score.part)] = score
    rows = []
    for score in incoming:
        key = (score.student_id, score.part)
        now, before = counting.get(key), merged_before.get(key)
        if (now is not None and now.same_score(score)) or (
            before is not None and before.same_score(score)
        ):
            continue
        rows.append(score)
        counting[key] = score
    return rows


def updated_bytes(ta: TAFile, rows: Sequence[TAScore], origin: str) -> bytes:
    """scores.csv's new bytes: exactly its old bytes, then `rows` (a header first when the file
    is new or empty), in its own dialect."""
    old = ta.data or b""
    text = "" if old.strip() else csv_line(HEADER, ta.delimiter, ta.newline)
    if old and not old.endswith(b"\n") and old.strip():
        text = ta.newline
    for score in rows:
        points = plain_number(score.points)
        cells: list[Cell] = [
            score.student_id, score.part,
            points.replace(".", ",") if ta.delimiter == ";" else points,
            score.grader, score.comment,
            f"{origin}:{score.location.line}" if score.location.line else origin,
        ]  # fmt: skip
        text += csv_line(cells, ta.delimiter, ta.newline)
    return old + _encode(text, ta.encoding)


def _encode(text: str, encoding: str) -> bytes:
    """`text` in the file's encoding (rows were checked with :func:`encodable`)."""
    return text.encode(encoding)
