"""Reading staff CSVs (TA scores, rosters) the way spreadsheets save them.

Tolerant where spreadsheets differ -- a UTF-8 BOM, "," or ";" (or tab) as delimiter chosen by
which one yields the required header, Excel's ``sep=;`` first line, header names in any case
with spaces (``Student ID`` = ``student_id``), blank lines, the apostrophe our writers put in
front of formula-like cells -- and strict where guessing would corrupt data: a file that is not
UTF-8, not CSV or lacks a required column is refused with a located ERROR message.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.text import unneutralise
from grader.model import Location, Message, Reason, Severity, frozen_mapping

MAX_CSV_BYTES = 20_000_000
DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?")
_KEY_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class CsvRow:
    """One data record: its first line in the file, and its cells by normalised column name."""

    line: int
    cells: Mapping[str, str]

    def get(self, key: str) -> str:
        """The cell of column `key` ("" when the record is shorter than the header)."""
        value = self.cells.get(key, "")
        return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class CsvTable:
    """A read CSV: header names as written, their normalised keys, the non-blank records."""

    path: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    rows: tuple[CsvRow, ...]


def normalise_key(name: str) -> str:
    """A header name as a key: trimmed, lower case, spaces and hyphens as one underscore."""
    return _KEY_SEPARATORS.sub("_", unneutralise(name).strip()).lower()


def _error(path: str, text: str, reason: Reason, line: int | None = None) -> Message:
    return Message(Severity.ERROR, text, Location(path, line=line), reason)


def _decode(path: Path) -> tuple[str | None, list[Message]]:
    """The file's text (BOM dropped), or None and an ERROR message."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            return None, [_error(where, f"file larger than {MAX_CSV_BYTES} bytes",
                                 Reason.FILE_TOO_LARGE)]  # fmt: skip
        data = path.read_bytes()
    except OSError as error:
        return None, [_error(where, f"cannot read the file: {error.strerror or error}",
                             Reason.FILE_UNREADABLE)]  # fmt: skip
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = "not UTF-8 text (save the sheet as 'CSV UTF-8')"
        return None, [_error(where, problem, Reason.FILE_UNREADABLE, line)]
    if "\x00" in text:  # binary, or UTF-16 without a BOM: not a CSV we can trust
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [_error(where, "contains NUL characters", Reason.FILE_UNREADABLE, line)]
    return text, []


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def _choose_delimiter(text: str, required: Sequence[str], forced: str | None) -> str | None:
    """The delimiter whose header holds every required column, or None."""
    for delimiter in (forced,) if forced else DELIMITERS:
        keys = {normalise_key(cell) for cell in _first_record(text, delimiter)}
        if all(key in keys for key in required):
            return delimiter
    return None


def _records(
    text: str, delimiter: str, first_line: int
) -> tuple[list[tuple[int, list[str]]], Message | None]:
    """Every record with its first line number, and an ERROR if the CSV breaks off."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for record in reader:
            records.append((first_line + consumed, [unneutralise(cell) for cell in record]))
            consumed = reader.line_num
    except csv.Error as error:
        line = first_line + max(reader.line_num - 1, 0)
        return records, _error("", f"not a valid CSV file: {error}", Reason.FILE_UNREADABLE, line)
    return records, None


def read_csv_table(path: Path, required: Sequence[str]) -> tuple[CsvTable | None, list[Message]]:
    """Read `path` as a table that must have the `required` columns (normalised keys).

    Returns (None, [ERROR]) when the file cannot be read, is not CSV or lacks a column; else
    the table and WARNINGs (a repeated column name: the first one is used).
    """
    where = str(path)
    text, problems = _decode(path)
    if text is None:
        return None, problems
    forced, first_line = None, 1
    sep = _SEP_LINE.match(text)
    if sep:  # Excel's "sep=;" hint line
        forced, text, first_line = sep.group(1), text[sep.end() :], 2
    delimiter = _choose_delimiter(text, required, forced)
    if delimiter is None:
        found = [normalise_key(c) for c in _first_record(text, forced or ",")]
        missing = ", ".join(key for key in required if key not in found)
        return None, [_error(where, f"missing required column(s): {missing}",
                             Reason.MISSING_COLUMN, first_line)]  # fmt: skip
    records, broken = _records(text, delimiter, first_line)
    if broken is not None:
        return None, [_error(where, broken.text, Reason.FILE_UNREADABLE, broken.location.line)]
    header = records[0][1]
    keys = [normalise_key(cell) for cell in header]
    messages: list[Message] = []
    for index, key in enumerate(keys):
        if key and key in keys[:index]:
            text = f"column {header[index]!r} repeats an earlier column; the first one is used"
            messages.append(Message(Severity.WARNING, text, Location(where, line=first_line)))
    rows = [
        CsvRow(line, frozen_mapping(_cells(keys, record)))
        for line, record in records[1:]
        if any(cell.strip() for cell in record)
    ]
    return CsvTable(where, tuple(header), tuple(keys), tuple(rows)), messages


def _cells(keys: Sequence[str], record: Sequence[str]) -> dict[str, str]:
    """Cells by key; the first column of a repeated name wins, surplus cells are dropped."""
    cells: dict[str, str] = {}
    for key, value in zip(keys, record, strict=False):
        if key and key not in cells:
            cells[key] = value
    return cells
