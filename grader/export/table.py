"""The plain per-question CSV (`--format csv`), in the spirit of Otter's and nbgrader's tables::

    student_id,name,<question ids...>,raw_score,late_penalty,score,max_score,status
    ,max points,8,2,10,10,5,30,,30,30,max_points
    s1000001,Ada Lovelace,8,2,10,10,5,30,0,30,30,needs_review

The first data row holds the maximum points (its student_id is empty, its status
``max_points``); then one row per student by id. `raw_score` is the total before any late
penalty, `late_penalty` the points deducted and `score` the final grade, as nbgrader keeps
them; without a late record, raw_score = score and the penalty is 0. Question columns hold
the points as graded (before the penalty); a question without points is empty. Numbers are
exactly the gradebook's; names come from the roster when it has them.
"""

from __future__ import annotations

from grader.export.common import export_rows, late_record
from grader.export.lms_ids import Directory, identity_of
from grader.gradebook.csvout import Cell, csv_bytes
from grader.model import Gradebook

TAIL = ("raw_score", "late_penalty", "score", "max_score", "status")
MAX_ROW_STATUS = "max_points"
MAX_ROW_NAME = "max points"


def table_header(book: Gradebook) -> list[str]:
    """The columns: student_id, name, the question ids in rubric order, the tail."""
    return ["student_id", "name", *(q.id for q in book.assignment.questions), *TAIL]


def table_csv(book: Gradebook, directory: Directory) -> bytes:
    """The whole per-question CSV for `book`."""
    info = book.assignment
    top: list[Cell] = [None, MAX_ROW_NAME, *(q.max_points for q in info.questions)]
    top += [info.max_total, None, info.max_total, info.max_total, MAX_ROW_STATUS]
    rows: list[list[Cell]] = [top]
    for row in export_rows(book):
        late = late_record(row)
        raw, penalty = (late.raw_total, late.penalty) if late else (row.total, 0.0)
        cells: list[Cell] = [row.student_id, identity_of(row, directory).name]
        cells += [row.question_points.get(q.id) for q in info.questions]
        cells += [raw, penalty, row.total, row.max_total, row.status.value]
        rows.append(cells)
    return csv_bytes(table_header(book), rows)
