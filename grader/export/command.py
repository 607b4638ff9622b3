"""`grade export`: read a gradebook's results.json and write an upload for an LMS.

    grade export --format canvas|moodle|gradescope|csv [--gradebook DIR] [-o PATH]
        canvas, moodle, csv: [--roster CSV]        (our roster or a Canvas gradebook download)
        canvas, moodle:      [--title TEXT] [--hold-review]
        canvas:              [--canvas-assignment-id N] [--per-question]
                             [--canvas-question-id QID=N ...] [--bom]
        gradescope:          [--single] [--visibility V]

Without -o the file goes to DIR/exports/ (canvas.csv, moodle.csv, table.csv, gradescope/ or,
with --single, gradescope.json). Files are written atomically and only at -o. Exit status: 0
written; 2 usage (bad option, unreadable roster, a results.json of another format/version, a
title an LMS would misread); 1 the gradebook cannot be exported as asked (duplicate students,
grades over Moodle's limit, --single on a gradebook without exactly one submission -- which
still writes a score-0 result explaining the problem, so Gradescope shows it) or a write failed.
An option given with a format it does not apply to is refused. This module is the export's
command layer: the only one that writes to `out`/`err`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from grader.export.canvas import CanvasOptions, canvas_csv
from grader.export.common import count_status, export_rows, late_record
from grader.export.errors import EXIT_FAIL, EXIT_USAGE, ExportDataError, ExportError
from grader.export.errors import ExportUsageError as _Usage
from grader.export.gradescope import (
    GradescopeOptions,
    Visibility,
    document_bytes,
    gradescope_files,
    problem_document,
    single_result,
)
from grader.export.lms_ids import Directory, identity_of, read_directory
from grader.export.moodle import MoodleOptions, moodle_csv, moodle_rows
from grader.export.source import read_results
from grader.export.table import table_csv
from grader.gradebook import RESULTS_FILE, GradebookError
from grader.gradebook.atomic import replace_files
from grader.gradebook.lock import gradebook_lock
from grader.model import Gradebook, Status, frozen_mapping

EXIT_OK = 0
FORMATS = ("canvas", "moodle", "gradescope", "csv")
EXPORT_DIR = "exports"
DEFAULT_NAMES = MappingProxyType({"canvas": "canvas.csv", "moodle": "moodle.csv",
                                  "csv": "table.csv", "gradescope": "gradescope"})  # fmt: skip
# Options that mean something for some formats only; given with another they are refused
# (a silently ignored option would let a TA believe, say, that provisional scores were held).
_LMS = ("canvas", "moodle")
_ONLY_FOR = (
    ("canvas_assignment_id", ("canvas",)), ("canvas_question_id", ("canvas",)),
    ("per_question", ("canvas",)), ("bom", ("canvas",)), ("single", ("gradescope",)),
    ("visibility", ("gradescope",)), ("title", _LMS), ("hold_review", _LMS),
    ("roster", ("canvas", "moodle", "csv")),
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so run_export owns every exit status."""

    def format_help(self) -> str:
        """Help that opens with what the command does, then the usage and the options."""
        import textwrap

        description, self.description = self.description, None
        try:
            rest = super().format_help()
        finally:
            self.description = description
        return f"{textwrap.fill(description)}\n\n{rest}" if description else rest

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def _parser() -> _Parser:
    p = _Parser(
        prog="grade export",
        description="Write a gradebook's grades as an upload Canvas, Moodle or Gradescope "
        "accepts as it is, or as a plain per-question CSV.",
        allow_abbrev=False,
    )
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument(
        "--gradebook",
        type=Path,
        default=Path("gradebook"),
        help="gradebook folder holding results.json (default gradebook/)",
    )
    p.add_argument("-o", "--output", type=Path, help="file (gradescope: folder) to write")
    p.add_argument("--roster", type=Path, help="roster CSV or a Canvas gradebook export")
    p.add_argument("--title", help="assignment title (default: the rubric's title)")
    p.add_argument(
        "--hold-review",
        action="store_true",
        help="canvas/moodle: no score for rows still awaiting a TA's review",
    )
    p.add_argument("--canvas-assignment-id", type=int, help="Canvas id of the assignment")
    p.add_argument(
        "--canvas-question-id",
        action="append",
        metavar="QID=N",
        help="Canvas id of a per-question assignment (repeatable)",
    )
    p.add_argument("--per-question", action="store_true", help="canvas: a column per question")
    p.add_argument("--bom", action="store_true", help="canvas: start with a UTF-8 BOM (Excel)")
    p.add_argument(
        "--single",
        action="store_true",
        help="gradescope: write the one submission's object to the -o file",
    )
    p.add_argument(
        "--visibility",
        choices=[v.value for v in Visibility],
        help="gradescope: when students see results (default after_published)",
    )
    return p  # fmt: skip


@dataclass(frozen=True)
class _Written:
    """What an export produced: the paths written and the lines to report."""

    target: Path
    paths: tuple[Path, ...]
    rows: int
    warnings: tuple[str, ...]


def _question_ids(values: Sequence[str] | None) -> dict[str, int]:
    ids: dict[str, int] = {}
    for value in values or ():
        qid, sep, number = value.partition("=")
        number = number.strip()
        if not sep or not qid.strip() or not (number.isascii() and number.isdigit()):
            raise _Usage(f"--canvas-question-id {value!r} is not QID=N")
        ids[qid.strip()] = int(number)
    return ids


def _check_options(args: argparse.Namespace) -> None:
    for name, formats in _ONLY_FOR:
        value = getattr(args, name)
        if value not in (None, False) and args.format not in formats:
            flag = "--" + name.replace("_", "-")
            raise _Usage(f"{flag} applies to --format {'|'.join(formats)} only")
    if args.canvas_question_id and not args.per_question:
        raise _Usage("--canvas-question-id needs --per-question")
    if args.canvas_assignment_id is not None and args.canvas_assignment_id <= 0:
        raise _Usage("--canvas-assignment-id must be a positive number")


def _directory(args: argparse.Namespace) -> tuple[Directory, list[str]]:
    """The roster's identities and what was said about it (messages carry their own
    severity: ``file:line: warning: ...``, never prefixed twice)."""
    if args.roster is None:
        return Directory(), []
    if not args.roster.is_file():
        problem = "no such file" if not args.roster.exists() else "is not a file"
        raise _Usage(f"--roster {args.roster}: {problem}")
    directory, messages = read_directory(args.roster)
    return directory, [str(message) for message in messages]


def _roster_warnings(book: Gradebook, directory: Directory, fmt: str) -> list[str]:
    if not len(directory):
        return []
    ids = {row.student_id for row in book.rows}
    absent = sorted(sid for sid in ids if sid not in directory)
    unsubmitted = sorted(sid for sid in directory if sid not in ids)
    warnings = []
    if absent:
        effect = "left out (Moodle aborts on an unknown user)" if fmt == "moodle" else (
            "exported; the LMS may not match them")  # fmt: skip
        warnings.append(f"warning: {len(absent)} student(s) not on the roster {effect}: "
                        + ", ".join(map(repr, absent[:10])))  # fmt: skip
    if unsubmitted:
        warnings.append(f"warning: {len(unsubmitted)} roster student(s) have no gradebook row "
                        "and are not exported")  # fmt: skip
    return warnings


def _score_warnings(book: Gradebook, args: argparse.Namespace) -> list[str]:
    warnings = []
    review = count_status(book.rows, Status.NEEDS_REVIEW)
    unreadable = count_status(book.rows, Status.UNREADABLE)
    if review and args.format in ("canvas", "moodle"):
        what = "held back (no score)" if args.hold_review else "exported as provisional"
        warnings.append(f"warning: {review} row(s) still await a TA's review: their scores are "
                        f"{what}")  # fmt: skip
    if unreadable and args.format in ("canvas", "moodle"):
        what = "held back (no score)" if args.hold_review else "exported as 0"
        warnings.append(f"warning: {unreadable} row(s) are unreadable submissions: {what}")
    if args.per_question and any(late_record(row) for row in book.rows):
        warnings.append("warning: per-question columns hold points before the late penalty; "
                        "only the total column has it deducted")  # fmt: skip
    return warnings


def _canvas_note(book: Gradebook, directory: Directory) -> list[str]:
    if any(identity_of(row, directory).canvas_id for row in book.rows):
        return []
    return ["warning: no Canvas user ids known (roster without an ID column): the ID column is "
            "empty and Canvas matches students by SIS User ID"]  # fmt: skip


def _default_output(args: argparse.Namespace) -> Path:
    name = "gradescope.json" if args.single else DEFAULT_NAMES[args.format]
    return args.gradebook / EXPORT_DIR / name


def _write_file(path: Path, data: bytes) -> Path:
    if path.is_dir():
        raise _Usage(f"{path} is a folder; -o names the file to write")
    return replace_files(path.parent, [(path.name, data)])[0]


def _single(book: Gradebook, target: Path, options: GradescopeOptions) -> _Written:
    try:
        data = single_result(book, options)
    except ExportDataError as error:
        _write_file(target, document_bytes(problem_document(str(error))))
        raise
    return _Written(target, (_write_file(target, data),), 1, ())


def _inside(target: Path, folder: Path) -> bool:
    """Whether `target` lies in the gradebook `folder` (so a `grade` swapping the folder's set
    could publish over it)."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _render(args: argparse.Namespace, book: Gradebook, directory: Directory) -> _Written:
    target = args.output or _default_output(args)
    if not _inside(target, args.gradebook):
        return _render_to(args, book, directory, target)
    # An export inside the gradebook folder is written under the folder's lock: a `grade` run
    # publishing a new set at that moment would otherwise swap the export away with the old set.
    with gradebook_lock(args.gradebook.resolve()):
        return _render_to(args, book, directory, target)


def _render_to(
    args: argparse.Namespace, book: Gradebook, directory: Directory, target: Path
) -> _Written:
    title = args.title if args.title is not None else (book.assignment.title or book.assignment.id)
    if args.format == "gradescope":
        options = GradescopeOptions(Visibility(args.visibility or Visibility.AFTER_PUBLISHED))
        if args.single:
            return _single(book, target, options)
        if target.exists() and not target.is_dir():
            raise _Usage(f"{target} is a file; -o names a folder for gradescope")
        files = gradescope_files(book, options)
        return _Written(target, tuple(replace_files(target, files)), len(files), ())
    if args.format == "canvas":
        ids = frozen_mapping(_question_ids(args.canvas_question_id))
        canvas_id = args.canvas_assignment_id
        notes = tuple(_canvas_note(book, directory))
        if canvas_id is None and directory.canvas_assignment(title) is not None:
            canvas_id = directory.canvas_assignment(title)
            notes += (f"note: Canvas assignment id {canvas_id} taken from {directory.source}",)
        layout = CanvasOptions(title, canvas_id, args.per_question, ids, args.bom, args.hold_review)
        data = canvas_csv(book, directory, layout)
        return _Written(target, (_write_file(target, data),), len(book.rows), notes)
    if args.format == "moodle":
        data = moodle_csv(book, directory, MoodleOptions(title, args.hold_review))
        rows = len(moodle_rows(book, directory))
    else:
        data, rows = table_csv(book, directory), len(book.rows)
    return _Written(target, (_write_file(target, data),), rows, ())


def run_export(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Run `grade export` with `argv` (after the subcommand); return the exit status."""
    parser = _parser()
    if any(arg in ("-h", "--help") for arg in argv):
        out.write(parser.format_help())
        return EXIT_OK
    try:
        args = parser.parse_args(argv)
        _check_options(args)
        book = read_results(args.gradebook / RESULTS_FILE)
        directory, notes = _directory(args)
        export_rows(book)  # refuse duplicate students before writing anything
        written = _render(args, book, directory)
    except ExportError as error:
        err.write(f"grade export: {error}\n")
        return error.exit_status
    except GradebookError as error:
        err.write(f"grade export: {error}\n")
        return EXIT_FAIL
    for line in [*notes, *_roster_warnings(book, directory, args.format),
                 *_score_warnings(book, args), *written.warnings]:  # fmt: skip
        err.write(f"{line}\n")
    out.write(f"wrote {args.format} export of {written.rows} row(s) to {written.target}\n")
    return EXIT_OK


__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "run_export"]
