"""Exports of a gradebook that LMSs accept unchanged: Canvas and Moodle import CSVs,
Gradescope autograder results, and a plain per-question CSV.

Every export reads the gradebook's results.json (:func:`read_results`), exports students sorted
by id, writes deterministic bytes atomically and only where it is told. The formats are
described in /work/shared/notes/lms-and-ci-formats.md sections 1-3 and 7; each module's
docstring states the decisions taken. `grade export` is :func:`run_export`.
"""

from grader.export.canvas import CanvasOptions, canvas_csv
from grader.export.command import run_export
from grader.export.common import LateRecord, export_rows, late_record
from grader.export.errors import ExportDataError, ExportError, ExportUsageError, ResultsFormatError
from grader.export.gradescope import (
    GradescopeOptions,
    Visibility,
    gradescope_files,
    result_document,
    single_result,
)
from grader.export.lms_ids import Directory, Identity, read_directory
from grader.export.moodle import MoodleOptions, moodle_csv
from grader.export.source import read_results
from grader.export.table import table_csv

__all__ = [
    "CanvasOptions",
    "Directory",
    "ExportDataError",
    "ExportError",
    "ExportUsageError",
    "GradescopeOptions",
    "Identity",
    "LateRecord",
    "MoodleOptions",
    "ResultsFormatError",
    "Visibility",
    "canvas_csv",
    "export_rows",
    "gradescope_files",
    "late_record",
    "moodle_csv",
    "read_directory",
    "read_results",
    "result_document",
    "run_export",
    "single_result",
    "table_csv",
]
