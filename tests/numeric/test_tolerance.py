"""The one tolerance model: half-widths, the combine rules, intervals, descriptions, arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.numeric import Tolerance, compare_arrays, compare_prepared, prepare_reference

PRACTICAL = Tolerance(rel=0.02, abs=5e-4)


@pytest.mark.parametrize(
    ("student", "ref", "ok"),
    [
        (1.02, 1.0, True),  # boundary: 1.02 - 1 is 0.0200000000000000178 in binary
        (0.98, 1.0, True),
        (1.0201, 1.0, False),
        (0.9799, 1.0, False),
        (0.0005, 0.0, True),  # absolute part wins near zero
        (-0.0005, 0.0, True),
        (0.00051, 0.0, False),
        (0.0986, 0.0986, True),
        (0.099, 0.0986, True),  # rounded to 3 decimals
        (0.1005, 0.0986, True),  # 0.0019 <= 2% of 0.0986 = 0.001972
        (0.1006, 0.0986, False),
        (-1.0, 1.0, False),
        (float("nan"), 1.0, False),
        (float("inf"), 1.0, False),
        (1.0, float("nan"), False),
    ],
)
def test_practical_rule(student: float, ref: float, ok: bool) -> None:
    assert PRACTICAL.accepts(student, ref) is ok


def test_interval_and_description() -> None:
    low, high = PRACTICAL.interval(10.0)
    assert low == pytest.approx(9.8) and high == pytest.approx(10.2)
    low, high = PRACTICAL.interval(0.001)
    assert low == pytest.approx(0.0005) and high == pytest.approx(0.0015)
    assert PRACTICAL.describe() == "within 2% or 0.0005, whichever is larger"
    assert Tolerance(rel=0.01, abs=1e-8, combine="sum").describe() == "within 1% plus 1e-08"
    assert Tolerance().describe() == "exactly"
    assert "3 significant figures" in Tolerance(sigfigs=3).describe()


def test_sum_rule_adds_terms() -> None:
    tol = Tolerance(rel=0.01, abs=0.01, combine="sum")
    assert tol.accepts(1.019, 1.0)
    assert not Tolerance(rel=0.01, abs=0.01).accepts(1.019, 1.0)


@pytest.mark.parametrize(
    ("student", "ref", "figures", "ok"),
    [
        (3.14, 3.14159, 3, True),
        (3.15, 3.14159, 3, False),  # 0.0084 > 0.51 * 0.01
        (3.146, 3.14159, 3, True),  # 0.0044 < 0.0051
        (1230.0, 1234.0, 3, True),
        (1240.0, 1234.0, 3, False),
        (0.04, 0.0, 2, True),  # t = 0: 0.51 * 10^-(n-1) = 0.051
        (0.06, 0.0, 2, False),
    ],
)
def test_sigfigs_as_prairielearn(student: float, ref: float, figures: int, ok: bool) -> None:
    assert Tolerance(sigfigs=figures).accepts(student, ref) is ok


def test_decimals_as_prairielearn() -> None:
    tol = Tolerance(decimals=2)
    assert tol.accepts(3.14, 3.1449)
    assert tol.accepts(3.145, 3.14)  # 0.005 <= 0.0051
    assert not tol.accepts(3.146, 3.14)


def test_no_tolerance_means_equal() -> None:
    assert Tolerance().accepts(0.1 + 0.2, 0.3)  # within a few ulps
    assert not Tolerance().accepts(0.3000001, 0.3)
    assert not Tolerance().accepts(1e-300, 0.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rel": -0.1},
        {"abs": float("inf")},
        {"rel": "2%"},
        {"abs": "nan"},
        {"abs": True},
        {"sigfigs": 0},
        {"sigfigs": 2.5},
        {"decimals": -1},
        {"combine": "min"},
    ],
)
def test_invalid_tolerances(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Tolerance(**kwargs)  # type: ignore[arg-type]


def test_compare_arrays_entrywise() -> None:
    ref = np.array([[1.0, 2.0, 0.0], [100.0, -5.0, 0.5]])
    student = np.array([[1.01, 2.1, 0.0004], [98.5, 5.0, 0.5]])
    ok = compare_arrays(student, ref, PRACTICAL)
    assert ok.dtype == bool and ok.shape == ref.shape
    np.testing.assert_array_equal(ok, [[True, False, True], [True, False, True]])


def test_compare_arrays_needs_equal_shapes() -> None:
    with pytest.raises(ValueError):
        compare_arrays(np.zeros((2, 3)), np.zeros((3, 2)), PRACTICAL)
    with pytest.raises(ValueError):
        compare_arrays(np.zeros(3), np.zeros((1, 3)), PRACTICAL)


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(finite, finite)
def test_accepts_is_the_interval(student: float, ref: float) -> None:
    low, high = PRACTICAL.interval(ref)
    inside = low <= student <= high
    if inside:
        assert PRACTICAL.accepts(student, ref)
    # outside the interval by more than float noise means rejected
    if student < low - 1e-9 * max(1.0, abs(ref)) or student > high + 1e-9 * max(1.0, abs(ref)):
        assert not PRACTICAL.accepts(student, ref)


@given(finite, st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_wider_tolerance_accepts_more(ref: float, rel: float, extra: float) -> None:
    narrow, wide = Tolerance(rel=rel), Tolerance(rel=rel + extra)
    student = ref * (1 + rel)
    if narrow.accepts(student, ref):
        assert wide.accepts(student, ref)


def test_text_tolerances_from_yaml() -> None:
    tol = Tolerance(rel="0.02", abs="5e-4")  # type: ignore[arg-type]
    assert tol == PRACTICAL
    assert tol.accepts(0.0005, 0.0)


# compare_prepared (a key's half-widths worked out once) must give compare_arrays's booleans.
tolerances = st.builds(
    Tolerance,
    rel=st.sampled_from((0.0, 0.02, 0.01, 1e-9, 0.5)),
    abs=st.sampled_from((0.0, 5e-4, 1e-8, 0.01)),
    sigfigs=st.one_of(st.none(), st.integers(1, 6)),
    decimals=st.one_of(st.none(), st.integers(0, 6)),
    combine=st.sampled_from(("max", "sum")),
)
references = st.floats(-1e6, 1e6, allow_nan=False, width=64)


@st.composite
def near_boundary(draw: st.DrawFn) -> tuple[Tolerance, np.ndarray, np.ndarray]:
    """A tolerance, a reference array and a student array whose entries sit on the edges of
    the accepted interval, up to 8 ulps either side (where the slack decides), or are not
    finite."""
    tol = draw(tolerances)
    size = draw(st.integers(1, 6))
    ref = np.array(draw(st.lists(references, min_size=size, max_size=size)), dtype=float)
    if draw(st.booleans()):
        ref[0] = draw(st.sampled_from((np.nan, np.inf, 0.0, -0.0)))
    width = tol.half_width(np.where(np.isfinite(ref), ref, 0.0))
    student = ref.copy()
    for i in range(size):
        with np.errstate(all="ignore"):  # an infinite reference has infinite edges
            edge = ref[i] + draw(st.sampled_from((-1.0, 1.0, 0.0))) * width[i]
            for _ in range(draw(st.integers(0, 8))):
                edge = np.nextafter(edge, draw(st.sampled_from((np.inf, -np.inf))))
        student[i] = draw(st.sampled_from((edge, edge, edge, np.nan, np.inf, -0.0)))
    return tol, ref, student


@given(near_boundary())
def test_prepared_reference_decides_like_compare_arrays(
    case: tuple[Tolerance, np.ndarray, np.ndarray],
) -> None:
    tol, ref, student = case
    expected = compare_arrays(student, ref, tol)
    got = compare_prepared(student, prepare_reference(ref, tol))
    assert got.dtype == bool and got.shape == expected.shape
    assert got.tolist() == expected.tolist()
    single = compare_prepared(student[0].reshape(()), prepare_reference(ref[0].reshape(()), tol))
    assert single.shape == () and bool(single) == bool(expected[0])
    with pytest.raises(ValueError, match="does not match"):
        compare_prepared(student.reshape(1, -1), prepare_reference(ref, tol))
