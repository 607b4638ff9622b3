"""ci-templates/gradescope/run_autograder, run in a folder laid out like Gradescope's: one
sheet gives that student's graded results, no sheet or several a valid score-0 result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from export_data import REPO
from gradescope_spec import validate

from grader.model import Gradebook

SCRIPT = REPO / "ci-templates" / "gradescope" / "run_autograder"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


def _run_autograder(root: Path, sheets: list[str]) -> dict:
    (root / "submission").mkdir(parents=True)
    for name in sheets:
        shutil.copy(REPO / "submissions" / name, root / "submission" / name)
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "GRADER_SOURCE": str(REPO),
        "GRADER_PYTHON": sys.executable,
        "GRADER_GRADEBOOK": str(root / "gb"),
    }
    completed = subprocess.run(
        [str(BASH), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_script_is_executable_with_a_shebang() -> None:
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!")


def test_one_sheet_gives_its_graded_result(tmp_path: Path, sample_book: Gradebook) -> None:
    document = _run_autograder(tmp_path, ["pen_paper_gauss.yaml"])
    expected = next(row for row in sample_book.rows if row.source == "pen_paper_gauss.yaml")
    assert validate(document) == []
    assert document["score"] == round(expected.total, 2)
    assert len(document["tests"]) == sum(1 for s in sample_book.assignment.slots() if s.scored)


@pytest.mark.parametrize("sheets", [[], ["pen_paper_gauss.yaml", "pen_paper_hopper.yaml"]])
def test_no_sheet_or_several_still_leave_a_valid_result(tmp_path: Path, sheets: list[str]) -> None:
    document = _run_autograder(tmp_path, sheets)
    assert validate(document) == []
    assert document["score"] == 0 and document["tests"] == []


def test_a_grader_failure_leaves_the_fixed_fallback(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path), "GRADER_SOURCE": str(REPO),
           "GRADER_PYTHON": str(tmp_path / "no-python"), "GRADER_GRADEBOOK": str(tmp_path / "gb")}  # fmt: skip
    completed = subprocess.run(
        [str(BASH), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0
    document = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert validate(document) == [] and document["score"] == 0
