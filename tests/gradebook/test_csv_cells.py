"""CSV cells: cleaning, formula neutralisation and its inverse, quoting, numbers vs text."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.gradebook import neutralise, unneutralise
from grader.gradebook.csvout import csv_bytes
from grader.gradebook.text import MAX_CELL_CHARS, REPLACEMENT, clean_text

NEUTRALISED = (
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\nx"), ("'x", "''x"), ("\nx", "'\nx"),
    ("abc", "abc"), ("", ""), ("a=b", "a=b"), (" =1", "' =1"), ("1-2", "1-2"),
    ("\uff1d1", "'\uff1d1"), ("\u00a0+1", "'\u00a0+1"), ("a\u202eb", "a<U+202E>b"),
)  # fmt: skip


@pytest.mark.parametrize(("text", "cell"), NEUTRALISED)
def test_neutralise(text: str, cell: str) -> None:
    assert neutralise(text) == cell


@given(st.text(max_size=50))
def test_unneutralise_restores_every_cleaned_value(text: str) -> None:
    assert unneutralise(neutralise(text)) == clean_text(text)


@given(st.text(max_size=50))
def test_no_neutralised_cell_starts_like_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_clean_text_normalises_breaks_and_replaces_the_unencodable() -> None:
    assert clean_text("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    cleaned = clean_text("x\x00y\x1b\x7f\ud800")
    assert cleaned == f"x{REPLACEMENT}y{REPLACEMENT}{REPLACEMENT}{REPLACEMENT}"
    cleaned.encode("utf-8")


def test_overlong_cells_are_cut_to_the_spreadsheet_limit() -> None:
    assert len(neutralise("a" * (MAX_CELL_CHARS + 10))) == MAX_CELL_CHARS


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_numbers_are_plain_and_never_neutralised_text_always_is() -> None:
    data = csv_bytes(("n", "t", "e"), [[-1.5, "-1.5", None]])
    assert data == b"n,t,e\n-1.5,'-1.5,\n"


@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_any_text_round_trips_through_quoting_one_record_per_row(cells: list[str]) -> None:
    header = [f"c{i}" for i in range(len(cells))]
    rows = _parse(csv_bytes(header, [cells, cells]))
    assert len(rows) == 3
    assert rows[1] == rows[2] == [neutralise(cell) for cell in cells]


def test_names_with_commas_quotes_newlines_and_cr_are_quoted() -> None:
    data = csv_bytes(("name", "x"), [['Doe, "Jane"\nJr.\rIII', 1]])
    assert data == b'name,x\n"Doe, ""Jane""\nJr.\nIII",1\n'


def test_row_width_must_match_the_header() -> None:
    with pytest.raises(ValueError):
        csv_bytes(("a", "b"), [["only one"]])
