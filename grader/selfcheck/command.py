"""`grade check FILE`: the command students (and their CI) run on their own sheet.

    grade check FILE [--rubric R | --assignment A] [--rubrics DIR] [--junit OUT.xml]
                     [--classroom] [--format text|json]

Exit status: 0 when the sheet is complete and well-formed, 1 otherwise, 2 for a usage error or
an invalid rubric. Under GitHub Actions (GITHUB_ACTIONS=true) it also prints annotations and
appends a job summary to $GITHUB_STEP_SUMMARY; `--classroom` appends `result=<base64>` to
$GITHUB_OUTPUT. Machine lines (annotations, `result=`) go to standard output in text format
and to standard error in JSON format, so that standard output stays one JSON document.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.checkers.registry import REGISTRY
from grader.loaders import load_submission
from grader.loaders.identity import reidentify
from grader.model import Severity, Submission
from grader.rubric.errors import RubricError
from grader.rubric.load import find_rubric, load_rubric, no_rubric
from grader.selfcheck.contexts import build_contexts
from grader.selfcheck.github import annotation_lines, in_github_actions, step_summary
from grader.selfcheck.render import render_json, render_text
from grader.selfcheck.sheet import check_submission

if TYPE_CHECKING:  # annotations only
    from grader.rubric.spec import Rubric
    from grader.selfcheck.report import CheckReport

# Student CI runs `grade check` on every push: what only some runs need (scoring, which loads
# the whole grading pipeline; JUnit's XML writer; Classroom results) is imported where used.

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
RubricDirs = Callable[[argparse.Namespace], tuple[Path, ...]]


class UsageError(Exception):
    """A problem with how `grade check` was called (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def parser() -> argparse.ArgumentParser:
    """The argument parser of `grade check` (help is handled by run_check, not argparse)."""
    p = _Parser(
        prog="grade check",
        description="Is my answer sheet complete and readable? (Says nothing about correctness.)",
        add_help=False,
        allow_abbrev=False,
    )
    p.add_argument(
        "file",
        nargs="+",
        help="the answer sheet (.yaml, .yml, .ipynb, .tex or .pdf), or a pattern matching one",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--rubric", type=Path, help="rubric file")
    which.add_argument("--assignment", help="check against this assignment's rubric")
    p.add_argument("--rubrics", action="append", help="another folder to look for rubrics in")
    p.add_argument("--junit", type=Path, help="also write a JUnit XML report to this file")
    p.add_argument(
        "--classroom",
        action="store_true",
        help="also write the GitHub Classroom result (result=<base64>) to $GITHUB_OUTPUT",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    return p


def run_check(argv: Sequence[str], out: TextIO, err: TextIO, rubric_dirs: RubricDirs) -> int:
    """Run `grade check` with these arguments; returns the exit status."""
    env = os.environ
    try:
        if "-h" in argv or "--help" in argv:
            out.write(parser().format_help())
            return EXIT_OK
        args = parser().parse_args(list(argv))
        args.file = one_sheet(args.file)
        if not args.file.is_file():
            problem = "no such file" if not args.file.exists() else "is not a file"
            raise UsageError(f"grade check: {args.file}: {problem}")
        submission = load_submission(args.file, args.file.parent)
        if not submission.readable and not _rubric_given(args):
            return _unreadable(submission, args, out)
        rubric = _rubric(args, submission, rubric_dirs)
        submission = reidentify(submission, rubric.identity)
        report = build_report(rubric, submission, args.file)
        if not submission.readable and args.format == "text":
            # The file's own error, located, is the whole story: no list of "missing" answers.
            out.write(_error_lines(submission, args.file))
            _emit(report, args, io.StringIO(), err, env)
            return EXIT_FAIL
    except UsageError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except RubricError as exc:
        err.write("\n".join(exc.problems) + "\n")
        return EXIT_USAGE
    return _emit(report, args, out, err, env)


def one_sheet(names: Sequence[str]) -> Path:
    """The one sheet named: a path, or a pattern (``pen_paper_*.yaml``, expanded by the shell
    into several names or left for us) that must match exactly one file; UsageError naming the
    matches otherwise."""
    import glob

    matches = list(names)
    if len(matches) == 1 and any(c in matches[0] for c in "*?[") and not Path(matches[0]).exists():
        matches = sorted(glob.glob(matches[0])) or matches
        if not Path(matches[0]).exists():
            raise UsageError(f"grade check: no sheet matches {names[0]}")
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise UsageError(
            f"grade check: found {len(matches)} sheets matching ({shown}); check one sheet at a "
            "time: name it, or keep only your own sheet in the folder"
        )
    return Path(matches[0])


def _rubric_given(args: argparse.Namespace) -> bool:
    return args.rubric is not None or bool(args.assignment)


def _error_lines(submission: Submission, path: Path) -> str:
    """The sheet's errors as `FILE:LINE:COL: error: ...` lines (the path as the student typed
    it) and what to do."""
    lines = []
    for message in submission.messages:
        if message.severity is Severity.ERROR:
            where = replace(message.location, file=path.as_posix())
            lines.append(str(replace(message, location=where)))
    lines.append(f"grade check: {path} cannot be read; fix the error above and check again")
    return "\n".join(lines) + "\n"


def _unreadable(submission: Submission, args: argparse.Namespace, out: TextIO) -> int:
    """A sheet that cannot be read, checked without --rubric: its located error, exit 1."""
    out.write(_error_lines(submission, args.file))
    return EXIT_FAIL


def build_report(rubric: Rubric, submission: Submission, path: Path) -> CheckReport:
    """The form report and, with `feedback: scores`, the points (RubricError when unusable)."""
    report = check_submission(submission, rubric, build_contexts(rubric), path.as_posix())
    if rubric.feedback == "scores":
        from grader.selfcheck.scores import grade_sheet, with_points

        report = with_points(report, grade_sheet(rubric, submission, path.parent))
    return report


def _rubric(args: argparse.Namespace, submission: Submission, dirs: RubricDirs) -> Rubric:
    if args.rubric is not None:
        if not args.rubric.is_file():
            raise UsageError(f"grade check: --rubric: {args.rubric} is not a file")
        return load_rubric(args.rubric, REGISTRY)
    assignment = args.assignment or submission.assignment
    if not assignment:
        problems = "; ".join(m.text for m in submission.messages if m.severity is Severity.ERROR)
        why = f" ({problems})" if problems else ""
        raise UsageError(
            f"grade check: {args.file} names no assignment{why}; "
            "pass --assignment ID or --rubric FILE"
        )
    path = find_rubric(assignment, list(dirs(args)))
    if path is None:
        raise UsageError(f"grade check: {no_rubric(assignment, list(dirs(args)))}")
    return load_rubric(path, REGISTRY)


def _emit(
    report: CheckReport,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    env: Mapping[str, str],
) -> int:
    """Write the report in every form asked for; the exit status says whether it is complete."""
    machine: list[str] = []
    extra = {}
    if args.junit is not None:
        from grader.selfcheck.junit import junit_xml

        args.junit.write_bytes(junit_xml(report))
    if args.classroom:
        from grader.selfcheck.classroom import classroom_result, encode_result, output_line

        result = classroom_result(report, _command_line(args))
        _append(env.get("GITHUB_OUTPUT"), output_line(result))
        machine.append(output_line(result))
        extra["classroom_result"] = encode_result(result)
    if in_github_actions(env):
        machine += [line + "\n" for line in annotation_lines(report)]
        _append(env.get("GITHUB_STEP_SUMMARY"), step_summary(report))
    if args.format == "json":
        out.write(render_json(report, extra))
        err.write("".join(machine))
    else:
        out.write(render_text(report) + "".join(machine))
    return EXIT_OK if report.complete else EXIT_FAIL


def _append(path: str | None, text: str) -> None:
    """Append to a file GitHub Actions names in the environment (nothing when unset)."""
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _command_line(args: argparse.Namespace) -> str:
    words = ["grade", "check", args.file.as_posix()]
    if args.rubric is not None:
        words += ["--rubric", args.rubric.as_posix()]
    if args.assignment:
        words += ["--assignment", args.assignment]
    return shlex.join(words)
