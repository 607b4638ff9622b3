"""The GitHub Classroom autograding result object, as the grading reporter reads it.

    {"version": 1, "status": "pass"|"fail", "max_score": N, "tests": [{"name", "status",
     "score", "message", "test_code", "filename", "line_no", "duration"}, ...]}

base64(JSON) is the step output `result` (`result=<b64>` appended to $GITHUB_OUTPUT); the
reporter (classroom-resources/autograding-grading-reporter) sums `tests[].score` over runners
and their top-level `max_score`, and fails the run when a runner's status is `fail`.

What the points mean (decided here; see ci-templates/README.md):
- `feedback: none` (the default): one test per required answer (scored, non-bonus), worth 1
  point when it is present and readable; optional slots (bonus, choices, alternatives) are
  tests worth 0 that fail only when given but unreadable. Points x/N = "x of the N required
  answers are in order": a completeness count, never a grade.
- `feedback: scores`: one test per question worth its points, plus one test for the bonus
  counted after the rubric's bonus rule, so that the points add up to the sheet's total over
  `max_total`. A test's status says whether its answers are all well-formed.
Top-level status: `pass` exactly when the sheet is complete (the exit status is 0).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from grader.gradebook.text import one_line
from grader.model import Severity
from grader.selfcheck.report import CheckReport, SlotReport, SlotStatus

MAX_MESSAGE_CHARS = 500


def classroom_result(report: CheckReport, test_code: str) -> dict[str, Any]:
    """The result object; `test_code` is the command line that produced it."""
    if report.totals is not None:
        tests = _question_tests(report, test_code)
        max_score: float = report.totals.max_total
    else:
        tests = _answer_tests(report, test_code)
        max_score = float(len(report.required()))
    return {
        "version": 1,
        "status": "pass" if report.complete else "fail",
        "max_score": _number(max_score),
        "tests": tests,
    }


def encode_result(result: dict[str, Any]) -> str:
    """base64 of the compact UTF-8 JSON (what `result=` carries)."""
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def output_line(result: dict[str, Any]) -> str:
    """The `result=<b64>` line for $GITHUB_OUTPUT (with its newline)."""
    return f"result={encode_result(result)}\n"


def _answer_tests(report: CheckReport, test_code: str) -> list[dict[str, Any]]:
    tests = [_file_test(report, test_code)] if report.file_errors else []
    for slot in report.slots:
        if slot.status is SlotStatus.UNKNOWN:
            continue  # not graded, not required: a warning in the log, not a test
        worth = 1 if slot.required else 0
        tests.append(
            _test(slot.answer_id, not slot.failed, worth if not slot.failed else 0,
                  _message(slot), test_code, report.file, _line(slot))
        )  # fmt: skip
    return tests


def _question_tests(report: CheckReport, test_code: str) -> list[dict[str, Any]]:
    tests = [_file_test(report, test_code)] if report.file_errors else []
    for question in report.questions:
        if question.bonus:
            continue
        slots = report.slots_of(question.id)
        bad = [s for s in slots if s.failed]
        message = "; ".join(f"{s.answer_id}: {s.status.value}" for s in bad) or None
        name = f"{question.id}: {question.title}" if question.title else question.id
        tests.append(
            _test(name, not bad, question.points or 0.0, message, test_code, report.file, 0)
        )
    bonus = [q for q in report.questions if q.bonus]
    if bonus and report.totals is not None:
        bad = [s for q in bonus for s in report.slots_of(q.id) if s.failed]
        message = "; ".join(f"{s.answer_id}: {s.status.value}" for s in bad) or None
        name = "bonus (" + ", ".join(q.id for q in bonus) + "), counted after the bonus rule"
        tests.append(_test(name, not bad, report.totals.bonus, message, test_code, report.file, 0))
    return tests


def _file_test(report: CheckReport, test_code: str) -> dict[str, Any]:
    text = "; ".join(m.text for m in report.file_errors)
    return _test("the sheet can be read", False, 0, text, test_code, report.file, 0)


def _test(
    name: str,
    passed: bool,
    score: float,
    message: str | None,
    test_code: str,
    filename: str,
    line: int,
) -> dict[str, Any]:
    return {
        "name": one_line(name),
        "status": "pass" if passed else "fail",
        "score": _number(score),
        "message": _clip(message) if message else None,
        "test_code": test_code,
        "filename": filename,
        "line_no": line,
        "duration": 0,
    }


def _message(slot: SlotReport) -> str | None:
    if slot.status is SlotStatus.NOT_GIVEN:
        return "not given (optional)"
    errors = [m.text for m in slot.messages if m.severity is Severity.ERROR]
    return errors[-1] if errors else None


def _line(slot: SlotReport) -> int:
    location = slot.location
    if location is None or location.line is None or location.cell is not None:
        return 0
    return location.line


def _clip(text: str) -> str:
    line = one_line(text)
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 3] + "..."


def _number(value: float) -> float | int:
    """Whole numbers as ints (the reporter prints them), others as floats."""
    return int(value) if float(value).is_integer() else float(value)
