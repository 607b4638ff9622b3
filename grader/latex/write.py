"""Writing LaTeX answer documents for the `grader` package (templates and key sheets).

The caller (`grader.template`, `grader.keysheet`) says what goes in each slot; this module only
formats: a preamble with `\\usepackage{grader}`, `\\student`, `\\assignment`, one section per
question, one `\\answer{id}{...}` (or `answertext` environment) per slot with a `%` comment
describing it, alternative slots commented out. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from grader.model import AssignmentInfo, PartInfo

_TEXT_SPECIAL = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "%": "\\%",
    "&": "\\&",
    "#": "\\#",
    "$": "\\$",
    "_": "\\_",
    "^": "\\^{}",
    "~": "\\~{}",
}


@dataclass(frozen=True)
class Slot:
    """One answer slot: `math` (TeX) or `text` (plain, escaped here), or neither (empty)."""

    answer_id: str
    comment: str
    kind: str = "math"  # "math" or "text"
    value: str | None = None  # TeX maths for "math", plain text for "text"
    commented_out: bool = False  # an alternative slot


@dataclass(frozen=True)
class Section:
    """A question: its heading and slots."""

    title: str
    slots: tuple[Slot, ...]


def package_source() -> str:
    """The text of grader.sty, to be written beside a document."""
    return resources.files("grader.latex").joinpath("grader.sty").read_text(encoding="utf-8")


def escape_text(text: str) -> str:
    """Plain text safe in a LaTeX paragraph (blank lines kept as paragraph breaks)."""
    return "".join(_TEXT_SPECIAL.get(c, c) for c in text)


def _comment(text: str) -> str:
    return "% " + " ".join(text.split())


def _slot_lines(slot: Slot) -> list[str]:
    lines = [_comment(f"{slot.answer_id}: {slot.comment}")]
    mark = "% " if slot.commented_out else ""
    if slot.kind == "text":
        body = [escape_text(line) for line in (slot.value or "").strip().splitlines()]
        lines.append(f"{mark}\\begin{{answertext}}{{{slot.answer_id}}}")
        lines.extend(f"{mark}{line}".rstrip() for line in (body or [""]))
        lines.append(f"{mark}\\end{{answertext}}")
    else:
        lines.append(f"{mark}\\answer{{{slot.answer_id}}}{{{slot.value or ''}}}")
    return lines


def render_document(
    title: str,
    assignment: str,
    sections: Sequence[Section],
    head_comments: Sequence[str],
    student: tuple[str, str] = ("", ""),
) -> str:
    """A complete LaTeX document using the grader package."""
    lines = [_comment(line) for line in head_comments]
    lines += [
        "\\documentclass[11pt]{article}",
        "\\usepackage{amsmath,amssymb}",
        "\\usepackage{grader}",
        "% Your own packages and macros go here, e.g.",
        "% \\newcommand{\\dd}[2]{\\frac{\\partial #1}{\\partial #2}}",
        f"\\student{{{student[0]}}}{{{student[1]}}}  % your university id and your full name",
        f"\\assignment{{{assignment}}}",
        "",
        "\\begin{document}",
        f"\\section*{{{escape_text(title)}}}",
    ]
    for section in sections:
        lines += ["", f"\\subsection*{{{escape_text(section.title)}}}"]
        for slot in section.slots:
            lines += _slot_lines(slot)
    lines += ["", "\\end{document}"]
    return "\n".join(lines) + "\n"


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def render_assignment(
    info: AssignmentInfo,
    values: Mapping[str, str],
    head_comments: Sequence[str],
    describe: Callable[[PartInfo], str],
    student: tuple[str, str] = ("", ""),
) -> str:
    """A document with every slot of `info` (filled from `values`, TeX maths or plain text for
    text slots); alternative slots without a value are commented out."""
    sections = []
    for question in info.questions:
        bonus = ", bonus" if question.bonus else ""
        title = f"{' '.join(question.title.split())} ({_points(question.max_points)}{bonus})"
        slots = tuple(
            Slot(
                part.answer_id,
                describe(part),
                "text" if part.kind == "text" else "math",
                values.get(part.answer_id),
                commented_out=bool(part.alternative_of) and part.answer_id not in values,
            )
            for part in question.parts
        )
        sections.append(Section(title, slots))
    return render_document(info.title, info.id, sections, head_comments, student)
