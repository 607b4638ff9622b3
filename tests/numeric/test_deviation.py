"""describe_deviation: how a wrong array differs, in words free of the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from grader.numeric import Tolerance
from grader.numeric.deviation import describe_deviation

TOL = Tolerance(rel=0.02, abs=5e-4)
RIGHT = np.array([[0.5, -0.2, 0.0], [0.3, 0.1, -0.7]])


@pytest.mark.parametrize(
    ("student", "words"),
    [
        (-RIGHT, "some entries: sign flipped"),  # -0 is 0: that entry stays right
        (RIGHT * 0.25, "some entries: 0.25 times the right value"),
        (np.where(RIGHT < 0, 0.0, RIGHT), "some entries: 0 where the value is not"),
        (RIGHT + np.array([[0, 0, 0.4], [0, 0, 0]]), "some entries: not 0 where the value is 0"),
        (RIGHT + np.array([[0.1, 0, 0], [0, 0.3, 0]]), "some entries: other values"),
    ],
)
def test_each_kind_of_deviation_is_named(student: np.ndarray, words: str) -> None:
    assert describe_deviation(student, RIGHT, TOL) == words


def test_every_entry_is_said_when_every_entry_is_wrong() -> None:
    full = np.array([0.5, -0.2, 0.3])
    assert describe_deviation(-full, full, TOL) == "every entry: sign flipped"
    assert describe_deviation(full * 4, full, TOL) == "every entry: 4 times the right value"


def test_the_same_mistake_reads_alike_on_other_numbers() -> None:
    other = np.array([[0.9, -0.6, 0.0], [0.05, 0.8, -0.1]])
    assert describe_deviation(other * 0.5, other, TOL) == describe_deviation(RIGHT * 0.5, RIGHT, TOL)


def test_a_right_array_has_no_deviation() -> None:
    assert describe_deviation(RIGHT + 1e-5, RIGHT, TOL) is None
