"""Course settings the grader used to hard-code: how file names name students, and the
examples the empty answer sheet shows.

`identity: {file_name: "pen_paper_<lastname>"}` is the fallback for sheets without a usable
student id (see `grader.loaders.identity`); without it a file's stem is the id.
`template: {formula_example: "...", array_example: "..."}` are the examples `grade template`
prints in the sheet's instructions (defaults: neutral ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from grader.loaders.identity import GENERIC, FileNameRule, pattern_problem

TEMPLATE_KEYS = ("formula_example", "array_example")

Report = Callable[[str, str], None]


def identity_rule(raw: Any, report: Report) -> FileNameRule:
    """The rubric's `identity:` block as a file-name rule (GENERIC when absent)."""
    if raw is None:
        return GENERIC
    if not isinstance(raw, Mapping) or set(map(str, raw)) != {"file_name"}:
        report("identity", "a mapping with `file_name:` (e.g. hw_<lastname>)")
        return GENERIC
    problem = pattern_problem(raw["file_name"])
    if problem is not None:
        report("identity.file_name", problem)
        return GENERIC
    return FileNameRule(str(raw["file_name"]))


def template_hints(raw: Any, report: Report) -> Mapping[str, str]:
    """The rubric's `template:` block: example texts by key."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        k in TEMPLATE_KEYS and isinstance(v, str) for k, v in raw.items()
    ):
        report("template", f"a mapping of {', '.join(TEMPLATE_KEYS)} to example texts")
        return {}
    return {str(k): str(v) for k, v in raw.items()}
