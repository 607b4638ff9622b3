"""Practical-2 reference solvers: convolution sizes, softmax cross-entropy, L2 regularisation.

Every number is derived from the rubric's `data:` block with exact `Fraction` arithmetic where
the exercise is rational (sizes, the L2 update) and with floats where it is not (softmax needs
exp); nothing is typed in by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from grader.references import Data, ExpressionForms, Idea


def _int(data: Data, key: str) -> int:
    return int(data[key])


def conv_out_formula(data: Data) -> ExpressionForms:
    """The output width of a convolution: (H - F + 2P)/S + 1."""
    return ExpressionForms("(H - F + 2*P)/S + 1")


def conv_out_size(data: Data) -> int:
    """The output width for the given layer (an integer: compared exactly)."""
    h, f, p, s = (_int(data, k) for k in ("H", "F", "P", "S"))
    return (h - f + 2 * p) // s + 1


def conv_out_size_no_plus_one(data: Data) -> int:
    """The classic slip: the formula without its +1."""
    return conv_out_size(data) - 1


def conv_params(data: Data) -> int:
    """Weights and biases of the layer: F*F*C_in*C_out + C_out."""
    f, c_in, c_out = (_int(data, k) for k in ("F", "C_in", "C_out"))
    return f * f * c_in * c_out + c_out


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _logits(data: Data) -> list[float]:
    return [float(Fraction(str(v))) for v in data["z"]]


def _onehot(data: Data) -> list[float]:
    return [float(v) for v in data["y"]]


def ce_probs(data: Data) -> list[float]:
    """softmax(z)."""
    return _softmax(_logits(data))


def ce_loss(data: Data) -> float:
    """-log p of the true class."""
    return _loss_of(ce_probs(data), _onehot(data))


def _loss_of(probs: Any, onehot: list[float]) -> float:
    true = onehot.index(1.0)
    return -math.log(float(probs[true]))


def ce_loss_from(data: Data, given: Mapping[str, Any]) -> float:
    """The loss recomputed from the student's own probabilities."""
    probs = given["probs"] if given["probs"] is not None else ce_probs(data)
    return _loss_of(list(probs), _onehot(data))


def ce_grad_formula(data: Data) -> ExpressionForms:
    """dL/dz = p - y."""
    return ExpressionForms("p - y")


def ce_grad(data: Data) -> list[float]:
    """p - y for the given logits."""
    return [p - y for p, y in zip(ce_probs(data), _onehot(data), strict=True)]


def ce_grad_from(data: Data, given: Mapping[str, Any]) -> Any:
    """p - y recomputed from the student's own formula and probabilities."""
    probs = given["probs"] if given["probs"] is not None else ce_probs(data)
    formula = given["grad_formula"]
    if formula is None:
        return [p - y for p, y in zip(probs, _onehot(data), strict=True)]
    return formula.at({"p": probs, "y": _onehot(data)})


def l2_update(data: Data) -> ExpressionForms:
    """One gradient step on L + lambda/2 ||w||^2, expanded."""
    return ExpressionForms("w - eta*g - eta*lambda*w")


def l2_w_new(data: Data) -> list[Fraction]:
    """The new weights for the given numbers (exact)."""
    eta, lam = Fraction(str(data["eta"])), Fraction(str(data["lambda"]))
    return [
        Fraction(str(w)) - eta * (Fraction(str(g)) + lam * Fraction(str(w)))
        for w, g in zip(data["w"], data["g"], strict=True)
    ]


def bonus_ideas(data: Data) -> tuple[Idea, ...]:
    """Other regularisers a student may list (one point each)."""
    return (
        Idea("dropout", "dropout", (r"drop\s*-?out",)),
        Idea("augmentation", "data augmentation", (r"augment",)),
        Idea("early_stopping", "early stopping", (r"early\s*-?stop",)),
        Idea("l1", "an L1 penalty (lasso)", (r"\bl1\b", r"lasso")),
        Idea("batch_norm", "batch normalisation", (r"batch\s*-?norm",)),
    )


SOLVERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "conv_out_formula": conv_out_formula,
        "conv_out_size": conv_out_size,
        "conv_out_size_no_plus_one": conv_out_size_no_plus_one,
        "conv_params": conv_params,
        "ce_probs": ce_probs,
        "ce_loss": ce_loss,
        "ce_loss_from": ce_loss_from,
        "ce_grad_formula": ce_grad_formula,
        "ce_grad": ce_grad,
        "ce_grad_from": ce_grad_from,
        "l2_update": l2_update,
        "l2_w_new": l2_w_new,
        "bonus_ideas": bonus_ideas,
    }
)
