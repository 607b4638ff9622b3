"""The answer text repeated in review.csv, the report and results.json: whole, or cut with a
note of how much was left out."""

from __future__ import annotations

from grader.checkers.base import MAX_ANSWER_TEXT, answer_text
from grader.model import Location, RawAnswer


def _raw(value: object) -> RawAnswer:
    return RawAnswer("ex1.a", value, Location("sheet.yaml", "ex1.a"))


def test_an_answer_within_the_limit_is_repeated_whole() -> None:
    text = "x" * MAX_ANSWER_TEXT
    assert answer_text(_raw(text)) == text
    assert answer_text(_raw([[0.5, 1], [2, 3]])) == "[[0.5, 1], [2, 3]]"


def test_a_longer_answer_is_cut_and_says_how_much_is_missing() -> None:
    text = "y" * (MAX_ANSWER_TEXT + 1234)
    shown = answer_text(_raw(text))
    assert shown is not None and shown.startswith("y" * MAX_ANSWER_TEXT)
    assert shown.endswith("... (1234 more characters)")
    flat = answer_text(_raw([0.25] * 1000))  # 1000 entries flattened: 6000 characters
    assert flat is not None and flat.endswith(f"({6 * 1000 - MAX_ANSWER_TEXT} more characters)")


def test_no_answer_has_no_text() -> None:
    assert answer_text(None) is None
    assert answer_text(_raw(None)) is None
