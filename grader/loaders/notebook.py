"""Jupyter notebook submissions (practical-1.md section 2): read with nbformat, NEVER executed.

The notebook is parsed as JSON by nbformat (after a size check), upgraded to format 4 and
validated; a schema violation is a warning (the cells are still read defensively), broken
JSON or a non-notebook is unreadable. Outputs, HTML and untagged cells are ignored.

Identity and assignment, first found wins:
1. a cell tagged `student` holding YAML: `student: {id, name}` (optionally `assignment:`), or
   just the two keys `id:` and `name:`;
2. notebook metadata `metadata.student.{id,name}` or `metadata.grader.student.{id,name}`
   (`student_id` is accepted for `id`), `metadata.assignment` / `metadata.grader.assignment`;
3. the file name (see :mod:`grader.loaders.identity`).

Answers (both styles may be mixed; an id given twice is unparseable):
- a cell tagged `answers` holding YAML: `answers:` with the nested mapping of a sheet, or that
  mapping itself. A broken `answers` cell makes the notebook unreadable, like a broken sheet.
- one cell per answer tagged `answer:<id>` (e.g. `answer:ex2.W_new`): a markdown/raw cell's
  text is the answer (outer `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` and code fences
  stripped; empty means no answer); a code cell holds one literal (:mod:`.literal`). A code
  cell that is anything else gives value None plus an ERROR message naming the cell
  (UNPARSEABLE convention, see `grader.loaders.answer_errors`).

Locations carry `cell` (1-based); `line`/`column` are counted within that cell's text.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from grader.loaders.common import Origin, unreadable_submission
from grader.loaders.identity import clean_name
from grader.loaders.literal import LiteralError, read_literal
from grader.loaders.safe_yaml import YamlError, YamlMap, YamlScalar, parse_yaml
from grader.loaders.yaml_sheet import (
    SheetFields,
    flatten_answers,
    read_sheet,
    read_student,
    submission_from_fields,
)
from grader.model import Location, Message, RawAnswer, Reason, Severity, Submission

MAX_NOTEBOOK_BYTES = 16 << 20  # notebooks carry outputs (plots), so more than a sheet
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


@dataclass(frozen=True)
class _Cell:
    index: int  # 1-based
    cell_type: str
    text: str
    tags: tuple[str, ...]


def _decode(data: bytes, source: str) -> str:
    where = Location(source)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise _Unreadable(
            Reason.FILE_TOO_LARGE,
            f"the notebook is larger than the limit of {MAX_NOTEBOOK_BYTES} bytes",
            where,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unreadable(Reason.FILE_UNREADABLE, "the file is not UTF-8 text", where) from None


def _check_json(text: str, source: str) -> None:
    """Refuse broken JSON with its position (nbformat's own error drops it)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = Location(source, line=exc.lineno, column=exc.colno)
        raise _Unreadable(Reason.NOTEBOOK_FORMAT, f"broken JSON: {exc.msg}", where) from None
    except (RecursionError, ValueError):
        raise _Unreadable(
            Reason.NOTEBOOK_FORMAT, "the JSON is nested too deeply or too large", Location(source)
        ) from None


def _not_a_notebook(source: str, why: str) -> _Unreadable:
    return _Unreadable(Reason.NOTEBOOK_FORMAT, why, Location(source))


def _read_notebook(text: str, source: str) -> tuple[Mapping[str, object], list[Message]]:
    """The notebook as format-4 JSON data, plus a warning when it does not match the schema."""
    import nbformat  # here, not at import: 0.1 s that YAML-only batches and `grade check` skip

    _check_json(text, source)
    messages: list[Message] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat warns about missing cell ids etc.
        # Third-party code on hostile input: any failure means "not a notebook".
        try:
            nb = nbformat.convert(nbformat.reader.reads(text), 4)
        except Exception:
            raise _not_a_notebook(source, "not a Jupyter notebook nbformat can read") from None
        try:
            nbformat.validate(nb)
        except Exception:  # a schema problem: read what is there, but say so
            messages.append(
                Message(
                    Severity.WARNING,
                    "the notebook does not match the Jupyter format; its cells were read anyway",
                    Location(source),
                    Reason.NOTEBOOK_FORMAT,
                )
            )
    if not isinstance(nb, Mapping) or not isinstance(nb.get("cells"), list):
        raise _not_a_notebook(source, "the notebook has no list of cells")
    return nb, messages


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(item for item in value if isinstance(item, str))
    return ""


def _cells(nb: Mapping[str, object]) -> tuple[_Cell, ...]:
    raw_cells = nb.get("cells")
    cells = []
    for index, cell in enumerate(raw_cells if isinstance(raw_cells, list) else [], start=1):
        if not isinstance(cell, Mapping):
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, Mapping) else None
        tag_list = tags if isinstance(tags, list) else []
        cell_type = cell.get("cell_type")
        cells.append(
            _Cell(
                index,
                cell_type if isinstance(cell_type, str) else "",
                _text(cell.get("source")),
                tuple(t.strip() for t in tag_list if isinstance(t, str)),
            )
        )
    return tuple(cells)


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


def _yaml_cell(cell: _Cell, source: str) -> tuple[YamlMap | None, Origin]:
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


def _read_student_cell(cell: _Cell, source: str, fields: SheetFields) -> None:
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


def _read_answers_cell(cell: _Cell, source: str, fields: SheetFields) -> None:
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


def _read_answer_cell(cell: _Cell, answer_id: str, source: str, fields: SheetFields) -> None:
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


def _metadata_identity(nb: Mapping[str, object], fields: SheetFields, source: str) -> None:
    """Identity and assignment from notebook metadata, where the cells said nothing."""
    metadata = nb.get("metadata")
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


def _read_cells(cells: tuple[_Cell, ...], source: str, fields: SheetFields) -> None:
    student_cells = [c for c in cells if STUDENT_TAG in c.tags]
    if student_cells:
        _read_student_cell(student_cells[0], source, fields)
    for cell in cells:
        if ANSWERS_TAG in cell.tags:
            _read_answers_cell(cell, source, fields)
    for cell in cells:
        for tag in cell.tags:
            if tag.startswith(ANSWER_TAG_PREFIX):
                answer_id = tag[len(ANSWER_TAG_PREFIX) :].strip()
                if answer_id:
                    _read_answer_cell(cell, answer_id, source, fields)


def load_notebook(data: bytes, source: str) -> Submission:
    """Read a notebook's bytes; never executes it and never raises for bad input."""
    try:
        nb, messages = _read_notebook(_decode(data, source), source)
        fields = SheetFields()
        fields.collector.messages.extend(messages)
        _read_cells(_cells(nb), source, fields)
    except _Unreadable as exc:
        return unreadable_submission(source, "ipynb", exc.reason, exc.message, exc.where)
    _metadata_identity(nb, fields, source)
    return submission_from_fields(fields, source, "ipynb")
