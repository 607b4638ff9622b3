"""The rubric's one exception: every problem of a rubric that cannot be used, all at once."""

from __future__ import annotations


class RubricError(Exception):
    """A rubric that cannot be used; `problems` are `location: message` strings, all of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
