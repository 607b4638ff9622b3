"""What the judgements of one part share: a bank of random instances and the rubric's side.

Every answer to a part is judged against the same reference, mistake variants and split
conditions. A `Bank` holds, for one part (its spec, declared context, seed and sample count),
everything of a judgement that does not depend on the answer: the resolved reference, the
random instances of each interpretation and the values of the rubric's trees on them, the
planned shapes of the rubric's trees, the mistake variants, the exact prover's sympy forms of
the rubric's trees -- and the judgement of each distinct parsed answer (`judged`), so two
answers that parse to the same tree (`z2*f3'(s3)` and `z2 f3'( s3 )`) are judged once. (Not
the resolved tree: `z_1` and `z1` resolve alike, but a message quotes the answer's spelling.)

Nothing here depends on which answers were judged before or in what order: the i-th instance
depends only on (seed, i), every kept value only on its tree and the instance, and a judgement
only on its parsed tree (`grader.engine.judge.judge_in`). A bank travels to a worker empty
(pickling keeps only what it was made from), so it never carries sympy objects or closures.
An open context's reading depends on the answer (`grader.engine.judge.open_reading`): its
bank is made for one judgement and serves no other.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Interpretation
from grader.engine.ir import IR
from grader.engine.mistakes import Variant, variants
from grader.engine.resolve import ResolveError, resolve
from grader.engine.shapes import Plan, ShapeError, plan
from grader.engine.spec import Judgement, SymbolicSpec
from grader.engine.trials import Trials
from grader.mathlang import final_rhs
from grader.mathlang.ast import Node

if TYPE_CHECKING:
    from grader.engine.exact import Decider

T = TypeVar("T")


class Bank:
    """The shared side of one part's judgements (see the module docstring). A cache: its
    contents are worked out on first use and never change afterwards."""

    def __init__(self, spec: SymbolicSpec, context: Context, seed: int, samples: int) -> None:
        self.spec = spec
        self.context = context
        self.seed = seed
        self.samples = samples
        self._clear()

    def _clear(self) -> None:
        self.judged: dict[Node, Judgement] = {}
        self._trials: dict[Interpretation, Trials] = {}
        self._reference: IR | str | None = None  # a str: why there is none
        self._variants: dict[int, list[Variant]] = {}
        self._plans: dict[IR, Plan | str] = {}  # a str: the ShapeError's message
        self._series: dict[Hashable, Any] = {}
        self._decider: Decider | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: self.__dict__[k] for k in ("spec", "context", "seed", "samples")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._clear()

    def trials(self, interpretation: Interpretation) -> Trials:
        """The instances of one interpretation (the same for every answer)."""
        found = self._trials.get(interpretation)
        if found is None:
            found = Trials(self.context, interpretation, self.seed, self.samples)
            self._trials[interpretation] = found
        return found

    def reference(self) -> IR:
        """The resolved reference expression. Raises ContextError (each time) when the spec
        has none or it does not resolve."""
        if self._reference is None:
            self._reference = _resolved_reference(self.spec, self.context)
        if isinstance(self._reference, str):
            raise ContextError(self._reference)
        return self._reference

    def variants(self, index: int) -> list[Variant]:
        """The variants of the reference under the spec's `index`-th mistake."""
        found = self._variants.get(index)
        if found is None:
            mistake = self.spec.mistakes[index]
            found = self._variants[index] = variants(mistake, self.reference(), self.context)
        return found

    def plan(self, tree: IR) -> Plan:
        """A rubric tree planned for the matrix interpretation. Raises ShapeError."""
        found = self._plans.get(tree)
        if found is None:
            try:
                found = plan(tree, self.context)
            except ShapeError as exc:
                found = exc.message
            self._plans[tree] = found
        if isinstance(found, str):
            raise ShapeError(found)
        return found

    def series(self, key: Hashable, make: Callable[[], T]) -> T:
        """A rubric-side series of the index interpretation (the reference function's
        values, a split's mask, a mistake's variants), made by `make()` once per `key`."""
        if key not in self._series:
            self._series[key] = make()
        found: T = self._series[key]
        return found

    def decider(self) -> Decider:
        """The exact prover of this context, keeping the rubric trees' sympy forms."""
        if self._decider is None:
            # Imported here: the exact path needs sympy, which `grade check` must not load.
            from grader.engine.exact import Decider

            self._decider = Decider(self.context)
        return self._decider


def _resolved_reference(spec: SymbolicSpec, context: Context) -> IR | str:
    """The resolved reference, or why there is none."""
    if spec.reference is None:
        return "this answer needs a reference expression"
    try:
        return resolve(final_rhs(spec.reference)[0], context).ir
    except ResolveError as exc:
        return f"the reference does not resolve: {exc.message}"
