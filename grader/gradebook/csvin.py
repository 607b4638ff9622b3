"""Reading every CSV a person hands us (TA scores, rosters) the way spreadsheets and LMSs save it.

One reader for Canvas, Moodle and Gradescope downloads and for Excel, LibreOffice and Numbers
saves, in `grade` and in `grade export` alike. Tolerant where they differ:

- encodings: UTF-8 with or without a BOM; UTF-16 with a BOM (Excel's "Unicode Text"); a file
  that is not UTF-8 but is valid Windows-1252 (Excel's plain "CSV" on Windows) is read as
  such, with a WARNING that shows a line as read so a wrong guess is seen. Anything else is
  refused with the line of the first bad byte and the fix ("save as CSV UTF-8").
- dialects: "," or ";" (or tab) as delimiter, chosen by which one yields the required header;
  Excel's ``sep=;`` first line; CRLF; blank lines; header names in any case with spaces
  (``Student ID`` = ``student_id``); the apostrophe our writers put in front of formula-like
  cells; Canvas's ``Points Possible`` row (skipped).

Strict where guessing would corrupt data: a record with more non-empty cells than the header
(an unquoted ``1,5`` in a comma file) is refused with an ERROR naming file:line, never shifted
into the next column; a file that is not text, not CSV or lacks a required column is refused.
Size is bounded (bytes and records) and records are stored compactly, so a 400,000-row file
is read in bounded memory or refused with one message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.gradebook.text import one_line, unneutralise
from grader.model import Location, Message, Reason, Severity, frozen_mapping

MAX_CSV_BYTES = 20_000_000
MAX_CSV_RECORDS = 200_000
DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?")
_KEY_SEPARATORS = re.compile(r"[\s\-]+")
POINTS_POSSIBLE = "points possible"
_SAMPLE_CHARS = 60


@dataclass(frozen=True)
class CsvRow:
    """One data record: its first line in the file and its cells, read by normalised key."""

    line: int
    values: tuple[str, ...]
    index: Mapping[str, int] = field(repr=False, compare=False)

    def get(self, key: str) -> str:
        """The cell of column `key` ("" when absent or the record is shorter than the header)."""
        position = self.index.get(key)
        if position is None or position >= len(self.values):
            return ""
        return self.values[position]

    @property
    def cells(self) -> Mapping[str, str]:
        """Every cell by key (built on demand: rows are stored as tuples)."""
        return frozen_mapping({key: self.get(key) for key in self.index})


@dataclass(frozen=True)
class CsvTable:
    """A read CSV: header names as written, their normalised keys, the non-blank records."""

    path: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    rows: tuple[CsvRow, ...]
    encoding: str = "utf-8"
    delimiter: str = ","
    crlf: bool = False


def normalise_key(name: str) -> str:
    """A header name as a key: trimmed, lower case, spaces and hyphens as one underscore."""
    return _KEY_SEPARATORS.sub("_", unneutralise(name).strip()).lower()


def _error(path: str, text: str, reason: Reason, line: int | None = None) -> Message:
    return Message(Severity.ERROR, text, Location(path, line=line), reason)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: most odd (LE) or even (BE) bytes of an ASCII-ish text are NUL."""
    sample = data[:2000]
    return len(sample) >= 4 and max(sample[1::2].count(0), sample[0::2].count(0)) > len(
        sample
    ) // 4


def _sample(text: str) -> str:
    """The first line holding a non-ASCII character, as read (for the encoding warning)."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.isascii():
            return f"line {number} reads {one_line(line)[:_SAMPLE_CHARS]!r}"
    return "it is ASCII only"


def _decode(path: Path) -> tuple[str | None, str, list[Message]]:
    """The file's text (BOM dropped), its encoding, and an ERROR (no text) or WARNING."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            return None, "", [_error(where, f"file larger than {MAX_CSV_BYTES} bytes",
                                     Reason.FILE_TOO_LARGE)]  # fmt: skip
        data = path.read_bytes()
    except FileNotFoundError:
        return None, "", [_error(where, "no such file", Reason.FILE_UNREADABLE)]
    except OSError as error:
        return None, "", [_error(where, f"cannot read the file: {error.strerror or error}",
                                 Reason.FILE_UNREADABLE)]  # fmt: skip
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as error:
            problem = "broken UTF-16 text (save the sheet as 'CSV UTF-8')"
            return None, "", [_error(where, problem, Reason.FILE_UNREADABLE,
                                     _line_of(data, error.start))]  # fmt: skip
    if b"\x00" in data:
        line = _line_of(data, data.index(b"\x00"))
        problem = ("UTF-16 text without a byte-order mark" if _looks_utf16(data)
                   else "not a text file (it contains NUL bytes)")  # fmt: skip
        return None, "", [_error(where, f"{problem}: save the sheet as 'CSV UTF-8'",
                                 Reason.FILE_UNREADABLE, line)]  # fmt: skip
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = _line_of(data, utf8_error.start)
        problem = (f"not UTF-8 text (byte 0x{data[utf8_error.start]:02X}) nor Windows-1252: "
                   "save the sheet as 'CSV UTF-8'")  # fmt: skip
        return None, "", [_error(where, problem, Reason.FILE_UNREADABLE, line)]
    note = (f"not UTF-8: read as Windows-1252, as Excel saves plain 'CSV' ({_sample(text)}); "
            "if that looks wrong, save the sheet as 'CSV UTF-8'")  # fmt: skip
    line = _line_of(data, utf8_error.start)
    return text, "cp1252", [Message(Severity.WARNING, note, Location(where, line=line))]


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


class _Broken(Exception):
    def __init__(self, line: int, text: str) -> None:
        super().__init__(text)
        self.line = line


def _records(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Every record with its first line number; raises _Broken where the CSV breaks off."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    consumed = 0
    try:
        for record in reader:
            yield first_line + consumed, [unneutralise(cell) for cell in record]
            consumed = reader.line_num
    except csv.Error as error:
        raise _Broken(first_line + max(reader.line_num - 1, 0), str(error)) from error


def _header_index(header: Sequence[str], where: str, line: int) -> tuple[dict[str, int],
                                                                        list[Message]]:
    """Column position by key (the first of a repeated name) and WARNINGs for repeats."""
    index: dict[str, int] = {}
    messages = []
    for position, name in enumerate(header):
        key = normalise_key(name)
        if not key:
            continue
        if key in index:
            text = f"column {name!r} repeats an earlier column; the first one is used"
            messages.append(Message(Severity.WARNING, text, Location(where, line=line)))
            continue
        index[key] = position
    return index, messages


def _surplus(record: Sequence[str], width: int) -> bool:
    return any(cell.strip() for cell in record[width:])


def _too_wide(where: str, line: int, record: Sequence[str], width: int) -> Message:
    text = (f"this row has {len(record)} cells but the header has {width}: a comma inside a cell "
            "that is not quoted (for a decimal comma write 1.5 or \"1,5\"); row not used")
    return _error(where, text, Reason.EXTRA_CELLS, line)


def read_csv_table(path: Path, required: Sequence[str]) -> tuple[CsvTable | None, list[Message]]:
    """Read `path` as a table that must have the `required` columns (normalised keys).

    Returns (None, [ERROR]) when the file cannot be read, is not CSV, lacks a column or holds
    more than MAX_CSV_RECORDS records; else the table and its messages: WARNINGs (a repeated
    column name, a guessed encoding) and an ERROR per record refused for extra cells.
    """
    table, _, messages = read_csv_choice(path, [required])
    return table, messages


def read_csv_choice(
    path: Path, choices: Sequence[Sequence[str]], missing: str | None = None
) -> tuple[CsvTable | None, int, list[Message]]:
    """Read `path` as the first of several layouts whose required columns its header has (a
    roster in our layout or an LMS's); returns the table, which choice matched, the messages.
    `missing` words the error when none matches (default: the first choice's missing columns).
    """
    where = str(path)
    text, encoding, messages = _decode(path)
    if text is None:
        return None, -1, messages
    forced, first_line = None, 1
    sep = _SEP_LINE.match(text)
    if sep:  # Excel's "sep=;" hint line
        forced, text, first_line = sep.group(1), text[sep.end() :], 2
    matches = ((i, _choose_delimiter(text, required, forced)) for i, required in enumerate(choices))
    choice, delimiter = next(((i, d) for i, d in matches if d is not None), (-1, None))
    if delimiter is None:
        found = [normalise_key(c) for c in _first_record(text, forced or ",")]
        absent = ", ".join(key for key in choices[0] if key not in found)
        problem = missing or f"missing required column(s): {absent}"
        return None, -1, [*messages, _error(where, problem, Reason.MISSING_COLUMN, first_line)]
    try:
        table, messages = _table(where, text, delimiter, first_line, encoding, messages)
    except _Broken as broken:
        return None, -1, [_error(where, f"not a valid CSV file: {broken}",
                                 Reason.FILE_UNREADABLE, broken.line)]  # fmt: skip
    return table, choice, messages


def _table(
    where: str, text: str, delimiter: str, first_line: int, encoding: str, messages: list[Message]
) -> tuple[CsvTable | None, list[Message]]:
    records = _records(text, delimiter, first_line)
    header_line, header = next(records, (first_line, []))
    index, repeats = _header_index(header, where, header_line)
    messages = [*messages, *repeats]
    shared = frozen_mapping(index)
    width = len(header)
    rows: list[CsvRow] = []
    for count, (line, record) in enumerate(records, 1):
        if count > MAX_CSV_RECORDS:
            text = f"more than {MAX_CSV_RECORDS} rows: split the file (nothing in it was used)"
            return None, [_error(where, text, Reason.FILE_TOO_LARGE, line)]
        if not any(cell.strip() for cell in record) or _skipped(record):
            continue
        if _surplus(record, width):
            messages.append(_too_wide(where, line, record, width))
            continue
        rows.append(CsvRow(line, tuple(record[:width]), shared))
    keys = tuple(normalise_key(cell) for cell in header)
    crlf = text.partition("\n")[0].endswith("\r")
    table = CsvTable(where, tuple(header), keys, tuple(rows), encoding, delimiter, crlf)
    return table, messages


def _skipped(record: Sequence[str]) -> bool:
    """Canvas's "Points Possible" row: a header of points, not a student."""
    return bool(record) and record[0].strip().lower() == POINTS_POSSIBLE
