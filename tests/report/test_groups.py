"""Grouping wrong answers after normalisation: mistakes, expressions, rounded values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_builders import part

from grader.model import Outcome
from grader.report import GroupKind, wrong_answers
from grader.report.groups import MAX_LABEL_CHARS, numeric_key, symbolic_key

MISSING_F2 = "Your answer is missing the factor f2'(s2)."
MISSING_F3 = "Your answer is missing the factor f3'(s_out)."


def sym(answer: str | None, outcome: Outcome = Outcome.INCORRECT, **kwargs: object):
    return part("q1.sym", outcome, answer=answer, **kwargs)  # type: ignore[arg-type]


def num(answer: str | None, outcome: Outcome = Outcome.INCORRECT, **kwargs: object):
    return part("q1.num", outcome, answer=answer, **kwargs)  # type: ignore[arg-type]


def test_two_students_with_one_mistake_form_one_group_of_two() -> None:
    mistake = {"mistake": "missing_derivative"}
    parts = [
        sym("a * z1", Outcome.PARTIAL, feedback=["Read as: a * z1", MISSING_F2], detail=mistake),
        sym("z1 a", Outcome.PARTIAL, feedback=["Read as: z1 * a", MISSING_F2], detail=mistake),
    ]
    result = wrong_answers("symbolic", parts)
    assert result.total == 2
    assert result.group_count == 1
    (group,) = result.top
    assert group.count == 2
    assert group.key.kind is GroupKind.MISTAKE
    assert group.key.label == "missing_derivative"
    assert group.key.note == MISSING_F2
    assert group.example == "a * z1"  # the first answer met


def test_one_mistake_kind_missing_different_factors_gives_two_groups() -> None:
    mistake = {"mistake": "missing_derivative"}
    parts = [
        sym("a", Outcome.PARTIAL, feedback=[MISSING_F2], detail=mistake),
        sym("b", Outcome.PARTIAL, feedback=[MISSING_F3], detail=mistake),
        sym("c", Outcome.PARTIAL, feedback=[MISSING_F2], detail=mistake),
    ]
    result = wrong_answers("symbolic", parts)
    assert [(g.key.note, g.count) for g in result.top] == [(MISSING_F2, 2), (MISSING_F3, 1)]


@pytest.mark.parametrize(
    "spellings",
    [
        ["W_k^T delta_k", "W_k^{T}\\,\\delta_k", "W_k^T * delta_k", "  W_k^T   *delta_k "],
        ["(y - t) f'(s) z", "(y-t)*f'(s)*z", "\\left(y - t\\right) f'(s)\\, z"],
    ],
)
def test_equivalent_spellings_without_a_reading_form_one_group(spellings: list[str]) -> None:
    result = wrong_answers("symbolic", [sym(s) for s in spellings])
    assert result.group_count == 1
    assert result.top[0].count == len(spellings)
    assert result.top[0].key.kind is GroupKind.EXPRESSION


def test_the_checkers_reading_is_preferred_to_our_own_parse() -> None:
    # an answer in two cases ("a: ... | b: ...") does not parse as one expression, but the
    # checker's "Read as" sentences say how it was read
    parts = [
        sym("a: x | b: y", feedback=["Read as: x", "Case a: correct.", "Read as: y"]),
        sym("b: y | a: x", feedback=["Read as: x", "Read as: y"]),
    ]
    result = wrong_answers("symbolic", parts)
    assert result.group_count == 1
    assert result.top[0].key.label == "x | y"


def test_different_expressions_stay_apart() -> None:
    result = wrong_answers("symbolic", [sym("a + b"), sym("a - b"), sym("a+b")])
    assert sorted(g.count for g in result.top) == [1, 2]


@pytest.mark.parametrize("answer", ["(a + ", "\\frac{a}{", "a +* b", None, ""])
def test_answers_our_grammar_cannot_read_group_as_unreadable(answer: str | None) -> None:
    key = symbolic_key(sym(answer, Outcome.UNPARSEABLE))
    assert key.kind is GroupKind.UNREADABLE


def test_unreadable_answers_share_one_group() -> None:
    result = wrong_answers("symbolic", [sym("(a + "), sym("a +* b"), sym(None)])
    assert result.group_count == 1
    assert result.top[0].count == 3


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("0.12345", "0.1234", True),  # both 0.123
        ("0.1235", "0.1234", False),  # 0.124 (half-up) against 0.123
        ("[[1.0001, 2], [3, 4]]", "[[1, 2.0004], [3, 4.00]]", True),
        ("[1, 2]", "[[1, 2]]", False),  # shapes differ
        ("1/3", "0.3333", True),
        ("-0.5", "-0.50001", True),
        ("1e3", "1000.4", True),
        ("0.5", "0.51", False),
    ],
)
def test_numeric_answers_group_at_three_significant_figures(
    first: str, second: str, same: bool
) -> None:
    result = wrong_answers("numeric", [num(first), num(second)])
    assert (result.group_count == 1) is same
    if same:
        assert result.top[0].key.kind is GroupKind.VALUE


@pytest.mark.parametrize("answer", ["abc", "[1, 2", "[[1, 2], [3]]]", "[1, nan]", "1e999"])
def test_numeric_answers_that_are_not_numbers_group_by_text(answer: str) -> None:
    key = numeric_key(num(answer, Outcome.UNPARSEABLE))
    assert key.kind is GroupKind.TEXT


def test_numeric_text_groups_fold_case_and_spacing() -> None:
    result = wrong_answers("numeric", [num("Not  sure"), num("not sure")])
    assert result.group_count == 1


@pytest.mark.parametrize(
    "outcome", [Outcome.CORRECT, Outcome.CARRIED, Outcome.MISSING, Outcome.NEEDS_REVIEW]
)
def test_answers_not_judged_wrong_are_left_out(outcome: Outcome) -> None:
    result = wrong_answers("numeric", [num("0.5", outcome), num("0.7")])
    assert result.total == 1
    assert result.top[0].key.label == "0.7"


def test_an_overridden_part_counts_by_its_automatic_outcome() -> None:
    wrong = num("0.7", Outcome.OVERRIDDEN, detail={"automatic_outcome": "incorrect"})
    right = num("0.5", Outcome.OVERRIDDEN, detail={"automatic_outcome": "correct"})
    odd = num("0.9", Outcome.OVERRIDDEN, detail={"automatic_outcome": ["incorrect"]})
    result = wrong_answers("numeric", [wrong, right, odd])
    assert result.total == 1
    assert result.top[0].key.label == "0.7"


def test_an_overridden_mistake_keys_by_the_mistake_alone() -> None:
    # the TA's note replaced the checker's sentences: it must not become the group's note
    part_ = sym("a", Outcome.OVERRIDDEN, feedback=["Scored by tb: fine."],
                detail={"mistake": "sign", "automatic_outcome": "partial"})  # fmt: skip
    key = symbolic_key(part_)
    assert (key.kind, key.label, key.note) == (GroupKind.MISTAKE, "sign", "")


def test_free_text_is_never_grouped() -> None:
    parts = [part("q1.text", Outcome.INCORRECT, answer="same"), part("q1.text", Outcome.PARTIAL)]
    result = wrong_answers("text", parts)
    assert (result.total, result.group_count, result.top) == (0, 0, ())


def test_at_most_five_groups_largest_first_ties_by_label() -> None:
    answers = ["7", "7", "7", "6", "6", "1", "2", "3", "4", "5"]
    result = wrong_answers("numeric", [num(a) for a in answers])
    assert result.total == len(answers)
    assert result.group_count == 7
    assert [(g.key.label, g.count) for g in result.top] == [
        ("7", 3), ("6", 2), ("1", 1), ("2", 1), ("3", 1)
    ]  # fmt: skip


def test_a_mistake_that_is_not_a_name_falls_back_to_the_expression() -> None:
    key = symbolic_key(sym("a*b", detail={"mistake": 3}))
    assert (key.kind, key.label) == (GroupKind.EXPRESSION, "a * b")


def test_long_answers_are_cut_in_labels_and_examples() -> None:
    long = " + ".join(f"x{i}" for i in range(400))
    result = wrong_answers("symbolic", [sym(long), sym(long.replace(" ", ""))])
    assert result.group_count == 1
    assert len(result.top[0].key.label) <= MAX_LABEL_CHARS
    assert len(result.top[0].example) <= MAX_LABEL_CHARS


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["symbolic", "numeric", "choice", "text", "unknown"]),
    answers=st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=6),
    feedback=st.lists(st.text(max_size=30), max_size=3),
    mistake=st.one_of(st.none(), st.text(max_size=10), st.integers()),
)
def test_grouping_never_raises_and_counts_add_up(
    kind: str, answers: list[str | None], feedback: list[str], mistake: object
) -> None:
    detail = {} if mistake is None else {"mistake": mistake}
    parts = [
        part("q1.sym", Outcome.INCORRECT, answer=a, feedback=feedback, detail=detail)
        for a in answers
    ]
    result = wrong_answers(kind, parts)
    assert sum(g.count for g in result.top) <= result.total
    assert result.group_count >= len(result.top)
    if result.group_count <= 5:
        assert sum(g.count for g in result.top) == result.total
    for group in result.top:
        assert "\n" not in group.key.label and len(group.key.label) <= MAX_LABEL_CHARS
