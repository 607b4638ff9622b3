"""The `grade` command (the only module that prints); `grade --help` shows USAGE below.

    grade FOLDER [--out DIR] [--scores CSV] [--roster CSV] ...   grade every sheet in FOLDER
    grade key ASSIGNMENT [--convention C] [--format yaml|tex]    print the reference answers
    grade template ASSIGNMENT --format yaml|ipynb|tex [-o FILE]  an empty answer sheet
    grade handout ASSIGNMENT --roster CSV --out DIR              each student's sheet and template
    grade check FILE                                             is my sheet complete and readable?
    grade export --format canvas|moodle|gradescope|csv           LMS uploads from a gradebook
    grade conformance FILE.tsv                                   run an answer-test table

Exit status: 0 when the work was done (whatever the scores), 2 for a usage error or an invalid
rubric (every problem printed as `file: location: message`), 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.rubric.errors import RubricError

if TYPE_CHECKING:  # annotations only: importing them would load sympy for `grade --help`
    from grader.checkers.prepare import PreparedRubric
    from grader.gradebook.publish import Content, GradebookFolder, Published
    from grader.pipeline import Batch
    from grader.report.writer import Aside
    from grader.rubric.spec import Rubric

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
# The answers' matrices are tiny: a BLAS thread pool per process (and per forked worker) only
# competes with the other workers for the cores. A course's own setting is kept.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
GC_YOUNG = 100_000  # allocations between young collections while grading (default 700)
USAGE = """\
grade: mark students' pen-and-paper maths answer sheets offline, against a rubric, and write
a gradebook for TAs (grades, the parts awaiting a TA, feedback per student, a class report)
and uploads for Canvas, Moodle and Gradescope.

  grade FOLDER [--out DIR] [--scores CSV] [--roster CSV]  grade every sheet in FOLDER into
                                                         gradebook/ (or DIR)
  grade check FILE            is my sheet complete and readable? (for students and their CI)
  grade template ASSIGNMENT   an empty answer sheet (--format yaml|ipynb|tex, -o FILE)
  grade key ASSIGNMENT        the reference answers as a filled-in sheet
  grade handout ASSIGNMENT    each roster student's sheet and template (--roster CSV --out DIR)
  grade export --format F     LMS uploads from a gradebook (canvas, moodle, gradescope, csv)
  grade conformance FILE.tsv  run an answer-test table

  grade FOLDER --help, grade COMMAND --help   the options of one command
  grade --version                             the version

The TA loop: `grade submissions/`, fill in gradebook/review.csv, then
`grade submissions/ --scores gradebook/review.csv`; every TA score is kept in
gradebook/scores.csv.

Exit status: 0 when the work was done (whatever the scores), 2 for a usage error or an invalid
rubric, 1 otherwise (including refused input: a score, roster or file that was not used).
"""
COMMANDS = ("key", "template", "handout", "check", "export", "conformance")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() owns every exit status."""

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
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C (the same clean-up, the same truthful message)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stopped_by(exc: KeyboardInterrupt) -> str:
    return f"stopped by {exc.args[0]}" if isinstance(exc, _Stopped) else "interrupted"


def _raise_stopped(signum: int, frame: object) -> None:
    raise _Stopped(signum)


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise like Ctrl-C does (workers are stopped,
    staging folders removed) instead of killing the process mid-write."""
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        names = []  # only the main thread may set handlers
    previous = {name: signal.signal(getattr(signal, name), _raise_stopped) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _rubric_dirs(args: argparse.Namespace) -> tuple[Path, ...]:
    dirs = [Path(d) for d in (args.rubrics or [])]
    dirs.append(Path("rubrics"))
    dirs.append(Path(__file__).resolve().parent.parent / "rubrics")  # the repository's own
    return tuple(dict.fromkeys(dirs))


def _grade_parser() -> _Parser:
    p = _Parser(
        prog="grade",
        description="Grade every answer sheet in FOLDER against its rubric and write the "
        "gradebook (grades.csv, review.csv for the TAs, feedback for each student, the class "
        "report) to gradebook/ or --out DIR.",
    )
    p.add_argument(
        "folder", type=Path, help="folder of submissions (*.yaml, *.yml, *.ipynb, *.tex, *.pdf)"
    )
    p.add_argument(
        "--out", type=Path, default=Path("gradebook"), help="gradebook folder (default gradebook/)"
    )
    p.add_argument(
        "--scores", type=Path, help="TA scores CSV: student_id, part, points, grader, comment"
    )
    p.add_argument("--roster", type=Path, help="roster CSV with student_id, name")
    p.add_argument("--rubric", type=Path, help="rubric file (default: rubrics/<assignment>.yaml)")
    p.add_argument("--rubrics", action="append", help="another folder to look for rubrics in")
    p.add_argument("--assignment", help="grade against this assignment's rubric")
    p.add_argument(
        "--jobs", type=int, default=2, help="worker processes (0: check in this process)"
    )
    p.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds per answer check (default 10)"
    )
    p.add_argument(
        "--submitted-from",
        default="sheet,git",
        help="where submission times come from, in order: sheet, git, mtime (default sheet,git)",
    )
    p.add_argument(
        "--scheduler",
        help="run the answer checks on Dask: 'dask' (a local cluster of --jobs workers) or a "
        "scheduler address such as tcp://host:8786 (needs grader[dask])",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="read and decide every sheet anew; keep no cache in the gradebook folder",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")
    return p


class _Progress:
    """Progress of every stage (reading, checking, scoring, report, writing) on stderr.

    On a terminal: one line rewritten in place (at most ~8 times a second), with an ETA once a
    stage has run for a few seconds, cleared when the run ends. Piped (CI logs): a line when a
    stage ends and, in a stage that runs long, one about every 25 % with its ETA -- a few lines.
    """

    ETA_AFTER = 3.0  # seconds into a stage before an ETA means anything
    REFRESH = 0.125

    def __init__(self, stream: TextIO, clock: Callable[[], float] | None = None) -> None:
        import time

        self.stream = stream
        self.clock = clock or time.monotonic
        self.tty = stream.isatty()
        self.stage, self.started, self.shown_at, self.quarter, self.width = "", 0.0, -1.0, 0, 0

    def _eta(self, done: int, total: int, elapsed: float) -> str:
        if done <= 0 or done >= total or elapsed < self.ETA_AFTER:
            return ""
        left = elapsed / done * (total - done)
        return f", about {_duration(left)} left"

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage == self.stage and self.quarter > 4:
            return  # this stage was reported finished already
        if stage != self.stage:
            self.stage, self.started, self.shown_at, self.quarter = stage, now, -1.0, 0
        elapsed = now - self.started
        percent = f" ({100 * done // total}%)" if total else ""
        text = f"{stage} {done}/{total}{percent}{self._eta(done, total, elapsed)}"
        if self.tty:
            if done == total:
                self.quarter = 5
            if done == total or now - self.shown_at >= self.REFRESH:
                self.shown_at = now
                self.stream.write("\r" + text.ljust(self.width))
                self.width = len(text)
                self.stream.flush()
            return
        quarter = 4 * done // total if total else 4
        if done == total:
            self.stream.write(f"{stage} {done}/{total} in {_duration(elapsed)}\n")
            quarter = 5  # finished
        elif quarter > self.quarter and elapsed >= self.ETA_AFTER:
            self.stream.write(text + "\n")
        else:
            return
        self.quarter = quarter
        self.stream.flush()

    def close(self) -> None:
        """Clear the terminal line before the summary is printed."""
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds + 0.5), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _progress(stream: TextIO, quiet: bool) -> _Progress | None:
    return None if quiet else _Progress(stream)


def _out_problem(args: argparse.Namespace) -> str | None:
    """Why the gradebook cannot go to --out, or None (see grader.gradebook.folder)."""
    from grader.gradebook.folder import folder_problem, input_problem
    from grader.report import REPORT_HTML, REPORT_MD, REPORT_PNG

    inputs = [p for p in (args.scores, args.roster) if p is not None]
    for option, path in (("--scores", args.scores), ("--roster", args.roster)):
        problem = path is not None and input_problem(args.out, path, option)
        if problem:
            return problem
    return folder_problem(args.out, (REPORT_MD, REPORT_HTML, REPORT_PNG), inputs)


def _staff_lines(batch: Batch, folder: Path) -> list[str]:
    """What course staff read on stderr: the batch's messages, then every unreadable sheet with
    its first message, located from where the command was run."""
    from dataclasses import replace

    from grader.model import Severity, Status

    lines = [str(message) for message in batch.staff]
    for row in batch.gradebook.rows:
        if row.status is Status.UNREADABLE:
            first = next((m for m in row.messages if m.severity is Severity.ERROR), None)
            if first is None:
                lines.append(f"unreadable: {folder / row.source}")
                continue
            where = replace(first.location, file=str(folder / (first.location.file or row.source)))
            lines.append(f"unreadable: {replace(first, location=where)}")
    return lines


def _publish(
    batch: Batch,
    args: argparse.Namespace,
    folder: GradebookFolder,
    progress: Callable[[str, int, int], None] | None,
    err: TextIO,
    aside: Aside | None = None,
) -> Published:
    """Publish the gradebook and the report, with the TAs' files of the folder carried over
    (`aside`: where a PNG to draw is drawn meanwhile)."""
    from grader.gradebook import REVIEW_FILE
    from grader.gradebook.folder import inside, staff_files, unmerged
    from grader.gradebook.ta_file import TA_FILE
    from grader.report import write_outputs

    inputs = [p for p in (args.scores, args.roster) if p is not None]
    review = args.out / REVIEW_FILE
    handed_back = args.scores is not None and inside(args.out, args.scores) == REVIEW_FILE
    pending = 0 if handed_back else unmerged(review, batch.gradebook.assignment,
                                             batch.scores.overrides)  # fmt: skip
    if handed_back:
        err.write(f"note: {review} is the file you handed back: it is kept as you saved it "
                  "(run without --scores for a fresh one)\n")  # fmt: skip
    elif pending:
        err.write(f"warning: {review} holds {pending} TA score(s) not handed back yet: it is "
                  f"kept as it is; hand it back with --scores {review}\n")  # fmt: skip
    scores = batch.scores
    keep_review = handed_back or bool(pending)
    staff = staff_files(args.out, inputs, scores.ta_bytes, keep_review, scores.ta_read)
    if scores.ta_bytes is None and dict(staff).get(TA_FILE) != scores.ta_read:
        err.write(f"warning: {args.out / TA_FILE} changed while grading: it is kept as you saved "
                  "it; the scores saved since count from the next run\n")  # fmt: skip
    files: list[tuple[str, Content]] = [*staff]
    if batch.cache is not None:
        from grader.judgement_cache import CACHE_FILE

        files.append((CACHE_FILE, batch.cache))
    if batch.sheet_cache is not None:
        from grader.sheet_cache import CACHE_FILE as SHEET_CACHE_FILE

        files.append((SHEET_CACHE_FILE, batch.sheet_cache.chunks))
    return write_outputs(
        batch.gradebook,
        folder,
        show_reference=batch.prepared.rubric.show_reference,
        extra=files,
        progress=progress,
        cache=not args.no_cache,
        store=batch.sheet_cache,
        aside=aside,
        workers=max(0, args.jobs),
    )


def _aside(args: argparse.Namespace) -> AbstractContextManager[Aside | None]:
    """The process a report PNG is drawn in while the rest is written, forked now while this
    process is small; none with --jobs 0 (everything in this process) or without matplotlib."""
    from grader.report.histogram import plots_available

    if args.jobs <= 0 or not plots_available():
        return nullcontext()
    from grader.report.writer import Aside

    return Aside()


def _drawing_likely(args: argparse.Namespace) -> bool:
    """Whether this run is likely to draw the report's PNG anew (a guess for speed only: see
    :func:`grader.report.writer.drawing_likely`)."""
    from grader.gradebook.ta_file import TA_FILE
    from grader.report.writer import drawing_likely

    inputs = [p for p in (args.scores, args.roster, args.out / TA_FILE) if p is not None]
    return drawing_likely(args.out, inputs, cache=not args.no_cache)


def _drawing_certain(args: argparse.Namespace) -> bool:
    """Whether this run must draw the report's PNG (see
    :func:`grader.report.writer.drawing_certain`)."""
    from grader.report.writer import drawing_certain

    return drawing_certain(args.out, cache=not args.no_cache)


def _warm_small_class(aside: Aside, sheets: int) -> None:
    """Once the sheets are read: the drawing process warmed up if the class is small enough
    that matplotlib's pages cannot matter to the run's memory peak (see
    :data:`grader.report.writer.WARM_SHEETS`)."""
    from grader.report.writer import WARM_SHEETS

    if sheets <= WARM_SHEETS:
        aside.warm()


def _summary(batch: Batch, out_dir: Path) -> str:
    """The one-line summary: statuses, flags, TA scores merged, refused inputs."""
    counts = batch.counts()
    summary = [
        f"{counts['graded']} graded",
        f"{counts['needs_review']} need review",
        f"{counts['unreadable']} unreadable",
    ]
    if counts["missing"]:
        summary.append(f"{counts['missing']} missing")
    if batch.not_searched:
        summary.append(f"{batch.not_searched} paths not searched")
    refused = batch.refused
    if refused.score_rows:
        summary.append(f"{refused.score_rows} TA score row(s) refused")
    if refused.roster_rows:
        summary.append(f"{refused.roster_rows} roster row(s) refused")
    if refused.files:
        summary.append(f"{len(refused.files)} input file(s) refused")
    flags = batch.flagged()
    notes = [
        f"{flags[key]} {words}"
        for key, words in (
            ("duplicate_id", "with a duplicate id"),
            ("not_on_roster", "not on the roster"),
            ("name_mismatch", "named differently on the roster"),
            ("fits_other_variant", "fitting another student's numbers"),
        )
        if flags.get(key)
    ]
    if batch.scores.merged:
        notes.append(f"{batch.scores.merged} TA score(s) merged into scores.csv")
    extra = f" ({', '.join(notes)})" if notes else ""
    return ", ".join(summary) + extra + f"  (gradebook: {out_dir})"


def cmd_grade(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Grade a folder and publish the gradebook (one set: see grader.gradebook.publish)."""
    from grader.dask_backend import SchedulerError
    from grader.gradebook.errors import GradebookWriteError
    from grader.gradebook.folder import StaffFileChanged
    from grader.gradebook.publish import GradebookFolder
    from grader.gradebook.ta_file import TA_FILE, TAFileError
    from grader.judgement_cache import CACHE_FILE
    from grader.late import SOURCES
    from grader.pipeline import BatchOptions, EmptyFolder, UsageError, grade_folder
    from grader.sandbox import JobLimits
    from grader.sheet_cache import CACHE_FILE as SHEET_CACHE_FILE

    args = _grade_parser().parse_args(argv)
    sources = tuple(s.strip() for s in args.submitted_from.split(",") if s.strip())
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise _Usage(f"grade: --submitted-from: unknown {unknown}; valid: {', '.join(SOURCES)}")
    problem = _out_problem(args)
    if problem:
        raise _Usage(f"grade: {problem}")
    options = BatchOptions(
        folder=args.folder,
        rubric=args.rubric,
        rubric_dirs=_rubric_dirs(args),
        assignment=args.assignment,
        workers=max(0, args.jobs),
        limits=JobLimits(seconds=args.time_limit),
        scores=args.scores,
        roster=args.roster,
        submitted_from=sources,
        ta_file=args.out / TA_FILE,
        cache=None if args.no_cache else args.out / CACHE_FILE,
        sheet_cache=None if args.no_cache else args.out / SHEET_CACHE_FILE,
        scheduler=args.scheduler,
    )
    folder = GradebookFolder(args.out)
    progress = _progress(err, args.quiet)
    collector = gc.get_threshold()
    # A class is millions of small objects that live to the end: the collector's default
    # thresholds scan them again and again (a quarter of a cached re-run). Fewer young
    # collections; the pool's workers freeze what they inherit (grader.sandbox).
    gc.set_threshold(GC_YOUNG, *collector[1:])
    try:
        with _aside(args) as aside, folder.locked():
            read = None
            if aside is not None and _drawing_likely(args):
                aside.warm()
            elif aside is not None and _drawing_certain(args):
                read = functools.partial(_warm_small_class, aside)
            try:
                batch = grade_folder(options, progress, read=read)
            finally:
                if progress:
                    progress.close()
            for line in _staff_lines(batch, args.folder):
                err.write(f"{line}\n")
            published = _publish(batch, args, folder, progress, err, aside)
    except UsageError as exc:
        err.write(f"grade: {exc}\n")
        return EXIT_USAGE
    except EmptyFolder as exc:
        err.write(f"grade: no submissions found in {exc.args[0]} (no *.yaml, *.yml, *.ipynb, "
                  "*.tex or *.pdf, sub-folders included); nothing was written\n")  # fmt: skip
        return EXIT_FAIL
    except TAFileError as exc:
        err.write(f"grade: {exc}; nothing was written\n")
        return EXIT_FAIL
    except StaffFileChanged as exc:  # raised before anything is staged: the set is as it was
        err.write(f"grade: {exc}\n")
        return EXIT_FAIL
    except SchedulerError as exc:
        err.write(f"grade: --scheduler: {exc}; nothing was written\n")
        return EXIT_FAIL
    except KeyboardInterrupt as exc:
        if progress:
            progress.close()
        err.write(f"grade: {_stopped_by(exc)}; {folder.what_is_left()}\n")
        return EXIT_FAIL
    except GradebookWriteError as exc:
        if progress:
            progress.close()
        err.write(f"grade: {exc}; {folder.what_is_left()}\n")
        return EXIT_FAIL
    finally:
        gc.set_threshold(*collector)
    if progress:
        progress.close()
    if published.kept:
        err.write(f"grade: kept {len(published.kept)} files grade did not write in {args.out}: "
                  f"{', '.join(published.kept[:5])}\n")  # fmt: skip
    out.write(_summary(batch, args.out) + "\n")
    return EXIT_FAIL if batch.refused else EXIT_OK


def _rubric(assignment: str, rubric: str | None, rubrics: list[str] | None) -> Rubric:
    from grader.checkers.registry import REGISTRY
    from grader.rubric.load import find_rubric, load_rubric

    path = (
        Path(rubric)
        if rubric
        else find_rubric(assignment, list(_rubric_dirs(argparse.Namespace(rubrics=rubrics))))
    )
    if path is None:
        from grader.rubric.load import no_rubric

        dirs = list(_rubric_dirs(argparse.Namespace(rubrics=rubrics)))
        raise _Usage(f"grade: {no_rubric(assignment, dirs)}")
    return load_rubric(path, REGISTRY)


def _prepared(assignment: str, rubric: str | None, rubrics: list[str] | None) -> PreparedRubric:
    from grader.checkers.prepare import prepare_rubric

    return prepare_rubric(_rubric(assignment, rubric, rubrics))


def _student(text: str | None, command: str) -> str | None:
    """A --student id, refused when it could not be a gradebook row's id."""
    from grader.loaders.identity import id_problem

    problem = id_problem(text.strip()) if text is not None else None
    if problem:
        raise _Usage(f"grade {command}: --student: not a student id ({problem})")
    return text.strip() if text is not None else None


def cmd_key(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Print the reference answers as a filled-in answer sheet."""
    from grader.keysheet import render_key, render_key_tex

    p = _Parser(prog="grade key", description="Print the reference answers as an answer sheet.")
    p.add_argument("assignment")
    p.add_argument(
        "--convention", help="fill chain questions in under this convention (one the rubric lists)"
    )
    p.add_argument("--student", help="the key of this student's own numbers (variants)")
    p.add_argument("--format", choices=("yaml", "tex"), default="yaml")
    p.add_argument("--rubric", help="rubric file")
    p.add_argument("--rubrics", action="append", help="another folder to look for rubrics in")
    args = p.parse_args(argv)
    render = render_key_tex if args.format == "tex" else render_key
    student = _student(args.student, "key")
    if student is None:
        prepared = _prepared(args.assignment, args.rubric, args.rubrics)
        out.write(render(prepared, args.convention))
        return EXIT_OK
    from grader.checkers.variants import prepare_variants

    variants = prepare_variants(_rubric(args.assignment, args.rubric, args.rubrics))
    variant = variants.variant_of(student)
    note = f"The numbers of student {student} (variant {variant.label})."
    out.write(render(variants.prepared(variant), args.convention, student, note))
    return EXIT_OK


def cmd_template(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Write an empty answer sheet for an assignment."""
    from grader.checkers.registry import REGISTRY
    from grader.rubric.load import find_rubric, load_rubric
    from grader.template import Identity, render_template

    p = _Parser(prog="grade template", description="Write an empty answer sheet.")
    p.add_argument("assignment")
    p.add_argument("--format", choices=("yaml", "ipynb", "tex"), default="yaml")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.add_argument("--force", action="store_true", help="with -o: replace an existing file")
    p.add_argument("--student", help="fill in this student id")
    p.add_argument("--name", default="", help="and this name (with --student)")
    p.add_argument("--rubric", help="rubric file")
    p.add_argument("--rubrics", action="append", help="another folder to look for rubrics in")
    args = p.parse_args(argv)
    path = (
        Path(args.rubric) if args.rubric else find_rubric(args.assignment, list(_rubric_dirs(args)))
    )
    if path is None:
        from grader.rubric.load import no_rubric

        raise _Usage(f"grade template: {no_rubric(args.assignment, list(_rubric_dirs(args)))}")
    if args.output and args.output.exists() and not args.force:
        raise _Usage(f"grade template: {args.output} exists and is never overwritten (it may "
                     "be a filled-in sheet): choose another -o FILE, or --force")  # fmt: skip
    identity = Identity(_student(args.student, "template") or "", " ".join(args.name.split()))
    text = render_template(load_rubric(path, REGISTRY).info(), args.format, identity)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        err.write(f"wrote {args.output}\n")
        if args.format == "tex":
            _write_package(args.output.parent, err)
    else:
        out.write(text)
        if args.format == "tex":
            err.write("grade: write the document with -o FILE.tex to get grader.sty beside it\n")
    return EXIT_OK


def cmd_handout(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Write every roster student's sheet (their own numbers) and answer templates."""
    from grader.gradebook import read_roster
    from grader.handout import handout_files, read_sheets, roster_students, write_handouts
    from grader.rubric.draw import default_variant, rubric_drawer
    from grader.template import FORMATS, Identity, render_template

    p = _Parser(prog="grade handout", description="Write each student's sheet and templates.")
    p.add_argument("assignment")
    p.add_argument("--roster", type=Path, required=True, help="CSV with student_id, name")
    p.add_argument("--out", type=Path, default=Path("handouts"), help="folder (default handouts/)")
    p.add_argument("--rubric", help="rubric file")
    p.add_argument("--rubrics", action="append", help="another folder to look for rubrics in")
    args = p.parse_args(argv)
    rubric = _rubric(args.assignment, args.rubric, args.rubrics)
    sheets = read_sheets(rubric)
    roster, messages = read_roster(args.roster)
    for message in messages:
        err.write(f"{message}\n")
    students, skipped = roster_students(
        [(e.student_id, e.name, str(e.location)) for e in roster.entries]
    )
    for problem in skipped:
        err.write(f"{problem}\n")
    if not students:
        raise _Usage(f"grade handout: {args.roster}: no students")
    drawer = rubric_drawer(rubric)
    info = rubric.info()
    templates = {
        fmt: (lambda s, f=fmt: render_template(info, f, Identity(s.student_id, s.name)))
        for fmt in FORMATS
    }
    default = default_variant(rubric)
    files = handout_files(
        sheets, students, drawer.variant if drawer else lambda _: default, templates
    )
    write_handouts(args.out, files + _packages_beside(files))
    out.write(f"{len(students)} handouts written to {args.out}\n")
    return EXIT_OK


def _packages_beside(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """grader.sty next to every LaTeX answer template of a handout (its \\usepackage needs it)."""
    from grader.latex.write import package_source

    folders = sorted({name.rsplit("/", 1)[0] for name, _ in files if name.endswith("/answers.tex")})
    return [(f"{folder}/grader.sty", package_source().encode("utf-8")) for folder in folders]


def _write_package(folder: Path, err: TextIO) -> None:
    """grader.sty beside a LaTeX template (it is what the document's \\usepackage loads)."""
    from grader.latex.write import package_source

    target = folder / "grader.sty"
    target.write_text(package_source(), encoding="utf-8")
    err.write(f"wrote {target}\n")


def cmd_conformance(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Run an answer-test table and print the agreement per test family."""
    from grader.conformance import ConformanceError, format_report, run_conformance

    p = _Parser(prog="grade conformance", description="Run an answer-test table (TSV).")
    p.add_argument("table", type=Path)
    args = p.parse_args(argv)
    if not args.table.is_file():
        raise _Usage(f"grade conformance: {args.table} is not a file")
    try:
        report = run_conformance(args.table)
    except ConformanceError as exc:
        err.write(f"grade conformance: {args.table}: {exc}\n")
        return EXIT_FAIL
    out.write(format_report(report) + "\n")
    return EXIT_OK


def cmd_check(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Check a student's own sheet (see grader.selfcheck)."""
    from grader.selfcheck import run_check

    return run_check(argv, out, err, _rubric_dirs)


def cmd_export(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Export a gradebook for an LMS (see grader.export)."""
    from grader.export import run_export

    return run_export(argv, out, err)


@contextmanager
def _private_matplotlib_dir(*, seed: bool = False) -> Iterator[None]:
    """Matplotlib keeps a font cache in the user's home; grading writes nothing outside --out,
    so unless the caller chose a folder, it gets a temporary one, removed afterwards. With
    `seed` (a run that may draw the report's PNG) that folder starts with matplotlib's font
    list seeded (grader.plot_fonts: the list is not rebuilt from every font file)."""
    if "MPLCONFIGDIR" in os.environ:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="grader-mpl-") as folder:
        if seed:
            from grader.plot_fonts import seed_font_list

            seed_font_list(Path(folder))
        os.environ["MPLCONFIGDIR"] = folder
        try:
            yield
        finally:
            del os.environ["MPLCONFIGDIR"]


HANDLERS = {
    "key": cmd_key,
    "template": cmd_template,
    "handout": cmd_handout,
    "check": cmd_check,
    "export": cmd_export,
    "conformance": cmd_conformance,
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("grader")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _gradebook_error() -> type[Exception]:
    # Imported only when an exception is being handled: `grade --help` imports no gradebook
    # (which brings numpy along).
    from grader.gradebook.errors import GradebookError

    return GradebookError


def _tolerant(stream: TextIO) -> TextIO:
    """`stream` set never to fail on a character its encoding lacks: a student's name or a
    file name in the summary must not crash the run on a Latin-1 or ASCII console (the
    gradebook itself is always UTF-8); such characters print as backslash escapes."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")
    return stream


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Entry point of the `grade` console script; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = out or _tolerant(sys.stdout)
    err = err or _tolerant(sys.stderr)
    if not args or args[0] in ("-h", "--help"):
        (out if args else err).write(USAGE)
        return EXIT_OK if args else EXIT_USAGE
    if args[0] == "--version":
        out.write(f"grade {_version()}\n")
        return EXIT_OK
    handler = HANDLERS.get(args[0])
    for name in BLAS_THREADS:  # before numpy is imported (the workers inherit it)
        os.environ.setdefault(name, "1")
    try:
        with _private_matplotlib_dir(seed=handler is None), _stop_signals_interrupt():
            if handler is not None:
                return handler(args[1:], out, err)
            return cmd_grade(args, out, err)
    except _Usage as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except RubricError as exc:
        err.write("\n".join(exc.problems) + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        err.write(f"grade: {_stopped_by(exc)}\n")
        return EXIT_FAIL
    except (OSError, _gradebook_error()) as exc:
        err.write(f"grade: {exc}\n")
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
