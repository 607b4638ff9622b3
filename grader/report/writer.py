"""write_report: report.md, report.html and report-totals.png for one graded batch.

The files go into the gradebook folder itself (not feedback/, whose stray .md files the
gradebook writer prunes), rendered in memory and written as one atomic set by
:func:`grader.gradebook.atomic.replace_files`. Equal gradebooks give equal bytes.
"""

from __future__ import annotations

from pathlib import Path

from grader.gradebook.atomic import replace_files
from grader.model import Gradebook
from grader.report.histogram import plots_available, render_histogram
from grader.report.htmlpage import render_html
from grader.report.markdown import render_markdown
from grader.report.summary import build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG


def write_report(book: Gradebook, out_dir: Path) -> list[Path]:
    """Write the class report of `book` into `out_dir`; return the files written (resolved), in
    write order: the PNG (when matplotlib is installed), then report.md, then report.html.

    Raises GradebookWriteError when a file cannot be written; the previous report is then kept.
    """
    report = build_report(book)
    title = f"Totals: {report.assignment} (n = {report.totals.count})"
    image = plots_available()  # without the `plots` extra the reports keep only the table
    files = [
        (REPORT_MD, render_markdown(report, image).encode("utf-8")),
        (REPORT_HTML, render_html(report, image).encode("utf-8")),
    ]
    if image:
        files.insert(0, (REPORT_PNG, render_histogram(report.bins, report.max_total, title)))
    return replace_files(out_dir, files)
