"""The class report's files, and publishing them with the gradebook as one set.

report.md, report.html and report-totals.png go into the gradebook folder itself, beside
grades.csv. :func:`report_files` renders them in memory (equal gradebooks give equal bytes);
:func:`write_outputs` publishes the gradebook files, the report and any extra file of the run
(a log) in ONE step through :class:`grader.gradebook.publish.GradebookFolder`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import select
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from grader.gradebook.publish import Content, GradebookFolder, Progress, Published
from grader.gradebook.rendered import RowStore
from grader.gradebook.writer import gradebook_files
from grader.model import Gradebook
from grader.report.bins import Bin
from grader.report.histogram import import_plotting, plots_available, render_histogram
from grader.report.htmlpage import render_html
from grader.report.markdown import render_markdown
from grader.report.summary import build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG
from grader.sandbox import die_with_parent

PLOT_CACHE = "cache/plot.json"  # what the last PNG was drawn from, and its digest
PLOT_FORMAT = "grader-plot-cache"
DRAW_SECONDS = 120  # a drawing process silent this long is killed (the PNG is drawn here)
_WARM = b"warm\n"  # down the request pipe: import matplotlib now, a PNG is likely to be asked


def report_files(
    book: Gradebook, previous: Path | None = None, aside: Aside | None = None
) -> list[tuple[str, Content]]:
    """The class report of `book` as (file name, content): the PNG first (when matplotlib is
    installed: without the `plots` extra the reports keep only the table), then report.md,
    then report.html; with `previous` (a gradebook folder) the plot cache last.

    Drawing the PNG costs a second (matplotlib's import, mostly). With `previous`, the PNG
    there is taken again when its plot cache says it was drawn from the same bins, total and
    title by the same matplotlib, and its bytes have the digest the cache recorded (no
    student text is drawn, and the bytes are checked: a changed file is drawn anew). With
    `aside`, a PNG to draw is drawn in another process while the rest is written (its
    content then waits for it)."""
    report = build_report(book)
    title = f"Totals: {report.assignment} (n = {report.totals.count})"
    image = plots_available()
    drawing: list[tuple[str, Content]] = []
    if image:
        key = _plot_key(report.bins, report.max_total, title)
        png = _previous_png(previous, key) if previous is not None else None
        drawn = (
            png if png is not None
            else aside.draw(report.bins, report.max_total, title) if aside is not None
            else render_histogram(report.bins, report.max_total, title)
        )  # fmt: skip
        drawing.append((REPORT_PNG, drawn))
        if previous is not None:
            drawing.append((PLOT_CACHE, functools.partial(_plot_record, key, drawn)))
    files: list[tuple[str, Content]] = [
        (REPORT_MD, render_markdown(report, image).encode("utf-8")),
        (REPORT_HTML, render_html(report, image).encode("utf-8")),
    ]
    return [*drawing[:1], *files, *drawing[1:]]


def _plot_record(key: str, png: bytes | Callable[[], bytes]) -> bytes:
    """The plot cache: what the PNG was drawn from, and its digest."""
    data = png() if callable(png) else png
    record = {"format": PLOT_FORMAT, "key": key, "sha256": hashlib.sha256(data).hexdigest()}
    return (json.dumps(record, sort_keys=True) + "\n").encode()


def drawing_likely(out: Path, inputs: Sequence[Path], cache: bool) -> bool:
    """A guess, at the start of a run publishing into gradebook folder `out`, that it is a
    re-run that will draw the PNG anew: with the cache, a previous PNG and plot cache, and one
    of the staff `inputs` (TA scores, the roster) saved after the previous set was published,
    so the totals are likely to change. For speed only (see :meth:`Aside.warm`): what is
    written never depends on it. False for a first run or one without the cache: they draw the
    PNG too, but after scoring, when the workers are gone; matplotlib imported at the start
    would hold its pages in the drawing process through the scoring, the run's peak (a class
    of at most :data:`WARM_SHEETS` is warmed up once read instead). A changed sheet is not
    foreseen either (that run scores it anyway)."""
    if not cache:
        return False
    try:
        published = out.stat().st_mtime_ns  # the set's folder: made by the previous run
        if not (out / PLOT_CACHE).is_file() or not (out / REPORT_PNG).is_file():
            return False
    except OSError:
        return False
    for path in inputs:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime_ns > published:
                return True
    return False


def drawing_certain(out: Path, cache: bool) -> bool:
    """Whether a run publishing into gradebook folder `out` must draw the PNG anew whatever it
    grades: without the cache (no previous PNG is taken), or when `out` holds no previous PNG
    with its plot cache (a first run). For speed only (see :data:`WARM_SHEETS`)."""
    if not cache:
        return True
    try:
        return not ((out / PLOT_CACHE).is_file() and (out / REPORT_PNG).is_file())
    except OSError:
        return True


# A run that must draw the PNG (:func:`drawing_certain`) warms the drawing process up as soon as
# the sheets are read, if they are at most this many: the parent then prepares the rubric alone,
# a core is idle, and matplotlib's import (about 1 s of CPU on a slow machine, even with the
# font list grader.plot_fonts seeds) is no longer paid at the end of the run, beside the
# workers rendering the rows. Its pages are then held through the scoring, where the
# run's memory peaks: +28 MiB of PSS (1,000 sheets --jobs 2: 195 -> 223 MiB; 5,000: 391 -> 418
# MiB), well under the 600 MiB a 10,000-sheet class must stay under. A larger class is drawn
# after scoring as before, when its scoring workers are gone.
WARM_SHEETS = 5_000


class Aside:
    """Draws the report's PNG in another process while this one writes the other files
    (matplotlib's import and the drawing are most of a re-run whose totals changed).

    The process is forked when the context is entered, at the start of a run, while this
    process is still small (a fork of a whole class would duplicate its pages as both go
    on); it waits for the one PNG to draw, or for the end of the run (told at the start that
    a PNG is likely, it imports matplotlib meanwhile: :meth:`warm`). It holds none of this
    process's files (the gradebook's lock, the caller's pipes), leaves Ctrl-C to this
    process, dies with it, and is killed and reaped when the context ends. Where processes
    cannot be forked, or the drawing fails there, the PNG is drawn here."""

    def __init__(self) -> None:
        self._pid: int | None = None
        self._requests: int | None = None  # the pipe the request goes down
        self._results: int | None = None  # the pipe the PNG comes up

    def __enter__(self) -> Aside:
        if hasattr(os, "fork"):
            requests, request_end = os.pipe()
            result_end, results = os.pipe()
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:  # the drawing process: it never returns
                _draw_and_exit(requests, results, parent)
            os.close(requests)
            os.close(results)
            self._pid, self._requests, self._results = pid, request_end, result_end
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in (self._requests, self._results):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._requests = self._results = None
        self._reap(kill=True)

    def _reap(self, *, kill: bool) -> int:
        """Wait for the drawing process (killed first with `kill`); its exit status."""
        pid, self._pid = self._pid, None
        if pid is None:
            return -1
        with contextlib.suppress(OSError):
            if kill:
                os.kill(pid, signal.SIGKILL)
            return os.waitpid(pid, 0)[1]
        return -1

    def warm(self) -> None:
        """Have the drawing process import matplotlib now, while this one grades: a PNG is
        likely to be drawn (a guess: it changes how soon the PNG is ready, never what is
        written; a PNG never asked for then cost that import for nothing)."""
        if self._requests is not None:
            with contextlib.suppress(OSError):
                os.write(self._requests, _WARM)

    def draw(self, bins: Sequence[Bin], max_total: float, title: str) -> Callable[[], bytes]:
        """The PNG of :func:`render_histogram`, as a function waiting for it."""
        requests, self._requests = self._requests, None
        sent = False
        if requests is not None:
            with contextlib.suppress(OSError):
                with os.fdopen(requests, "wb") as pipe:
                    pipe.write(_request(bins, max_total, title))
                sent = True
        done: list[bytes] = []

        def wait() -> bytes:
            if not done:
                data: bytes | None = b""
                results, self._results = self._results, None
                if sent and results is not None:
                    data = _read_until(results, time.monotonic() + DRAW_SECONDS)
                status = self._reap(kill=data is None)  # silent that long: killed
                if data and status == 0:
                    done.append(data)
                else:  # not drawn there: drawn here
                    done.append(render_histogram(bins, max_total, title))
            return done[0]

        return wait


def _request(bins: Sequence[Bin], max_total: float, title: str) -> bytes:
    """What the drawing process is asked to draw, as JSON (floats read back exactly)."""
    fields = [[b.low, b.high, b.count, b.closed] for b in bins]
    return json.dumps({"bins": fields, "max_total": max_total, "title": title}).encode()


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything from pipe `fd` until its end (then closed), or None at `deadline`."""
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError:
        return b""
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _draw_and_exit(requests: int, results: int, parent: int) -> NoReturn:
    """In the drawing process: the inherited objects frozen (their pages stay shared), every
    other inherited descriptor closed, Ctrl-C left to the parent, SIGTERM and SIGHUP deadly,
    death with the parent; the PNG asked for on `requests` written to `results`."""
    code = 1
    try:
        gc.freeze()
        low, high = sorted((requests, results))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, _max_fd())
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        die_with_parent(parent)
        request = b""
        with os.fdopen(requests, "rb") as pipe:
            for line in pipe:  # a request is one line of JSON, after any warm-up line
                if line == _WARM:
                    import_plotting()
                else:
                    request += line
        if request:  # none: the run needed no PNG drawn
            asked = json.loads(request)
            bins = tuple(Bin(*fields) for fields in asked["bins"])
            with os.fdopen(results, "wb") as out:
                out.write(render_histogram(bins, asked["max_total"], asked["title"]))
        code = 0
    finally:
        os._exit(code)  # nothing of the parent's (atexit handlers, finalizers) runs here


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (OSError, ValueError, AttributeError):
        return 4096


def _plot_key(bins: Sequence[Bin], max_total: float, title: str) -> str:
    from importlib.metadata import version

    pieces = repr(([(b.low, b.high, b.count, b.closed) for b in bins], max_total, title))
    return hashlib.sha256(f"{version('matplotlib')}\0{pieces}".encode()).hexdigest()


def _previous_png(folder: Path, key: str) -> bytes | None:
    try:
        record = json.loads((folder / PLOT_CACHE).read_bytes())
        if not isinstance(record, dict) or record.get("format") != PLOT_FORMAT:
            return None
        if record.get("key") != key:
            return None
        png = (folder / REPORT_PNG).read_bytes()
    except (OSError, ValueError):
        return None
    return png if hashlib.sha256(png).hexdigest() == record.get("sha256") else None


def write_outputs(
    book: Gradebook,
    folder: GradebookFolder,
    *,
    show_reference: bool = False,
    extra: Sequence[tuple[str, Content]] = (),
    progress: Progress | None = None,
    cache: bool = False,
    store: RowStore | None = None,
    aside: Aside | None = None,
    workers: int = 0,
) -> Published:
    """Publish every output of a run into `folder` (which the caller has locked) at once:
    feedback, CSVs, results.json, the report and `extra` files (an extra file named like a
    generated one takes its place: a review.csv a TA handed back is published as saved).
    With `cache`, the PNG of the previous set is reused when it was drawn from the same data
    (see :func:`report_files`); with `store`, each row's rendered pieces are copied from it
    where it holds them (see :mod:`grader.gradebook.rendered`; it is given the pieces of this
    set, so its file must come after the gradebook's among `extra`); with `aside`, a PNG to
    draw is drawn in its process meanwhile (see :class:`Aside`); with `workers`, the rows to
    render are rendered on that many forked processes (see :func:`gradebook_files`). Raises
    GradebookWriteError with the previous set left whole."""
    extras = dict(extra)
    if progress:
        progress("report", 0, 1)
    report = report_files(book, folder.path if cache else None, aside)
    if progress:
        progress("report", 1, 1)
    pieces = gradebook_files(book, show_reference=show_reference, store=store, workers=workers)
    files = [*pieces, *report]
    files = [(path, extras.pop(path, content)) for path, content in files]
    return folder.publish([*files, *extras.items()], progress)
