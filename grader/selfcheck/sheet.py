"""One loaded sheet against a rubric's structure: a SlotReport per answer slot and unknown id.

Which slots a sheet must answer:
- every scored part of a non-bonus question (`required`); a part with alternative slots is
  answered by the part itself OR by ALL of its alternatives (Exercise 3's two cases);
- bonus questions, choices (`ex2.convention`) and alternatives are optional: not given is fine,
  but what IS given must be readable;
- an alternative given together with its main part is IGNORED (grading reads the main part);
- ids the rubric does not know are reported (UNKNOWN, with grading's own warning), not failed.
Messages are grading's located messages, with the file shown as the student named it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from grader.checkers.base import is_blank, missing
from grader.checkers.prepare import PreparedRubric
from grader.checkers.sheet_messages import unknown_answers, with_answer_errors, wrong_assignment
from grader.engine import Context
from grader.model import (
    Location,
    Message,
    RawAnswer,
    Reason,
    Severity,
    Submission,
    frozen_mapping,
)
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec, QuestionSpec, Rubric
from grader.selfcheck.form import Reading, read_form
from grader.selfcheck.report import CheckReport, QuestionReport, SlotReport, SlotStatus

MAX_UNKNOWN = 50  # unknown ids reported one by one; the rest are counted in one message


def check_submission(
    submission: Submission, rubric: Rubric, contexts: Mapping[str, Context], shown: str
) -> CheckReport:
    """The form report of one loaded sheet (`shown`: its path as the student gave it)."""
    sub = _relocated(with_answer_errors(submission), shown)
    # Grading's own unknown-id and wrong-assignment warnings need only the rubric's structure.
    structure = PreparedRubric(rubric, {})
    extra = unknown_answers(structure, sub) + wrong_assignment(structure, sub)
    messages = sub.messages + extra
    by_id = _by_answer_id(messages)
    slots: list[SlotReport] = []
    for question in rubric.questions:
        for part in question.parts:
            context = _context_of(part, question, contexts)
            slots.append(_slot(part, question, sub, context, by_id.get(part.answer_id, ()), shown))
    known = {p.answer_id for p in rubric.parts()}
    unknown = [a for a in sorted(sub.answers) if a not in known]
    slots += [_unknown(a, sub.answers[a], by_id.get(a, ())) for a in unknown[:MAX_UNKNOWN]]
    # Messages about a slot are shown with it; those about unknown ids past the cap are counted.
    elsewhere = {s.answer_id for s in slots} | set(unknown[MAX_UNKNOWN:])
    file_messages = [m for m in messages if m.location.answer_id not in elsewhere]
    if len(unknown) > MAX_UNKNOWN:
        file_messages.append(_too_many_unknown(len(unknown) - MAX_UNKNOWN, shown))
    return CheckReport(
        assignment=rubric.id,
        title=rubric.title,
        file=shown,
        rubric=rubric.path,
        readable=sub.readable,
        slots=tuple(slots),
        questions=tuple(QuestionReport(q.id, q.title, q.points, q.bonus) for q in rubric.questions),
        messages=tuple(file_messages),
    )


def _relocated(sub: Submission, shown: str) -> Submission:
    """The submission with its file named as on the command line in every location (the loader
    names it relative to its folder; CI annotations need the path from the repository root)."""

    def move(location: Location) -> Location:
        return replace(location, file=shown) if location.file == sub.source else location

    answers = {k: replace(a, location=move(a.location)) for k, a in sub.answers.items()}
    messages = tuple(replace(m, location=move(m.location)) for m in sub.messages)
    return replace(sub, source=shown, answers=frozen_mapping(answers), messages=messages)


def _by_answer_id(messages: Sequence[Message]) -> dict[str, tuple[Message, ...]]:
    grouped: dict[str, list[Message]] = {}
    for message in messages:
        if message.location.answer_id:
            grouped.setdefault(message.location.answer_id, []).append(message)
    return {key: tuple(value) for key, value in grouped.items()}


def _context_of(
    part: PartSpec, question: QuestionSpec, contexts: Mapping[str, Context]
) -> Context | None:
    """The context names in a symbolic slot are resolved against (an alternative: its main's)."""
    owner = question.part(part.alternative_of) if part.alternative_of else part
    name = owner.options.get("context") if owner is not None else None
    if name is None:
        return None
    if name not in contexts:
        where = owner.where if owner is not None else part.where
        raise RubricError([f"{where}.context: unknown context {name!r}"])
    return contexts[name]


def _synonyms(question: QuestionSpec) -> Mapping[str, str]:
    # The chain grader reads its choice with these spellings too (`average` -> batch-mean).
    raw = question.options.get("convention_synonyms")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def _slot(
    part: PartSpec,
    question: QuestionSpec,
    sub: Submission,
    context: Context | None,
    messages: tuple[Message, ...],
    shown: str,
) -> SlotReport:
    answer = sub.answers.get(part.answer_id)
    base = SlotReport(
        answer_id=part.answer_id,
        question=question.id,
        kind=part.kind,
        status=SlotStatus.OK,
        max_points=part.points if part.scored else 0.0,
        scored=part.scored,
        required=part.scored and not question.bonus,
        alternative_of=f"{question.id}.{part.alternative_of}" if part.alternative_of else None,
        location=answer.location if answer is not None else None,
        messages=messages,
    )
    if part.alternative_of:
        main = question.part(part.alternative_of)
        if main is not None and not is_blank(sub.answers.get(main.answer_id)):
            return _ignored(base, answer, main, shown)
    if is_blank(answer):
        return _absent(base, part, question, sub, shown)
    if answer is None:  # is_blank(None) is True; kept for the type checker
        return base
    if any(m.severity is Severity.ERROR for m in messages):
        reasons = tuple(m.reason for m in messages if m.reason and m.severity is Severity.ERROR)
        return replace(base, status=SlotStatus.UNREADABLE, reasons=reasons)
    return _with_reading(base, read_form(part, answer, context, _synonyms(question)), answer)


def _with_reading(base: SlotReport, reading: Reading, answer: RawAnswer) -> SlotReport:
    if reading.ok and not reading.undecided:
        return base
    location = replace(answer.location, offset=reading.offset)
    severity = Severity.WARNING if reading.ok else Severity.ERROR
    message = Message(severity, reading.text, location, reading.reason)
    reasons = (reading.reason,) if reading.reason else ()
    return replace(
        base,
        status=SlotStatus.OK if reading.ok else SlotStatus.UNREADABLE,
        reasons=() if reading.ok else reasons,
        messages=base.messages + (message,),
        pointer=reading.pointer,
    )


def _ignored(base: SlotReport, answer: RawAnswer | None, main: PartSpec, shown: str) -> SlotReport:
    if is_blank(answer):
        return replace(base, status=SlotStatus.NOT_GIVEN)
    where = answer.location if answer is not None else Location(shown, base.answer_id)
    note = Message(
        Severity.WARNING,
        f"{base.answer_id} is not graded: {main.answer_id} is given, and grading reads that one",
        where,
    )
    return replace(base, status=SlotStatus.IGNORED, messages=base.messages + (note,))


def _absent(
    base: SlotReport, part: PartSpec, question: QuestionSpec, sub: Submission, shown: str
) -> SlotReport:
    """A slot left blank: fine when optional or answered through all of its alternatives."""
    alternatives = [p for p in question.parts if p.alternative_of == part.id]
    given = [p for p in alternatives if not is_blank(sub.answers.get(p.answer_id))]
    if alternatives and len(given) == len(alternatives):
        # Answered through its alternatives, which are checked on their own.
        return replace(base, via_alternatives=True)
    if not base.required:
        return replace(base, status=SlotStatus.NOT_GIVEN)
    text = missing(part).feedback[0]
    if alternatives:
        names = ", ".join(p.answer_id for p in alternatives)
        text += f" Give it, or all of its alternatives ({names})"
        if given:
            text += "; missing: " + ", ".join(p.answer_id for p in alternatives if p not in given)
        text += "."
    where = base.location or Location(shown, part.answer_id)
    return replace(
        base,
        status=SlotStatus.MISSING,
        messages=base.messages + (Message(Severity.ERROR, text, where),),
    )


def _unknown(answer_id: str, answer: RawAnswer, messages: tuple[Message, ...]) -> SlotReport:
    return SlotReport(
        answer_id=answer_id,
        question=answer_id.split(".", 1)[0],
        kind="unknown",
        status=SlotStatus.UNKNOWN,
        location=answer.location,
        reasons=(Reason.UNKNOWN_ANSWER_ID,),
        messages=messages,
    )


def _too_many_unknown(count: int, shown: str) -> Message:
    return Message(
        Severity.WARNING,
        f"{count} more unknown answer ids were not graded",
        Location(shown),
        Reason.UNKNOWN_ANSWER_ID,
    )
