"""format_points / json_points / parse_points: one way to write points, a tolerant way to read."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.gradebook import format_points, json_points, parse_points

WRITTEN = (
    (7.5, "7.5"), (8.0, "8"), (0, "0"), (0.0, "0"), (3.25, "3.25"), (7.500000001, "7.5"),
    (7.499999, "7.5"), (1 / 3, "0.33"), (2 / 3, "0.67"), (10, "10"), (100.10, "100.1"),
    (0.125, "0.13"),  # half-up: half-even would give 0.12
    (0.005, "0.01"), (2.675, "2.68"),  # decimal half-up on the shortest repr, not binary
    (-0.001, "0"), (-0.0, "0"), (-1.5, "-1.5"), (1e20, "100000000000000000000"),
    (Decimal("1.005"), "1.01"), (30, "30"),
)  # fmt: skip


@pytest.mark.parametrize(("value", "text"), WRITTEN)
def test_format_points_at_two_places(value: float, text: str) -> None:
    assert format_points(value, places=2) == text


STORED = (
    (0.125, "0.125"), (0.333, "0.333"), (7.5, "7.5"), (8.0, "8"), (1 / 3, "0.333333"),
    (7.500000001, "7.5"), (2.0000005, "2.000001"), (-0.0, "0"),
)  # fmt: skip


@pytest.mark.parametrize(("value", "text"), STORED)
def test_format_points_prints_what_scoring_stored(value: float, text: str) -> None:
    # Scoring rounds to the rubric's `rounding:` (up to 6 places); printing never rounds again
    # below that, so `rounding: 3` shows 0.125, not 0.13.
    assert format_points(value) == text
    assert json_points(value) == float(text)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True])
def test_format_points_refuses_non_points(value: float) -> None:
    with pytest.raises(ValueError):
        format_points(value)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_format_points_is_plain_rounded_and_close(value: float) -> None:
    text = format_points(value, places=2)
    assert "e" not in text.lower() and text != "-0"
    if "." in text:
        decimals = text.split(".")[1]
        assert 1 <= len(decimals) <= 2 and not decimals.endswith("0")
    assert abs(Decimal(text) - Decimal(repr(value))) <= Decimal("0.005")


def test_json_points_types() -> None:
    assert json_points(8.0) == 8 and isinstance(json_points(8.0), int)
    assert json_points(7.25) == 7.25 and isinstance(json_points(7.25), float)
    assert json_points(1 / 3, places=2) == 0.33


READ = (
    ("7.5", "7.5"), ("7,5", "7.5"), (" 8 ", "8"), ("\u00a07.5\u3000", "7.5"), ("+3", "3"),
    ("-1", "-1"), ("\u22121", "-1"), (".5", "0.5"), (",5", "0.5"), ("7.", "7"), ("0", "0"),
)  # fmt: skip


@pytest.mark.parametrize(("text", "value"), READ)
def test_parse_points_accepts_spreadsheet_numbers(text: str, value: str) -> None:
    assert parse_points(text) == Decimal(value)


@pytest.mark.parametrize(
    "text", ["", " ", "abc", "7,5,1", "1.2.3", "1e3", "7 5", "nan", "inf", "\u0663", "１", "1_0",
             "7.5pts", "0x10", "1" * 41],
)  # fmt: skip
def test_parse_points_refuses_non_numbers(text: str) -> None:
    assert parse_points(text) is None


@given(st.decimals(min_value=0, max_value=1000, places=2))
def test_parse_points_reads_back_what_format_points_writes(value: Decimal) -> None:
    assert parse_points(format_points(value)) == value
