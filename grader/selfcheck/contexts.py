"""Engine contexts for `grade check`, built without the solver module.

A context that names a solver `sampler:` needs it only to draw random instances when judging;
reading names never samples. So `grade check` passes samplers that refuse to run: if the engine
ever called one while resolving names, the check would fail loudly instead of silently needing
(and shipping to students) the reference solutions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.engine import Context, context_from_mapping
from grader.rubric.errors import RubricError
from grader.rubric.spec import Rubric


class SamplingRefused(RuntimeError):
    """Raised by the stand-in samplers: `grade check` never draws instances."""


def refuse_sampling(rng: np.random.Generator) -> Mapping[str, Any]:
    """The stand-in for every solver sampler."""
    raise SamplingRefused("grade check reads names only; it never samples instances")


def sampler_names(rubric: Rubric) -> tuple[str, ...]:
    """The sampler names the rubric's contexts mention (strings only; others are invalid)."""
    names = (data.get("sampler") for data in rubric.contexts.values() if isinstance(data, Mapping))
    return tuple(sorted({n for n in names if isinstance(n, str)}))


def build_contexts(rubric: Rubric) -> Mapping[str, Context]:
    """Every context of the rubric, by name; RubricError lists every problem (`file: where:`)."""
    samplers = {name: refuse_sampling for name in sampler_names(rubric)}
    contexts: dict[str, Context] = {}
    problems: list[str] = []
    for name, data in rubric.contexts.items():
        context, errors = context_from_mapping(
            name, data, where=f"contexts.{name}", samplers=samplers
        )
        problems.extend(f"{rubric.path}: {e}" for e in errors)
        if context is not None:
            contexts[name] = context
    if problems:
        raise RubricError(problems)
    return MappingProxyType(contexts)
