"""Rubric-time checks of what a symbolic part will be judged against.

Problems are returned as sentences (an empty list when all is well), so that a rubric reports
every problem at once; nothing here raises for a bad rubric.
"""

from __future__ import annotations

from grader.engine import mistakes
from grader.engine.calls import called_as_functions
from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Interpretation
from grader.engine.ir import IR
from grader.engine.precise_trials import PreciseTrials
from grader.engine.resolve import ResolveError, resolve
from grader.engine.shapes import ShapeError, plan
from grader.engine.spec import EQUALITIES, ORIENTATIONS, Split, SymbolicSpec
from grader.engine.trials import Trials
from grader.mathlang import ParseError, final_rhs, parse
from grader.mathlang.ast import Indicator as AstIndicator
from grader.mathlang.ast import Node, Relation
from grader.model import Reason


def validate_reference(node: Node, context: Context) -> list[str]:
    """A reference expression: names resolve, shapes fit (matrix contexts), and it can be
    evaluated on random instances. Returns problems (empty if fine)."""
    reference = final_rhs(node)[0]
    if context.open:
        context = context.declaring_functions(called_as_functions(reference, context))
    try:
        ir = resolve(reference, context).ir
    except ResolveError as exc:
        return [f"reference: {exc.message}"]
    if context.open:
        if PreciseTrials(context, 0).defined_somewhere(ir):
            return []
        return ["reference: it has no value at any of the test points"]
    trees = {Interpretation.INDEX if context.free_index else Interpretation.SCALAR: ir}
    if context.free_index is None and context.has_arrays:
        try:
            trees[Interpretation.MATRIX] = plan(ir, context).ir
        except ShapeError as exc:
            return [f"reference: the shapes do not fit: {exc.message}"]
    for interpretation, tree in trees.items():
        try:
            finite = Trials(context, interpretation, 0, 3).any_finite(tree)
        except ContextError as exc:
            return [f"reference: {exc}"]
        if not finite:
            return [f"reference: not finite on any random {interpretation.value} instance"]
    return []


def validate_spec(spec: SymbolicSpec, context: Context) -> list[str]:
    """A whole spec: reference, orientation, mistakes and splits."""
    problems: list[str] = []
    if (spec.reference is None) == (spec.reference_fn is None):
        problems.append("give exactly one of a reference expression and a reference_fn")
    if spec.reference_fn is not None and context.free_index is None:
        problems.append("reference_fn needs a context with a free index")
    if spec.orientation not in ORIENTATIONS:
        problems.append(f"orientation must be one of {sorted(ORIENTATIONS)}")
    if spec.equality not in EQUALITIES:
        problems.append(f"equality must be one of {sorted(EQUALITIES)}")
    problems += mistakes.problems(spec.mistakes, spec.reference is not None, context)
    if spec.mistakes and spec.splits:
        problems.append("mistakes are not tried for answers judged per split")
    problems += _split_problems(spec, context)
    if spec.reference is not None:
        problems += validate_reference(spec.reference, context)
    return problems


def _split_problems(spec: SymbolicSpec, context: Context) -> list[str]:
    problems = []
    if spec.splits and context.free_index is None:
        problems.append("splits need a context with a free index")
    ids = [s.id for s in spec.splits]
    if len(set(ids)) != len(ids):
        problems.append("split ids must be unique")
    for split in spec.splits:
        if not split.weight > 0:
            problems.append(f"split {split.id}: weight must be positive")
        if context.free_index is not None:
            try:
                split_condition(split, context)
            except (ParseError, ResolveError) as exc:
                problems.append(f"split {split.id}: {exc}")
    if spec.only_split is not None and spec.only_split not in ids:
        problems.append(f"only_split {spec.only_split!r} is not a split id")
    return problems


def split_condition(split: Split, context: Context) -> IR:
    """The resolved condition of a split (an indicator over the free index)."""
    relation = parse(split.condition)
    if not isinstance(relation, Relation):
        raise ResolveError(Reason.SYNTAX, f"condition {split.condition!r} is not a relation")
    return resolve(AstIndicator((relation,)), context).ir
