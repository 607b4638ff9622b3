"""Markdown escaping of student-controlled text in feedback files."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.gradebook import code_span, escape_markdown

INLINE_SPECIALS = "\\`*_[]()#|~!{}"


def test_html_becomes_entities() -> None:
    assert escape_markdown("<script>a & b</script>") == "&lt;script&gt;a &amp; b&lt;/script&gt;"
    assert escape_markdown("&amp;") == "&amp;amp;"


@given(st.text(max_size=80))
def test_no_raw_html_or_line_break_survives(text: str) -> None:
    escaped = escape_markdown(text)
    assert "<" not in escaped and ">" not in escaped
    assert "\n" not in escaped and "\r" not in escaped
    # every & starts one of our three entities
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", escaped)


@given(st.text(alphabet=INLINE_SPECIALS + "ab ", max_size=40))
def test_every_inline_special_is_backslash_escaped(text: str) -> None:
    escaped = escape_markdown(text)
    index = 0
    while index < len(escaped):
        char = escaped[index]
        if char == "\\":
            assert escaped[index + 1] in INLINE_SPECIALS
            index += 2
            continue
        assert char not in INLINE_SPECIALS
        index += 1


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("1. item", "1\\. item"), ("12) item", "12\\) item"), ("- item", "\\- item"),
     ("+ item", "\\+ item"), ("= x", "\\= x"), ("a - b", "a - b"), ("3.5 / 5", "3.5 / 5")],
)  # fmt: skip
def test_line_start_markers_are_escaped_only_at_the_start(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_whitespace_and_breaks_collapse_to_one_line() -> None:
    assert escape_markdown("a\n\n# heading\r\nb") == "a \\# heading b"


@pytest.mark.parametrize("content", ["plain", "a`b", "``x``", "`", "<b>&", ""])
def test_code_span_fence_is_longer_than_any_backtick_run(content: str) -> None:
    span = code_span(content)
    fence = re.match(r"`+", span)
    assert fence is not None
    runs = [len(r) for r in re.findall(r"`+", content)]
    assert len(fence.group()) == max(runs, default=0) + 1
    assert span.endswith(fence.group())
    inner = span[len(fence.group()) : -len(fence.group())]
    # CommonMark strips one space on each side when both are there
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip():
        inner = inner[1:-1]
    assert inner == content or (content == "" and inner == " ")


def _escape_per_character(text: str) -> str:
    """The escaping rules spelled out one character at a time (the reference for the fast one)."""
    from grader.gradebook.markdown import _HTML, _INLINE, _LINE_START
    from grader.gradebook.text import one_line

    line = one_line(text)
    match = _LINE_START.match(line)
    out = []
    for index, char in enumerate(line):
        if char in _HTML:
            out.append(_HTML[char])
        elif char in _INLINE:
            out.append("\\" + char)
        elif match and index == match.end() - 1:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


@given(st.text(alphabet=st.sampled_from("ab 1.)-+=#*_<>&`\\[]|~!{}\n\t\u202e") , max_size=30))
def test_fast_escaping_equals_the_per_character_rules(text: str) -> None:
    assert escape_markdown(text) == _escape_per_character(text)
