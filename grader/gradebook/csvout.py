"""CSV bytes as every gradebook CSV is written: UTF-8 without BOM, comma, minimal quoting, LF.

A cell is either text (a str: cleaned and formula-neutralised), a number (int, float, Decimal:
written by :func:`format_points`, never neutralised) or None (an empty cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from grader.gradebook.numbers import format_points
from grader.gradebook.text import neutralise

Cell = str | int | float | Decimal | None


def render_cell(cell: Cell) -> str:
    """The text of one cell (see the module docstring)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return neutralise(cell)
    return format_points(cell)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole CSV file: `header` then one line per row, encoded as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([render_cell(name) for name in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} cells, header has {len(header)}")
        writer.writerow([render_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
