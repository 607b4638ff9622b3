"""The gradebook files of one graded batch, and writing them as one published set.

Layout under the gradebook folder: grades.csv, parts.csv, review.csv, results.json, errors.log
and feedback/<name>.md (names from :func:`grader.gradebook.paths.feedback_names`).
:func:`gradebook_files` renders them (feedback lazily, one file at a time);
:func:`write_gradebook` publishes them alone. `grade` publishes them together with the class
report (:func:`grader.report.write_outputs`), so that the folder is always one whole set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from grader.gradebook.csvout import csv_bytes
from grader.gradebook.errorlog import errors_log_bytes
from grader.gradebook.feedback import render_feedback
from grader.gradebook.paths import feedback_names
from grader.gradebook.publish import Content, publish_folder
from grader.gradebook.results import results_chunks
from grader.gradebook.tables import (
    REVIEW_HEADER,
    grades_header,
    grades_rows,
    parts_header,
    parts_rows,
    review_rows,
    sorted_rows,
)
from grader.model import Gradebook, GradedSubmission

GRADES_FILE = "grades.csv"
PARTS_FILE = "parts.csv"
REVIEW_FILE = "review.csv"
RESULTS_FILE = "results.json"
ERRORS_FILE = "errors.log"  # tracebacks of exceptions inside checks (grader.gradebook.errorlog)
FEEDBACK_DIR = "feedback"
FEEDBACK_SUFFIX = ".md"


def _feedback(row: GradedSubmission, book: Gradebook, show_reference: bool) -> Callable[[], bytes]:
    return lambda: render_feedback(row, book.assignment, show_reference=show_reference).encode(
        "utf-8"
    )


def _results(
    book: Gradebook, feedback_files: list[str], show_reference: bool
) -> Callable[[], Iterator[bytes]]:
    # results.json row by row as it is written: a class's whole document is never held.
    def pieces() -> Iterator[bytes]:
        for chunk in results_chunks(book, feedback_files, show_reference=show_reference):
            yield chunk.encode("utf-8")

    return pieces


def gradebook_files(book: Gradebook, *, show_reference: bool = False) -> list[tuple[str, Content]]:
    """Every gradebook file of `book` as (path relative to the folder, content), in write
    order: feedback files by row, then parts.csv, review.csv, results.json, errors.log and
    grades.csv."""
    rows = sorted_rows(book)
    names = feedback_names([(row.student_id, row.source) for row in rows])
    feedback_files = [f"{FEEDBACK_DIR}/{name}" for name in names]
    files: list[tuple[str, Content]] = [
        (path, _feedback(row, book, show_reference))
        for path, row in zip(feedback_files, rows, strict=True)
    ]
    files += [
        (PARTS_FILE, csv_bytes(parts_header(book.assignment), parts_rows(book))),
        (REVIEW_FILE, csv_bytes(REVIEW_HEADER, review_rows(book))),
        (RESULTS_FILE, _results(book, feedback_files, show_reference)),
        (ERRORS_FILE, errors_log_bytes(book)),
        (GRADES_FILE, csv_bytes(grades_header(book.assignment), grades_rows(book))),
    ]
    return files


def write_gradebook(book: Gradebook, out_dir: Path, *, show_reference: bool = False) -> list[Path]:
    """Publish the gradebook files of `book` as the whole content of `out_dir` (see
    :mod:`grader.gradebook.publish`); return the files written, in write order.

    Raises GradebookWriteError when a file cannot be written; the previous set is then kept.
    """
    published = publish_folder(out_dir, gradebook_files(book, show_reference=show_reference))
    return list(published.files)
