"""Practical-1 reference solvers (see README.md in this folder for what is derived how).

`SOLVERS` maps the names `rubrics/practical-1.yaml` uses to solver functions; each takes the
rubric's `data:` block and returns a reference object of `grader.references`. `CONDITIONS` are
the acceptance conditions of drawn variants (`rubrics/practical-1-variants.yaml`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .backprop import ex1_dL_dW1, ex1_dL_dW2, ex1_dL_dWout, mini_dW_k
from .conditions import CONDITIONS
from .ex2 import ex2_chain
from .ex3 import ex3_gradient, ex3_instance
from .ideas import ex3_explanation_ideas, ex4_ideas

SOLVERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "ex1_dL_dWout": ex1_dL_dWout,
        "ex1_dL_dW2": ex1_dL_dW2,
        "ex1_dL_dW1": ex1_dL_dW1,
        "mini_dW_k": mini_dW_k,
        "ex2_chain": ex2_chain,
        "ex3_instance": ex3_instance,
        "ex3_gradient": ex3_gradient,
        "ex3_explanation_ideas": ex3_explanation_ideas,
        "ex4_ideas": ex4_ideas,
    }
)

__all__ = ["CONDITIONS", "SOLVERS"]
