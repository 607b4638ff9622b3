"""Practical-1's acceptance conditions of drawn variants, on hand-made data blocks."""

from __future__ import annotations

from typing import Any

from reference_solutions.practical_1.conditions import (
    CONDITIONS,
    both_classes,
    hidden_units_mixed,
    no_zero_preactivation,
)

SHEET: dict[str, Any] = {
    "W": [["0.60", "0.70", "0.00"], ["0.01", "0.43", "0.88"]],
    "w": ["0.02", "0.03", "0.09"],
    "X": [["0.75", "0.80"], ["0.20", "0.05"], ["-0.75", "0.80"], ["0.20", "-0.05"]],
    "y": ["1", "1", "-1", "-1"],
    "lr": "0.5",
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**SHEET, **changes}


def test_the_printed_sheet_meets_every_condition() -> None:
    assert all(condition(SHEET) for condition in CONDITIONS.values())


def test_a_unit_that_is_never_off_or_never_on_is_rejected() -> None:
    # Every sample's inputs add up to a positive number (1.55, 0.25, 0.05, 0.15), so a unit
    # whose two weights are equal is on for all samples (+0.5) or off for all of them (-0.5);
    # units 1 and 3 keep the sheet's mixed weights.
    for weight in ("0.50", "-0.50"):
        W = [["0.60", weight, "0.00"], ["0.01", weight, "0.88"]]
        assert not hidden_units_mixed(_with(W=W))
        assert no_zero_preactivation(_with(W=W)) and both_classes(_with(W=W))


def test_a_pre_activation_at_or_near_zero_is_rejected() -> None:
    # Sample 2 = (0.20, 0.00): its input to unit 3 is 0.20 * 0.00 + 0.00 * 0.88 = 0 exactly.
    X = [["0.75", "0.80"], ["0.20", "0.00"], ["-0.75", "0.80"], ["0.20", "-0.05"]]
    assert not no_zero_preactivation(_with(X=X))
    # 0.004 (0.20 * 0.02): rounded to 2 decimals it would read as 0.
    W = [["0.60", "0.70", "0.02"], ["0.01", "0.43", "0.00"]]
    assert not no_zero_preactivation(_with(W=W, X=X))


def test_labels_of_one_class_are_rejected() -> None:
    assert not both_classes(_with(y=["1", "1", "1", "1"]))
    assert both_classes(_with(y=["-1", "1", "1", "1"]))
