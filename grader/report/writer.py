"""The class report's files, and publishing them with the gradebook as one set.

report.md, report.html and report-totals.png go into the gradebook folder itself, beside
grades.csv. :func:`report_files` renders them in memory (equal gradebooks give equal bytes);
:func:`write_outputs` publishes the gradebook files, the report and any extra file of the run
(a log) in ONE step through :class:`grader.gradebook.publish.GradebookFolder`.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.gradebook.publish import Content, GradebookFolder, Progress, Published
from grader.gradebook.writer import gradebook_files
from grader.model import Gradebook
from grader.report.histogram import plots_available, render_histogram
from grader.report.htmlpage import render_html
from grader.report.markdown import render_markdown
from grader.report.summary import build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG


def report_files(book: Gradebook) -> list[tuple[str, Content]]:
    """The class report of `book` as (file name, bytes): the PNG first (when matplotlib is
    installed: without the `plots` extra the reports keep only the table), then report.md,
    then report.html."""
    report = build_report(book)
    title = f"Totals: {report.assignment} (n = {report.totals.count})"
    image = plots_available()
    files: list[tuple[str, Content]] = [
        (REPORT_MD, render_markdown(report, image).encode("utf-8")),
        (REPORT_HTML, render_html(report, image).encode("utf-8")),
    ]
    if image:
        files.insert(0, (REPORT_PNG, render_histogram(report.bins, report.max_total, title)))
    return files


def write_outputs(
    book: Gradebook,
    folder: GradebookFolder,
    *,
    show_reference: bool = False,
    extra: Sequence[tuple[str, Content]] = (),
    progress: Progress | None = None,
) -> Published:
    """Publish every output of a run into `folder` (which the caller has locked) at once:
    feedback, CSVs, results.json, the report and `extra` files (an extra file named like a
    generated one takes its place: a review.csv a TA handed back is published as saved).
    Raises GradebookWriteError with the previous set left whole."""
    extras = dict(extra)
    if progress:
        progress("report", 0, 1)
    report = report_files(book)
    if progress:
        progress("report", 1, 1)
    files = [*gradebook_files(book, show_reference=show_reference), *report]
    files = [(path, extras.pop(path, content)) for path, content in files]
    return folder.publish([*files, *extras.items()], progress)
