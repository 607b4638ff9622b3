"""Markdown escaping for the feedback files students read.

Everything a student controls (names, answers, messages quoting them) and everything quoting it
is escaped before it reaches Markdown: no raw HTML passes (`<`, `>`, `&` become entities), no
emphasis, link, heading, table or list syntax takes effect, and code spans are fenced with more
backticks than the content holds.
"""

from __future__ import annotations

import re

from grader.gradebook.text import clean_text, one_line

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# ASCII punctuation with inline meaning in CommonMark/GFM; a backslash makes each literal.
_INLINE = frozenset("\\`*_[]()#|~!{}")
# At the start of a line these may open a list or underline a heading ("3.5" opens nothing:
# an ordered-list marker needs a space or the end of the line after it).
_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+=])")
_BACKTICK_RUN = re.compile(r"`+")
# One table for str.translate (C speed, no loop over characters in Python).
_ESCAPES = str.maketrans({**_HTML, **{char: "\\" + char for char in _INLINE}})


def escape_markdown(text: str) -> str:
    """`text` as one line of literal Markdown text (whitespace runs and line breaks made spaces)."""
    line = one_line(text)
    match = _LINE_START.match(line)
    if match is None:
        return line.translate(_ESCAPES)
    at = match.end() - 1  # "1." -> "1\.", "-" -> "\-": no list item
    char = line[at]
    marker = char.translate(_ESCAPES) if ord(char) in _ESCAPES else "\\" + char
    return line[:at].translate(_ESCAPES) + marker + line[at + 1 :].translate(_ESCAPES)


def code_block(text: str, indent: str = "  ") -> list[str]:
    """`text` as a fenced code block (lines kept, e.g. an answer with a caret under an error),
    indented to sit inside a list item; the fence is longer than any backtick run inside."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = [indent + line for line in clean_text(text).split("\n")]
    return [indent + fence, *body, indent + fence]


def code_span(text: str) -> str:
    """`text` as an inline code span: fenced with one backtick more than its longest run, padded
    with spaces so a leading or trailing backtick stays content. HTML is literal inside spans."""
    line = one_line(text)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(line)), default=0)
    fence = "`" * (longest + 1)
    if not line:
        return fence + " " + fence
    return f"{fence} {line} {fence}" if longest else f"{fence}{line}{fence}"
