"""The class report: what a graded batch looks like as a whole, for course staff.

`write_report(book, out_dir)` writes report.md, report.html and report-totals.png next to the
gradebook files: counts by status, statistics and a histogram of totals, per-part outcomes, the
most common wrong answers grouped after normalisation, and the conventions students used.
"""

from grader.report.groups import AnswerGroup, AnswerKey, GroupKind, WrongAnswers, wrong_answers
from grader.report.summary import ClassReport, build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG
from grader.report.writer import write_report

__all__ = [
    "REPORT_HTML",
    "REPORT_MD",
    "REPORT_PNG",
    "AnswerGroup",
    "AnswerKey",
    "ClassReport",
    "GroupKind",
    "WrongAnswers",
    "build_report",
    "wrong_answers",
    "write_report",
]
