"""Typed exceptions of the gradebook package (library code raises, only the CLI prints)."""

from __future__ import annotations

from pathlib import Path


class GradebookError(Exception):
    """Base class of everything the gradebook package raises on purpose."""


class GradebookWriteError(GradebookError):
    """A gradebook file could not be written, or a target would land outside the output folder.

    `path` names the file concerned; the previous gradebook is left whole when this is raised
    before or during the replace phase (see :mod:`grader.gradebook.atomic`).
    """

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
