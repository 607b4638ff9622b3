"""Run the answer-test tables of other systems' public suites (YAML, in this folder) on the
one judge, as `grade conformance` does: an open context per row, AlgEquiv as algebraic
equality, EqualComAss as structural equality. A row that cannot be read or decided counts as
a disagreement. `families()` reports agreement per family of notation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.engine import ContextError, ResolveError, SymbolicSpec, judge
from grader.engine.context import CAS_CONSTANTS, DEFAULT_CONSTANTS, open_context
from grader.mathlang import ParseError, parse

TABLES = sorted(Path(__file__).parent.glob("*.yaml"))
CONSTANTS: Mapping[str, Mapping[str, str]] = {
    "": DEFAULT_CONSTANTS,
    "cas": CAS_CONSTANTS,
    "i": {**DEFAULT_CONSTANTS, "i": "i"},
}


@dataclass(frozen=True)
class Row:
    """One answer-test case and what the judge decided (None: not read or undecided)."""

    source: str
    test: str
    student: str
    teacher: str
    expected: int
    family: str
    got: int | None
    message: str

    @property
    def agrees(self) -> bool:
        return self.got == self.expected


def run_row(data: Mapping[str, Any], source: str) -> Row:
    """Judge one row."""
    context = open_context(
        assumptions=data.get("assume") or {}, constants=CONSTANTS[data.get("constants", "")]
    )
    equality = "structural" if data["test"] == "EqualComAss" else "algebraic"
    got: int | None
    try:
        spec = SymbolicSpec(reference=parse(data["teacher"]), equality=equality)
        verdict = judge(parse(data["student"]), spec, context, seed=0)
        got = None if verdict.undecided else int(verdict.equivalent)
        message = verdict.feedback[-1] if verdict.feedback else ""
    except (ParseError, ResolveError, ContextError) as exc:
        got, message = None, f"{type(exc).__name__}: {exc}"
    return Row(
        source, data["test"], data["student"], data["teacher"], int(data["expected"]),
        data["family"], got, message,
    )  # fmt: skip


def run_tables() -> list[Row]:
    """Every row of every table."""
    rows = []
    for path in TABLES:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows += [run_row(row, path.name) for row in table["rows"]]
    return rows


def families(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """(agreeing, total) per family."""
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        agree, total = counts.get(row.family, (0, 0))
        counts[row.family] = (agree + row.agrees, total + 1)
    return counts
