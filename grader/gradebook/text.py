"""Cleaning text for gradebook files: encodable, visible, single-meaning, formula-safe.

Student-controlled strings reach every file we write. Before they do, they are made encodable
(lone surrogates and control characters become U+FFFD), invisible format characters are made
visible as ``<U+202E>`` (bidi overrides and isolates, zero-width spaces and joiners, the Arabic
letter mark, soft hyphens: they let a row display as another student's), line breaks are
normalised (a lone CR would otherwise split a CSV row) and, in CSV, every text cell is
neutralised against spreadsheet formula injection by :func:`neutralise`, the one function every
CSV cell we write goes through (grader.gradebook.csvout).
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"

# C0 controls except TAB and LF, DEL, C1 controls, and lone surrogates (not encodable in UTF-8).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Unicode format characters (category Cf) render as nothing or reorder what follows; the
# ones below U+10000 are listed so the regex stays fast, the rest are caught by category.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_LINE_BREAKS = re.compile(r"\r\n?")
_WHITESPACE_RUN = re.compile(r"\s+")

# A cell starting with one of these is a formula (or a DDE payload) to Excel/LibreOffice/Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms some spreadsheets (CJK locales) convert to the ASCII ones on input.
_WIDE_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
# The escape prefix itself is escaped too, so that unneutralise() restores every value exactly;
# so is a leading LF, which is what a leading CR becomes after clean_text().
_NEEDS_PREFIX = (*FORMULA_STARTS, *_WIDE_STARTS, "'", "\n")
# Spreadsheets that trim cells on import ("trim spaces") would see a formula after them.
_LEADING_SPACE = " \u00a0\u2007\u202f\u3000"

# Where a spreadsheet may start a new cell inside one of ours: German or French Excel splits a
# comma file on ";" and ignores a quote that does not open its own field, a paste splits on
# tabs, and a line break there ends the record. A formula start after one of them is escaped
# with an apostrophe too (reversibly, like the leading one).
_STARTS = re.escape("".join(_NEEDS_PREFIX[:-1]))  # formula starts and the apostrophe
_INNER = re.compile(f"([;\t\n][{_LEADING_SPACE}]*)(?=[{_STARTS}])")
_INNER_ESCAPED = re.compile(f"([;\t\n][{_LEADING_SPACE}]*)'(?=[{_STARTS}])")

# Excel's limit for one cell; a longer cell is cut there rather than breaking the sheet.
MAX_CELL_CHARS = 32_000


def visible(char: str) -> str:
    """The visible stand-in of an invisible format character: ``<U+202E>``."""
    return f"<U+{ord(char):04X}>"


def _show_invisible(text: str) -> str:
    text = _INVISIBLE.sub(lambda m: visible(m.group()), text)
    if text.isascii():
        return text
    return "".join(visible(c) if unicodedata.category(c) == "Cf" else c for c in text)


def clean_text(text: str) -> str:
    """`text` with CR/CRLF turned into LF, unencodable or control characters replaced and
    invisible format characters (bidi controls, zero-width characters) shown as ``<U+XXXX>``."""
    if text.isascii() and text.isprintable():  # most text: nothing to clean (no regex pass)
        return text
    return _show_invisible(_UNSAFE.sub(REPLACEMENT, _LINE_BREAKS.sub("\n", text)))


def one_line(text: str) -> str:
    """`text` cleaned and with every whitespace run (line breaks included) made one space."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip()  # printable ASCII: single spaces are its only whitespace
    return _WHITESPACE_RUN.sub(" ", clean_text(text)).strip()


def _needs_prefix(cell: str) -> bool:
    return cell.startswith(_NEEDS_PREFIX) or cell.lstrip(_LEADING_SPACE).startswith(
        _NEEDS_PREFIX[:-2]
    )


def cell_text(text: str) -> str:
    """`text` cleaned and cut to the cell limit: what a CSV cell of ours holds once the
    neutralising apostrophe is dropped (so a value read back compares equal)."""
    cell = clean_text(text)
    if len(cell) > MAX_CELL_CHARS:
        cell = cell[: MAX_CELL_CHARS - 1] + "\u2026"
    return cell


def neutralise(text: str) -> str:
    """A CSV text cell that no spreadsheet evaluates: cleaned, cut to the cell limit, and given a
    leading apostrophe when it starts like a formula (=, +, -, @, tab, CR/LF, their full-width
    forms, also after leading spaces) or with an apostrophe -- and the same after every ``;``,
    tab or line break inside it, where a spreadsheet splitting on another delimiter than ours
    starts a cell (``Ada;=cmd`` becomes ``Ada;'=cmd``). csvout also quotes every cell holding
    ``,``, ``;`` or a tab. :func:`unneutralise` undoes all of it.
    """
    cell = _INNER.sub(r"\1'", cell_text(text))
    if _needs_prefix(cell):
        cell = "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise`'s prefix: one leading apostrophe before a cell that needs it
    (a formula start or another apostrophe) is dropped; any other cell is returned unchanged."""
    if len(cell) >= 2 and cell[0] == "'" and _needs_prefix(cell[1:]):
        cell = cell[1:]
    return _INNER_ESCAPED.sub(r"\1", cell) if "'" in cell else cell
