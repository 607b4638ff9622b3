"""`grade export` as a command: options, exit statuses, rosters, the CLI dispatch."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from export_data import Runner

from grader.cli import main
from grader.export.errors import EXIT_USAGE


@pytest.mark.parametrize(
    "extra",
    [
        ["--format", "moodle", "--canvas-assignment-id", "3"],
        ["--format", "csv", "--per-question"],
        ["--format", "canvas", "--single"],
        ["--format", "moodle", "--visibility", "hidden"],
        ["--format", "gradescope", "--bom"],
        ["--format", "canvas", "--per-question", "--canvas-question-id", "ex1"],
        ["--format", "canvas", "--per-question", "--canvas-question-id", "ex1=x"],
        ["--format", "canvas", "--canvas-question-id", "ex1=3"],  # without --per-question
        ["--format", "canvas", "--per-question", "--canvas-question-id", "ex9=3"],
        ["--format", "canvas", "--per-question", "--canvas-question-id", "ex1=\u0663"],
        ["--format", "canvas", "--canvas-assignment-id", "0"],
        ["--format", "csv", "--title", "T"],
        ["--format", "gradescope", "--hold-review"],
        ["--format", "gradescope", "--roster", "r.csv"],
        ["--format", "canvas", "--canvas", "3"],  # no abbreviations
        ["--format", "blackboard"],
        ["--format", "canvas", "--canvas-assignment-id", "many"],
        [],
    ],
)
def test_wrong_options_are_usage_errors(
    export: Runner, small_gradebook: Path, tmp_path: Path, extra: list[str]
) -> None:
    status, _, err = export([*extra, "--gradebook", str(small_gradebook),
                             "-o", str(tmp_path / "x")])  # fmt: skip
    assert status == EXIT_USAGE and err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00bad", b"who,what\n1,2\n"])
def test_unusable_roster_is_a_usage_error(
    export: Runner, small_gradebook: Path, tmp_path: Path, content: bytes
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    status, _, _ = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                           "--roster", str(roster), "-o", str(tmp_path / "c.csv")])  # fmt: skip
    assert status == EXIT_USAGE and not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("canvas", "canvas.csv"),
        ("moodle", "moodle.csv"),
        ("csv", "table.csv"),
        ("gradescope", "gradescope"),
    ],  # fmt: skip
)
def test_default_outputs_stay_in_the_gradebook(
    export: Runner, small_gradebook: Path, fmt: str, name: str
) -> None:
    before = {p for p in small_gradebook.rglob("*")}
    status, _, _ = export(["--format", fmt, "--gradebook", str(small_gradebook)])
    assert status == 0
    new = {p for p in small_gradebook.rglob("*")} - before
    target = small_gradebook / "exports" / name
    assert target.exists() and all(p == target or target in p.parents or p == target.parent
                                   for p in new)  # fmt: skip


def test_output_that_is_a_folder_is_refused(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    status, _, _ = export(["--format", "csv", "--gradebook", str(small_gradebook),
                           "-o", str(tmp_path)])  # fmt: skip
    assert status == EXIT_USAGE


def test_cli_dispatches_to_the_export(small_gradebook: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["export", "--format", "csv", "--gradebook", str(small_gradebook),
                   "-o", str(tmp_path / "t.csv")], out, err)  # fmt: skip
    assert status == 0 and (tmp_path / "t.csv").is_file()


def test_help_goes_to_out_and_succeeds(export: Runner) -> None:
    status, out, _ = export(["--help"])
    assert status == 0 and "--format" in out
