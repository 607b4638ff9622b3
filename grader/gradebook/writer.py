"""The gradebook files of one graded batch, and writing them as one published set.

Layout under the gradebook folder: grades.csv, parts.csv, review.csv, results.json, errors.log
and feedback/<name>.md (names from :func:`grader.gradebook.paths.feedback_names`).
:func:`gradebook_files` renders them (feedback lazily, one file at a time);
:func:`write_gradebook` publishes them alone. `grade` publishes them together with the class
report (:func:`grader.report.write_outputs`), so that the folder is always one whole set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from grader.gradebook.csvout import csv_bytes, csv_line
from grader.gradebook.errorlog import errors_log_bytes
from grader.gradebook.paths import feedback_names
from grader.gradebook.publish import Content, publish_folder
from grader.gradebook.rendered import GRADES, PARTS, RESULTS, RenderedRows, RowStore
from grader.gradebook.results import results_chunks
from grader.gradebook.tables import (
    REVIEW_HEADER,
    grades_header,
    parts_header,
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


def gradebook_files(
    book: Gradebook,
    *,
    show_reference: bool = False,
    store: RowStore | None = None,
    workers: int = 0,
) -> list[tuple[str, Content]]:
    """Every gradebook file of `book` as (path relative to the folder, content), in write
    order: feedback files by row, then parts.csv, review.csv, results.json, errors.log and
    grades.csv. Each row's pieces are rendered when the file is written, or copied from
    `store` where it holds them (:mod:`grader.gradebook.rendered`); with `workers`, the rows
    to render are rendered now on that many forked processes (the same bytes)."""
    rows = sorted_rows(book)
    names = feedback_names([(row.student_id, row.source) for row in rows])
    feedback_files = [f"{FEEDBACK_DIR}/{name}" for name in names]
    pieces = RenderedRows(book, rows, feedback_files, show_reference=show_reference, store=store)
    pieces.prefetch(workers)

    def csv_file(header: Sequence[str], which: int) -> Callable[[], bytes]:
        return lambda: (csv_line(list(header)) + "".join(pieces.texts(which))).encode("utf-8")

    def results() -> Iterator[bytes]:
        # results.json row by row as it is written: a class's whole document is never held.
        chunks = results_chunks(book, feedback_files, show_reference=show_reference,
                                row_texts=lambda index: pieces.piece(index, RESULTS))  # fmt: skip
        for chunk in chunks:
            yield chunk.encode("utf-8")

    files: list[tuple[str, Content]] = [
        (path, functools.partial(pieces.feedback, index))
        for index, path in enumerate(feedback_files)
    ]
    files += [
        (PARTS_FILE, csv_file(parts_header(book.assignment), PARTS)),
        (REVIEW_FILE, csv_bytes(REVIEW_HEADER, review_rows(book))),
        (RESULTS_FILE, results),
        (ERRORS_FILE, errors_log_bytes(book)),
        (GRADES_FILE, csv_file(grades_header(book.assignment), GRADES)),
    ]
    return files


def write_gradebook(book: Gradebook, out_dir: Path, *, show_reference: bool = False) -> list[Path]:
    """Publish the gradebook files of `book` as the whole content of `out_dir` (see
    :mod:`grader.gradebook.publish`); return the files written, in write order.

    Raises GradebookWriteError when a file cannot be written; the previous set is then kept.
    """
    published = publish_folder(out_dir, gradebook_files(book, show_reference=show_reference))
    return list(published.files)
