"""`grade handout`: per student, the exercise sheet with their own numbers and their templates.

The sheet text is course content kept beside the rubric (`sheet: {markdown: a.sheet.md, latex:
a.sheet.tex}`), with placeholders for the data and the student:

    {{ W | bmatrix }}   a matrix as `\\begin{bmatrix} 0.60 & 0.70 \\\\ ... \\end{bmatrix}` (a vector
                        as a column; `| row` as a row), the same LaTeX math in both formats
    {{ y | list }}      nested lists: [1, 1, -1, -1]     {{ lr }}   one value: 0.5
    {{ X[2][0] }}       one entry                        {{ student.id }}, {{ student.name }},
                                                         {{ variant }}   (escaped per format)

Every placeholder is checked before anything is written (unknown names, indices out of range, a
filter that does not fit the value), every problem at once as `file:line:column: message`.
Answer templates come from the renderers the caller passes in (one per template format, e.g.
`grader.template` for yaml and ipynb), so a new template format needs no change here. Output
is written as one set under the output folder: `<student>/sheet.md`, `<student>/sheet.tex`,
`<student>/answers.<format>`, and `index.csv` (student, name, variant) for staff.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.gradebook.atomic import replace_files
from grader.gradebook.csvout import csv_bytes
from grader.gradebook.markdown import escape_markdown
from grader.gradebook.paths import safe_filename
from grader.loaders.identity import id_problem
from grader.rubric.draw import Variant
from grader.rubric.errors import RubricError
from grader.rubric.spec import Rubric

SUFFIXES: Mapping[str, str] = {"markdown": ".md", "latex": ".tex"}
FILTERS = ("value", "list", "bmatrix", "row")
IDENTITY = ("student.id", "student.name", "variant")
INDEX_FILE = "index.csv"
INDEX_HEADER = ("student_id", "name", "variant", "folder")
MAX_SHEET_BYTES = 1_000_000

_PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]+)?)(?P<index>(?:\[\d+\])*)"
    r"\s*(?:\|\s*(?P<filter>[a-z]+)\s*)?\}\}"
)
_OPEN = re.compile(r"\{\{")
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
}  # fmt: skip

Template = Callable[["Student"], str]  # one answer-template format, for one student


@dataclass(frozen=True)
class Student:
    """Who a handout is for."""

    student_id: str
    name: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet text: its format, where it was read from, and the text."""

    fmt: str
    path: Path
    text: str


def read_sheets(rubric: Rubric) -> tuple[Sheet, ...]:
    """The rubric's sheet texts, read and checked against its data; RubricError with every
    problem (no sheet declared, a file missing, a bad placeholder)."""
    if not rubric.sheet:
        raise RubricError([f"{rubric.path}: sheet: the rubric names no sheet text to hand out"])
    folder = Path(rubric.path).resolve().parent
    sheets, problems = [], []
    for fmt, name in rubric.sheet.items():
        path = (folder / name).resolve()
        try:
            if path.stat().st_size > MAX_SHEET_BYTES:
                problems.append(f"{path}: larger than {MAX_SHEET_BYTES} bytes")
                continue
            sheet = Sheet(fmt, path, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rubric.path}: sheet.{fmt}: cannot read {path}: {exc}")
            continue
        problems += check_sheet(sheet, rubric.data)
        sheets.append(sheet)
    if problems:
        raise RubricError(problems)
    return tuple(sheets)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def check_sheet(sheet: Sheet, data: Mapping[str, Any]) -> list[str]:
    """Every problem with the placeholders of `sheet` against the data names and shapes."""
    problems = []
    # Placeholders blanked out (same length, so positions hold): any `{{` left is a typo.
    rest = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), sheet.text)
    for opening in _OPEN.finditer(rest):
        where = f"{sheet.path}:{_position(sheet.text, opening.start())}"
        problems.append(f"{where}: `{{{{` that is not a placeholder such as {{{{ W | bmatrix }}}}")
    for match in _PLACEHOLDER.finditer(sheet.text):
        problem = _placeholder_problem(match, data)
        if problem:
            problems.append(f"{sheet.path}:{_position(sheet.text, match.start())}: {problem}")
    return problems


def _placeholder_problem(match: re.Match[str], data: Mapping[str, Any]) -> str | None:
    name, filt = match.group("name"), match.group("filter") or "value"
    if filt not in FILTERS:
        return f"unknown filter {filt!r}; valid: {', '.join(FILTERS)}"
    if name in IDENTITY:
        return None if filt == "value" and not match.group("index") else f"{name} takes no filter"
    if name not in data:
        return f"unknown name {name!r}; valid: {', '.join([*sorted(data), *IDENTITY])}"
    try:
        value = _pick(data[name], match.group("index"))
    except (IndexError, TypeError):
        return f"{match.group(0)}: the index is outside {name}"
    return _filter_problem(value, filt, name)


def _filter_problem(value: Any, filt: str, name: str) -> str | None:
    depth = _depth(value)
    if filt == "bmatrix" and depth not in (1, 2):
        return f"{name} is not a vector or a matrix (bmatrix)"
    if filt == "row" and depth != 1:
        return f"{name} is not a vector (row)"
    if filt == "value" and depth != 0:
        return f"{name} is an array: choose | list, | bmatrix or | row"
    return None


def _pick(value: Any, index: str) -> Any:
    for position in re.findall(r"\d+", index):
        if not isinstance(value, (list, tuple)):
            raise TypeError("not an array")
        value = value[int(position)]
    return value


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, (list, tuple)) and value:
        depth, value = depth + 1, value[0]
    return depth


def _text(value: Any) -> str:
    return str(value).strip()


def _format(value: Any, filt: str) -> str:
    if filt == "list" or (filt == "value" and isinstance(value, (list, tuple))):
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(_format(v, "list") for v in value) + "]"
        return _text(value)
    if filt in ("bmatrix", "row"):
        rows = value if _depth(value) == 2 else ([value] if filt == "row" else [[v] for v in value])
        body = r" \\ ".join(" & ".join(_text(v) for v in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    return _text(value)


def latex_escape(text: str) -> str:
    """Plain text safe inside a LaTeX document (names are student-facing, not course data)."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in " ".join(text.split()))


def _markdown_text(text: str) -> str:
    # Sheets hold LaTeX math between `$`s: a `$` in a name must not open one.
    return escape_markdown(" ".join(text.split())).replace("$", "\\$")


def render_sheet(sheet: Sheet, variant: Variant, student: Student) -> str:
    """The sheet's text with every placeholder replaced (the sheet must have been checked)."""
    escape = _markdown_text if sheet.fmt == "markdown" else latex_escape
    identity = {"student.id": student.student_id, "student.name": student.name,
                "variant": variant.label}  # fmt: skip

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name in identity:
            return escape(identity[name])
        value = _pick(variant.data[name], match.group("index"))
        return _format(value, match.group("filter") or "value")

    return _PLACEHOLDER.sub(replace, sheet.text)


def roster_students(entries: Sequence[tuple[str, str, str]]) -> tuple[list[Student], list[str]]:
    """Students from roster entries (id, name, where), and a message per id that could not
    name a gradebook row (such a student gets no handout: their sheet could not be graded)."""
    students, problems = [], []
    for student_id, name, where in entries:
        problem = id_problem(student_id)
        if problem:
            problems.append(f"{where}: student id {student_id!r} skipped: {problem}")
        else:
            students.append(Student(student_id, " ".join(name.split())))
    return students, problems


def handout_files(
    sheets: Sequence[Sheet],
    students: Sequence[Student],
    variant_of: Callable[[str], Variant],
    templates: Mapping[str, Template],
) -> list[tuple[str, bytes]]:
    """Every file of the handouts, as (path relative to the output folder, bytes), in a fixed
    order: per student (in the order given) the sheets, then the templates; index.csv last."""
    files: list[tuple[str, bytes]] = []
    index = []
    for student in students:
        folder = safe_filename(student.student_id)
        variant = variant_of(student.student_id)
        for sheet in sheets:
            text = render_sheet(sheet, variant, student)
            files.append((f"{folder}/sheet{SUFFIXES[sheet.fmt]}", text.encode("utf-8")))
        for fmt, render in templates.items():
            files.append((f"{folder}/answers.{fmt}", render(student).encode("utf-8")))
        index.append([student.student_id, student.name, variant.label, folder])
    files.append((INDEX_FILE, csv_bytes(INDEX_HEADER, index)))
    return files


def write_handouts(out_dir: Path, files: Sequence[tuple[str, bytes]]) -> list[Path]:
    """Write the handout files under `out_dir` as one set (nothing outside it)."""
    return replace_files(out_dir, files)
