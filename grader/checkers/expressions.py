"""A student's expression as a chain hands it to a solver's `recompute` (error carried
forward from a symbolic part into a numeric one).

The text is parsed by our own grammar and resolved in the part's context; `at(values)` evaluates
it with our numpy interpreter in the scalar reading, entry by entry when values are arrays
(`p - y` with two vectors gives the vector of differences). Nothing is ever handed to eval; the
parse is bounded like every answer's, and the evaluation is one pass over that bounded tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine import Context, Interpretation, ResolveError
from grader.engine.evaluate import Instance, evaluate
from grader.engine.ir import IR
from grader.engine.resolve import resolve
from grader.mathlang import ParseError, final_rhs, parse


@dataclass(frozen=True)
class StudentExpressionValue:
    """A readable student expression (`text`) and its resolved tree."""

    text: str
    tree: IR

    @classmethod
    def read(cls, text: object, context: Context) -> StudentExpressionValue | None:
        """The expression, or None when it is not text or does not parse and resolve."""
        if not isinstance(text, str) or not text.strip():
            return None
        try:
            node, _ = final_rhs(parse(text))
            return cls(text, resolve(node, context).ir)
        except (ParseError, ResolveError):
            return None

    def at(self, values: Mapping[str, Any]) -> np.ndarray:
        """The expression's value for these symbol values (numbers or equally shaped arrays,
        entry by entry); KeyError when a symbol it uses has no value."""
        arrays = {k: np.asarray(v, dtype=float) for k, v in values.items()}
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
        out = np.empty(shape, dtype=float)
        for index in np.ndindex(*shape):
            entry = {k: float(np.broadcast_to(a, shape)[index]) for k, a in arrays.items()}
            out[index] = float(evaluate(self.tree, Instance(entry), Interpretation.SCALAR))
        return out
