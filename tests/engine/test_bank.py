"""A bank (one part's shared instances, rubric-side values and judgements) gives every answer
the judgement a fresh bank would: whatever was judged in it before, in whatever order."""

from __future__ import annotations

import itertools
import pickle

from network_context import W2_MATRIX, network

from grader.engine import SymbolicSpec
from grader.engine.bank import Bank
from grader.engine.judge import judge_in
from grader.mathlang import parse

# Alike once resolved (z_1 is z1, f_2' is f2'), written differently: the shape clash quotes each
# answer's own spelling; and a right answer, a wrong one and one spelled with spaces.
ANSWERS = (
    "(W_out^T (y_out - y_gt) f3'(s_out)) * f_2'(s_2) z_1^T",
    "(W_out^T (y_out - y_gt) f3'(s_out)) * f2'(s2) z1^T",
    W2_MATRIX,
    W2_MATRIX.replace(" * ", " "),
    "((W_out^T * (y_out - y_gt)) .* f2'(s2)) * z1^T",
)


def spec() -> SymbolicSpec:
    return SymbolicSpec(reference=parse(W2_MATRIX))


def fresh(answer: str) -> object:
    return judge_in(Bank(spec(), network(), 7, 6), parse(answer))


def test_a_shared_bank_judges_as_a_fresh_one_in_any_order() -> None:
    expected = {answer: fresh(answer) for answer in ANSWERS}
    for order in itertools.permutations(ANSWERS, 3):
        bank = Bank(spec(), network(), 7, 6)
        for answer in (*order, *ANSWERS):
            assert judge_in(bank, parse(answer)) == expected[answer]


def test_a_bank_travels_empty() -> None:
    bank = Bank(spec(), network(), 7, 6)
    judge_in(bank, parse(ANSWERS[0]))
    copy = pickle.loads(pickle.dumps(bank))
    assert copy.judged == {} and copy.seed == 7
    assert judge_in(copy, parse(ANSWERS[1])) == fresh(ANSWERS[1])
