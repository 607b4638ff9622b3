"""What reference solvers hand to the grader.

A solver module (`reference_solutions/<name>/`) exposes `SOLVERS`, a read-only mapping from the
names a rubric uses to functions. Each function takes the rubric's `data:` block (the given
numbers of the exercise) and returns one of the reference objects below. Solvers *derive* their
answers (sympy differentiation, exact `Fraction` arithmetic); they are course content and trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

# The rubric's `data:` block, as loaded from YAML (numbers may be strings such as "0.60").
Data = Mapping[str, Any]

# A random instance of a context: symbol name -> value (int, float or numpy array).
Instance = Mapping[str, Any]


@dataclass(frozen=True)
class ExpressionForms:
    """A symbolic reference answer written in the answer language (plain text).

    `scalar` is the form of the sheet's hint (every quantity a scalar); `matrix` the form with
    transposes (`^T`) and elementwise products (`.*`), when the exercise has one.
    """

    scalar: str
    matrix: str | None = None


@dataclass(frozen=True)
class IndexReference:
    """A reference for an answer in index notation with a free index (dL/do_j over classes j).

    `gradient(instance)` returns the reference value for every value of the free index (a 1-D
    array); `display` is one expression valid for every class and `cases` the per-case forms
    (e.g. {"j_eq_y": "...", "j_ne_y": "..."}), all in the answer language.
    """

    gradient: Callable[[Instance], np.ndarray]
    display: str
    cases: Mapping[str, str]


@dataclass(frozen=True)
class Idea:
    """One idea a free-text answer may mention: an id, a model sentence, and case-insensitive
    regular expressions (any match counts) used for the provisional score."""

    id: str
    text: str
    patterns: tuple[str, ...]


class ChainSolver(Protocol):
    """A multi-step numeric exercise whose steps can be recomputed from a student's own values
    (error carried forward), under one of several conventions.

    Arrays are in canonical orientation. `key` is exact (numpy object arrays of `Fraction`);
    `recompute` works on floats: it recomputes `part` from `given`, the student's own values of
    the parts `upstream(part, convention)` names (None where the student gave nothing usable, in
    which case the key's value is used).
    """

    conventions: tuple[str, ...]
    parts: tuple[str, ...]

    def key(self, data: Data, convention: str) -> Mapping[str, np.ndarray]:
        """Every part's exact reference value under `convention`."""
        ...

    def upstream(self, part: str, convention: str) -> tuple[str, ...]:
        """The parts whose values `part` is computed from."""
        ...

    def recompute(
        self, part: str, given: Mapping[str, np.ndarray | None], data: Data, convention: str
    ) -> np.ndarray:
        """`part` recomputed from the student's upstream values (floats)."""
        ...
