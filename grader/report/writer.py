"""The class report's files, and publishing them with the gradebook as one set.

report.md, report.html and report-totals.png go into the gradebook folder itself, beside
grades.csv. :func:`report_files` renders them in memory (equal gradebooks give equal bytes);
:func:`write_outputs` publishes the gradebook files, the report and any extra file of the run
(a log) in ONE step through :class:`grader.gradebook.publish.GradebookFolder`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from grader.gradebook.publish import Content, GradebookFolder, Progress, Published
from grader.gradebook.rendered import RowStore
from grader.gradebook.writer import gradebook_files
from grader.model import Gradebook
from grader.report.bins import Bin
from grader.report.histogram import plots_available, render_histogram
from grader.report.htmlpage import render_html
from grader.report.markdown import render_markdown
from grader.report.summary import build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG

PLOT_CACHE = "cache/plot.json"  # what the last PNG was drawn from, and its digest
PLOT_FORMAT = "grader-plot-cache"


def report_files(book: Gradebook, previous: Path | None = None) -> list[tuple[str, Content]]:
    """The class report of `book` as (file name, bytes): the PNG first (when matplotlib is
    installed: without the `plots` extra the reports keep only the table), then report.md,
    then report.html; with `previous` (a gradebook folder) the plot cache last.

    Drawing the PNG costs a second (matplotlib's import, mostly). With `previous`, the PNG
    there is taken again when its plot cache says it was drawn from the same bins, total and
    title by the same matplotlib, and its bytes have the digest the cache recorded (no
    student text is drawn, and the bytes are checked: a changed file is drawn anew)."""
    report = build_report(book)
    title = f"Totals: {report.assignment} (n = {report.totals.count})"
    image = plots_available()
    files: list[tuple[str, Content]] = [
        (REPORT_MD, render_markdown(report, image).encode("utf-8")),
        (REPORT_HTML, render_html(report, image).encode("utf-8")),
    ]
    if image:
        key = _plot_key(report.bins, report.max_total, title)
        png = _previous_png(previous, key) if previous is not None else None
        if png is None:
            png = render_histogram(report.bins, report.max_total, title)
        files.insert(0, (REPORT_PNG, png))
        if previous is not None:
            record = {"format": PLOT_FORMAT, "key": key, "sha256": hashlib.sha256(png).hexdigest()}
            files.append((PLOT_CACHE, (json.dumps(record, sort_keys=True) + "\n").encode()))
    return files


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
) -> Published:
    """Publish every output of a run into `folder` (which the caller has locked) at once:
    feedback, CSVs, results.json, the report and `extra` files (an extra file named like a
    generated one takes its place: a review.csv a TA handed back is published as saved).
    With `cache`, the PNG of the previous set is reused when it was drawn from the same data
    (see :func:`report_files`); with `store`, each row's rendered pieces are copied from it
    where it holds them (see :mod:`grader.gradebook.rendered`; it is given the pieces of this
    set, so its file must come after the gradebook's among `extra`). Raises
    GradebookWriteError with the previous set left whole."""
    extras = dict(extra)
    if progress:
        progress("report", 0, 1)
    report = report_files(book, folder.path if cache else None)
    if progress:
        progress("report", 1, 1)
    files = [*gradebook_files(book, show_reference=show_reference, store=store), *report]
    files = [(path, extras.pop(path, content)) for path, content in files]
    return folder.publish([*files, *extras.items()], progress)
