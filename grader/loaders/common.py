"""Pieces every loader shares: where a text sits (:class:`Origin`) and the unreadable result."""

from __future__ import annotations

from dataclasses import dataclass

from grader.loaders.identity import Identity, identity_from_file_name
from grader.model import Location, Message, Reason, Severity, Submission


@dataclass(frozen=True)
class Origin:
    """Where a YAML or code text sits: its file and, inside a notebook, its 1-based cell.

    For a notebook cell, `line_offset` is added to line numbers inside the cell's text (a code
    fence removed before parsing shifts them); lines are then counted within the cell.
    """

    file: str
    cell: int | None = None
    line_offset: int = 0

    def at(
        self, line: int | None = None, column: int | None = None, answer_id: str | None = None
    ) -> Location:
        """A Location in this text (line and column 1-based, relative to the text)."""
        shifted = None if line is None else line + self.line_offset
        return Location(self.file, answer_id, shifted, column, self.cell)


def unreadable_submission(
    source: str,
    fmt: str,
    reason: Reason,
    text: str,
    where: Location | None = None,
    *,
    identity: Identity | None = None,
) -> Submission:
    """A Submission for a file that could not be read at all: one ERROR message saying why
    (located as precisely as known) and the identity the file gives (by default its name's)."""
    identity = identity or identity_from_file_name(source)
    error = Message(Severity.ERROR, text, where or Location(source), reason)
    return Submission(
        source=source,
        student_id=identity.student_id,
        name=identity.name,
        assignment=None,
        messages=(error, *identity.messages),
        readable=False,
        fmt=fmt,
    )
