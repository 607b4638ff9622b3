"""staff_inputs: refused rows are counted in full but listed at most MAX_MESSAGES_PER_FILE times;
the roster's name wins over the sheet's, flagged when they differ."""

from __future__ import annotations

import pytest

from grader.model import Location, Message, Severity
from grader.staff_inputs import MAX_MESSAGES_PER_FILE, _refused_rows, capped, names_differ


def test_refused_rows_are_listed_boundedly_and_counted_fully() -> None:
    errors = [Message(Severity.ERROR, f"row {i}", Location("s.csv", line=i + 2)) for i in range(500)]
    warning = Message(Severity.WARNING, "a note", Location("s.csv"))
    shown = capped([warning, *errors])
    assert len(shown) == 1 + MAX_MESSAGES_PER_FILE + 1
    assert "480 more row(s) refused" in shown[-1].text
    assert _refused_rows(errors) == 500


@pytest.mark.parametrize(
    ("sheet", "roster", "differ"),
    [
        ("Ada", "Ada Lovelace", False),
        ("ada lovelace", "Lovelace, Ada", False),
        ("Zoe Muller", "Zo\u00eb M\u00fcller", False),
        ("Grace Hopper", "Ada Lovelace", True),
        ("Ada Byron", "Ada Lovelace", True),
        ("", "Ada Lovelace", False),
    ],
)
def test_names_differ(sheet: str, roster: str, differ: bool) -> None:
    assert names_differ(sheet, roster) is differ
