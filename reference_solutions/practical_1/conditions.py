"""Acceptance conditions of a drawn Exercise-2 variant (`variants.accept` in the rubric).

Drawn numbers must keep the exercise what the printed sheet makes it: ReLU units that are on for
some samples and off for others (so the backward pass has to use ReLU' properly), no hidden
input so close to 0 that a value rounded to 2 decimals lands on the other side of the kink
(where ReLU'(0) = 0 would decide the marks), and labels of both classes. Each condition takes
the rubric's data block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from grader.references import Data

from .data import load_given
from .ex2 import preactivations

# |s| must exceed this: a value rounded half-even to 2 decimals keeps its sign.
ZERO_MARGIN = 0.005


def X_times_W(data: Data) -> np.ndarray:  # noqa: N802 - the sheet's names
    """s = X W with the given weights, in floats."""
    arrays = load_given(data).arrays(exact=False)
    return np.asarray(arrays["X"] @ arrays["W"], dtype=float)


def hidden_units_mixed(data: Data) -> bool:
    """Every hidden unit is active (s > 0) for some sample and inactive for another, with the
    given weights (s = X W, as in both batch conventions; sequential steps then move them, and
    on the printed sheet itself unit 3 stays on for every sequential step)."""
    s = X_times_W(data)
    return bool(np.all(np.any(s > 0, axis=0)) and np.all(np.any(s <= 0, axis=0)))


def no_zero_preactivation(data: Data) -> bool:
    """No hidden input is within ZERO_MARGIN of 0 (exactly 0 included), under any convention
    (sequential steps move the weights, so their inputs differ)."""
    return all(bool(np.all(np.abs(s) > ZERO_MARGIN)) for s in preactivations(data).values())


def both_classes(data: Data) -> bool:
    """The labels hold at least two different values."""
    return len(set(load_given(data).y)) >= 2


CONDITIONS: Mapping[str, Callable[[Data], bool]] = MappingProxyType(
    {
        "hidden_units_mixed": hidden_units_mixed,
        "no_zero_preactivation": no_zero_preactivation,
        "both_classes": both_classes,
    }
)
