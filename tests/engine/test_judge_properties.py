"""Properties of the judge: any order of the factors is right; changing one factor is wrong."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from network_context import W2_MATRIX, network

from grader.engine import SymbolicSpec, judge
from grader.mathlang import parse
from grader.model import Method

W1_FACTORS = ("(y_out - y_gt)", "f3'(s_out)", "W_out", "f2'(s2)", "W2", "f1'(s1)", "x_in")
W1_MATRIX = "((W2^T * ((W_out^T * (y_out - y_gt) * f3'(s_out)) .* f2'(s2))) .* f1'(s1)) * x_in^T"
OTHERS = ("z1", "z2", "s1", "s2", "W1", "y_gt", "f1(s1)", "f3(s_out)")
SEPARATORS = (" * ", " ", " \\cdot ", "\\,")


def join(factors: list[str], separators: list[str]) -> str:
    text = factors[0]
    for factor, sep in zip(factors[1:], separators, strict=False):
        text += sep + factor
    return text


@settings(max_examples=30, deadline=None)
@given(
    st.permutations(W1_FACTORS),
    st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
    st.integers(0, 2**32),
)
def test_any_order_of_the_scalar_factors_is_proved_equal(
    factors: list[str], separators: list[str], seed: int
) -> None:
    spec = SymbolicSpec(reference=parse(W1_MATRIX))
    result = judge(parse(join(factors, separators)), spec, network(), seed=seed)
    assert result.equivalent and result.method is Method.EXACT


@settings(max_examples=30, deadline=None)
@given(
    st.permutations(W1_FACTORS),
    st.integers(0, 6),
    st.sampled_from(OTHERS),
    st.integers(0, 2**32),
)
def test_changing_one_factor_is_wrong(
    factors: list[str], position: int, other: str, seed: int
) -> None:
    changed = list(factors)
    changed[position] = other
    spec = SymbolicSpec(reference=parse(W1_MATRIX))
    result = judge(parse(" * ".join(changed)), spec, network(), seed=seed)
    assert not result.equivalent and result.credit == 0.0 and not result.undecided


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2), st.integers(0, 2), st.booleans(), st.integers(0, 2**32))
def test_scalar_factors_may_stand_anywhere_in_a_matrix_product(
    first: int, second: int, diag: bool, seed: int
) -> None:
    chain = ["diag(f2'(s2))", "W_out^T", "z1^T"] if diag else ["(W_out^T .* f2'(s2))", "z1^T"]
    chain.insert(min(first, len(chain)), "(y_out - y_gt)")
    chain.insert(min(second, len(chain)), "f3'(s_out)")
    spec = SymbolicSpec(reference=parse(W2_MATRIX))
    result = judge(parse(" * ".join(chain)), spec, network(), seed=seed)
    assert result.equivalent and result.interpretation == "matrix"
