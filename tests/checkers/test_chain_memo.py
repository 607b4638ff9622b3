"""A prepared chain's memos (judgements and recomputed steps keyed by the exact values they
come from) and its prepared keys change only the time: every student gets the result a chain
without them gives, whatever the memo holds, shares or has dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checkers.base import QuestionResult
from grader.checkers.chain import PreparedChain, _Memo
from grader.checkers.prepare import prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.model import Location, RawAnswer
from grader.rubric.load import load_rubric

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "practical-1.yaml"


def _chain(memo_entries: int | None = None) -> PreparedChain:
    chain = prepare_rubric(load_rubric(RUBRIC, REGISTRY)).questions["ex2"]
    assert isinstance(chain, PreparedChain)
    if memo_entries is None:
        return chain
    return PreparedChain(
        chain.spec,
        chain.solver,
        chain.data,
        chain.conventions,
        chain.synonyms,
        chain.tolerances,
        chain.carried,
        chain.places,
        chain.exceptions,
        memo_entries=memo_entries,
    )


SHARED = _chain()  # one memo for every example: it fills up and hits across examples
NO_MEMO = _chain(memo_entries=0)
TINY = _chain(memo_entries=1)  # drops an entry on nearly every miss


def _text(values: np.ndarray, decimals: int) -> Any:
    if values.ndim == 0:
        return f"{float(values):.{decimals}f}"
    return [_text(v, decimals) for v in values]


@st.composite
def sheets(draw: st.DrawFn) -> dict[str, RawAnswer]:
    """Exercise 2 as students write it: one convention, named or not, a rounding, perhaps a
    slip carried correctly into the later parts, perhaps a part left out, blank, unreadable or a
    notebook's number, matrices perhaps transposed (vectors then columns), lists perhaps tuples."""
    chain = SHARED
    convention = draw(st.sampled_from(chain.conventions))
    decimals = draw(st.sampled_from((2, 3, 4)))
    slip = draw(st.one_of(st.none(), st.sampled_from([p.id for p in chain.numeric])))
    slip_by = draw(st.sampled_from((0.1, -0.25, 1.0)))
    gap = draw(st.one_of(st.none(), st.sampled_from([p.id for p in chain.numeric])))
    gap_kind = draw(st.sampled_from(("", "abc", "0", "absent", "none", "error", "float")))
    shape_kind = draw(st.sampled_from(("as is", "transposed", "tuple")))
    where = Location("sheet.yaml")
    answers: dict[str, RawAnswer] = {}
    if chain.choice is not None and draw(st.booleans()):
        answers[chain.choice.answer_id] = RawAnswer(chain.choice.answer_id, convention, where)
    own: dict[str, np.ndarray] = {}
    for part in chain.numeric:
        ups = chain.solver.upstream(part.id, convention)
        value = np.asarray(
            chain.solver.recompute(part.id, {u: own.get(u) for u in ups}, chain.data, convention),
            dtype=float,
        )
        if part.id == slip:
            value = value.copy()
            value.flat[0] += slip_by
        value = np.round(value, decimals)
        own[part.id] = value
        shown = value.T if shape_kind == "transposed" else value
        text: Any = _text(shown, decimals)
        if shape_kind == "tuple" and isinstance(text, list):
            text = tuple(text)
        error = None
        if part.id == gap:
            if gap_kind == "absent":
                continue
            text = {"none": None, "error": None, "float": 0.5}.get(gap_kind, gap_kind)
            error = "not a literal" if gap_kind == "error" else None
        answers[part.answer_id] = RawAnswer(part.answer_id, text, where, error)
    return answers


def _same(left: QuestionResult, right: QuestionResult) -> None:
    assert left == right
    assert repr(left) == repr(right)


@settings(max_examples=60, deadline=None)
@given(st.lists(sheets(), min_size=1, max_size=8))
def test_memo_gives_the_result_of_no_memo(batch: list[dict[str, RawAnswer]]) -> None:
    for answers in batch * 2:  # every sheet twice: the second time from the memo
        expected = NO_MEMO.grade(answers, {})
        _same(SHARED.grade(answers, {}), expected)
        _same(TINY.grade(answers, {}), expected)


def test_memos_stay_within_their_bound() -> None:
    chain = _chain(memo_entries=3)
    for decimals in (1, 2, 3, 4, 5, 6):
        answers = {
            p.answer_id: RawAnswer(
                p.answer_id, _text(np.round(chain.keys["batch-sum"][p.id], decimals), decimals),
                Location("sheet.yaml"),
            )
            for p in chain.numeric
        }  # fmt: skip
        _same(chain.grade(answers, {}), NO_MEMO.grade(answers, {}))
    assert max(chain.memo_sizes()) == 3
    assert set(NO_MEMO.memo_sizes()) == {0}


def test_the_memo_drops_the_least_recently_used_entry() -> None:
    memo: _Memo[str] = _Memo(2)
    calls: list[str] = []

    def value(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: value("a")) == "A"
    assert memo.get("b", lambda: value("b")) == "B"
    assert memo.get("a", lambda: value("a")) == "A"  # a hit: "a" is now the most recent
    assert memo.get("c", lambda: value("c")) == "C"  # full: "b" goes
    assert memo.get("a", lambda: value("a")) == "A"
    assert memo.get("b", lambda: value("b")) == "B"  # computed again
    assert calls == ["a", "b", "c", "b"] and len(memo) == 2
    nothing: _Memo[str] = _Memo(0)
    assert nothing.get("a", lambda: value("a")) == "A" and len(nothing) == 0
