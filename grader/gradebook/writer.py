"""write_gradebook: every gradebook file of one graded batch, written as one atomic set.

Layout under out_dir: grades.csv, parts.csv, review.csv, results.json, errors.log and
feedback/<name>.md
(names from :func:`grader.gradebook.paths.feedback_names`). All content is rendered in memory
first, then written by :func:`grader.gradebook.atomic.replace_files` with grades.csv replaced
last (if it is new, so is everything else); stale feedback files of students no longer present
are removed only after that.
"""

from __future__ import annotations

from pathlib import Path

from grader.gradebook.atomic import prune, replace_files
from grader.gradebook.csvout import csv_bytes
from grader.gradebook.errorlog import errors_log_bytes
from grader.gradebook.feedback import render_feedback
from grader.gradebook.paths import feedback_names, inside
from grader.gradebook.results import results_bytes
from grader.gradebook.tables import (
    PARTS_HEADER,
    REVIEW_HEADER,
    grades_header,
    grades_rows,
    parts_rows,
    review_rows,
    sorted_rows,
)
from grader.model import Gradebook

GRADES_FILE = "grades.csv"
PARTS_FILE = "parts.csv"
REVIEW_FILE = "review.csv"
RESULTS_FILE = "results.json"
ERRORS_FILE = "errors.log"  # tracebacks of exceptions inside checks (grader.gradebook.errorlog)
FEEDBACK_DIR = "feedback"
FEEDBACK_SUFFIX = ".md"


def write_gradebook(book: Gradebook, out_dir: Path, *, show_reference: bool = False) -> list[Path]:
    """Write the gradebook files of `book` under `out_dir`; return the files written.

    The returned paths (resolved) are in write order: feedback files by row, then parts.csv,
    review.csv, results.json, errors.log and grades.csv. Raises GradebookWriteError when a
    file cannot be written or a target would resolve outside `out_dir`; the previous
    gradebook is then kept.
    """
    rows = sorted_rows(book)
    names = feedback_names([(row.student_id, row.source) for row in rows])
    feedback_files = [f"{FEEDBACK_DIR}/{name}" for name in names]
    files: list[tuple[str, bytes]] = [
        (path, render_feedback(row, book.assignment, show_reference=show_reference).encode("utf-8"))
        for path, row in zip(feedback_files, rows, strict=True)
    ]
    files += [
        (PARTS_FILE, csv_bytes(PARTS_HEADER, parts_rows(book))),
        (REVIEW_FILE, csv_bytes(REVIEW_HEADER, review_rows(book))),
        (RESULTS_FILE, results_bytes(book, feedback_files, show_reference=show_reference)),
        (ERRORS_FILE, errors_log_bytes(book)),
        (GRADES_FILE, csv_bytes(grades_header(book.assignment), grades_rows(book))),
    ]
    written = replace_files(out_dir, files)
    prune(inside(out_dir, FEEDBACK_DIR), frozenset(names), FEEDBACK_SUFFIX)
    return written
