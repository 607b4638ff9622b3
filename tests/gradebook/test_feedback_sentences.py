"""Feedback sentences: how an answer was read is a code span; a caret pointer keeps its lines."""

from __future__ import annotations

from grader.gradebook.feedback import _sentence


def test_read_as_becomes_a_code_span() -> None:
    assert _sentence("Read as: a_b * c") == "Read as: `a_b * c`"


def test_a_pointer_keeps_its_lines_in_a_code_block() -> None:
    rendered = _sentence("f(x\n  ^")
    lines = rendered.split("\n")
    assert lines[0] == "```" and lines[-1] == "  ```"
    assert lines[1:3] == ["  f(x", "    ^"]


def test_backticks_and_html_in_a_pointer_cannot_escape_the_block() -> None:
    rendered = _sentence("````<script>\n^")
    assert rendered.startswith("`````")  # a longer fence than the content's backtick run
    assert "<script>" in rendered  # literal inside a code block, never rendered as HTML


def test_plain_sentences_are_escaped() -> None:
    assert _sentence("use *stars* <b>") == "use \\*stars\\* &lt;b&gt;"
