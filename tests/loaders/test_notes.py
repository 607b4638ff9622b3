"""Messages about answers once the rubric is known: unknown ids and look-alike characters named
by code point and position, and every row's messages bounded."""

from __future__ import annotations

from grader.loaders.chars import describe, name_odd_characters
from grader.loaders.identity import id_problem
from grader.loaders.notes import (
    MAX_ROW_MESSAGES,
    MAX_UNKNOWN_NAMED,
    bounded,
    odd_character_notes,
    unknown_answer_notes,
)
from grader.loaders.yaml_sheet import MAX_ANSWERS, load_yaml_sheet
from grader.model import Location, Message, RawAnswer, Reason, Severity, Submission


def _sheet(answers: dict[str, object]) -> Submission:
    return Submission(
        "s.yaml", "s1", "", "practical-1",
        {k: RawAnswer(k, v, Location("s.yaml", k, 5, 9)) for k, v in answers.items()},
    )  # fmt: skip


def test_invisible_and_look_alike_characters_are_named_with_their_position() -> None:
    cases = {
        "0.5\u00a0": "U+00A0 NO-BREAK SPACE (a special space, not an ordinary one) at character 4",
        "a\u2009- b": "U+2009 THIN SPACE",
        "\uff10.0112": "U+FF10 FULLWIDTH DIGIT ZERO, which looks like '0' at character 1",
        "х_in": "U+0445 CYRILLIC SMALL LETTER HA, which looks like 'x' at character 1",
        "z\u200b2": "U+200B ZERO WIDTH SPACE (an invisible character) at character 2",
    }
    for text, words in cases.items():
        named = name_odd_characters(text)
        assert named is not None and words in named, (text, named)


def test_maths_characters_are_not_suspicious() -> None:
    for char in "−⊙×·²ₖδσΣαβ∂∇≠≤':":
        assert describe(char) is None, char


def test_each_answer_with_odd_characters_gets_one_located_note() -> None:
    sub = _sheet({"ex2.y_out": ("0.0986", "\uff10.0112"), "ex1.a": "х_in", "ex4.answer": "\u00a0"})
    notes = odd_character_notes(sub, {"ex2.y_out", "ex1.a"})  # ex4.answer is free text
    assert [(n.location.answer_id, n.location.line) for n in notes] == [
        ("ex1.a", 5), ("ex2.y_out", 5),
    ]  # fmt: skip
    assert "in entry 2" in notes[1].text and "U+FF10" in notes[1].text


def test_unknown_ids_name_look_alike_letters_and_are_bounded() -> None:
    sub = _sheet({"\u0435x3.gradient": "x", **{f"q{i}": "1" for i in range(MAX_UNKNOWN_NAMED + 9)}})
    notes = unknown_answer_notes(sub, {"ex3.gradient"})
    assert len(notes) == MAX_UNKNOWN_NAMED + 1
    # the id with a look-alike letter is named first, whatever its place in the sort order
    assert "U+0435 CYRILLIC SMALL LETTER IE, which looks like 'e'" in notes[0].text
    assert "did you mean 'ex3.gradient'" in notes[0].text
    assert "and 10 more unknown answer ids" in notes[-1].text
    assert len(unknown_answer_notes(sub, {"ex3.gradient"}, summary=False)) == MAX_UNKNOWN_NAMED


def test_a_student_id_with_a_look_alike_letter_says_which() -> None:
    problem = id_problem("s100000\u0430")
    assert problem is not None and "U+0430 CYRILLIC SMALL LETTER A" in problem
    assert "at character 8" in problem


def test_row_messages_are_bounded_errors_first() -> None:
    messages = [Message(Severity.WARNING, f"w{i}", Location("s.yaml")) for i in range(300)]
    messages.insert(250, Message(Severity.ERROR, "the error", Location("s.yaml")))
    kept = bounded(messages, "s.yaml")
    assert len(kept) == MAX_ROW_MESSAGES
    assert "the error" in [m.text for m in kept]
    assert kept[-1].reason is Reason.TOO_LARGE and "202 more messages" in kept[-1].text
    assert bounded(messages[:10], "s.yaml") == tuple(messages[:10])


def test_answers_past_the_limit_are_counted_not_kept() -> None:
    lines = "".join(f"  q{i}: 1\n" for i in range(MAX_ANSWERS + 40))
    sub = load_yaml_sheet(f"student: {{id: s1}}\nanswers:\n{lines}".encode(), "s.yaml")
    assert len(sub.answers) == MAX_ANSWERS
    (note,) = [m for m in sub.messages if m.reason is Reason.TOO_LARGE]
    assert "40 more" in note.text and note.location.line == MAX_ANSWERS + 3
