"""The registry: every part checker and question grader a rubric may name.

A new kind of check is a class here; a new assignment is a rubric file and a solver module,
with no change to this package. Both mappings are read-only.
"""

from __future__ import annotations

from types import MappingProxyType

from grader.checkers.base import PartChecker, QuestionGrader
from grader.checkers.chain import ChainGrader
from grader.checkers.choice import AlternativeChecker, ChoiceChecker
from grader.checkers.free_text import FreeTextChecker
from grader.checkers.numeric import NumericChecker
from grader.checkers.parts import PartsGrader
from grader.checkers.symbolic import SymbolicChecker
from grader.rubric.kinds import Registry

PART_CHECKERS: MappingProxyType[str, PartChecker] = MappingProxyType(
    {
        checker.name: checker
        for checker in (
            SymbolicChecker(),
            NumericChecker(),
            FreeTextChecker(),
            ChoiceChecker(),
            AlternativeChecker(),
        )
    }
)

QUESTION_GRADERS: MappingProxyType[str, QuestionGrader] = MappingProxyType(
    {grader.name: grader for grader in (PartsGrader(), ChainGrader())}
)

REGISTRY = Registry(parts=PART_CHECKERS, questions=QUESTION_GRADERS)
"""What `load_rubric` validates a rubric's `check:` and `grader:` names against."""
