"""What a loaded submission's messages say about its answers once the rubric is known, bounded.

The loaders do not know the rubric; the pipeline and `grade check` do, and hand the answer ids
it knows to these functions:

- :func:`unknown_answer_notes`: one warning per answer id the rubric does not know, with the
  closest known id and any invisible or look-alike character in it named by code point
  (``еx3`` with a Cyrillic ``е``); at most :data:`MAX_UNKNOWN_NAMED`, then one that counts the
  rest (a notebook with 600 000 tags must not become 600 000 messages).
- :func:`odd_character_notes`: one warning per answer (not free text) holding invisible or
  look-alike characters, naming them and their positions.
- :func:`bounded`: a row's messages cut to :data:`MAX_ROW_MESSAGES`, then one that counts the
  rest, so results.json, grades.csv and the feedback stay small whatever a file holds.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Sequence

from grader.loaders.chars import name_odd_characters
from grader.model import Location, Message, RawAnswer, Reason, Severity, Submission

MAX_UNKNOWN_NAMED = 50
MAX_ODD_NAMED = 20
MAX_ROW_MESSAGES = 100
_MAX_SHOWN_ID = 80


def _shown(answer_id: str) -> str:
    return repr(answer_id if len(answer_id) <= _MAX_SHOWN_ID else answer_id[:_MAX_SHOWN_ID] + "…")


def unknown_answer_notes(
    submission: Submission, known: Collection[str], *, summary: bool = True
) -> tuple[Message, ...]:
    """Warnings for the answer ids of `submission` not in `known` (those answers are not
    graded); past MAX_UNKNOWN_NAMED, one that counts the rest (unless `summary` is False: the
    caller counts them itself)."""
    # Ids with look-alike characters first: they are the ones a student meant as a known id.
    unknown = sorted(
        ((answer_id, answer) for answer_id, answer in submission.answers.items()
         if answer_id not in known),
        key=lambda item: (item[0].isascii(), item[0]),
    )  # fmt: skip
    ordered = sorted(known)
    out = []
    for answer_id, answer in unknown[:MAX_UNKNOWN_NAMED]:
        odd = name_odd_characters(answer_id)
        why = f" (it contains {odd})" if odd else ""
        match = difflib.get_close_matches(answer_id, ordered, n=1)
        hint = f" (did you mean {match[0]!r}?)" if match else ""
        out.append(
            Message(
                Severity.WARNING,
                f"unknown answer id {_shown(answer_id)}{why}{hint}; it was not graded",
                answer.location,
                Reason.UNKNOWN_ANSWER_ID,
            )
        )
    if summary and len(unknown) > MAX_UNKNOWN_NAMED:
        out.append(
            Message(
                Severity.WARNING,
                f"and {len(unknown) - MAX_UNKNOWN_NAMED} more unknown answer ids, not graded",
                Location(submission.source),
                Reason.UNKNOWN_ANSWER_ID,
            )
        )
    return tuple(out)


def _texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every text in an answer value ("entry 2, 1" inside lists)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value, 1):
            yield from _texts(item, f"{path}, {index}" if path else f"entry {index}")


def _odd_note(answer: RawAnswer) -> Message | None:
    for where, text in _texts(answer.value):
        named = name_odd_characters(text)
        if named:
            place = f" in {where}" if where else ""
            return Message(
                Severity.WARNING,
                f"the answer contains {named}{place}: retype it with ordinary characters if "
                "it does not read as you meant",
                answer.location,
                Reason.SYNTAX,
            )
    return None


def odd_character_notes(submission: Submission, checked: Collection[str]) -> tuple[Message, ...]:
    """Warnings for the answers with ids in `checked` (symbolic, numeric, choice: not free
    text, where any script is fine) that hold invisible or look-alike characters."""
    out: list[Message] = []
    for answer_id in sorted(submission.answers):
        if answer_id in checked and len(out) < MAX_ODD_NAMED:
            note = _odd_note(submission.answers[answer_id])
            if note is not None:
                out.append(note)
    return tuple(out)


def bounded(
    messages: Sequence[Message], source: str, known: Collection[str] = ()
) -> tuple[Message, ...]:
    """`messages` cut to MAX_ROW_MESSAGES (then one counting the rest), keeping first the
    errors about the file or about the answers in `known`, then notes about the whole file
    (a limit reached), then warnings about known answers, then the rest; in their order."""
    if len(messages) <= MAX_ROW_MESSAGES:
        return tuple(messages)

    def rank(index: int) -> tuple[int, int]:
        message = messages[index]
        answer_id = message.location.answer_id
        ours = answer_id is None or answer_id in known
        if message.severity is Severity.ERROR and ours:
            return 0, index
        if answer_id is None:
            return 1, index
        return (2 if ours else 3), index

    kept = sorted(sorted(range(len(messages)), key=rank)[: MAX_ROW_MESSAGES - 1])
    rest = len(messages) - len(kept)
    summary = Message(
        Severity.WARNING,
        f"and {rest} more messages about this file (only the first {len(kept)} are shown)",
        Location(source),
        Reason.TOO_LARGE,
    )
    return (*(messages[i] for i in kept), summary)
