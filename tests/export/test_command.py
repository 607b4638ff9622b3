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


CANVAS_DOWNLOAD = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Practical 1 (12345),Current Score\r\n"
    "    Points Possible,,,,,30,(read only)\r\n"
    '"Lovelace, Ada",4411,s001,ada,A,,\r\n'
    '"Student, Test",9999,,,A,,\r\n'
)


def test_a_canvas_download_as_roster_carries_ids_and_the_assignment_id(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "canvas.csv"
    roster.write_bytes(b"\xef\xbb\xbf" + CANVAS_DOWNLOAD.encode("utf-8"))
    status, _, err = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                             "--roster", str(roster), "-o", str(tmp_path / "c.csv")])  # fmt: skip
    assert status == 0, err
    lines = (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",Practical 1 (12345)")
    assert any(line.startswith('"Lovelace, Ada",4411,s001,ada,A,') for line in lines)
    assert "12345" in err and "warning: warning" not in err
    assert all(line.count("warning:") <= 1 for line in err.splitlines())


def test_an_excel_saved_roster_works_in_export(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("sep=;\r\nStudent ID;Name;Email\r\ns001;Zo\u00eb M\u00fcller;z@u\r\n"
                       .encode("cp1252"))  # fmt: skip
    status, _, err = export(["--format", "csv", "--gradebook", str(small_gradebook),
                             "--roster", str(roster), "-o", str(tmp_path / "t.csv")])  # fmt: skip
    assert status == 0, err
    assert "Zo\u00eb M\u00fcller" in (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert "Windows-1252" in err


def test_hold_review_holds_unreadable_rows_and_says_so(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    status, _, err = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                             "--hold-review", "-o", str(tmp_path / "c.csv")])  # fmt: skip
    assert status == 0
    row = next(r for r in (tmp_path / "c.csv").read_text().splitlines() if ",s003," in r)
    assert row.endswith(",s003,,,")  # no score rather than 0
    assert "1 row(s) are unreadable submissions: held back" in err


def test_a_missing_roster_says_no_such_file(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    status, _, err = export(["--format", "canvas", "--gradebook", str(small_gradebook),
                             "--roster", str(tmp_path / "nope.csv")])  # fmt: skip
    assert status == EXIT_USAGE and "no such file" in err


def test_an_export_into_a_gradebook_being_written_waits_its_turn(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    # A `grade` publishing this folder holds its lock: an export written inside the folder at
    # that moment would be swapped away with the old set, so it is refused, naming the folder.
    from grader.gradebook.lock import gradebook_lock

    with gradebook_lock(small_gradebook.resolve()):
        status, _, err = export(["--format", "csv", "--gradebook", str(small_gradebook)])
        assert status == 1 and str(small_gradebook.name) in err
        assert not (small_gradebook / "exports").exists()
        # Outside the folder nothing can be swapped away: the export goes ahead.
        status, _, _ = export(["--format", "csv", "--gradebook", str(small_gradebook),
                               "-o", str(tmp_path / "t.csv")])  # fmt: skip
        assert status == 0 and (tmp_path / "t.csv").is_file()
    status, _, _ = export(["--format", "csv", "--gradebook", str(small_gradebook)])
    assert status == 0 and (small_gradebook / "exports" / "table.csv").is_file()
