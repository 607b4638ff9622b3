"""The error of name resolution (a name or construct the context gives no meaning)."""

from __future__ import annotations

from grader.mathlang.ast import Span
from grader.model import Reason


class ResolveError(Exception):
    """A name or construct the context cannot give a meaning to.

    `reason` is UNKNOWN_SYMBOL, UNKNOWN_FUNCTION, SYNTAX (a construct that makes no sense
    here), WRONG_SHAPE, TOO_LARGE or TOO_DEEP; `name` is the offending symbol as written, when
    there is one.
    """

    def __init__(
        self, reason: Reason, message: str, span: Span | None = None, name: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.span = span
        self.name = name
