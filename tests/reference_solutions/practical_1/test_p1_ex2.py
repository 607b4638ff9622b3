"""Exercise 2 chain solver against an independent plain-Python float implementation.

The reference here is written differently on purpose: one sample at a time, one unit at a time,
with Python lists and loops (no numpy), for the whole iteration and for each single step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.references import ChainSolver
from reference_solutions.practical_1 import SOLVERS
from reference_solutions.practical_1.data import DataError, load_given
from reference_solutions.practical_1.ex2 import ChainError, Ex2Chain

CONVENTIONS = ("batch-sum", "batch-mean", "sequential")
SPEC_CHAIN = {  # practical-1.md section 3 and the brief: s -> z -> y_out -> loss, ...
    "s": (),
    "z": ("s",),
    "y_out": ("z",),
    "loss": ("y_out",),
    "delta_out": ("y_out",),
    "delta_hidden": ("delta_out", "s"),
    "grad_W": ("delta_hidden",),
    "grad_w": ("delta_out", "z"),
    "W_new": ("grad_W",),
    "w_new": ("grad_w",),
}

# ---------------------------------------------------------------------------------------------
# independent implementation


def numbers(data: Mapping[str, Any], kind: Callable[[Any], Any] = float) -> tuple[Any, ...]:
    """W, w, X, y, lr as lists of `kind` (float, or Fraction for an exact reference)."""
    W = [[kind(str(v)) for v in row] for row in data["W"]]
    X = [[kind(str(v)) for v in row] for row in data["X"]]
    w = [kind(str(v)) for v in data["w"]]
    return W, w, X, [kind(str(v)) for v in data["y"]], kind(str(data["lr"]))


def floats(data: Mapping[str, Any]) -> tuple[Any, ...]:
    return numbers(data, float)


def unit_forward(x: list[Any], W: list[list[Any]], w: list[Any]) -> dict[str, Any]:
    hidden = len(w)
    s = [sum(x[a] * W[a][j] for a in range(len(x))) for j in range(hidden)]
    z = [v if v > 0 else 0 * v for v in s]
    return {"s": s, "z": z, "y_out": sum(z[j] * w[j] for j in range(hidden))}


def unit_backward(x: list[Any], label: Any, f: dict[str, Any], w: list[Any]) -> dict[str, Any]:
    d_out = f["y_out"] - label
    d = [d_out * w[j] if f["s"][j] > 0 else 0 * d_out for j in range(len(w))]  # ReLU'(0) = 0
    return {
        "loss": d_out * d_out / 2,
        "delta_out": d_out,
        "delta_hidden": d,
        "grad_W": [[x[a] * d[j] for j in range(len(w))] for a in range(len(x))],
        "grad_w": [f["z"][j] * d_out for j in range(len(w))],
    }


def iteration(
    data: Mapping[str, Any], convention: str, kind: Callable[[Any], Any] = float
) -> dict[str, Any]:
    W, w, X, y, lr = numbers(data, kind)
    zero = kind("0")
    records: dict[str, list[Any]] = {}
    sum_W = [[zero] * len(w) for _ in W]
    sum_w = [zero] * len(w)
    for x, label in zip(X, y, strict=True):
        f = unit_forward(x, W, w)
        b = unit_backward(x, label, f, w)
        for name, value in {**f, **b}.items():
            records.setdefault(name, []).append(value)
        if convention == "sequential":
            W = [[W[a][j] - lr * b["grad_W"][a][j] for j in range(len(w))] for a in range(len(W))]
            w = [w[j] - lr * b["grad_w"][j] for j in range(len(w))]
        else:
            for a in range(len(W)):
                for j in range(len(w)):
                    sum_W[a][j] += b["grad_W"][a][j]
            for j in range(len(w)):
                sum_w[j] += b["grad_w"][j]
    if convention != "sequential":
        n = len(X) if convention == "batch-mean" else 1
        records["grad_W"] = [[v / n for v in row] for row in sum_W]
        records["grad_w"] = [v / n for v in sum_w]
        W = [[W[a][j] - lr * records["grad_W"][a][j] for j in range(len(w))] for a in range(len(W))]
        w = [w[j] - lr * records["grad_w"][j] for j in range(len(w))]
    records["W_new"], records["w_new"] = W, w
    dtype = float if kind is float else object
    return {k: np.array(v, dtype=dtype) for k, v in records.items()}


# ---------------------------------------------------------------------------------------------
# the key


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_key_matches_independent_implementation(sheet_data: dict, convention: str) -> None:
    key = Ex2Chain().key(sheet_data, convention)
    expected = iteration(sheet_data, convention)
    assert set(key) == set(Ex2Chain.parts)
    for part in Ex2Chain.parts:
        assert key[part].shape == expected[part].shape, part
        np.testing.assert_allclose(key[part].astype(float), expected[part], rtol=0, atol=1e-12)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_key_is_exact(sheet_data: dict, convention: str) -> None:
    key = Ex2Chain().key(sheet_data, convention)
    for part, value in key.items():
        assert value.dtype == object, part
        assert all(isinstance(v, Fraction) for v in value.flat), part


def test_key_exact_relations_between_conventions(sheet_data: dict) -> None:
    chain = Ex2Chain()
    total, mean, seq = (chain.key(sheet_data, c) for c in CONVENTIONS)
    n = len(sheet_data["X"])
    assert (mean["grad_W"] * n == total["grad_W"]).all()
    assert (mean["grad_w"] * n == total["grad_w"]).all()
    for part in ("s", "z", "y_out", "loss", "delta_out", "delta_hidden"):
        assert (mean[part] == total[part]).all()
        assert np.array_equal(seq[part][0], total[part][0])  # step 1 uses the initial weights
    # the learning rate times the summed per-step gradients moved the weights (exactly)
    lr = Fraction(sheet_data["lr"])
    W0 = np.array([[Fraction(v) for v in row] for row in sheet_data["W"]], dtype=object)
    assert (seq["W_new"] == W0 - lr * seq["grad_W"].sum(axis=0)).all()


def test_key_agrees_with_the_worked_example_in_the_spec(sheet_data: dict) -> None:
    # practical-1.md shows the first sample: s = [0.458, 0.869, 0.704], y_out 0.0986,
    # loss 0.4063, delta_out -0.9014 (rounded to 4 decimals).
    key = Ex2Chain().key(sheet_data, "batch-sum")
    np.testing.assert_allclose(key["s"][0].astype(float), [0.458, 0.869, 0.704], atol=5e-5)
    assert abs(float(key["y_out"][0]) - 0.0986) < 5e-5
    assert abs(float(key["loss"][0]) - 0.4063) < 5e-5
    assert abs(float(key["delta_out"][0]) + 0.9014) < 5e-5


def test_relu_derivative_at_zero_is_zero() -> None:
    # x = (0, 1) with W[1][0] = 0 makes s_0 exactly 0: no gradient flows through unit 0.
    data = {
        "W": [["1", "1"], ["0", "2"]],
        "w": ["1", "1"],
        "X": [["0", "1"]],
        "y": ["5"],
        "lr": "1",
    }
    key = Ex2Chain().key(data, "batch-sum")
    assert key["s"][0][0] == 0
    assert key["delta_hidden"][0][0] == 0
    assert key["delta_hidden"][0][1] != 0


small = st.integers(-9, 9).map(lambda v: f"{v / 10:.1f}")


@st.composite
def random_data(draw: st.DrawFn) -> dict[str, Any]:
    n, a, h = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    return {
        "W": [[draw(small) for _ in range(h)] for _ in range(a)],
        "w": [draw(small) for _ in range(h)],
        "X": [[draw(small) for _ in range(a)] for _ in range(n)],
        "y": [draw(small) for _ in range(n)],
        "lr": draw(st.sampled_from(["0.5", "0.1", "1"])),
    }


KINK = {  # s[1][1] = -0.12 - 0.04 + 0.16 is exactly 0, slightly positive in floats
    "W": [["0.0", "0.4", "-0.1"], ["0.0", "-0.2", "0.0"], ["0.0", "0.4", "0.0"]],
    "w": ["0.0", "0.1", "0.1"],
    "X": [["0.0", "0.0", "0.0"], ["-0.3", "0.2", "0.4"]],
    "y": ["0.0", "0.0"],
    "lr": "0.5",
}


@settings(max_examples=40, deadline=None)
@given(data=random_data(), convention=st.sampled_from(CONVENTIONS))
@example(data=KINK, convention="batch-sum")
def test_key_matches_independent_implementation_on_random_data(
    data: dict[str, Any], convention: str
) -> None:
    # Random data hits ReLU kinks (s exactly 0), where floats cannot decide: compare exactly.
    key = Ex2Chain().key(data, convention)
    expected = iteration(data, convention, Fraction)
    for part in Ex2Chain.parts:
        assert key[part].shape == expected[part].shape, part
        assert np.array_equal(key[part], expected[part]), part


# ---------------------------------------------------------------------------------------------
# upstream and recompute


@pytest.mark.parametrize("convention", ["batch-sum", "batch-mean"])
def test_upstream_is_the_spec_chain(convention: str) -> None:
    chain = Ex2Chain()
    for part, expected in SPEC_CHAIN.items():
        assert chain.upstream(part, convention) == expected


def test_sequential_upstream_adds_the_earlier_steps_weights() -> None:
    chain = Ex2Chain()
    assert set(chain.upstream("s", "sequential")) == {"grad_W"}
    assert set(chain.upstream("y_out", "sequential")) == {"z", "grad_w"}
    assert set(chain.upstream("delta_hidden", "sequential")) == {"delta_out", "s", "grad_w"}
    for part in ("z", "loss", "delta_out", "grad_W", "grad_w", "W_new", "w_new"):
        assert chain.upstream(part, "sequential") == SPEC_CHAIN[part]


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_recompute_without_student_values_is_the_key(sheet_data: dict, convention: str) -> None:
    chain = Ex2Chain()
    key = chain.key(sheet_data, convention)
    for part in chain.parts:
        nothing = {name: None for name in chain.upstream(part, convention)}
        got = chain.recompute(part, nothing, sheet_data, convention)
        assert got.dtype == float
        np.testing.assert_allclose(got, key[part].astype(float), rtol=0, atol=1e-15)


def expected_from(
    part: str, up: Mapping[str, np.ndarray], data: Mapping[str, Any], convention: str
) -> np.ndarray:
    """One part from given upstream values, by loops (independent of the solver)."""
    W, w, X, y, lr = floats(data)
    n, a, h = len(X), len(W), len(w)
    seq = convention == "sequential"
    divide = n if convention == "batch-mean" else 1

    def weights_before(i: int) -> tuple[list[list[float]], list[float]]:
        Wi = [row[:] for row in W]
        wi = w[:]
        if seq:
            for t in range(i):
                for j in range(h):
                    wi[j] -= lr * up["grad_w"][t][j] if "grad_w" in up else 0.0
                    for k in range(a):
                        Wi[k][j] -= lr * up["grad_W"][t][k][j] if "grad_W" in up else 0.0
        return Wi, wi

    out: list[Any] = []
    if part == "s":
        for i in range(n):
            Wi, _ = weights_before(i)
            out.append([sum(X[i][k] * Wi[k][j] for k in range(a)) for j in range(h)])
    elif part == "z":
        out = [[max(v, 0.0) for v in row] for row in up["s"]]
    elif part == "y_out":
        out = [sum(up["z"][i][j] * weights_before(i)[1][j] for j in range(h)) for i in range(n)]
    elif part == "loss":
        out = [0.5 * (up["y_out"][i] - y[i]) ** 2 for i in range(n)]
    elif part == "delta_out":
        out = [up["y_out"][i] - y[i] for i in range(n)]
    elif part == "delta_hidden":
        out = [
            [up["delta_out"][i] * weights_before(i)[1][j] * (up["s"][i][j] > 0) for j in range(h)]
            for i in range(n)
        ]
    elif part == "grad_W":
        per = [
            [[X[i][k] * up["delta_hidden"][i][j] for j in range(h)] for k in range(a)]
            for i in range(n)
        ]
        out = per if seq else (np.sum(per, axis=0) / divide).tolist()
    elif part == "grad_w":
        per_w = [[up["z"][i][j] * up["delta_out"][i] for j in range(h)] for i in range(n)]
        out = per_w if seq else (np.sum(per_w, axis=0) / divide).tolist()
    elif part == "W_new":
        total = np.sum(up["grad_W"], axis=0) if seq else up["grad_W"]
        out = [[W[k][j] - lr * total[k][j] for j in range(h)] for k in range(a)]
    elif part == "w_new":
        total_w = np.sum(up["grad_w"], axis=0) if seq else up["grad_w"]
        out = [w[j] - lr * total_w[j] for j in range(h)]
    return np.array(out, dtype=float)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("part", list(SPEC_CHAIN))
def test_recompute_from_student_values(sheet_data: dict, convention: str, part: str) -> None:
    chain = Ex2Chain()
    key = chain.key(sheet_data, convention)
    rng = np.random.default_rng(7)
    student = {
        name: key[name].astype(float) + rng.normal(0.0, 0.3, key[name].shape)
        for name in chain.upstream(part, convention)
    }
    got = chain.recompute(part, student, sheet_data, convention)
    np.testing.assert_allclose(
        got, expected_from(part, student, sheet_data, convention), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("part", list(SPEC_CHAIN))
def test_each_listed_upstream_part_matters(sheet_data: dict, convention: str, part: str) -> None:
    chain = Ex2Chain()
    key = chain.key(sheet_data, convention)
    baseline = chain.recompute(part, {}, sheet_data, convention)
    for name in chain.upstream(part, convention):
        changed = {name: -1.7 * key[name].astype(float) + 0.3}
        assert not np.allclose(chain.recompute(part, changed, sheet_data, convention), baseline)


def test_recompute_ignores_parts_that_are_not_upstream(sheet_data: dict) -> None:
    chain = Ex2Chain()
    key = chain.key(sheet_data, "batch-sum")
    noise = {"s": np.zeros((4, 3)), "grad_W": np.ones((2, 3))}
    got = chain.recompute("loss", noise, sheet_data, "batch-sum")
    np.testing.assert_allclose(got, key["loss"].astype(float), atol=1e-15)


def test_recompute_rejects_wrong_shapes_and_names(sheet_data: dict) -> None:
    chain = Ex2Chain()
    with pytest.raises(ChainError):
        chain.recompute("z", {"s": np.zeros((3, 4))}, sheet_data, "batch-sum")
    with pytest.raises(ChainError):
        chain.recompute("z", {}, sheet_data, "stochastic")
    with pytest.raises(ChainError):
        chain.recompute("bias", {}, sheet_data, "batch-sum")
    with pytest.raises(ChainError):
        chain.upstream("z", "epoch")


def test_shape_of_sequential_gradients(sheet_data: dict) -> None:
    chain = Ex2Chain()
    assert chain.shape("grad_W", sheet_data, "sequential") == (4, 2, 3)
    assert chain.shape("grad_w", sheet_data, "sequential") == (4, 3)
    assert chain.shape("grad_W", sheet_data, "batch-mean") == (2, 3)


# ---------------------------------------------------------------------------------------------
# the solver entry and the data block


def test_solver_entry_returns_a_chain_solver(sheet_data: dict) -> None:
    solver = SOLVERS["ex2_chain"](sheet_data)
    assert isinstance(solver, Ex2Chain)
    typed: ChainSolver = solver
    assert typed.conventions == CONVENTIONS
    assert typed.parts == tuple(SPEC_CHAIN)


def test_data_is_read_exactly(sheet_data: dict) -> None:
    given = load_given(sheet_data)
    assert given.W[0][0] == Fraction(3, 5)
    assert given.lr == Fraction(1, 2)
    assert load_given({**sheet_data, "lr": 0.5}).lr == Fraction(1, 2)  # a YAML float too


@pytest.mark.parametrize(
    "change",
    [
        {"lr": None},
        {"lr": "fast"},
        {"lr": True},
        {"w": ["0.1", "0.2"]},
        {"y": ["1", "1", "-1"]},
        {"W": [["0.1", "0.2", "0.3"]]},
        {"X": [["0.1", "0.2"], ["0.3"]]},
        {"X": "0.1"},
        {"W": []},
    ],
)
def test_bad_data_is_rejected(sheet_data: dict, change: dict) -> None:
    data = {**sheet_data, **change}
    if change.get("lr", "") is None:
        del data["lr"]
    with pytest.raises(DataError):
        load_given(data)
    with pytest.raises(DataError):
        SOLVERS["ex2_chain"](data)
