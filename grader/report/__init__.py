"""The class report: what a graded batch looks like as a whole, for course staff.

`report_files(book)` renders report.md, report.html and report-totals.png, which
`write_outputs` publishes together with the gradebook files: counts by status, statistics and a
histogram of totals, per-part outcomes, the most common wrong answers grouped after
normalisation, and the conventions students used.
"""

from grader.report.groups import AnswerGroup, AnswerKey, GroupKind, WrongAnswers, wrong_answers
from grader.report.summary import ClassReport, build_report
from grader.report.words import REPORT_HTML, REPORT_MD, REPORT_PNG
from grader.report.writer import report_files, write_outputs

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
    "report_files",
    "write_outputs",
]
