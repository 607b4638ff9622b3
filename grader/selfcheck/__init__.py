"""`grade check`: a student's own sheet, checked for completeness and form before hand-in.

It loads the sheet as grading does and the rubric's structure (no solver, no reference answers)
and reports, per answer id, whether the answer is there and readable, with grading's located
messages; it reveals nothing about correctness unless the rubric says `feedback: scores`. It
also speaks CI: JUnit XML, GitHub annotations and job summary, GitHub Classroom results.

    run_check(argv, out, err, rubric_dirs) -> exit status (0 complete, 1 not, 2 usage)
    build_report(rubric, submission, path) -> CheckReport
"""

from grader.selfcheck.command import build_report, run_check
from grader.selfcheck.report import CheckReport, QuestionReport, SlotReport, SlotStatus, Totals

__all__ = [
    "CheckReport",
    "QuestionReport",
    "SlotReport",
    "SlotStatus",
    "Totals",
    "build_report",
    "run_check",
]
