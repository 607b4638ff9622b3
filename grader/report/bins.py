"""The distribution of totals in fixed bins: 10 equal bins from 0 to the maximum total.

The bins depend only on the assignment's maximum and the totals, and are computed in exact
rational arithmetic, so a total on an edge always falls in the same bin: every bin is
[low, high) except the last, which is [low, high]. Totals above the maximum (odd data) widen
the range to the largest total; negative totals widen it downwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

BIN_COUNT = 10


@dataclass(frozen=True)
class Bin:
    """One bin of totals: [low, high), or [low, high] when `closed` (the last bin)."""

    low: float
    high: float
    count: int
    closed: bool = False


def finite(values: Sequence[float]) -> list[float]:
    """The finite values of `values`, in order (odd data never reaches the statistics)."""
    return [
        v
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]


def total_bins(totals: Sequence[float], max_total: float) -> tuple[Bin, ...]:
    """`BIN_COUNT` bins covering 0..max_total (widened to hold every finite total)."""
    values = [Fraction(v) for v in finite(totals)]
    top = Fraction(max_total) if math.isfinite(max_total) and max_total > 0 else Fraction(1)
    high = max([top, *values])
    low = min([Fraction(0), *values])
    width = (high - low) / BIN_COUNT
    counts = [0] * BIN_COUNT
    for value in values:
        index = math.floor((value - low) / width)
        counts[min(max(index, 0), BIN_COUNT - 1)] += 1
    return tuple(
        Bin(
            low=float(low + i * width),
            high=float(low + (i + 1) * width),
            count=counts[i],
            closed=i == BIN_COUNT - 1,
        )
        for i in range(BIN_COUNT)
    )
