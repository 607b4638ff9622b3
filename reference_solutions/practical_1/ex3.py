"""Exercise 3: softmax followed by the multiclass hinge loss.

    p = softmax(o),   L = sum_{l != y} max(0, p_l - p_y + margin)

The gradient with respect to the softmax inputs is derived by the chain rule:
`dL/do = J^T g`, where `J[l, j] = dp_l/do_j = p_l (delta_lj - p_j)` is the softmax Jacobian and
`g = dL/dp` the hinge subgradient: `g_l = 1[p_l - p_y + margin > 0]` for l != y and
`g_y = -sum_{l != y} 1[p_l - p_y + margin > 0]`. At a kink (a gap exactly 0) the indicator is
taken as 0; the sampler keeps instances away from kinks, where every subgradient agrees.

Written out for one class j (the `display` form, valid for every j):

    dL/do_j = sum_{l != y}( 1[p_l - p_y + margin > 0]
                            * (p_l (delta_lj - p_j) - p_y (delta_{jy} - p_j)) )

and, splitting on j (`cases`):
    j != y:  p_j * (1[p_j - p_y + margin > 0] - sum_{l != y}( 1[...] * (p_l - p_y) ))
    j  = y:  -p_y * sum_{l != y}( 1[...] * (p_l + 1 - p_y) )
Classes are 0..k-1 inside (the label `y_i` of an instance is 0-based).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.mathlang.ast import Indicator, Name, Neg, Node, Relation, Sum
from grader.references import Data, IndexReference, Instance

from .tree import minus, mul, name, number, plus, render

# Sampling ranges (the grader's random testing of Exercise 3).
CLASS_COUNTS = (3, 6)  # k in 3..6
MARGIN_RANGE = (0.05, 1.0)  # open interval
KINK_DISTANCE = 1e-3  # every |p_l - p_y + margin| must exceed this
_MIXED_TRIES = 500  # attempts that insist on an active and an inactive class
_ANY_TRIES = 500  # further attempts that only avoid kinks


class SamplingError(RuntimeError):
    """No instance away from the kinks was found within the attempt budget."""


# ---------------------------------------------------------------------------------------------
# numbers


def softmax(o: np.ndarray) -> np.ndarray:
    """`exp(o_j) / sum_l exp(o_l)`, shifted by max(o) so that large inputs do not overflow."""
    e = np.exp(o - np.max(o))
    return e / np.sum(e)


def hinge_gaps(p: np.ndarray, y: int, margin: float) -> np.ndarray:
    """`p_l - p_y + margin` for every class (the entry of y itself is `margin`, unused)."""
    return p - p[y] + margin


def hinge_loss(o: np.ndarray, y: int, margin: float) -> float:
    """`sum_{l != y} max(0, p_l - p_y + margin)` with `p = softmax(o)`."""
    gaps = np.delete(hinge_gaps(softmax(o), y, margin), y)
    return float(np.sum(np.maximum(gaps, 0.0)))


def hinge_subgradient(p: np.ndarray, y: int, margin: float) -> np.ndarray:
    """`dL/dp`: 1 for each active class l != y, minus their number at y (kinks count as 0)."""
    active = (hinge_gaps(p, y, margin) > 0).astype(float)
    active[y] = 0.0
    grad = active.copy()
    grad[y] = -np.sum(active)
    return grad


def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """`J[l, j] = dp_l/do_j = p_l (delta_lj - p_j)`."""
    return np.diag(p) - np.outer(p, p)


def gradient(instance: Instance) -> np.ndarray:
    """`dL/do_j` for every class j: the softmax Jacobian transposed times the hinge subgradient.

    Uses `o`, `y_i` (0-based) and `margin` of the instance; `p` is recomputed as softmax(o).
    """
    o = np.asarray(instance["o"], dtype=float)
    y, margin = int(instance["y_i"]), float(instance["margin"])
    if o.ndim != 1 or not 0 <= y < o.size:
        raise ValueError(f"instance has o of shape {o.shape} and label {y}")
    p = softmax(o)
    return softmax_jacobian(p).T @ hinge_subgradient(p, y, margin)


# ---------------------------------------------------------------------------------------------
# random instances


def ex3_instance(rng: np.random.Generator) -> dict[str, Any]:
    """A random instance: {"k", "y_i" (0-based), "o" (k,), "p" = softmax(o), "margin"}.

    `o` has entries of both signs; every class l != y is at least KINK_DISTANCE away from its
    hinge kink; and, unless the attempt budget for that runs out, at least one class is inside
    the margin (active) and one outside (inactive), so that a wrong indicator shows.
    """
    for attempt in range(_MIXED_TRIES + _ANY_TRIES):
        candidate = _draw(rng)
        if candidate is None:
            continue
        active = np.delete(
            hinge_gaps(candidate["p"], candidate["y_i"], candidate["margin"]) > 0, candidate["y_i"]
        )
        if attempt >= _MIXED_TRIES or (active.any() and not active.all()):
            return candidate
    raise SamplingError("no Exercise 3 instance away from the hinge kinks was found")


def _draw(rng: np.random.Generator) -> dict[str, Any] | None:
    """One candidate, or None when it is too close to a kink or o has a single sign."""
    k = int(rng.integers(CLASS_COUNTS[0], CLASS_COUNTS[1] + 1))
    y = int(rng.integers(0, k))
    o = rng.normal(0.0, 1.5, size=k)
    margin = float(rng.uniform(*MARGIN_RANGE))
    if not (np.min(o) < 0 < np.max(o)) or not MARGIN_RANGE[0] < margin < MARGIN_RANGE[1]:
        return None
    p = softmax(o)
    gaps = np.delete(hinge_gaps(p, y, margin), y)
    if np.min(np.abs(gaps)) <= KINK_DISTANCE:
        return None
    return {"k": k, "y_i": y, "o": o, "p": p, "margin": margin}


# ---------------------------------------------------------------------------------------------
# the expressions, in our answer language

_J = name("j")
_L = name("l")
_Y = name("y", "i")


def _p(index: str) -> Name:
    return name("p", index)


def _kronecker(first: str, second: str) -> Name:
    """`delta_{ab}`: the Kronecker delta of two indices, written as one subscript."""
    return name("delta", first + second)


def _active(index: str) -> Indicator:
    """`1[p_index - p_{y_i} + margin > 0]`: class `index` is inside the margin."""
    gap = plus(minus(_p(index), _p("y_i")), name("margin"))
    return Indicator((Relation(">", gap, number(0)),))


def _over_wrong_classes(body: Node) -> Sum:
    """`sum_{l != y_i}(body)`."""
    return Sum(_L, body, (Relation("!=", _L, _Y),))


def display_tree() -> Node:
    """`dL/do_j` for every j: the chain rule written out with Kronecker deltas."""
    through_l = mul(_p("l"), minus(_kronecker("l", "j"), _p("j")))
    through_y = mul(_p("y_i"), minus(_kronecker("j", "y_i"), _p("j")))
    return _over_wrong_classes(mul(_active("l"), minus(through_l, through_y)))


def case_trees() -> Mapping[str, Node]:
    """The display form with the Kronecker deltas resolved for j != y_i and for j = y_i."""
    wrong = mul(
        _p("j"),
        minus(_active("j"), _over_wrong_classes(mul(_active("l"), minus(_p("l"), _p("y_i"))))),
    )
    right = Neg(
        mul(
            _p("y_i"),
            _over_wrong_classes(mul(_active("l"), minus(plus(_p("l"), number(1)), _p("y_i")))),
        )
    )
    return MappingProxyType({"j_ne_y": wrong, "j_eq_y": right})


def ex3_gradient(data: Data) -> IndexReference:
    """The reference for dL/do_j: the chain-rule gradient, one display form, and the cases."""
    cases = {case: render(tree) for case, tree in case_trees().items()}
    return IndexReference(
        gradient=gradient, display=render(display_tree()), cases=MappingProxyType(cases)
    )
