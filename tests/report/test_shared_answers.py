"""The staff-only section: identical unusual wrong answers, and only with per-student numbers."""

from __future__ import annotations

from dataclasses import replace

from report_builders import INFO, book, part, row

from grader.model import GradedSubmission, Outcome
from grader.report.markdown import render_markdown
from grader.report.shared import shared_wrong_answers
from grader.report.summary import build_report

VARIANTS = replace(INFO, variants=True)
ODD = "[0.123, 0.456]"


def _class(extra: int = 0) -> list[GradedSubmission]:
    rows = [row("a", [part("q1.num", Outcome.INCORRECT, answer=ODD)]),
            row("b", [part("q1.num", Outcome.PARTIAL, answer=ODD)]),
            row("c", [part("q1.num", Outcome.CORRECT, answer=ODD)]),  # right: not a wrong answer
            row("d", [part("q1.num", Outcome.INCORRECT, answer="[0, 0]")]),
            row("e", [part("q1.num", Outcome.INCORRECT, answer="[0, 0]")])]  # fmt: skip
    rows += [row(f"x{i}", [part("q1.sym", Outcome.INCORRECT, answer="a + b")]) for i in range(extra)]
    return rows


def test_a_shared_unusual_wrong_answer_names_its_students() -> None:
    (shared,) = shared_wrong_answers(VARIANTS, _class())
    assert shared.answer_id == "q1.num" and [h.student_id for h in shared.holders] == ["a", "b"]
    assert shared.example == ODD  # all-zero answers prove nothing and are left out


def test_a_wrong_answer_many_students_share_is_a_common_mistake_not_a_signal() -> None:
    ids = [s.answer_id for s in shared_wrong_answers(VARIANTS, _class(extra=4))]
    assert ids == ["q1.num"]  # 4 of 9 students wrote "a + b": more than a few


def test_the_section_appears_only_with_per_student_numbers() -> None:
    assert build_report(book(*_class(), info=INFO)).staff is None
    report = build_report(book(*_class(), info=VARIANTS))
    assert report.staff is not None and len(report.staff.shared) == 1
    text = render_markdown(report, image=False)
    assert "Staff only" in text and "`a`" in text.split("Staff only")[1]
    assert "Staff only" not in render_markdown(build_report(book(*_class(), info=INFO)), False)
