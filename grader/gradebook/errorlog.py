"""errors.log: every exception raised inside a check, with its traceback, for the developers.

An exception in a check is a bug of the grader; the part is scored `internal_error` and waits in
review.csv, course staff get a one-line message, and the full traceback lands here. The file is
written with every gradebook (empty but for its header when nothing failed, so that a stale log
never survives a clean re-run) and is deterministic: rows by (student_id, source), parts in
rubric order, traceback paths relative to the repository.
"""

from __future__ import annotations

from grader.checkers.failures import TRACEBACK_KEY
from grader.gradebook.tables import ordered_parts, part_order, sorted_rows
from grader.model import Gradebook

HEADER = "# Exceptions inside checks (bugs of the grader). Each part below waits in review.csv.\n"


def errors_log_bytes(book: Gradebook) -> bytes:
    """The content of errors.log for `book`."""
    order = part_order(book.assignment)
    chunks = [HEADER]
    for row in sorted_rows(book):
        for part in ordered_parts(row, order):
            if TRACEBACK_KEY not in part.detail:  # kept when a TA has scored the part since
                continue
            trace = str(part.detail.get(TRACEBACK_KEY, "(no traceback)")).rstrip("\n")
            chunks.append(
                f"\n== file {row.source}, student {row.student_id}, part {part.answer_id}\n"
                f"{trace}\n"
            )
    return "".join(chunks).encode("utf-8")
