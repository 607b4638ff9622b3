"""Judging a whole answer that is a statement (open contexts): an equation, an inequality, or
and/or of them, against a reference statement (see `grader.engine.statements`)."""

from __future__ import annotations

from grader.engine.context import Context, ContextError
from grader.engine.evaluate import Interpretation
from grader.engine.resolve import ResolveError, is_statement, resolve_statement
from grader.engine.spec import UNDECIDED_SENTENCE, Judgement, SymbolicSpec
from grader.engine.statements import compare_statements
from grader.engine.structural import equal_com_ass
from grader.mathlang import to_text
from grader.mathlang.ast import Node
from grader.model import Method, Reason, frozen_mapping


def judge_statement(student: Node, spec: SymbolicSpec, context: Context, seed: int) -> Judgement:
    """An equation, inequality or and/or of them against a reference statement."""
    reference_node = spec.reference
    if reference_node is None:
        raise ContextError("this answer needs a reference expression")
    try:
        reference = resolve_statement(reference_node, context).ir
    except ResolveError as exc:
        raise ContextError(f"the reference does not resolve: {exc.message}") from exc
    parsed = to_text(student)
    if not is_statement(student):
        text = "This answer should be an equation or an inequality."
        return plain_judgement(False, Method.STRUCTURAL, [Reason.NOT_EQUIVALENT], [text], parsed)
    answer = resolve_statement(student, context).ir
    if spec.equality == "structural":
        same = equal_com_ass(answer, reference)
        reasons = [Reason.EQUIVALENT if same else Reason.NOT_EQUIVALENT]
        return plain_judgement(same, Method.STRUCTURAL, reasons, [], parsed)
    verdict = compare_statements(answer, reference, context, seed)
    if verdict.equal is None:
        return plain_judgement(
            False, Method.NONE, [Reason.UNDECIDED], [UNDECIDED_SENTENCE], parsed, undecided=True
        )
    if verdict.equal:
        text = "Your statement is equivalent to the expected one."
        return plain_judgement(True, verdict.method, [Reason.EQUIVALENT], [text], parsed)
    text = "Your statement is not equivalent to the expected one."
    return plain_judgement(False, verdict.method, [Reason.NOT_EQUIVALENT], [text], parsed)


def plain_judgement(
    equivalent: bool,
    method: Method,
    reasons: list[Reason],
    texts: list[str],
    parsed: str,
    undecided: bool = False,
) -> Judgement:
    """A scalar-interpretation verdict with no mistake and no splits."""
    return Judgement(
        credit=1.0 if equivalent else 0.0,
        equivalent=equivalent,
        method=method,
        interpretation=Interpretation.SCALAR.value,
        mistake=None,
        split_results=frozen_mapping(),
        reasons=tuple(reasons),
        feedback=tuple(texts),
        undecided=undecided,
        parsed=parsed,
    )
