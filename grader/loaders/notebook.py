"""Jupyter notebook submissions (practical-1.md section 2): read as JSON, NEVER executed.

The cells come from :mod:`.nbjson` (every notebook format, odd fields tolerated and said in one
warning, bounded); outputs, HTML and untagged cells are ignored. A file that is not a notebook
at all is unreadable with one located message.

Identity and assignment, first found wins:
1. a cell tagged `student` holding YAML: `student: {id, name}` (optionally `assignment:`), or
   just the two keys `id:` and `name:`;
2. notebook metadata `metadata.student.{id,name}` or `metadata.grader.student.{id,name}`
   (`student_id` is accepted for `id`), `metadata.assignment` / `metadata.grader.assignment`;
3. the file name (see :mod:`grader.loaders.identity`).

Answers (both styles may be mixed; an id given twice is unparseable):
- a cell tagged `answers` holding YAML: `answers:` with the nested mapping of a sheet, or that
  mapping itself. A broken `answers` cell makes the notebook unreadable, like a broken sheet,
  but the identity the student cell or the metadata gives is kept.
- one cell per answer tagged `answer:<id>` (e.g. `answer:ex2.W_new`): a markdown/raw cell's
  text is the answer (outer `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` and code fences
  stripped; empty means no answer); a code cell holds one literal (:mod:`.literal`). A code
  cell that is anything else gives value None plus an ERROR message naming the cell
  (UNPARSEABLE convention, see `grader.loaders.answer_errors`).

A tag given twice on one cell counts once. Locations carry `cell` (1-based); `line`/`column`
are counted within that cell's text.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.loaders.common import Origin, unreadable_submission
from grader.loaders.identity import clean_name, resolve_identity
from grader.loaders.literal import LiteralError, read_literal
from grader.loaders.nbjson import MAX_NOTEBOOK_BYTES, Cell, NotebookError, read_cells
from grader.loaders.safe_yaml import YamlError, YamlMap, YamlScalar, parse_yaml
from grader.loaders.yaml_sheet import (
    SheetFields,
    flatten_answers,
    read_sheet,
    read_student,
    submission_from_fields,
)
from grader.model import Location, RawAnswer, Reason, Submission

__all__ = ["ANSWER_TAG_PREFIX", "MAX_NOTEBOOK_BYTES", "load_notebook", "strip_math"]

ANSWER_TAG_PREFIX = "answer:"
STUDENT_TAG = "student"
ANSWERS_TAG = "answers"

_FENCE_MARK = "```"
_MATH_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))


class _Unreadable(Exception):
    def __init__(self, reason: Reason, message: str, where: Location) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.where = where


def _unfence(text: str) -> tuple[str, int]:
    """Text without a surrounding ``` fence, and how many lines were removed above it.

    The fence is: optional white space, ```, the rest of that line, the body, optional white
    space, ``` and optional white space to the end; the body loses its trailing white space.
    Done with string methods in linear time: a backtracking regex for the same grammar took
    quadratic time on long blank runs (a notebook cell is student input of up to 16 MiB).
    """
    start = len(text) - len(text.lstrip())
    if not text.startswith(_FENCE_MARK, start):
        return text, 0
    newline = text.find("\n", start + len(_FENCE_MARK))
    end = len(text.rstrip()) - len(_FENCE_MARK)  # where the closing fence must start
    if newline < 0 or end <= newline or not text.startswith(_FENCE_MARK, end):
        return text, 0
    return text[newline + 1 : end].rstrip(), text[: newline + 1].count("\n")


def strip_math(text: str) -> str:
    """A markdown/raw answer without a code fence or outer math delimiters around all of it."""
    text = _unfence(text)[0].strip()
    for left, right in _MATH_DELIMITERS:
        if len(text) >= len(left) + len(right) and text.startswith(left) and text.endswith(right):
            inner = text[len(left) : len(text) - len(right)]
            if left not in inner and right not in inner:  # "$a$ and $b$" is not one formula
                return inner.strip()
    return text


def _yaml_cell(cell: Cell, source: str) -> tuple[YamlMap | None, Origin]:
    """Parse a student/answers cell's YAML (None when empty); YamlError propagates."""
    body, removed = _unfence(cell.text)
    origin = Origin(source, cell.index, removed)
    root = parse_yaml(body)
    if root is None or (isinstance(root, YamlScalar) and root.is_null):
        return None, origin
    if not isinstance(root, YamlMap):
        raise YamlError(
            Reason.NOT_A_MAPPING,
            "the cell must hold YAML keys (key: value)",
            root.line,
            root.column,
        )
    return root, origin


def _read_student_cell(cell: Cell, source: str, fields: SheetFields) -> None:
    try:
        root, origin = _yaml_cell(cell, source)
    except YamlError as exc:
        where = Origin(source, cell.index).at(exc.line, exc.column)
        fields.collector.warn(where, exc.reason, f"the student cell cannot be read: {exc.message}")
        return
    if root is None:
        return
    if root.get("student") is not None:
        read_student(root.get("student"), origin, fields)
    else:
        read_student(root, origin, fields)
    assignment = root.get("assignment")
    if isinstance(assignment, YamlScalar) and not assignment.is_null:
        fields.assignment = fields.assignment or clean_name(assignment.text) or None


def _read_answers_cell(cell: Cell, source: str, fields: SheetFields) -> None:
    try:
        root, origin = _yaml_cell(cell, source)
    except YamlError as exc:
        where = Origin(source, cell.index).at(exc.line, exc.column)
        raise _Unreadable(
            exc.reason, f"the answers cell cannot be read: {exc.message}", where
        ) from None
    if root is None:
        return
    if root.get("answers") is not None:
        read_sheet(root, origin, fields)
    else:
        flatten_answers(root, origin, fields.collector)


def _read_answer_cell(cell: Cell, answer_id: str, source: str, fields: SheetFields) -> None:
    origin = Origin(source, cell.index)
    if cell.cell_type != "code":
        text = strip_math(cell.text)
        fields.collector.add(RawAnswer(answer_id, text or None, origin.at(answer_id=answer_id)))
        return
    try:
        value = read_literal(cell.text)
    except LiteralError as exc:
        fields.collector.unparseable(
            answer_id,
            origin.at(exc.line, exc.column, answer_id),
            exc.reason,
            f"cell {cell.index}: {exc.message}",
        )
        return
    fields.collector.add(RawAnswer(answer_id, value, origin.at(answer_id=answer_id)))


def _metadata_identity(
    metadata: Mapping[str, object] | None, fields: SheetFields, source: str
) -> None:
    """Identity and assignment from notebook metadata, where the cells said nothing."""
    if not isinstance(metadata, Mapping):
        return
    grader_meta = metadata.get("grader")
    blocks = [metadata, grader_meta] if isinstance(grader_meta, Mapping) else [metadata]
    for block in blocks:
        student = block.get("student")
        if fields.raw_id is None and isinstance(student, Mapping):
            raw_id = student.get("id", student.get("student_id"))
            fields.raw_id = (
                str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else raw_id
            )
            fields.id_at = Location(source)
            if fields.raw_name is None and isinstance(student.get("name"), str):
                fields.raw_name = student.get("name")
        assignment = block.get("assignment")
        if fields.assignment is None and isinstance(assignment, str) and assignment.strip():
            fields.assignment = assignment.strip()


def _read_cells(cells: tuple[Cell, ...], source: str, fields: SheetFields) -> None:
    student_cells = [c for c in cells if STUDENT_TAG in c.tags]
    if student_cells:
        _read_student_cell(student_cells[0], source, fields)
    for cell in cells:
        if ANSWERS_TAG in cell.tags:
            _read_answers_cell(cell, source, fields)
    for cell in cells:
        # one answer per id and cell, however often (and however spaced) the tag repeats it
        ids = dict.fromkeys(
            tag[len(ANSWER_TAG_PREFIX) :].strip()
            for tag in cell.tags
            if tag.startswith(ANSWER_TAG_PREFIX)
        )
        for answer_id in ids:
            if answer_id:
                _read_answer_cell(cell, answer_id, source, fields)


def load_notebook(data: bytes, source: str) -> Submission:
    """Read a notebook's bytes; never executes it and never raises for bad input."""
    try:
        document = read_cells(data, source)
    except NotebookError as exc:
        return unreadable_submission(source, "ipynb", exc.reason, exc.message, exc.where)
    fields = SheetFields()
    fields.collector.messages.extend(document.messages)
    try:
        _read_cells(document.cells, source, fields)
    except _Unreadable as exc:
        # Unreadable like a broken sheet, but whoever the notebook names stays its student.
        _metadata_identity(document.metadata, fields, source)
        identity = resolve_identity(fields.raw_id, fields.raw_name, source, fields.id_at)
        return unreadable_submission(
            source, "ipynb", exc.reason, exc.message, exc.where, identity=identity
        )
    _metadata_identity(document.metadata, fields, source)
    return submission_from_fields(fields, source, "ipynb")
