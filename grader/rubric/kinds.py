"""What the rubric loader needs to know about checkers, without importing them.

The checkers layer sits above the rubric layer: it registers its part checkers and question
graders in a :class:`Registry` (``grader.checkers.registry.REGISTRY``) and hands it to
``load_rubric``, which validates every `check:` and `grader:` name and their options against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from grader.rubric.spec import PartSpec, QuestionSpec


class PartKind(Protocol):
    """A registered part checker as the loader sees it: name, answer kind and rubric keys."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def options(self) -> frozenset[str]: ...
    @property
    def required(self) -> frozenset[str]: ...
    def validate(self, part: PartSpec) -> list[str]: ...


class QuestionKind(Protocol):
    """A registered question grader as the loader sees it: name, rubric keys, and the keys it
    reads on its parts (`carried:` on the parts of a chain)."""

    @property
    def name(self) -> str: ...
    @property
    def options(self) -> frozenset[str]: ...
    @property
    def part_options(self) -> frozenset[str]: ...
    def validate(self, question: QuestionSpec) -> list[str]: ...


@dataclass(frozen=True)
class Registry:
    """The part checkers and question graders a rubric may name, by name."""

    parts: Mapping[str, PartKind]
    questions: Mapping[str, QuestionKind]
