"""The equivalence engine for symbolic answers in a rubric context.

`context_from_mapping` reads a rubric context (declared symbols, shapes, definitions, free
index, sampler); `judge` decides whether a student's expression equals a reference as a
function of the context's quantities (scalar, matrix or index interpretation; exact proof when
cheap, seeded random testing otherwise; declared partial-credit mistakes; per-case splits).

The names below are imported from their modules when first asked for: `grade check` reads
contexts and resolves names, and never loads the judge (its provers and random trials).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from grader.lazy import export_lazily

if TYPE_CHECKING:
    from grader.engine.context import Context, ContextError, context_from_mapping
    from grader.engine.evaluate import Interpretation
    from grader.engine.judge import judge
    from grader.engine.mistakes import MISTAKE_KINDS, MISTAKE_RULES, MistakeRule
    from grader.engine.resolve import ResolveError
    from grader.engine.spec import Judgement, Mistake, Split, SymbolicSpec
    from grader.engine.symbols import SymbolInfo, SymbolKind
    from grader.engine.validate import validate_reference, validate_spec

# Each exported name -> the module that defines it (the imports above, for type checkers).
_HOMES = MappingProxyType(
    {
        "Context": "context",
        "ContextError": "context",
        "context_from_mapping": "context",
        "Interpretation": "evaluate",
        "judge": "judge",
        "MISTAKE_KINDS": "mistakes",
        "MISTAKE_RULES": "mistakes",
        "MistakeRule": "mistakes",
        "ResolveError": "resolve",
        "Judgement": "spec",
        "Mistake": "spec",
        "Split": "spec",
        "SymbolicSpec": "spec",
        "SymbolInfo": "symbols",
        "SymbolKind": "symbols",
        "validate_reference": "validate",
        "validate_spec": "validate",
    }
)


export_lazily(__name__)


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
