"""Rejected answers: the reason and the position of the problem (error_cases.yaml), hostile
inputs, and the error object itself."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.mathlang import Limits, ParseError, parse
from grader.model import Reason

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "error_cases.yaml").read_text(encoding="utf-8")
)


def _error(text: str, limits: Limits | None = None) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text) if limits is None else parse(text, limits)
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=lambda c: repr(c["text"]))
def test_rejected_with_reason_and_offset(case: dict[str, Any]) -> None:
    error = _error(case["text"])
    assert (error.reason, error.offset) == (Reason(case["reason"]), case["offset"])
    assert error.text == case["text"]
    assert error.message


@pytest.mark.parametrize("command", ["input", "write", "def", "catcode", "include", "newcommand"])
def test_unknown_commands_are_named(command: str) -> None:
    error = _error(f"x + \\{command}{{a}}")
    assert error.reason is Reason.SYNTAX and error.offset == 4
    assert f"\\{command}" in error.message


# ------------------------------------------------------------------------- hostile inputs
def test_a_megabyte_is_too_large_before_any_work() -> None:
    error = _error("(" * 1_000_000)  # unbalanced too: the length is checked first
    assert (error.reason, error.offset) == (Reason.TOO_LARGE, 2000)


def test_ten_thousand_nested_brackets_are_too_deep() -> None:
    text = "(" * 10_000 + "x" + ")" * 10_000
    error = _error(text, Limits(max_length=1_000_000))
    assert (error.reason, error.offset) == (Reason.TOO_DEEP, 60)
    error = _error(text, Limits(max_length=1_000_000, max_depth=200))
    assert (error.reason, error.offset) == (Reason.TOO_DEEP, 200)


@pytest.mark.parametrize("opener", ["(", "[", "{", "\\{", "\\left("])
def test_each_kind_of_bracket_counts_towards_the_depth(opener: str) -> None:
    text = opener * 10_000 + "x"
    error = _error(text, Limits(max_length=1_000_000))
    assert error.reason is Reason.TOO_DEEP
    assert error.offset == 60 * len(opener) + (5 if opener == "\\left(" else 0)


def test_deeply_nested_bars_are_too_deep() -> None:
    text = "|-" * 61 + "x" + "|" * 61
    error = _error(text)
    assert (error.reason, error.offset) == (Reason.TOO_DEEP, 120)


def test_power_tower_is_too_large() -> None:
    error = _error("9**9**9**9")
    assert (error.reason, error.offset) == (Reason.TOO_LARGE, 6)  # the exponent 9**9**9


def test_factorial_of_a_huge_constant_is_too_large() -> None:
    error = _error("factorial(10**10)")
    assert (error.reason, error.offset) == (Reason.TOO_LARGE, 10)


def test_ten_thousand_digit_literal_is_too_large() -> None:
    assert _error("1" * 10_000).reason is Reason.TOO_LARGE  # already by its length
    error = _error("x + " + "1" * 10_000, Limits(max_length=20_000))
    assert (error.reason, error.offset) == (Reason.TOO_LARGE, 4)


def test_long_operator_chains_are_too_deep_not_a_crash() -> None:
    error = _error("+".join(["x"] * 999))
    assert error.reason is Reason.TOO_DEEP
    error = _error("-" * 1999 + "x")
    assert error.reason is Reason.TOO_DEEP


# ----------------------------------------------------------------------------- the error
def test_pointer_shows_the_line_and_a_caret() -> None:
    error = _error("x +\n  y # z")
    line, caret = error.pointer().split("\n")
    assert line == "  y # z"
    assert caret.index("^") == line.index("#")


def test_pointer_windows_long_lines() -> None:
    text = "a + " * 60 + "#" + " + b" * 60
    error = _error(text)
    line, caret = error.pointer().split("\n")
    assert len(line) <= 80
    assert line[caret.index("^")] == "#"


def test_pointer_at_the_end_of_the_text() -> None:
    error = _error("x +")
    line, caret = error.pointer().split("\n")
    assert line == "x +" and caret.index("^") == 3


def test_pointer_without_offset_shows_the_text() -> None:
    error = ParseError(Reason.SYNTAX, "Something is wrong.", None, "a b\nc")
    assert error.pointer() == "a b"
    assert str(error) == "Something is wrong."


def test_error_survives_pickling() -> None:
    error = _error("x + #")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.offset, copy.message, copy.text) == (
        error.reason,
        error.offset,
        error.message,
        error.text,
    )


def test_parse_needs_a_string() -> None:
    with pytest.raises(TypeError):
        parse(b"x")  # type: ignore[arg-type]
