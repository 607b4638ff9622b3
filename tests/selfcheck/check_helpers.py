"""Helpers shared by the `grade check` tests (a uniquely named module: several test folders
have a conftest.py, so tests import from here, never from `conftest`)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
RUBRIC = REPO / "rubrics" / "practical-1.yaml"
GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")
SheetMaker = Callable[..., Path]


@dataclass(frozen=True)
class Run:
    """What one `grade ...` call did."""

    code: int
    out: str
    err: str


def run_grade(argv: list[str]) -> Run:
    """Run the `grade` CLI in this process and capture both streams."""
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return Run(code, out.getvalue(), err.getvalue())
