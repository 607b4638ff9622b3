"""Scoring: rounding of parts, question sums, TA overrides and the bonus rule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grader.model import Outcome, PartScore
from grader.numeric import round_points
from grader.rubric.spec import BonusRule, PartSpec, QuestionSpec, Rubric
from grader.scoring import apply_overrides, totals


def _rubric() -> Rubric:
    def q(qid: str, points: float, bonus: bool = False) -> QuestionSpec:
        part = PartSpec(id="a", question=qid, points=points, check="free_text", kind="text")
        return QuestionSpec(
            id=qid, title=qid, points=points, bonus=bonus, grader="parts", parts=(part,)
        )

    questions = (q("ex1", 10), q("ex2", 10), q("ex3", 10), q("ex4", 5, bonus=True))
    return Rubric(
        id="t",
        title="t",
        path="t.yaml",
        max_total=30,
        questions=questions,
        bonus=BonusRule(("ex4",), 30),
    )


def _parts(points: dict[str, float]) -> list[PartScore]:
    return [PartScore(f"{q}.a", q, p, 10, Outcome.PARTIAL) for q, p in points.items()]


@pytest.mark.parametrize(
    ("base_parts", "bonus", "total", "counted"),
    [
        ((10, 10, 10), 5, 30, 0),  # base 30 keeps 30, the bonus does not count
        ((10, 10, 7), 5, 30, 3),  # base 27 + bonus 5 gives 30
        ((7, 7, 7), 3, 24, 3),  # base 21 + bonus 3 gives 24
        ((0, 0, 0), 5, 5, 5),
    ],
)
def test_bonus_rule(
    base_parts: tuple[float, ...], bonus: float, total: float, counted: float
) -> None:
    rubric = _rubric()
    sums = totals(
        rubric, _parts(dict(zip(("ex1", "ex2", "ex3"), base_parts, strict=True)) | {"ex4": bonus})
    )
    assert sums.base == sum(base_parts)
    assert sums.total == total
    assert sums.bonus == counted


@dataclass(frozen=True)
class _TA:
    student_id: str
    part: str
    points: float
    grader: str
    comment: str


def test_bonus_rule_is_applied_after_ta_scores() -> None:
    rubric = _rubric()
    parts = _parts({"ex1": 10, "ex2": 10, "ex3": 4, "ex4": 2})
    scored = apply_overrides(
        parts,
        "s1",
        {
            ("s1", "ex3.a"): _TA("s1", "ex3.a", 7, "ta", "ok"),
            ("s1", "ex4.a"): _TA("s1", "ex4.a", 5, "ta", ""),
        },
    )
    by_id = {p.answer_id: p for p in scored}
    assert by_id["ex3.a"].outcome is Outcome.OVERRIDDEN and by_id["ex3.a"].grader == "ta"
    assert by_id["ex1.a"].outcome is Outcome.PARTIAL
    sums = totals(rubric, scored)
    assert (sums.base, sums.bonus, sums.total) == (27, 3, 30)


def test_overrides_of_other_students_are_ignored() -> None:
    parts = _parts({"ex1": 3})
    assert apply_overrides(
        parts, "s2", {("s1", "ex1.a"): _TA("s1", "ex1.a", 9, "ta", "")}
    ) == tuple(parts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.125, 0.13),
        (0.375, 0.38),
        (2.675, 2.68),
        (7 / 12, 0.58),
        (5 / 12, 0.42),
        (1.5, 1.5),
        (-0.125, -0.13),
    ],
)
def test_points_round_half_up(value: float, expected: float) -> None:
    assert round_points(value) == expected


def test_question_sums_use_rounded_parts() -> None:
    rubric = _rubric()
    # Three parts of 1/3 point each round to 0.33: the question shows 0.99, not 1.
    parts = [
        PartScore(f"ex1.p{i}", "ex1", round_points(1 / 3), 1, Outcome.PARTIAL) for i in range(3)
    ]
    assert totals(rubric, parts).questions["ex1"] == 0.99
