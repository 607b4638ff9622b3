"""CSV bytes as every gradebook CSV and export is written: UTF-8 without BOM, comma, LF.

A cell is either text (a str: cleaned and formula-neutralised by
:func:`grader.gradebook.text.neutralise`, the one function for every text cell that leaves for a
spreadsheet), a number (int, float, Decimal: written by :func:`format_points`, never
neutralised) or None (an empty cell).

Quoting is wider than the csv module's minimal one: a text cell holding any delimiter a
spreadsheet may split on (``,``, ``;`` -- the list separator of German or French Excel --, a
tab), a quote or a line break is quoted, so that ``Ada;=cmd|...`` stays
one cell whatever the spreadsheet's locale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from grader.gradebook.numbers import format_points
from grader.gradebook.text import neutralise

Cell = str | int | float | Decimal | None

_NEEDS_QUOTES = re.compile(r'[,;\t"\n\r]')


def render_cell(cell: Cell, decimal_comma: bool = False) -> str:
    """The text of one cell (see the module docstring), before quoting."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return neutralise(cell)
    number = format_points(cell)
    return number.replace(".", ",") if decimal_comma else number


def _field(cell: Cell, decimal_comma: bool) -> str:
    text = render_cell(cell, decimal_comma)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells: Sequence[Cell], delimiter: str = ",", newline: str = "\n") -> str:
    """One CSV record with its line break (a record of one empty cell is written ``""``, as the
    csv module does, so that it is not a blank line). With ";" as delimiter (a file saved by a
    decimal-comma locale's spreadsheet) numbers are written with a decimal comma."""
    line = delimiter.join(_field(cell, delimiter == ";") for cell in cells)
    return (line or ('""' if len(cells) == 1 else "")) + newline


def csv_records(rows: Iterable[Sequence[Cell]], width: int, texts: dict[str, str]) -> str:
    """The CSV records of `rows` (each of `width` cells), joined; `texts` keeps each distinct
    text cell's field, neutralised and quoted once (ids, outcomes and feedback repeat down a
    file), for the next call."""
    lines = []

    def field(cell: Cell) -> str:
        if type(cell) is not str:
            return _field(cell, False)
        text = texts.get(cell)
        if text is None:
            text = texts[cell] = _field(cell, False)
        return text

    for row in rows:
        if len(row) != width:
            raise ValueError(f"row has {len(row)} cells, header has {width}")
        line = ",".join([field(cell) for cell in row])
        lines.append((line or ('""' if len(row) == 1 else "")) + "\n")
    return "".join(lines)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole CSV file: `header` then one line per row, encoded as UTF-8 (see
    :func:`csv_records`)."""
    return (csv_line(list(header)) + csv_records(rows, len(header), {})).encode("utf-8")
