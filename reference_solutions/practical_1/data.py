"""The given numbers of Exercise 2, read exactly from the rubric's `data:` block.

```yaml
data:
  W: [["0.60", "0.70", "0.00"], ["0.01", "0.43", "0.88"]]   # inputs x hidden: W[a][j]
  w: ["0.02", "0.03", "0.09"]                                  # hidden j -> output
  X: [["0.75", "0.80"], ["0.20", "0.05"], ["-0.75", "0.80"], ["0.20", "-0.05"]]  # samples in rows
  y: ["1", "1", "-1", "-1"]
  lr: "0.5"
```

Numbers are strings so that they stay exact: each is read with `Fraction(str(value))`, so
"0.60" is 3/5 (a YAML float such as 0.6 also gives 3/5 through its shortest repr). The sizes
are taken from the data, not assumed, and checked against each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from grader.references import Data

Row = tuple[Fraction, ...]


class DataError(ValueError):
    """The rubric's `data:` block is missing a key, holds a non-number or has mismatched sizes."""


@dataclass(frozen=True)
class Given:
    """Exercise 2's given numbers, exact. `W` is inputs x hidden (as on the sheet), `X` samples
    x inputs, `w` and `y` flat."""

    W: tuple[Row, ...]
    w: Row
    X: tuple[Row, ...]
    y: Row
    lr: Fraction

    def arrays(self, exact: bool = True) -> dict[str, np.ndarray]:
        """Fresh arrays of W, w, X, y: object arrays of Fractions, or floats."""
        values = {"W": self.W, "w": self.w, "X": self.X, "y": self.y}
        arrays = {k: np.array(v, dtype=object) for k, v in values.items()}
        return arrays if exact else {k: a.astype(float) for k, a in arrays.items()}


def load_given(data: Data) -> Given:
    """Read and check the `data:` block; raises `DataError` naming the offending key."""
    W = _matrix(data, "W")
    X = _matrix(data, "X")
    w = _vector(data, "w")
    y = _vector(data, "y")
    lr = _number(_require(data, "lr"), "lr")
    if len(W) != len(X[0]):
        raise DataError(
            f"data.W has {len(W)} rows but the samples in data.X have {len(X[0])} inputs"
        )
    if len(W[0]) != len(w):
        raise DataError(f"data.W has {len(W[0])} hidden units but data.w has {len(w)} weights")
    if len(y) != len(X):
        raise DataError(f"data.y has {len(y)} labels for {len(X)} samples in data.X")
    return Given(W=W, w=w, X=X, y=y, lr=lr)


def _require(data: Data, key: str) -> Any:
    if key not in data:
        raise DataError(f"data.{key} is missing")
    return data[key]


def _number(value: object, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DataError(f"data.{where} must be a number written as a string, got {value!r}")
    try:
        number = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise DataError(f"data.{where} is not a number: {value!r}") from None
    return number


def _vector(data: Data, key: str) -> Row:
    values = _require(data, key)
    if not _is_list(values) or not values:
        raise DataError(f"data.{key} must be a non-empty list of numbers")
    return tuple(_number(v, f"{key}[{i}]") for i, v in enumerate(values))


def _matrix(data: Data, key: str) -> tuple[Row, ...]:
    rows = _require(data, key)
    if not _is_list(rows) or not rows or not all(_is_list(r) and r for r in rows):
        raise DataError(f"data.{key} must be a non-empty list of non-empty rows")
    if len({len(r) for r in rows}) != 1:
        raise DataError(f"data.{key} has rows of different lengths")
    return tuple(
        tuple(_number(v, f"{key}[{i}][{j}]") for j, v in enumerate(row))
        for i, row in enumerate(rows)
    )


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))
