"""Exercise 2: one iteration of forward and backward passes, as a chain of small steps.

Network: inputs x (2) -> 3 ReLU hidden units (`s = x W`, `z = relu(s)`) -> one LINEAR output
unit `y_out = sum_j z_j w_j`; loss `0.5 * (y_out - y)^2` per sample; gradient descent with
learning rate `lr`. ReLU'(0) is taken as 0 (the derivative for s > 0 is 1, else 0).

Parts, in canonical orientation (n samples, a inputs, h hidden units; on the sheet 4, 2, 3):

    s (n, h)  z (n, h)  y_out (n,)  loss (n,)  delta_out (n,) = dL/ds_out = y_out - y
    delta_hidden (n, h) = delta_out * w_j * relu'(s_j)
    grad_W (a, h), like W       grad_w (h,)       W_new (a, h)       w_new (h,)

Conventions (the sheet does not say which; all three are right):
* "batch-sum": the gradients of the n samples are summed, one update;
* "batch-mean": they are averaged, one update;
* "sequential": one gradient step per sample, in order. Row i of s, z, y_out, loss, delta_out,
  delta_hidden comes from step i's own forward pass, which uses the weights after steps < i;
  grad_W is per step (n, a, h) and grad_w (n, h); W_new, w_new are the weights after all steps.

The key is exact (numpy object arrays of `Fraction`); `recompute` redoes one step in floats from
a student's own upstream values (error carried forward).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

import numpy as np

from grader.references import ChainSolver, Data

from .data import Given, load_given

CONVENTIONS: tuple[str, ...] = ("batch-sum", "batch-mean", "sequential")
PARTS: tuple[str, ...] = (
    "s",
    "z",
    "y_out",
    "loss",
    "delta_out",
    "delta_hidden",
    "grad_W",
    "grad_w",
    "W_new",
    "w_new",
)

# What each part is computed from (besides the given data X, y, W, w, lr).
_UPSTREAM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
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
)
# Sequentially, row i also uses the weights after steps < i, i.e. rows < i of the gradients.
# (So the part-level graph has cycles; at the level of rows it does not.)
_SEQUENTIAL_EXTRA: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"s": ("grad_W",), "y_out": ("grad_w",), "delta_hidden": ("grad_w",)}
)

_PER_SAMPLE = ("s", "z", "y_out", "loss", "delta_out", "delta_hidden")
_PER_STEP = ("grad_W", "grad_w")

Arrays = dict[str, np.ndarray]
Getter = Callable[[str], np.ndarray]


class ChainError(ValueError):
    """An unknown part or convention, or an upstream array of the wrong shape."""


# ---------------------------------------------------------------------------------------------
# the steps (the same code runs on exact Fractions and on floats)


def _constant(like: np.ndarray, value: int) -> np.ndarray:
    """`value` as a 0-d array of `like`'s kind: an exact Fraction or a float."""
    exact = like.dtype == object
    return np.asarray(Fraction(value) if exact else float(value), dtype=like.dtype)


def relu(s: np.ndarray) -> np.ndarray:
    """`max(0, s)` elementwise."""
    return np.where(s > 0, s, _constant(s, 0))


def relu_derivative(s: np.ndarray) -> np.ndarray:
    """1 where s > 0, else 0 (ReLU'(0) = 0)."""
    return np.where(s > 0, _constant(s, 1), _constant(s, 0))


def squared_error(y_out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`0.5 * (y_out - y)^2` per sample."""
    return (y_out - y) ** 2 / 2


def hidden_delta(delta_out: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
    """`delta_j = delta_out * w_j * relu'(s_j)` (rows: samples; w may be per row)."""
    return delta_out[:, None] * w * relu_derivative(s)


def _before_each_step(start: np.ndarray, steps: np.ndarray, lr: Fraction | float) -> np.ndarray:
    """Weights before each sequential step: `start - lr * sum of the steps before it`."""
    done = np.cumsum(steps, axis=0) - steps  # exclusive prefix sums
    return start[None, ...] - lr * done


# ---------------------------------------------------------------------------------------------
# one part from its upstream values


@dataclass(frozen=True)
class _Setting:
    """The given data (exact or float) and the convention one step is computed under."""

    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    w: np.ndarray
    lr: Fraction | float
    convention: str

    @property
    def sequential(self) -> bool:
        return self.convention == "sequential"

    def average(self, total: np.ndarray) -> np.ndarray:
        """A summed batch gradient, averaged under "batch-mean"."""
        return total / len(self.X) if self.convention == "batch-mean" else total

    def hidden_weights(self, get: Getter) -> np.ndarray:
        """W before each step (n, a, h) when sequential."""
        return _before_each_step(self.W, get("grad_W"), self.lr)

    def output_weights(self, get: Getter) -> np.ndarray:
        """w for every row: before each step (n, h) when sequential, else (1, h)."""
        if self.sequential:
            return _before_each_step(self.w, get("grad_w"), self.lr)
        return self.w[None, :]


def _s(get: Getter, k: _Setting) -> np.ndarray:
    if k.sequential:
        return np.einsum("na,nah->nh", k.X, k.hidden_weights(get))  # row i, its own weights
    return k.X @ k.W


def _y_out(get: Getter, k: _Setting) -> np.ndarray:
    return np.sum(get("z") * k.output_weights(get), axis=1)


def _delta_hidden(get: Getter, k: _Setting) -> np.ndarray:
    return hidden_delta(get("delta_out"), k.output_weights(get), get("s"))


def _grad_W(get: Getter, k: _Setting) -> np.ndarray:
    delta = get("delta_hidden")
    if k.sequential:
        return k.X[:, :, None] * delta[:, None, :]  # one outer product per step
    return k.average(k.X.T @ delta)


def _grad_w(get: Getter, k: _Setting) -> np.ndarray:
    z, delta = get("z"), get("delta_out")
    return z * delta[:, None] if k.sequential else k.average(z.T @ delta)


def _updated(start: np.ndarray, grad: np.ndarray, k: _Setting) -> np.ndarray:
    """Gradient descent: after all steps' gradients when sequential."""
    return start - k.lr * (grad.sum(axis=0) if k.sequential else grad)


# How each part is computed from its upstream values (`get`) and the given data.
_STEPS: Mapping[str, Callable[[Getter, _Setting], np.ndarray]] = MappingProxyType(
    {
        "s": _s,
        "z": lambda get, k: relu(get("s")),
        "y_out": _y_out,
        "loss": lambda get, k: squared_error(get("y_out"), k.y),
        "delta_out": lambda get, k: get("y_out") - k.y,
        "delta_hidden": _delta_hidden,
        "grad_W": _grad_W,
        "grad_w": _grad_w,
        "W_new": lambda get, k: _updated(k.W, get("grad_W"), k),
        "w_new": lambda get, k: _updated(k.w, get("grad_w"), k),
    }
)


def _compute(
    part: str, get: Getter, base: Arrays, lr: Fraction | float, convention: str
) -> np.ndarray:
    """`part` from the upstream values `get` returns and the given data `base`."""
    if part not in _STEPS:
        raise ChainError(f"unknown part {part!r}")
    setting = _Setting(base["X"], base["y"], base["W"], base["w"], lr, convention)
    return _STEPS[part](get, setting)


# ---------------------------------------------------------------------------------------------
# the exact key


def _batch_key(base: Arrays, lr: Fraction | float, convention: str) -> Arrays:
    parts: Arrays = {}
    for part in PARTS:
        parts[part] = _compute(part, parts.__getitem__, base, lr, convention)
    return parts


def _sequential_key(base: Arrays, lr: Fraction | float) -> Arrays:
    """One step per sample, in order: each step's forward pass uses the updated weights."""
    W, w = base["W"], base["w"]
    rows: dict[str, list[np.ndarray]] = {p: [] for p in _PER_SAMPLE + _PER_STEP}
    for x_i, y_i in zip(base["X"], base["y"], strict=True):
        one = {"X": x_i[None, :], "y": np.array([y_i], dtype=base["y"].dtype), "W": W, "w": w}
        step = _batch_key(one, lr, "batch-sum")  # a batch of one sample: its own gradient
        for part in _PER_SAMPLE:
            rows[part].append(step[part][0])
        for part in _PER_STEP:
            rows[part].append(step[part])
        W, w = step["W_new"], step["w_new"]
    parts = {p: np.array(v, dtype=base["y"].dtype) for p, v in rows.items()}
    parts["W_new"], parts["w_new"] = W, w
    return parts


# ---------------------------------------------------------------------------------------------
# the solver


class Ex2Chain:
    """Exercise 2 as a `grader.references.ChainSolver` (see the module docstring)."""

    conventions: tuple[str, ...] = CONVENTIONS
    parts: tuple[str, ...] = PARTS

    def __init__(self) -> None:
        # Exact keys are costly (Fractions) and recompute() needs them for every student:
        # remember them per convention, for the data they were computed from.
        self._keys: dict[str, tuple[Data, dict[str, np.ndarray]]] = {}
        self._facts: tuple[Data, Given] | None = None

    def _given(self, data: Data) -> Given:
        if self._facts is None or self._facts[0] != data:
            self._facts = (data, load_given(data))
        return self._facts[1]

    def key(self, data: Data, convention: str) -> dict[str, np.ndarray]:
        """Every part's exact value (object arrays of Fractions) under `convention`."""
        _check_convention(convention)
        known = self._keys.get(convention)
        if known is not None and known[0] == data:
            return dict(known[1])
        given = self._given(data)
        base = given.arrays(exact=True)
        if convention == "sequential":
            key = _sequential_key(base, given.lr)
        else:
            key = _batch_key(base, given.lr, convention)
        self._keys[convention] = (data, key)
        return dict(key)

    def upstream(self, part: str, convention: str) -> tuple[str, ...]:
        """The parts `part` is computed from (see the module docstring)."""
        _check_convention(convention)
        if part not in _UPSTREAM:
            raise ChainError(f"unknown part {part!r}")
        extra = _SEQUENTIAL_EXTRA.get(part, ()) if convention == "sequential" else ()
        return _UPSTREAM[part] + extra

    def shape(self, part: str, data: Data, convention: str) -> tuple[int, ...]:
        """The canonical shape of `part` for this data and convention."""
        _check_convention(convention)
        given = load_given(data)
        return _shapes(given, convention)[part]

    def recompute(
        self, part: str, given: Mapping[str, np.ndarray | None], data: Data, convention: str
    ) -> np.ndarray:
        """`part` recomputed in floats from the student's upstream values in `given` (None or
        absent: the key's value is used instead)."""
        upstream = self.upstream(part, convention)
        facts = self._given(data)
        key = self.key(data, convention)
        shapes = _shapes(facts, convention)

        def get(name: str) -> np.ndarray:
            if name not in upstream:
                raise ChainError(f"{part} is not computed from {name}")
            value = given.get(name)
            if value is None:
                return key[name].astype(float)
            array = np.asarray(value, dtype=float)
            if array.shape != shapes[name]:
                raise ChainError(f"{name} has shape {array.shape}, expected {shapes[name]}")
            return array

        base = facts.arrays(exact=False)
        return _compute(part, get, base, float(facts.lr), convention).astype(float)


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ChainError(f"unknown convention {convention!r}; expected one of {CONVENTIONS}")


def _shapes(given: Given, convention: str) -> dict[str, tuple[int, ...]]:
    n, a, h = len(given.X), len(given.W), len(given.w)
    per_step = convention == "sequential"
    return {
        "s": (n, h),
        "z": (n, h),
        "y_out": (n,),
        "loss": (n,),
        "delta_out": (n,),
        "delta_hidden": (n, h),
        "grad_W": (n, a, h) if per_step else (a, h),
        "grad_w": (n, h) if per_step else (h,),
        "W_new": (a, h),
        "w_new": (h,),
    }


def preactivations(data: Data) -> dict[str, np.ndarray]:
    """The hidden units' inputs `s` (n, h) under every convention, in floats (fast: for checking
    drawn variants, far from any rounding that could matter there)."""
    given = load_given(data)
    base = given.arrays(exact=False)
    batch: np.ndarray = base["X"] @ base["W"]
    sequential: np.ndarray = _sequential_key(base, float(given.lr))["s"].astype(float)
    return {c: sequential if c == "sequential" else batch for c in CONVENTIONS}


def ex2_chain(data: Data) -> ChainSolver:
    """The Exercise 2 chain solver; the data block is checked now so rubric errors show early."""
    load_given(data)
    return Ex2Chain()
