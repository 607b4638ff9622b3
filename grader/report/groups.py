"""The most common wrong answers of one part, grouped after normalisation.

Two answers land in one group when a TA would call them "the same mistake":

- symbolic parts: by the recognised mistake when the checker named one (``detail["mistake"]``,
  with the sentence naming it, e.g. the missing factor), else by the expression as the checker
  read it (its "Read as: ..." sentences), else by our own parse printed canonically; an answer
  our grammar cannot read groups as unreadable;
- numeric parts: by every entry rounded to 3 significant figures (exactly, in decimal); when
  every student has their own numbers, by how the values deviate from the student's own key
  (``detail["step"]``: "every entry: sign flipped", ...), which reads alike across variants;
- choice parts: by the answer text with case and spacing folded.

Free-text parts are never grouped (a TA reads them). Answers are student text: they are parsed by
our own grammar and number reader only, never evaluated, and cut to a bounded length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from grader.gradebook.text import one_line
from grader.mathlang import ParseError, parse, to_text
from grader.model import Outcome, PartScore
from grader.numeric import NumberError, parse_number, round_sig

MAX_GROUPS = 5
SIG_FIGS = 3
READ_AS = "Read as: "
MAX_LABEL_CHARS = 200
AUTOMATIC_OUTCOME = "automatic_outcome"  # what scoring keeps when a TA overrides a part
STEP_KEY = "step"  # PartScore.detail with variants: how a numeric answer deviates
WRONG_OUTCOMES = frozenset({Outcome.INCORRECT, Outcome.PARTIAL, Outcome.UNPARSEABLE})
_OUTCOME_VALUES = frozenset(outcome.value for outcome in Outcome)
_MAX_NESTING = 4  # numeric answers are at most 4 lists deep (as grader.numeric reads them)
_TOKEN = re.compile(r"\[|\]|,|[^\[\],]+")


class GroupKind(StrEnum):
    """What a group of wrong answers has in common."""

    MISTAKE = "mistake"  # a mistake the rubric declares (missing factor, sign)
    EXPRESSION = "expression"  # the same expression after normalisation
    VALUE = "value"  # the same numbers at 3 significant figures
    TEXT = "text"  # the same text (case and spacing folded)
    UNREADABLE = "unreadable"  # nothing our grammar or number reader could read
    STEP = "step"  # per-student numbers: how the values deviate, whatever the numbers


@dataclass(frozen=True)
class AnswerKey:
    """What makes two answers the same: a kind, a normalised form and (mistakes) the sentence
    naming the mistake."""

    kind: GroupKind
    label: str
    note: str = ""


@dataclass(frozen=True)
class AnswerGroup:
    """One group of equal wrong answers: its key, how many, and one answer as written."""

    key: AnswerKey
    count: int
    example: str


@dataclass(frozen=True)
class WrongAnswers:
    """The wrong answers of one part: how many, in how many groups, and the largest groups."""

    total: int
    group_count: int
    top: tuple[AnswerGroup, ...]


def _clip(text: str) -> str:
    """`text` on one line, cut to a length a report line can hold."""
    line = one_line(text)
    return line if len(line) <= MAX_LABEL_CHARS else line[: MAX_LABEL_CHARS - 1] + "\u2026"


def effective_outcome(part: PartScore) -> Outcome:
    """The checker's outcome: for a part a TA overrode, the automatic outcome scoring kept."""
    if part.outcome is Outcome.OVERRIDDEN:
        kept = part.detail.get(AUTOMATIC_OUTCOME)
        if isinstance(kept, str) and kept in _OUTCOME_VALUES:
            return Outcome(kept)
    return part.outcome


def is_wrong(part: PartScore) -> bool:
    """True when the checker judged the answer wrong, partly wrong or unreadable (not missing,
    not carried, not awaiting review)."""
    return effective_outcome(part) in WRONG_OUTCOMES


def _mistake_key(part: PartScore, mistake: str) -> AnswerKey:
    """The mistake's id with the checker's last sentence, which names it (the missing factor).
    A TA override replaces the sentences, so an overridden part keys by the id alone."""
    sentences = [s for s in part.feedback if isinstance(s, str) and s.strip()]
    note = sentences[-1] if sentences and part.outcome is not Outcome.OVERRIDDEN else ""
    return AnswerKey(GroupKind.MISTAKE, _clip(mistake), _clip(note))


def symbolic_key(part: PartScore) -> AnswerKey:
    """The group of a wrong symbolic answer (see the module docstring)."""
    mistake = part.detail.get("mistake")
    if isinstance(mistake, str) and mistake:
        return _mistake_key(part, mistake)
    readings = [
        s[len(READ_AS) :] for s in part.feedback if isinstance(s, str) and s.startswith(READ_AS)
    ]
    if readings:
        return AnswerKey(GroupKind.EXPRESSION, _clip(" | ".join(readings)))
    if part.answer_text is None:
        return AnswerKey(GroupKind.UNREADABLE, "")
    try:
        return AnswerKey(GroupKind.EXPRESSION, _clip(to_text(parse(part.answer_text))))
    except (ParseError, RecursionError):
        return AnswerKey(GroupKind.UNREADABLE, "")


def _nested(text: str) -> object:
    """The nested lists of scalar texts that `text` spells ("[[1, 2], [3, 4]]" or "0.5").
    Raises ValueError when the brackets do not balance or nest too deep."""
    stack: list[list[object]] = [[]]
    for token in _TOKEN.findall(text):
        if token == "[":
            if len(stack) > _MAX_NESTING:
                raise ValueError("nested too deep")
            stack.append([])
        elif token == "]":
            if len(stack) == 1:
                raise ValueError("unbalanced brackets")
            done = stack.pop()
            stack[-1].append(done)
        elif token != ",":
            if token.strip():
                stack[-1].append(token.strip())
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError("not one value")
    return stack[0][0]


def _rounded(value: object, seen: dict[str, str] | None = None) -> str:
    """Every scalar of `value` rounded to 3 significant figures, written back as text (`seen`:
    scalars already rounded, by text: a class repeats its numbers)."""
    if isinstance(value, list):
        return "[" + ", ".join(_rounded(item, seen) for item in value) + "]"
    text = str(value)
    done = seen.get(text) if seen is not None else None
    if done is None:
        done = format(float(round_sig(parse_number(text), SIG_FIGS)), f".{SIG_FIGS}g")
        if seen is not None:
            seen[text] = done
    return done


def numeric_key(part: PartScore, seen: dict[str, str] | None = None) -> AnswerKey:
    """The group of a wrong numeric answer: how it deviates when grading described that (each
    student's own numbers: `detail["step"]`), else its entries at 3 significant figures, or its
    text when it is not made of numbers (`seen`: see :func:`value_key`)."""
    step = part.detail.get(STEP_KEY)
    if isinstance(step, str) and step:
        return AnswerKey(GroupKind.STEP, _clip(step))
    return value_key(part, seen)


def value_key(part: PartScore, seen: dict[str, str] | None = None) -> AnswerKey:
    """A wrong numeric answer by its entries at 3 significant figures (or its text); `seen`
    keeps the scalars rounded so far, by text, for the next call (rounding is most of the
    cost of a class's report)."""
    if part.answer_text is None or not part.answer_text.strip():
        return AnswerKey(GroupKind.UNREADABLE, "")
    try:
        return AnswerKey(GroupKind.VALUE, _clip(_rounded(_nested(part.answer_text), seen)))
    except (ValueError, NumberError, OverflowError):
        return AnswerKey(GroupKind.TEXT, _clip(part.answer_text).casefold())


def text_key(part: PartScore) -> AnswerKey:
    """The group of a wrong choice answer: the text with case and spacing folded."""
    if part.answer_text is None or not part.answer_text.strip():
        return AnswerKey(GroupKind.UNREADABLE, "")
    return AnswerKey(GroupKind.TEXT, _clip(part.answer_text).casefold())


def answer_key(
    kind: str, part: PartScore, seen: dict[str, str] | None = None
) -> AnswerKey | None:
    """The group key of a wrong answer of a part of `kind`; None for kinds never grouped
    (`seen`: see :func:`value_key`)."""
    if kind == "symbolic":
        return symbolic_key(part)
    if kind == "numeric":
        return numeric_key(part, seen)
    if kind == "choice":
        return text_key(part)
    return None


def _reads(part: PartScore) -> tuple[object, ...] | None:
    """Everything :func:`answer_key` reads of `part` (equal for parts it keys alike), or None
    when a detail it reads is not plain text (such a part is keyed on its own)."""
    mistake, step = part.detail.get("mistake"), part.detail.get(STEP_KEY)
    plain = (mistake is None or type(mistake) is str) and (step is None or type(step) is str)
    if not plain or type(part.feedback) is not tuple:
        return None
    return (part.answer_text, part.outcome, part.feedback, mistake, step)


def wrong_answers(kind: str, parts: Iterable[PartScore], limit: int = MAX_GROUPS) -> WrongAnswers:
    """The wrong answers among `parts` (one part per student, in a stable order) grouped by
    :func:`answer_key`; the `limit` largest groups, ties by label. The example of a group is
    the first answer met in it."""
    counts: dict[AnswerKey, int] = {}
    examples: dict[AnswerKey, str] = {}
    keys: dict[tuple[object, ...], AnswerKey | None] = {}  # by what answer_key reads
    seen: dict[str, str] = {}
    total = 0
    for part in parts:
        if not is_wrong(part):
            continue
        reads = _reads(part)
        if reads is None:
            key = answer_key(kind, part, seen)
        elif reads in keys:
            key = keys[reads]
        else:
            key = keys[reads] = answer_key(kind, part, seen)
        if key is None:
            continue
        total += 1
        counts[key] = counts.get(key, 0) + 1
        examples.setdefault(key, _clip(part.answer_text or ""))
    ranked: Sequence[AnswerKey] = sorted(
        counts, key=lambda k: (-counts[k], k.kind.value, k.label, k.note)
    )
    top = tuple(AnswerGroup(k, counts[k], examples[k]) for k in ranked[:limit])
    return WrongAnswers(total, len(counts), top)
