"""Fixtures of the export tests: the small hand-built gradebook (export_data.py) and the
gradebook of the sample submissions (graded once per session), written to folders."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from export_data import LATE, REPO, Runner, inject_detail, small_info, small_rows

from grader.export import run_export
from grader.gradebook import RESULTS_FILE, write_gradebook
from grader.model import Gradebook
from grader.pipeline import BatchOptions, grade_folder


@pytest.fixture
def small_book() -> Gradebook:
    """The hand-built gradebook."""
    return Gradebook(small_info(), small_rows())


@pytest.fixture
def small_gradebook(tmp_path: Path, small_book: Gradebook) -> Path:
    """The hand-built gradebook written to a folder, with s005's late record in results.json."""
    folder = tmp_path / "gradebook"
    write_gradebook(small_book, folder)
    inject_detail(folder / RESULTS_FILE, {"s005": {"late": dict(LATE)}})
    return folder


@pytest.fixture(scope="session")
def sample_book() -> Gradebook:
    """The gradebook of the repository's sample submissions."""
    return grade_folder(BatchOptions(folder=REPO / "submissions", workers=0)).gradebook


@pytest.fixture
def sample_gradebook(tmp_path: Path, sample_book: Gradebook) -> Path:
    """The sample gradebook written to a folder."""
    folder = tmp_path / "sample-gradebook"
    write_gradebook(sample_book, folder)
    return folder


@pytest.fixture
def export() -> Runner:
    """`grade export ARGS`: (exit status, stdout, stderr)."""

    def run(argv: Sequence[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        status = run_export(list(argv), out, err)
        return status, out.getvalue(), err.getvalue()

    return run
