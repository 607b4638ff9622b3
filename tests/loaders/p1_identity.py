"""The loaders as grading applies them to Practical-1 files: read with the loaders' default
(no file-name rule: grader/ knows no course), then the course's rule from its rubric
(`identity: {file_name: "pen_paper_<lastname>"}`) applied by `reidentify`, as `grade` does.
A uniquely named module: loader tests import these instead of the bare loaders."""

from __future__ import annotations

from pathlib import Path

from grader.loaders import load_submission as _load_submission
from grader.loaders.identity import FileNameRule, reidentify
from grader.loaders.notebook import load_notebook as _load_notebook
from grader.loaders.pdf import load_pdf as _load_pdf
from grader.loaders.tex import load_tex as _load_tex
from grader.loaders.yaml_sheet import load_yaml_sheet as _load_yaml_sheet
from grader.model import Submission

PEN_PAPER = FileNameRule("pen_paper_<lastname>")


def load_submission(path: Path, root: Path) -> Submission:
    """`grader.loaders.load_submission` under Practical-1's file-name rule."""
    return reidentify(_load_submission(path, root), PEN_PAPER)


def load_yaml_sheet(data: bytes, source: str) -> Submission:
    """`grader.loaders.yaml_sheet.load_yaml_sheet` under Practical-1's file-name rule."""
    return reidentify(_load_yaml_sheet(data, source), PEN_PAPER)


def load_notebook(data: bytes, source: str) -> Submission:
    """`grader.loaders.notebook.load_notebook` under Practical-1's file-name rule."""
    return reidentify(_load_notebook(data, source), PEN_PAPER)


def load_tex(data: bytes, source: str) -> Submission:
    """`grader.loaders.tex.load_tex` under Practical-1's file-name rule."""
    return reidentify(_load_tex(data, source), PEN_PAPER)


def load_pdf(data: bytes, source: str) -> Submission:
    """`grader.loaders.pdf.load_pdf` under Practical-1's file-name rule."""
    return reidentify(_load_pdf(data, source), PEN_PAPER)
