"""A corpus of Practical-1 symbolic answers, each labelled by an independent numeric check.

Every variant is built from a small semantic tree of our own (`Q`, `Op` below), rendered into
the text a student might write (plain, LaTeX or Unicode, with the spellings the sheet and the
rubric allow), and labelled WITHOUT the grader: the tree is evaluated with numpy on a random
network (our own random smooth functions), and compared with the gradient of the loss taken by
central finite differences (Exercise 1, the mini exercise) or of the hinge loss (Exercise 3).
Labels: RIGHT (the gradient, in either layout), HALF (the gradient with one activation
derivative left out, or with its sign flipped: the sheet's half-credit mistakes) and WRONG.
Answers without matrix notation are evaluated with every quantity a scalar, as the rubric
decides (its `decisions:`); answers with transposes or elementwise products as matrices.

The grader then reads the same texts through the real rubric; `test_practical1_corpus.py` and
`benchmarks/practical1_agreement.py` compare.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np


class Label(StrEnum):
    """What an answer deserves."""

    RIGHT = "right"
    HALF = "half"
    WRONG = "wrong"


@dataclass(frozen=True)
class Variant:
    """One answer text, the part it answers and its label."""

    part: str
    text: str
    label: Label
    style: str  # plain, latex or unicode
    why: str


# ----- semantic trees -------------------------------------------------------------------------
@dataclass(frozen=True)
class Q:
    """A quantity of the network (a key of the model's values)."""

    name: str


@dataclass(frozen=True)
class Op:
    """mul (a product: scaling or matrix product), had (elementwise), sub, neg, T, num."""

    kind: str
    args: tuple[Any, ...]


Tree = Q | Op


def mul(*args: Tree) -> Op:
    return Op("mul", args)


def had(a: Tree, b: Tree) -> Op:
    return Op("had", (a, b))


def sub(a: Tree, b: Tree) -> Op:
    return Op("sub", (a, b))


def neg(a: Tree) -> Op:
    return Op("neg", (a,))


def tr(a: Tree) -> Op:
    return Op("T", (a,))


def num(value: int) -> Op:
    return Op("num", (value,))


def is_matrix_form(tree: Tree) -> bool:
    """Whether the tree uses matrix notation (a transpose or an elementwise product)."""
    if isinstance(tree, Q):
        return False
    return tree.kind in ("T", "had") or any(
        is_matrix_form(a) for a in tree.args if isinstance(a, (Q, Op))
    )


# ----- the independent model ----------------------------------------------------------------
@dataclass(frozen=True)
class Act:
    """f(u) = sin(a u + b) + c u: a random smooth activation with its exact derivative."""

    a: float
    b: float
    c: float

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return np.sin(self.a * u + self.b) + self.c * u

    def prime(self, u: np.ndarray) -> np.ndarray:
        return self.a * np.cos(self.a * u + self.b) + self.c


def network(rng: np.random.Generator, dims: tuple[int, int, int]) -> dict[str, Any]:
    """A random network: parameters, activations and every quantity of the sheet."""
    n0, n1, n2 = dims
    acts = [Act(*rng.uniform([0.5, 0.0, -0.5], [1.5, 6.0, 0.5])) for _ in range(3)]
    params = {
        "x": rng.normal(size=(n0, 1)),
        "W1": rng.normal(size=(n1, n0)),
        "W2": rng.normal(size=(n2, n1)),
        "W_out": rng.normal(size=(1, n2)),
        "y_gt": rng.normal(size=(1, 1)),
    }
    return {**forward(params, acts), "acts": acts}


def forward(params: Mapping[str, np.ndarray], acts: Sequence[Act]) -> dict[str, Any]:
    f1, f2, f3 = acts
    x, W1, W2, W_out = params["x"], params["W1"], params["W2"], params["W_out"]
    s1 = W1 @ x
    z1 = f1(s1)
    s2 = W2 @ z1
    z2 = f2(s2)
    s_out = W_out @ z2
    y_out = f3(s_out)
    return {
        **params,
        "s1": s1, "z1": z1, "s2": s2, "z2": z2, "s_out": s_out, "y_out": y_out,
        "d1": f1.prime(s1), "d2": f2.prime(s2), "d3": f3.prime(s_out),
    }  # fmt: skip


def loss(values: Mapping[str, Any]) -> float:
    return float(0.5 * (values["y_out"] - values["y_gt"])[0, 0] ** 2)


def numeric_gradient(values: Mapping[str, Any], weight: str) -> np.ndarray:
    """dL/dweight by central differences (h = 1e-6) of the forward pass."""
    params = {k: values[k] for k in ("x", "W1", "W2", "W_out", "y_gt")}
    grad = np.zeros_like(params[weight])
    h = 1e-6
    for index in np.ndindex(grad.shape):
        up = {k: v.copy() for k, v in params.items()}
        down = {k: v.copy() for k, v in params.items()}
        up[weight][index] += h
        down[weight][index] -= h
        grad[index] = (loss(forward(up, values["acts"])) - loss(forward(down, values["acts"]))) / (
            2 * h
        )
    return grad


def backprop(values: Mapping[str, Any], weight: str, ones: frozenset[str] = frozenset()) -> Any:
    """Our own delta rule; the derivatives named in `ones` (d1, d2, d3) are taken as 1."""
    d = {k: (np.ones_like(values[k]) if k in ones else values[k]) for k in ("d1", "d2", "d3")}
    delta_out = (values["y_out"] - values["y_gt"]) * d["d3"]
    if weight == "W_out":
        return delta_out @ values["z2"].T
    delta2 = (values["W_out"].T @ delta_out) * d["d2"]
    if weight == "W2":
        return delta2 @ values["z1"].T
    delta1 = (values["W2"].T @ delta2) * d["d1"]
    return delta1 @ values["x"].T


def evaluate(tree: Tree, values: Mapping[str, Any], scalar: bool) -> Any:
    """The value of a semantic tree (scalars: every product ordinary, transposes identity)."""
    if isinstance(tree, Q):
        return values[tree.name]
    args = [evaluate(a, values, scalar) if isinstance(a, (Q, Op)) else a for a in tree.args]
    if tree.kind == "num":
        return np.array([[float(args[0])]])
    if tree.kind == "neg":
        return -args[0]
    if tree.kind == "T":
        return args[0] if scalar else args[0].T
    if tree.kind in ("sub", "had"):
        if np.shape(args[0]) != np.shape(args[1]):
            raise ValueError("shapes differ")  # no broadcasting: the sheet's algebra
        return args[0] - args[1] if tree.kind == "sub" else args[0] * args[1]
    result = args[0]
    for arg in args[1:]:
        result = result * arg if scalar or 1 in (result.size, arg.size) else result @ arg
    return result


# Which activation derivative each Exercise-1 gradient involves.
DERIVATIVES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"W_out": ("d3",), "W2": ("d3", "d2"), "W1": ("d3", "d2", "d1")}
)


def label_ex1(tree: Tree, weight: str, seed: int) -> Label:
    """RIGHT, HALF or WRONG for an Exercise-1 answer, on three random networks (it must hold
    on all three)."""
    scalar = not is_matrix_form(tree)
    labels = set()
    rng = np.random.default_rng(seed)
    for _ in range(3):
        values = network(rng, (1, 1, 1) if scalar else (2, 3, 4))
        try:
            got = np.asarray(evaluate(tree, values, scalar), dtype=float)
        except ValueError:  # shapes that do not fit
            labels.add(Label.WRONG)
            continue
        truth = numeric_gradient(values, weight)
        if not np.allclose(backprop(values, weight), truth, rtol=1e-5, atol=1e-7):
            raise AssertionError("our own backprop disagrees with finite differences")
        halves = [-truth] + [backprop(values, weight, frozenset({d})) for d in DERIVATIVES[weight]]
        labels.add(_match(got, [truth], halves))
    return labels.pop() if len(labels) == 1 else Label.WRONG


def _match(got: np.ndarray, rights: list[np.ndarray], halves: list[np.ndarray]) -> Label:
    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-7))

    for target in rights:
        if same(got, target) or same(got, target.T):
            return Label.RIGHT
    for target in halves:
        if same(got, target) or same(got, target.T):
            return Label.HALF
    return Label.WRONG


# ----- rendering ---------------------------------------------------------------------------
# Spellings of each quantity: (plain, latex, unicode) lists. The rubric's aliases and
# definitions are used as students use them (z2 as f_2(s_2), y_out as \hat{y}, w2 for W2).
SPELLINGS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "y_out": {
            "plain": ("y_out", "yhat", "z_out", "z3", "f3(s_out)"),
            "latex": ("y_{out}", "\\hat{y}", "y_{\\text{out}}", "z_{out}", "f_3(s_{out})", "y_{\\mathrm{out}}"),
            "unicode": ("y_out", "z₃", "f₃(s_out)"),
        },
        "y_gt": {
            "plain": ("y_gt", "y"),
            "latex": ("y_{gt}", "y", "y_{\\text{gt}}"),
            "unicode": ("y_gt", "y"),
        },
        "d3": {
            "plain": ("f3'(s_out)", "f_3'(s_out)", "f3'(s3)", "f'_3(s_out)"),
            "latex": (
                "f_3'(s_{out})", "f_3^{\\prime}(s_{out})", "f'_3(s_{out})",
                "\\frac{\\partial f_3(s_{out})}{\\partial s_{out}}", "\\frac{d f_3}{d s_{out}}(s_{out})",
                "\\frac{\\partial z_{out}}{\\partial s_{out}}", "\\frac{\\partial y_{out}}{\\partial s_{out}}",
                "f_3'(W_{out} z_2)",
            ),
            "unicode": ("f₃′(s_out)", "f_3’(s_out)", "f3ʹ(s_out)", "f₃’(s₃)"),
        },
        "d2": {
            "plain": ("f2'(s2)", "f_2'(s_2)", "f'_2(s2)"),
            "latex": (
                "f_2'(s_2)", "f_2^{\\prime}(s_2)", "\\frac{\\partial f_2(s_2)}{\\partial s_2}",
                "\\frac{d f_2}{d s_2}(s_2)", "\\frac{\\partial z_2}{\\partial s_2}", "f_2'(W_2 z_1)",
            ),
            "unicode": ("f₂′(s₂)", "f_2’(s_2)"),
        },
        "d1": {
            "plain": ("f1'(s1)", "f_1'(s_1)"),
            "latex": (
                "f_1'(s_1)", "f_1^{\\prime}(s_1)", "\\frac{\\partial z_1}{\\partial s_1}",
                "\\frac{d f_1}{d s_1}(s_1)",
            ),
            "unicode": ("f₁′(s₁)", "f_1’(s_1)"),
        },
        "z2": {
            "plain": ("z2", "z_2", "f2(s2)"),
            "latex": ("z_2", "z_{2}", "f_2(s_2)", "\\mathbf{z}_2"),
            "unicode": ("z₂", "z_2"),
        },
        "z1": {
            "plain": ("z1", "z_1", "f1(s1)"),
            "latex": ("z_1", "z_{1}", "f_1(s_1)", "\\mathbf{z}_1"),
            "unicode": ("z₁", "z_1"),
        },
        "x": {
            "plain": ("x_in", "x", "z0"),
            "latex": ("x_{in}", "x", "\\mathbf{x}", "x_{\\text{in}}", "z_0"),
            "unicode": ("x_in", "x"),
        },
        "W_out": {
            "plain": ("W_out", "Wout", "w_out", "W3"),
            "latex": ("W_{out}", "\\mathbf{W}_{out}", "W_{\\text{out}}", "W_3", "w_{out}"),
            "unicode": ("W_out", "W₃"),
        },
        "W2": {
            "plain": ("W2", "W_2", "w2"),
            "latex": ("W_2", "\\mathbf{W}_2", "W_{2}", "w_2"),
            "unicode": ("W₂", "W_2"),
        },
        "W1": {
            "plain": ("W1", "W_1"),
            "latex": ("W_1", "\\mathbf{W}_1", "W_{1}"),
            "unicode": ("W₁", "W_1"),
        },
        "s1": {"plain": ("s1",), "latex": ("s_1",), "unicode": ("s₁",)},
        "s2": {"plain": ("s2",), "latex": ("s_2",), "unicode": ("s₂",)},
    }
)  # fmt: skip
TIMES = MappingProxyType(
    {"plain": (" * ", " ", "*"), "latex": (" ", " \\cdot ", "\\,", " \\times "), "unicode": ("·", " ", " × ", "⋅")}
)  # fmt: skip
ODOT = MappingProxyType(
    {"plain": (" .* ",), "latex": (" \\odot ", " \\circ "), "unicode": (" ⊙ ", "⊙")}
)
TRANSPOSE = MappingProxyType(
    {"plain": ("^T", "**T"), "latex": ("^T", "^{T}", "^\\top", "^{\\top}", "^{\\mathsf{T}}"), "unicode": ("ᵀ", "^⊤", "^T")}
)  # fmt: skip
MINUS = MappingProxyType({"plain": (" - ",), "latex": (" - ", "-"), "unicode": (" − ", "−")})
BRACKETS = MappingProxyType(
    {"plain": (("(", ")"),), "latex": (("(", ")"), ("\\left(", "\\right)"), ("\\big(", "\\big)")), "unicode": (("(", ")"),)}
)  # fmt: skip


class Renderer:
    """Text for a semantic tree in one style, with seeded spelling choices."""

    def __init__(self, style: str, rng: random.Random) -> None:
        self.style = style
        self.rng = rng

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def text(self, tree: Tree) -> str:
        if isinstance(tree, Q):
            return self.quantity(tree)
        kind, args = tree.kind, tree.args
        if kind == "num":
            return str(args[0])
        if kind == "neg":
            return "-" + self.operand(args[0])
        if kind == "sub":
            return f"{self.text(args[0])}{self.pick(MINUS[self.style])}{self.operand(args[1])}"
        if kind == "T":
            return self.transposed(args[0])
        if kind == "had":
            return self.operand(args[0]) + self.pick(ODOT[self.style]) + self.operand(args[1])
        separator = self.pick(TIMES[self.style])
        return separator.join(self.operand(a) for a in args)

    def quantity(self, tree: Q) -> str:
        return str(self.pick(SPELLINGS[tree.name][self.style]))

    def operand(self, tree: Tree) -> str:
        """A factor: bracketed unless it is a quantity, a transpose or a product."""
        inner = self.text(tree)
        if isinstance(tree, Q):
            return self._safe(inner)
        if tree.kind in ("T", "num") or (tree.kind == "mul" and len(tree.args) > 1):
            return inner if tree.kind != "mul" else self.bracket(inner)
        return self.bracket(inner)

    def _safe(self, text: str) -> str:
        """A quantity written as an operator form or a quotient needs brackets around it when
        more factors follow it (`∂z/∂s` would swallow them)."""
        return self.bracket(text) if "/" in text or "\\frac{d}{" in text else text

    def bracket(self, inner: str) -> str:
        left, right = self.pick(BRACKETS[self.style])
        return f"{left}{inner}{right}"

    def transposed(self, tree: Tree) -> str:
        mark = self.pick(TRANSPOSE[self.style])
        if isinstance(tree, Q):
            text = self.quantity(tree)
            if self.style == "latex" and "_" in text and text.isascii() and "(" not in text:
                if self.rng.random() < 0.3:  # z^T_{k-1}: the transpose before the subscript
                    base, _, rest = text.partition("_")
                    return (
                        f"{base}{mark}_{rest}" if mark in ("^T", "^{T}", "^\\top") else text + mark
                    )
            return (self.bracket(text) if "(" in text or "/" in text else text) + mark
        return self.bracket(self.text(tree)) + mark


LHS = MappingProxyType(
    {
        "W_out": ("dL/dW_out = ", "\\frac{\\partial L}{\\partial W_{out}} = ", "\\frac{\\partial \\mathcal{L}}{\\partial W_{out}} &= "),
        "W2": ("dL/dW2 = ", "\\frac{\\partial L}{\\partial W_2} = ", "\\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{W}_2} := "),
        "W1": ("dL/dW1 = ", "\\frac{\\partial L}{\\partial W_1} = "),
    }
)  # fmt: skip


def wrap(text: str, style: str, weight: str, rng: random.Random) -> str:
    """An equation's left side, or math delimiters, now and then."""
    roll = rng.random()
    if roll < 0.15:
        lhs = [t for t in LHS[weight] if (style == "latex") == ("\\" in t)] or list(LHS[weight])
        return rng.choice(lhs) + text
    if roll < 0.25 and style == "latex":
        return f"${text}$"
    return text


# ----- Exercise 1 variants ---------------------------------------------------------------
Y, T_ = Q("y_out"), Q("y_gt")
ERROR = sub(Y, T_)
FLIPPED = sub(T_, Y)


def _chain(weight: str) -> list[Tree]:
    """The scalar factors of dL/dweight (the sheet's hint form)."""
    tail = {
        "W_out": [Q("z2")],
        "W2": [Q("W_out"), Q("d2"), Q("z1")],
        "W1": [Q("W_out"), Q("d2"), Q("W2"), Q("d1"), Q("x")],
    }[weight]
    return [ERROR, Q("d3"), *tail]


def _delta(weight: str, factors: dict[str, Tree]) -> Tree:
    """The matrix-form backpropagated error before the outer product (with replacements)."""
    out = mul(factors["err"], factors["d3"])
    if weight == "W_out":
        return out
    delta2 = had(mul(tr(Q("W_out")), factors["err"], factors["d3"]), factors["d2"])
    if weight == "W2":
        return delta2
    return had(mul(tr(Q("W2")), delta2), factors["d1"])


INPUT = MappingProxyType({"W_out": "z2", "W2": "z1", "W1": "x"})


def scalar_variants(weight: str, rng: random.Random) -> list[Tree]:
    """Products of the hint's factors: right, half (one derivative dropped, the sign flipped)
    and wrong (a factor dropped, swapped or added), in random orders."""
    factors = _chain(weight)
    trees: list[Tree] = []

    def shuffled(items: list[Tree]) -> Tree:
        items = list(items)
        rng.shuffle(items)
        return mul(*items) if len(items) > 1 else items[0]

    for _ in range(8):
        trees.append(shuffled(factors))
    trees.append(neg(shuffled([FLIPPED, *factors[1:]])))  # two sign flips: right
    trees.append(shuffled([FLIPPED, *factors[1:]]))  # half: the sign
    trees.append(neg(shuffled(factors)))  # half: the sign
    for d in DERIVATIVES[weight]:
        trees.append(shuffled([f for f in factors if f != Q(d)]))  # half: one derivative
    trees.append(shuffled(factors[1:]))  # wrong: the error term dropped
    trees.append(shuffled([*factors, num(2)]))  # wrong: an extra factor
    trees.append(shuffled([f for f in factors if f not in (Q("d3"), Q("d2"))] or [ERROR]))
    swapped = [Q("z2") if f == Q(INPUT[weight]) and weight != "W_out" else f for f in factors]
    if weight == "W_out":
        swapped = [Q("z1") if f == Q("z2") else f for f in factors]
    trees.append(shuffled(swapped))  # wrong: the wrong input
    trees.append(shuffled([Q("z2") if f == Q("d2") else f for f in factors]))  # f instead of f'
    trees.append(shuffled([*factors, ERROR]))  # wrong: the error squared
    trees.append(neg(shuffled(factors[:1] + factors[2:])))  # wrong: two mistakes at once
    return trees


def matrix_variants(weight: str, rng: random.Random) -> list[Tree]:
    """The matrix form (transposes, elementwise products): right in both layouts, half with a
    derivative dropped or the sign flipped, wrong with a transpose missing."""
    base: dict[str, Tree] = {"err": ERROR, "d3": Q("d3"), "d2": Q("d2"), "d1": Q("d1")}
    source = Q(INPUT[weight])
    trees: list[Tree] = []
    for _ in range(3):
        trees.append(mul(_delta(weight, base), tr(source)))
    trees.append(mul(source, tr(_delta(weight, base))))  # the transposed layout
    trees.append(mul(_delta(weight, {**base, "err": FLIPPED}), tr(source)))  # half: sign
    for d in DERIVATIVES[weight]:
        trees.append(mul(_delta(weight, {**base, d: num(1)}), tr(source)))  # half: one f'
    trees.append(mul(_delta(weight, base), source))  # wrong: the transpose missing
    if weight != "W_out":
        trees.append(mul(tr(_delta(weight, base)), tr(source)))  # wrong: a stray transpose
        wrong_input = Q("z2") if weight != "W2" else Q("x")
        trees.append(mul(_delta(weight, base), tr(wrong_input)))  # wrong: another input
    return trees


def _strip_ones(tree: Tree) -> Tree:
    """Remove the factors 1 that stand for a dropped derivative (students leave them out)."""
    if isinstance(tree, Q) or tree.kind == "num":
        return tree
    args = [_strip_ones(a) for a in tree.args]
    if tree.kind == "had":
        ones = [a for a in args if a == num(1)]
        if ones:
            return next(a for a in args if a != num(1))
    if tree.kind == "mul":
        kept = [a for a in args if a != num(1)]
        return kept[0] if len(kept) == 1 else mul(*kept)
    return Op(tree.kind, tuple(args))


def ex1_variants(weight: str, seed: int) -> list[Variant]:
    """Every rendered Exercise-1 variant for one weight, labelled by the model."""
    rng = random.Random(seed)
    part = {"W_out": "dL_dWout", "W2": "dL_dW2", "W1": "dL_dW1"}[weight]
    out = []
    trees = scalar_variants(weight, rng) + [_strip_ones(t) for t in matrix_variants(weight, rng)]
    for index, tree in enumerate(trees):
        label = label_ex1(tree, weight, seed + index)
        styles = ("plain", "latex", "unicode")
        for style in styles if index % 2 == 0 else (styles[index % 3],):
            text = wrap(Renderer(style, rng).text(tree), style, weight, rng)
            out.append(Variant(part, text, label, style, repr(tree)))
    return out


# ----- the mini exercise: dL/dW_k in terms of delta_k ----------------------------------------
LAYER_SPELLINGS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "delta": {
            "plain": ("delta_k", "delta_{k}"),
            "latex": ("\\delta_k", "\\boldsymbol{\\delta}_k", "\\delta_{k}", "\\delta^{(k)}", "\\boldsymbol{\\delta}^{(k)}"),
            "unicode": ("δ_k", "δₖ"),
        },
        "z": {
            "plain": ("z_{k-1}", "a_{k-1}", "x_{k-1}"),
            "latex": ("z_{k-1}", "z_{k - 1}", "\\mathbf{z}_{k-1}", "z^{(k-1)}", "a^{(k-1)}", "a_{k-1}"),
            "unicode": ("z_{k−1}", "z_{k-1}"),
        },
        "W": {"plain": ("W_k",), "latex": ("W_k", "W^{(k)}"), "unicode": ("W_k",)},
    }
)  # fmt: skip


def layer_values(rng: np.random.Generator, dims: tuple[int, int]) -> dict[str, Any]:
    """A layer s = W z with a random smooth loss L(s) = sum(sin(c s + b)): its delta is
    dL/ds, known exactly, and the gradient dL/dW is taken by finite differences."""
    n_k, n_prev = dims
    W, z = rng.normal(size=(n_k, n_prev)), rng.normal(size=(n_prev, 1))
    c, b = rng.uniform(0.5, 1.5, size=(n_k, 1)), rng.uniform(0, 6, size=(n_k, 1))

    def loss_of(weights: np.ndarray) -> float:
        return float(np.sum(np.sin(c * (weights @ z) + b)))

    grad = np.zeros_like(W)
    h = 1e-6
    for index in np.ndindex(W.shape):
        up, down = W.copy(), W.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (loss_of(up) - loss_of(down)) / (2 * h)
    return {"delta": c * np.cos(c * (W @ z) + b), "z": z, "W": W, "truth": grad}


def label_mini(tree: Tree, seed: int) -> Label:
    """RIGHT or WRONG (the mini exercise declares no half-credit mistakes)."""
    scalar = not is_matrix_form(tree)
    rng = np.random.default_rng(seed)
    labels = set()
    for _ in range(3):
        values = layer_values(rng, (1, 1) if scalar else (3, 2))
        try:
            got = np.asarray(evaluate(tree, values, scalar), dtype=float)
        except ValueError:
            labels.add(Label.WRONG)
            continue
        right = _match(got, [values["truth"]], []) is Label.RIGHT
        labels.add(Label.RIGHT if right else Label.WRONG)
    return labels.pop() if len(labels) == 1 else Label.WRONG


def mini_variants(seed: int) -> list[Variant]:
    """dW_k = delta_k z_{k-1}^T in its spellings, the transposed layout and wrong forms."""
    rng = random.Random(seed)
    d, z, W = Q("delta"), Q("z"), Q("W")
    trees: list[Tree] = [
        mul(d, tr(z)), mul(d, tr(z)), mul(d, tr(z)), mul(z, tr(d)),  # both layouts
        mul(d, z), mul(z, d),  # the scalar form
        mul(tr(d), z), mul(d, z, num(2)), mul(W, z), neg(mul(d, tr(z))), mul(tr(z), d),
        mul(d, tr(W)), had(d, z),
    ]  # fmt: skip
    out = []
    for index, tree in enumerate(trees):
        label = label_mini(tree, seed + index)
        for style in ("plain", "latex", "unicode"):
            for _ in range(2 if style == "latex" else 1):
                renderer = Renderer(style, rng)
                text = _render_layer(renderer, tree)
                out.append(Variant("dW_k", text, label, style, repr(tree)))
    return out


def _render_layer(renderer: Renderer, tree: Tree) -> str:
    """Render with the layer's spellings (a `Renderer` that knows them)."""
    return _LayerRenderer(renderer.style, renderer.rng).text(tree)


class _LayerRenderer(Renderer):
    def quantity(self, tree: Q) -> str:
        return str(self.pick(LAYER_SPELLINGS[tree.name][self.style]))

    def transposed(self, tree: Tree) -> str:
        if isinstance(tree, Q):
            text = self.quantity(tree)
            mark = self.pick(TRANSPOSE[self.style])
            if "^" in text:  # a layer superscript: (z^{(k-1)})^T
                return self.bracket(text) + mark
            if self.style == "latex" and text.startswith("z_") and self.rng.random() < 0.5:
                return "z" + mark + text[1:]  # z^T_{k-1}
            return text + mark
        return super().transposed(tree)


# ----- Exercise 3: dL/do_j of softmax + multiclass hinge -------------------------------------
def _softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def _hinge(o: np.ndarray, y: int, m: float) -> float:
    p = _softmax(o)
    return float(sum(max(0.0, p[c] - p[y] + m) for c in range(len(o)) if c != y))


def hinge_instances(seed: int, count: int = 8) -> list[tuple[np.ndarray, int, float]]:
    """(o, y, margin) away from the loss's kinks, each with an active and an inactive class."""
    rng = np.random.default_rng(seed)
    out: list[tuple[np.ndarray, int, float]] = []
    while len(out) < count:
        k = int(rng.integers(3, 7))
        o, y, m = rng.normal(scale=1.5, size=k), int(rng.integers(k)), float(rng.uniform(0.05, 1))
        p = _softmax(o)
        gaps = np.delete(p - p[y] + m, y)
        if np.min(np.abs(gaps)) > 1e-3 and np.any(gaps > 0) and np.any(gaps < 0):
            out.append((o, y, m))
    return out


def hinge_gradient(o: np.ndarray, y: int, m: float) -> np.ndarray:
    """dL/do by central differences of our own hinge loss."""
    h = 1e-7
    grad = np.zeros_like(o)
    for j in range(len(o)):
        up, down = o.copy(), o.copy()
        up[j] += h
        down[j] -= h
        grad[j] = (_hinge(up, y, m) - _hinge(down, y, m)) / (2 * h)
    return grad


# An Exercise-3 form: slots in braces, and what it computes for p (softmax), y, m, as a vector
# over j. I[c]: 1 when class c is inside the margin (c = y included: it is 1 there).
Ex3Value = Callable[[np.ndarray, int, float], np.ndarray]


def _sum_over(p: np.ndarray, y: int, term: Callable[[int, int], float]) -> np.ndarray:
    return np.array([sum(term(c, j) for c in range(len(p)) if c != y) for j in range(len(p))])


def _active(p: np.ndarray, y: int, m: float) -> np.ndarray:
    return (p - p[y] + m > 0).astype(float)


def _form_r1(p: np.ndarray, y: int, m: float) -> np.ndarray:
    a, d = _active(p, y, m), np.eye(len(p))
    return _sum_over(p, y, lambda c, j: a[c] * (p[c] * (d[c, j] - p[j]) - p[y] * (d[y, j] - p[j])))


def _form_j_ne_y(p: np.ndarray, y: int, m: float) -> np.ndarray:
    a = _active(p, y, m)
    return p * (a - sum(a[c] * (p[c] - p[y]) for c in range(len(p)) if c != y))


def _form_j_eq_y(p: np.ndarray, y: int, m: float) -> np.ndarray:
    a = _active(p, y, m)
    return np.full(len(p), -p[y] * sum(a[c] * (p[c] + 1 - p[y]) for c in range(len(p)) if c != y))


def _form_cases(p: np.ndarray, y: int, m: float) -> np.ndarray:
    d = np.eye(len(p))[y]
    return d * _form_j_eq_y(p, y, m) + (1 - d) * _form_j_ne_y(p, y, m)


def _no_indicator(p: np.ndarray, y: int, m: float) -> np.ndarray:
    d = np.eye(len(p))
    return _sum_over(p, y, lambda c, j: p[c] * (d[c, j] - p[j]) - p[y] * (d[y, j] - p[j]))


def _no_margin(p: np.ndarray, y: int, m: float) -> np.ndarray:
    return _form_r1(p, y, 0.0)


def _no_y_term(p: np.ndarray, y: int, m: float) -> np.ndarray:
    a, d = _active(p, y, m), np.eye(len(p))
    return _sum_over(p, y, lambda c, j: a[c] * p[c] * (d[c, j] - p[j]))


def _no_softmax(p: np.ndarray, y: int, m: float) -> np.ndarray:
    a, d = _active(p, y, m), np.eye(len(p))
    return _sum_over(p, y, lambda c, j: a[c] * (d[c, j] - d[y, j]))


EX3_FORMS: tuple[tuple[str, Ex3Value], ...] = (
    ("{S} {Il} ({pl} ({Dlj} - {pj}) - {py} ({Dyj} - {pj}))", _form_r1),
    ("{S} {Il} {pl} ({Dlj} - {pj}) - {py} ({Dyj} - {pj}) {S} {Il}", _form_r1),
    ("{S} {Il} ({pl} {Dlj} - {pl} {pj} - {py} {Dyj} + {py} {pj})", _form_r1),
    ("{pj} {S} {Il} ({Dlj} - {Dyj} - {pl} + {py})", _form_r1),
    ("{S} ({pl} ({Dlj} - {pj}) - {py} ({Dyj} - {pj})) {Il}", _form_r1),
    ("{Dyj} (-{py} {S} {Il} ({pl} + 1 - {py})) + (1 - {Dyj}) {pj} ({Ij} - {S} {Il} ({pl} - {py}))", _form_cases),
    ("{pj} ({Ij} - {S} {Il} ({pl} - {py}))", _form_j_ne_y),
    ("-{py} {S} {Il} ({pl} + 1 - {py})", _form_j_eq_y),
    ("{S} ({pl} ({Dlj} - {pj}) - {py} ({Dyj} - {pj}))", _no_indicator),
    ("{S} {Il} ({py} ({Dyj} - {pj}) - {pl} ({Dlj} - {pj}))", lambda p, y, m: -_form_r1(p, y, m)),
    ("{S} {Il0} ({pl} ({Dlj} - {pj}) - {py} ({Dyj} - {pj}))", _no_margin),
    ("{S} {Il} {pl} ({Dlj} - {pj})", _no_y_term),
    ("{S} {Il} ({Dlj} - {Dyj})", _no_softmax),
)  # fmt: skip

EX3_SLOTS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "S": {
            "plain": ("sum_{L != y_i}", "sum_{L != y}"),
            "latex": (
                "\\sum_{L \\neq y_i}", "\\sum_{L \\ne y}", "\\sum\\limits_{L \\neq y_i}",
                "\\sum_{\\substack{L=1 \\\\ L \\neq y_i}}^{k}", "\\sum_{L=1, L \\neq y_i}^{k}",
                "\\sum_{L \\in \\{1,\\dots,k\\} \\setminus \\{y_i\\}}",
            ),
            "unicode": ("Σ_{L≠y_i}", "∑_{L ≠ y}", "Σ_{L ≠ y_i}"),
        },
        "I": {
            "plain": ("1[p_X - p_{y_i} + m > 0]", "[p_X - p_y + margin > 0]", "1(p_X - p_{y_i} + m > 0)"),
            "latex": (
                "\\mathbb{1}[p_X - p_{y_i} + m > 0]", "\\mathbb{1}\\{p_X + \\Delta > p_{y_i}\\}",
                "\\mathbb{1}_{p_X - p_{y_i} + m > 0}", "\\mathbf{1}\\left[p_{X} - p_{y} + \\Delta > 0\\right]",
            ),
            "unicode": ("𝟙[p_X − p_{y_i} + m > 0]", "[p_X + Δ > p_y]"),
        },
        "I0": {
            "plain": ("1[p_X - p_{y_i} > 0]",),
            "latex": ("\\mathbb{1}[p_X > p_{y_i}]",),
            "unicode": ("𝟙[p_X − p_y > 0]",),
        },
        "D": {
            "plain": ("delta_{XZ}", "delta(X, Z)", "[X = Z]"),
            "latex": ("\\delta_{XZ}", "\\delta_{X Z}", "\\delta_{X,Z}", "\\mathbb{1}[X = Z]"),
            "unicode": ("δ_{XZ}", "δ_{X,Z}"),
        },
        "p": {"plain": ("p_X",), "latex": ("p_X", "p_{X}"), "unicode": ("p_X",)},
    }
)  # fmt: skip


def _fill(template: str, style: str, rng: random.Random) -> str:
    """The template with every slot spelled (one index letter for the whole answer)."""
    letter = rng.choice(("l", "l", "c", "k"))
    label = rng.choice(("y_i", "y_i", "y"))

    def spell(slot: str, x: str = "", z: str = "") -> str:
        text = rng.choice(EX3_SLOTS[slot][style])
        text = text.replace("L", letter).replace("X", x).replace("Z", z)
        return text

    def p_of(index: str) -> str:
        return spell("p", index) if len(index) == 1 else f"p_{{{index}}}"

    values = {
        "S": spell("S"),
        "Il": spell("I", letter),
        "Il0": spell("I0", letter),
        "Ij": spell("I", "j"),
        "Dlj": spell("D", letter, "j"),
        "Dyj": spell("D", label, "j"),
        "pl": p_of(letter),
        "pj": p_of("j"),
        "py": p_of(label),
    }
    return template.format(**values)


def label_ex3(value: Ex3Value, seed: int) -> Label:
    """RIGHT when right for every j, HALF when right for j != y only or j = y only."""
    ne = eq = True
    for o, y, m in hinge_instances(seed):
        got, truth = value(_softmax(o), y, m), hinge_gradient(o, y, m)
        close = np.isclose(got, truth, rtol=1e-5, atol=1e-7)
        ne = ne and bool(np.all(np.delete(close, y)))
        eq = eq and bool(close[y])
    if ne and eq:
        return Label.RIGHT
    return Label.HALF if ne or eq else Label.WRONG


def ex3_variants(seed: int, per_form: int = 8) -> list[Variant]:
    """Every Exercise-3 form in `per_form` spellings, labelled by the model."""
    rng = random.Random(seed)
    out = []
    for index, (template, value) in enumerate(EX3_FORMS):
        label = label_ex3(value, seed + index)
        for n in range(per_form):
            style = ("plain", "latex", "unicode", "latex")[n % 4]
            out.append(Variant("gradient", _fill(template, style, rng), label, style, template))
    return out
