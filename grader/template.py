"""Empty answer sheets for any rubric, as YAML, a Jupyter notebook or a LaTeX document.

Every slot of the :class:`grader.model.AssignmentInfo` gets an entry with its points, expected
shape and one-line hint; choices list their allowed values; alternative slots (a slot with
`alternative_of`) are offered as commented-out entries in YAML and as ordinary cells, with a
note, in the notebook. An unfilled template loads back through `grader.loaders` with every
answer missing (YAML: empty values; notebook: `name = None` code cells for numeric slots and
empty markdown cells for the others); a filled one loads back with the rubric's dotted ids.
Output is deterministic (fixed cell ids), so re-generating a template gives the same bytes.
The LaTeX document (`tex`) uses the `grader` package (:func:`grader.latex.write.package_source`,
to be written beside it): one `\\answer{id}{}` or `answertext` environment per slot.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from grader.latex.write import render_assignment
from grader.model import AssignmentInfo, PartInfo, QuestionInfo

FORMATS = ("yaml", "ipynb", "tex")

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_COMMENT_COLUMN = 28
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]<>#|$")
# Examples shown in the instructions unless the rubric's `template:` gives the course's own.
DEFAULT_HINTS = {"formula_example": "(a + b) * c", "array_example": "x = [[0.1, 0.2], [0.3, 0.4]]"}


def _hint(info: AssignmentInfo, key: str) -> str:
    return info.template_hints.get(key) or DEFAULT_HINTS[key]


def _stem(info: AssignmentInfo) -> str:
    """The file name the rubric asks for (its `identity: file_name`), or the student's id."""
    return info.file_name or "<your id>"


@dataclass(frozen=True)
class Identity:
    """Who the template is for (`grade template --student`, `grade handout`); empty: anyone."""

    student_id: str = ""
    name: str = ""


def render_template(info: AssignmentInfo, fmt: str, identity: Identity = Identity()) -> str:
    """An empty answer sheet for `info` in `fmt` ("yaml" or "ipynb"), with the student's
    identity filled in when given; ValueError for another format."""
    if fmt == "yaml":
        return _render_yaml(info, identity)
    if fmt == "ipynb":
        return _render_notebook(info, identity)
    if fmt == "tex":
        return render_tex(info, {}, (identity.student_id, identity.name))
    raise ValueError(f"unknown template format {fmt!r}; expected one of {', '.join(FORMATS)}")


# -- shared wording ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _points(value: float) -> str:
    number = f"{value:g}"
    return f"{number} point" + ("" if value == 1 else "s")


def _what(part: PartInfo) -> str:
    """What the slot expects: 'numbers, 4 x 3', 'expression', 'one of: a | b', ..."""
    if part.kind == "choice" and part.choices:
        return "one of: " + " | ".join(part.choices)
    kinds = {"numeric": "numbers", "symbolic": "expression", "text": "free text"}
    what = kinds.get(part.kind, part.kind)
    return f"{what}, {part.shape}" if part.shape else what


def _describe(part: PartInfo) -> str:
    """The one-line description of a slot used in both formats."""
    pieces = [_points(part.max_points) if part.scored else "no points of its own", _what(part)]
    if part.review:
        pieces.append("marked by a TA")
    if part.hint:
        pieces.append(part.hint)
    return _one_line("; ".join(pieces))


def _slot_key(question: QuestionInfo, part: PartInfo) -> tuple[bool, str]:
    """(nested under the question?, key): ids outside `question.` go to the top of answers."""
    prefix = question.id + "."
    if part.answer_id.startswith(prefix) and len(part.answer_id) > len(prefix):
        return True, part.answer_id[len(prefix) :]
    return False, part.answer_id


# -- YAML -------------------------------------------------------------------------------------


def _yaml_key(key: str) -> str:
    # A dotted key is quoted and read back as one key, which the loader flattens with dots.
    return key if _PLAIN_KEY.fullmatch(key) else json.dumps(key)


def _commented(head: str, comment: str) -> str:
    return f"{head.ljust(_COMMENT_COLUMN)}  # {comment}"


def _yaml_entry(indent: str, key: str, comment: str, commented_out: bool = False) -> str:
    mark = "# " if commented_out else ""
    return _commented(f"{indent}{mark}{_yaml_key(key)}:", comment)


def _yaml_slots(question: QuestionInfo, nested: bool) -> list[str]:
    indent = "    " if nested else "  "
    lines: list[str] = []
    announced: set[str] = set()
    for part in question.parts:
        inside, key = _slot_key(question, part)
        if inside != nested:
            continue
        comment = _describe(part)
        if part.alternative_of:
            if part.alternative_of not in announced:
                announced.add(part.alternative_of)
                lines.append(
                    f"{indent}# or, instead of {part.alternative_of}, the entries below "
                    "(remove the leading '# ' to use them):"
                )
            lines.append(_yaml_entry(indent, key, comment, commented_out=True))
        else:
            lines.append(_yaml_entry(indent, key, comment))
    return lines


def _render_yaml(info: AssignmentInfo, identity: Identity) -> str:
    lines = [
        f"# Answer sheet: {_one_line(info.title)} ({_one_line(info.id)})",
        f"# Save as {_stem(info)}.yaml. Every answer is optional: leave an entry empty",
        '# if you have no answer. Numbers: 0.0986, -9.01e-1 or "1/3"; arrays: nested lists,',
        "# one inner list per row, e.g. [[0.1, 0.2], [0.3, 0.4]]. Formulas: plain maths or LaTeX",
        f'# in quotes, e.g. "{_hint(info, "formula_example")}". Several lines of text: write | '
        "and indent",
        "# the lines below it.",
        "student:",
        _commented(f"  id: {json.dumps(identity.student_id)}", "your university id"),
        _commented(f"  name: {json.dumps(identity.name, ensure_ascii=False)}", "your full name"),
        f"assignment: {json.dumps(info.id)}",
        "answers:",
    ]
    for question in info.questions:
        bonus = ", bonus" if question.bonus else ""
        lines.append(f"  # {_one_line(question.title)} ({_points(question.max_points)}{bonus})")
        nested = _yaml_slots(question, nested=True)
        if nested:
            lines.append(f"  {_yaml_key(question.id)}:")
            lines.extend(nested)
        lines.extend(_yaml_slots(question, nested=False))
    return "\n".join(lines) + "\n"


# -- notebook ---------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Markdown-escaped text (hints contain `*`, `_`, `^` ... that would render as markup)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def _variable(answer_id: str) -> str:
    name = answer_id.rsplit(".", 1)[-1]
    return name if name.isidentifier() and not keyword.iskeyword(name) else "answer"


_INTRO = """\
# {title}

Save this notebook as `{stem}.ipynb`. It is **never run** by the grader: only
the cells tagged `student` and `answer:<id>` are read, so keep their tags.

* Fill in the `student` cell below (your university id and name).
* Numeric answers go in the code cells: replace `None` by a number or a list of rows, e.g.
  `{array}`. Only plain numbers are read: no
  calculations, variables or function calls.
* Formulas and text go in the markdown cells (plain maths or LaTeX between `$...$`).
* Every answer is optional: leave a cell as it is if you have no answer."""


def _hint_cell(part: PartInfo) -> nbformat.NotebookNode:
    text = f"**`{part.answer_id}`**: {_md(_describe(part))}"
    if part.alternative_of:
        text = (
            f"*Alternative to `{part.alternative_of}`: answer either that or these cells, "
            f"not both.*\n\n{text}"
        )
    return new_markdown_cell(text)


def _answer_cell(part: PartInfo) -> nbformat.NotebookNode:
    if part.kind == "numeric":
        cell = new_code_cell(f"{_variable(part.answer_id)} = None")
    else:
        cell = new_markdown_cell("")
    cell["metadata"]["tags"] = [f"answer:{part.answer_id}"]
    return cell


def _render_notebook(info: AssignmentInfo, identity: Identity) -> str:
    student_id = json.dumps(identity.student_id)
    name = json.dumps(identity.name, ensure_ascii=False)
    student = new_raw_cell(
        f"student:\n  id: {student_id.ljust(8)}  # your university id\n"
        f"  name: {name.ljust(6)}  # your full name\n"
        f"assignment: {json.dumps(info.id)}\n"
    )
    student["metadata"]["tags"] = ["student"]
    intro = _INTRO.format(
        title=_md(_one_line(info.title)), stem=_stem(info), array=_hint(info, "array_example")
    )
    cells = [new_markdown_cell(intro), student]
    for question in info.questions:
        bonus = ", bonus" if question.bonus else ""
        heading = f"## {_md(_one_line(question.title))} ({_points(question.max_points)}{bonus})"
        cells.append(new_markdown_cell(heading))
        for part in question.parts:
            cells.extend((_hint_cell(part), _answer_cell(part)))
    for index, cell in enumerate(cells, start=1):
        cell["id"] = f"cell-{index:03d}"  # fixed ids: the same template byte for byte
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "grader": {"assignment": info.id},
        },
    )
    return nbformat.writes(nb) + "\n"


# -- LaTeX ------------------------------------------------------------------------------------

_TEX_HEAD = (
    "Save as <stem>.tex next to grader.sty, compile with pdflatex (or lualatex,",
    "xelatex) and hand in the .tex or the .pdf. Write each answer inside \\answer{id}{...} as",
    "LaTeX maths: 0.0986 or 9.86 \\times 10^{-2}; matrices as \\begin{bmatrix} a & b \\\\ c & d",
    "\\end{bmatrix}; formulas as you would typeset them, your own macros welcome. Leave {} empty",
    "if you have no answer. Do not rename the ids; derivations may go anywhere around them.",
)


def render_tex(
    info: AssignmentInfo, values: dict[str, str], student: tuple[str, str] = ("", "")
) -> str:
    """A LaTeX document for `info`; `values` fills slots (TeX maths, or plain text for text
    and free-text slots), the others stay empty."""
    head = (
        f"Answer sheet: {_one_line(info.title)} ({_one_line(info.id)})",
        *(line.replace("<stem>", _stem(info)) for line in _TEX_HEAD),
    )
    return render_assignment(info, values, head, _describe, student)
