"""Typed exceptions of the export package; each carries the exit status `grade export` returns.

Library code raises these; only the command layer (:mod:`grader.export.command`) writes them out.
"""

from __future__ import annotations

from pathlib import Path

EXIT_FAIL, EXIT_USAGE = 1, 2


class ExportError(Exception):
    """Base class of everything the export package raises on purpose."""

    exit_status = EXIT_FAIL


class ExportUsageError(ExportError):
    """The command was called wrongly: a bad option, title or input file (exit status 2)."""

    exit_status = EXIT_USAGE


class ResultsFormatError(ExportUsageError):
    """The file given as results.json is not one this version can read (exit status 2)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ExportDataError(ExportError):
    """The gradebook cannot be exported as asked: duplicate students, grades an LMS would
    reject, a malformed late record (exit status 1)."""
