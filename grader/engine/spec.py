"""What a symbolic answer is judged against, and the verdict: the engine's public types.

`SymbolicSpec` carries the reference (an expression, or for index contexts a function of an
instance), the accepted orientation, the declared partial-credit mistakes and the splits judged
separately; `Judgement` is what `grader.engine.judge.judge` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.mathlang.ast import Node
from grader.model import Method, Reason

ORIENTATIONS = frozenset({"exact", "either"})
# How an answer must equal the reference: as functions (AlgEquiv), or as trees up to
# commutativity and associativity of + and * (STACK's EqualComAss).
EQUALITIES = frozenset({"algebraic", "structural"})

# What a student reads when no test instance could decide (a TA then looks).
UNDECIDED_SENTENCE = (
    "Your answer could not be evaluated on any random instance (for example a logarithm "
    "or square root of a negative value, or a division by zero); a TA will check it."
)


@dataclass(frozen=True)
class Mistake:
    """A partial-credit pattern: `kind` names a rule of `grader.engine.mistakes.MISTAKE_RULES`
    ("drop_factor": one derivative factor of the reference missing; "negate": the reference with
    its overall sign flipped; "missing_transpose", "swapped_arguments"), or `rule` is a course's
    own `MistakeRule`; kind "expression" is a buggy answer written out (`expression`, STACK
    style: "(H - F + 2P)/S" for a forgotten +1)."""

    id: str
    kind: str
    credit: float
    feedback: str = ""
    expression: Node | None = None  # kind "expression": the wrong answer itself
    rule: Any = None  # a course's MistakeRule for `kind` (None: the built-in registry)


@dataclass(frozen=True)
class Split:
    """A case of an index answer: the entries where `condition` (e.g. "j != y_i") holds."""

    id: str
    condition: str
    weight: float


@dataclass(frozen=True)
class SymbolicSpec:
    """What a symbolic answer is judged against. `reference` is an expression (for matrix
    contexts, the MATRIX form: its scalar reading is the scalar form); index contexts may give
    `reference_fn(instance) -> vector over the free index` instead. With `only_split` the answer
    covers only that split (a two-case answer). `equality` is one of EQUALITIES."""

    reference: Node | None = None
    reference_fn: Callable[[Mapping[str, Any]], np.ndarray] | None = None
    orientation: str = "exact"
    mistakes: tuple[Mistake, ...] = ()
    splits: tuple[Split, ...] = ()
    only_split: str | None = None
    equality: str = "algebraic"


@dataclass(frozen=True)
class Judgement:
    """The verdict on one answer. `credit` is 1 when equivalent, a mistake's credit, or (index
    answers with splits) the weight of the correct judged splits over the total weight."""

    credit: float
    equivalent: bool
    method: Method
    interpretation: str
    mistake: Mistake | None
    split_results: Mapping[str, bool]
    reasons: tuple[Reason, ...]
    feedback: tuple[str, ...]
    undecided: bool
    parsed: str
