"""Errors raised while reading an answer.

`ParseError` is the public exception. Inside the package the stages raise `Failure`, which carries
no copy of the text; `parse` turns it into a `ParseError` at the boundary.
"""

from __future__ import annotations

from grader.model import Reason

_WINDOW = 80  # characters of the answer shown by `ParseError.pointer`


class Failure(Exception):
    """Internal: a located reason why the text cannot be read."""

    def __init__(self, reason: Reason, message: str, offset: int | None) -> None:
        super().__init__(reason, message, offset)
        self.reason = reason
        self.message = message
        self.offset = offset


class ParseError(Exception):
    """The answer text cannot be read.

    `reason` is SYNTAX, TOO_LARGE or TOO_DEEP; `message` is a sentence for the student naming the
    offending token or command; `offset` is a 0-based position in the original text (None when the
    problem has no single position); `text` is the text that was parsed.
    """

    def __init__(self, reason: Reason, message: str, offset: int | None, text: str) -> None:
        # All four go to Exception.args so that the error survives pickling (worker processes).
        super().__init__(reason, message, offset, text)
        self.reason = reason
        self.message = message
        self.offset = offset
        self.text = text

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"{self.message} (at character {self.offset + 1})"

    def pointer(self) -> str:
        """The line of text around `offset` (at most ~80 characters) and a caret line under it."""
        if self.offset is None:
            line, _ = _window(self.text.split("\n", 1)[0], 0)
            return line
        offset = max(0, min(self.offset, len(self.text)))
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        line = self.text[start : len(self.text) if end < 0 else end]
        shown, column = _window(line, offset - start)
        return f"{shown}\n{' ' * column}^"


def _window(line: str, column: int) -> tuple[str, int]:
    """At most `_WINDOW` characters of `line` around `column`, printable, and the new column."""
    if len(line) > _WINDOW:
        first = max(0, min(column - _WINDOW // 2, len(line) - _WINDOW))
        line = line[first : first + _WINDOW]
        column -= first
    # One printable character per character, so that the caret stays under its target.
    shown = "".join(c if c.isprintable() else " " for c in line)
    return shown, column
