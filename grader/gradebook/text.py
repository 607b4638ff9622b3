"""Cleaning text for gradebook files: encodable, single-meaning, formula-safe.

Student-controlled strings reach every file we write. Before they do, they are made encodable
(lone surrogates and control characters become U+FFFD), their line breaks normalised (a lone CR
would otherwise split a CSV row: the csv module only quotes the characters of its line
terminator) and, in CSV, neutralised against spreadsheet formula injection.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# C0 controls except TAB and LF, DEL, C1 controls, and lone surrogates (not encodable in UTF-8).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_WHITESPACE_RUN = re.compile(r"\s+")

# A cell starting with one of these is a formula (or a DDE payload) to Excel/LibreOffice/Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The escape prefix itself is escaped too, so that unneutralise() restores every value exactly;
# so is a leading LF, which is what a leading CR becomes after clean_text().
_NEEDS_PREFIX = (*FORMULA_STARTS, "'", "\n")

# Excel's limit for one cell; a longer cell is cut there rather than breaking the sheet.
MAX_CELL_CHARS = 32_000


def clean_text(text: str) -> str:
    """`text` with CR/CRLF turned into LF and unencodable or control characters replaced."""
    return _UNSAFE.sub(REPLACEMENT, _LINE_BREAKS.sub("\n", text))


def one_line(text: str) -> str:
    """`text` cleaned and with every whitespace run (line breaks included) made one space."""
    return _WHITESPACE_RUN.sub(" ", clean_text(text)).strip()


def neutralise(text: str) -> str:
    """A CSV text cell that no spreadsheet evaluates: cleaned, cut to the cell limit, and given a
    leading apostrophe when it starts like a formula (=, +, -, @, tab, CR/LF) or an apostrophe.
    """
    cell = clean_text(text)
    if len(cell) > MAX_CELL_CHARS:
        cell = cell[: MAX_CELL_CHARS - 1] + "\u2026"
    if cell.startswith(_NEEDS_PREFIX):
        cell = "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise`'s prefix: one leading apostrophe before a formula start or another
    apostrophe is dropped; any other cell is returned unchanged."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1:].startswith(_NEEDS_PREFIX):
        return cell[1:]
    return cell
