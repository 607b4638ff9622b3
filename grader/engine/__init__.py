"""The equivalence engine for symbolic answers in a rubric context.

`context_from_mapping` reads a rubric context (declared symbols, shapes, definitions, free
index, sampler); `judge` decides whether a student's expression equals a reference as a
function of the context's quantities (scalar, matrix or index interpretation; exact proof when
cheap, seeded random testing otherwise; declared partial-credit mistakes; per-case splits).
"""

from grader.engine.context import Context, ContextError, context_from_mapping
from grader.engine.evaluate import Interpretation
from grader.engine.judge import judge
from grader.engine.mistakes import MISTAKE_KINDS, MISTAKE_RULES, MistakeRule
from grader.engine.resolve import ResolveError
from grader.engine.spec import Judgement, Mistake, Split, SymbolicSpec
from grader.engine.symbols import SymbolInfo, SymbolKind
from grader.engine.validate import validate_reference, validate_spec

__all__ = [
    "MISTAKE_KINDS",
    "MISTAKE_RULES",
    "Context",
    "ContextError",
    "Interpretation",
    "Judgement",
    "Mistake",
    "MistakeRule",
    "ResolveError",
    "Split",
    "SymbolInfo",
    "SymbolKind",
    "SymbolicSpec",
    "context_from_mapping",
    "judge",
    "validate_reference",
    "validate_spec",
]
