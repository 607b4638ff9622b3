"""Is one given answer of the form its slot asks for? Reading only, never judging.

Each kind is read exactly as grading reads it, with grading's own functions where they are
public and grading's own sentences otherwise, so that a student sees here the message the
gradebook would show:
- numeric: `grader.checkers.arrays.read_answer` (grader.numeric.read_array), then one of the
  slot's accepted `shapes`;
- symbolic: `grader.mathlang.parse`, the right-hand side of an equation (as the engine judges
  it), then every name resolved against the slot's context (`grader.engine.resolve.resolve`);
- text: non-empty text; choice: one of the choices (or a synonym the question declares).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from grader.checkers.arrays import describe_shape, read_answer
from grader.checkers.choice import normalise_choice
from grader.checkers.free_text import NOT_TEXT
from grader.checkers.numeric import unreadable as numeric_unreadable
from grader.checkers.symbolic import NOT_AN_EXPRESSION
from grader.engine import Context, ResolveError
from grader.engine.resolve import resolve
from grader.mathlang import ParseError, final_rhs, parse
from grader.model import RawAnswer, Reason
from grader.rubric.spec import PartSpec

SHOWN_CHARS = 40  # of a student's value quoted in a message


@dataclass(frozen=True)
class Reading:
    """The verdict on one answer's form: `ok`, else why (`reason`, `text`), where in the answer
    (`offset`, 0-based) and, for syntax errors, the caret `pointer` block."""

    ok: bool
    reason: Reason | None = None
    text: str = ""
    offset: int | None = None
    pointer: str = ""
    undecided: bool = False  # our own failure, not the student's: reported, never failed


READABLE = Reading(ok=True)


def read_form(
    part: PartSpec,
    answer: RawAnswer,
    context: Context | None,
    synonyms: Mapping[str, str],
) -> Reading:
    """The form verdict for a non-blank answer to `part` (loader errors are handled before)."""
    try:
        if part.kind == "numeric":
            return _numeric(part, answer)
        if part.kind == "symbolic":
            return _symbolic(answer, context)
        if part.kind == "text":
            return _text(answer)
        if part.kind == "choice":
            return _choice(part, answer, synonyms)
    except (RecursionError, MemoryError) as exc:
        return Reading(ok=False, reason=Reason.TOO_DEEP, text=_internal(exc))
    except Exception as exc:  # noqa: BLE001 - our bug must not be blamed on the sheet
        return Reading(ok=True, reason=Reason.UNDECIDED, text=_internal(exc), undecided=True)
    return READABLE  # a kind this check does not know: present is all it can say


def _internal(exc: BaseException) -> str:
    return f"This answer could not be checked here ({type(exc).__name__}); the grader will."


def _numeric(part: PartSpec, answer: RawAnswer) -> Reading:
    read = read_answer(answer)
    if read.array is None:
        result = numeric_unreadable(part, read.reason, read.message)
        return Reading(ok=False, reason=result.reasons[0], text=result.feedback[0])
    shape = tuple(int(n) for n in read.array.shape)
    if part.shapes and shape not in part.shapes:
        wanted = part.shape or " or ".join(describe_shape(s) for s in part.shapes)
        return Reading(
            ok=False,
            reason=Reason.WRONG_SHAPE,
            text=f"{part.answer_id}: expected {wanted} values, got {describe_shape(shape)}",
        )
    if read.problems:
        return Reading(
            ok=False, reason=Reason.NOT_A_NUMBER, text=f"{part.answer_id}: {read.problems[0]}"
        )
    return READABLE


def _symbolic(answer: RawAnswer, context: Context | None) -> Reading:
    if not isinstance(answer.value, str):
        return Reading(ok=False, reason=Reason.WRONG_TYPE, text=NOT_AN_EXPRESSION)
    try:
        tree = parse(answer.value)
    except ParseError as exc:
        return Reading(
            ok=False,
            reason=exc.reason,
            text=f"Could not read the expression: {exc.message}",
            offset=exc.offset,
            pointer=exc.pointer(),
        )
    if context is None:
        return READABLE
    node, _ = final_rhs(tree)  # the engine judges the right-hand side of `dL/dW = ...`
    try:
        resolve(node, context)
    except ResolveError as exc:
        offset = exc.span.start if exc.span is not None and exc.span.end > 0 else None
        return Reading(ok=False, reason=exc.reason, text=exc.message, offset=offset)
    return READABLE


def _text(answer: RawAnswer) -> Reading:
    if not isinstance(answer.value, str):
        return Reading(ok=False, reason=Reason.WRONG_TYPE, text=NOT_TEXT)
    return READABLE


def _choice(part: PartSpec, answer: RawAnswer, synonyms: Mapping[str, str]) -> Reading:
    if normalise_choice(answer.value, part.choices, synonyms) is not None:
        return READABLE
    # No Reason names "not one of the choices"; WRONG_TYPE is the closest (see the report).
    return Reading(
        ok=False,
        reason=Reason.WRONG_TYPE,
        text=f"{part.answer_id}: {_shown(answer.value)} is not one of: {', '.join(part.choices)}",
    )


def _shown(value: object) -> str:
    text = f"'{value}'" if isinstance(value, str) else "a list"
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 4] + "...'"
