"""Run STACK's answer-test table against our checkers and report the agreement.

The table is tab-separated with a header: test, student, teacher, expected, note. `test` is a
family with an optional option after ':' (`NumSigFigs:[4,-1]`, `AlgEquiv:assume(a>0)`). Each row
goes through the matching checker; a row whose input does not parse, or whose checker cannot
decide, counts as a disagreement with a message, never as a crash. No row is special-cased.

AlgEquiv and EqualComAss rows are judged by the engine grading uses (`grader.engine.judge`) in
an open context with the CAS's constants (`e`, `E`, `pi`, `I`); symbolic teacher's answers of
the numeric families are evaluated by the same engine (`grader.engine.values`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType

from grader.engine import ResolveError, SymbolicSpec, judge
from grader.engine.context import ASSUMPTIONS, CAS_CONSTANTS, open_context
from grader.engine.values import constant_value
from grader.mathlang import parse
from grader.mathlang.ast import ListLit, Name, Number, Relation
from grader.numeric import (
    num_absolute,
    num_dec_places,
    num_relative,
    num_sig_figs,
    parse_number,
    sig_figs_strict,
)
from grader.numeric.stack import DEFAULT_TOLERANCE

COLUMNS = ("test", "student", "teacher", "expected", "note")
MAX_FILE_BYTES = 5_000_000
_PAIR = re.compile(r"\[\s*(-?[0-9]+)\s*,\s*(-?[0-9]+)\s*\]")
_ASSUME = re.compile(r"assume\((.*)\)")
# `a > 0` and friends: what the assumption says about the name.
_SIGNS = MappingProxyType(
    {">": "positive", ">=": "nonnegative", "<": "negative", "<=": "nonpositive"}
)


class ConformanceError(ValueError):
    """The table itself cannot be read (missing file, columns, or bad `expected` values)."""


@dataclass(frozen=True)
class RowResult:
    """One row and what our checker decided: `got` is 1, 0, or None (error / undecided)."""

    line: int
    test: str
    family: str
    student: str
    teacher: str
    expected: int
    note: str
    got: int | None
    message: str = ""

    @property
    def agrees(self) -> bool:
        """Whether our decision matches STACK's."""
        return self.got == self.expected


@dataclass(frozen=True)
class ConformanceReport:
    """Every row of one table, in file order."""

    source: str
    rows: tuple[RowResult, ...]

    @property
    def agreed(self) -> int:
        """The number of rows where we decide as STACK does."""
        return sum(row.agrees for row in self.rows)

    def families(self) -> Mapping[str, tuple[int, int]]:
        """(agreeing, total) per test family, in order of first appearance."""
        counts: dict[str, tuple[int, int]] = {}
        for row in self.rows:
            agree, total = counts.get(row.family, (0, 0))
            counts[row.family] = (agree + row.agrees, total + 1)
        return MappingProxyType(counts)


def run_conformance(path: Path) -> ConformanceReport:
    """Read the table at `path` and run every row. Raises ConformanceError for an unreadable
    table; individual rows never raise."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConformanceError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConformanceError(f"{path}: cannot read the table: {exc}") from None
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header[: len(COLUMNS)]) != COLUMNS:
        raise ConformanceError(f"{path}: the header must be {' | '.join(COLUMNS)}")
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = (cells + [""] * len(COLUMNS))[: len(COLUMNS)]
        rows.append(_run_row(line, *cells))
    return ConformanceReport(str(path), tuple(rows))


def _run_row(
    line: int, test: str, student: str, teacher: str, expected: str, note: str
) -> RowResult:
    family, _, option = test.strip().partition(":")
    if expected.strip() not in ("0", "1"):
        raise ConformanceError(f"line {line}: expected must be 0 or 1, not {expected!r}")
    got: int | None
    try:
        runner = RUNNERS.get(family)
        if runner is None:
            got, message = None, f"unknown test family {family!r}"
        else:
            got, message = runner(student.strip(), teacher.strip(), option.strip())
    except Exception as exc:  # any failure of one row is that row's disagreement, by design
        got, message = None, f"{type(exc).__name__}: {exc}"
    return RowResult(
        line, test.strip(), family, student, teacher, int(expected), note.strip(), got, message
    )


# What a runner decided for one row: 1, 0 or None (undecided), and a message.
RowDecision = tuple[int | None, str]


def parse_assumptions(option: str) -> dict[str, str]:
    """`assume(a>0)`, `assume(a>0, b<=0)` -> {"a": "positive", "b": "nonpositive"}: a name
    compared with 0. Raises ValueError for anything else."""
    match = _ASSUME.fullmatch(option)
    if match is None:
        raise ValueError(f"unknown option {option!r}")
    assumptions = {}
    for part in match.group(1).split(","):
        relation = parse(part)
        if not (
            isinstance(relation, Relation)
            and relation.op in _SIGNS
            and isinstance(relation.left, Name)
            and isinstance(relation.right, Number)
            and relation.right.value == 0
        ):
            raise ValueError(f"unsupported assumption {part.strip()!r} (use e.g. a>0)")
        assumptions[str(relation.left.base)] = _SIGNS[relation.op]
    if not set(assumptions.values()) <= ASSUMPTIONS:
        raise ValueError(f"unsupported assumption in {option!r}")
    return assumptions


def _judged(student: str, teacher: str, option: str, equality: str) -> RowDecision:
    assumptions = parse_assumptions(option) if option else {}
    context = open_context(assumptions=assumptions, constants=CAS_CONSTANTS)
    spec = SymbolicSpec(reference=parse(teacher), equality=equality)
    try:
        verdict = judge(parse(student), spec, context, seed=0)
    except ResolveError as exc:
        return None, f"cannot be read: {exc.message}"
    if verdict.undecided:
        return None, f"undecided: {verdict.feedback[-1]}"
    return int(verdict.equivalent), f"{verdict.method.value}: {verdict.feedback[-1]}"


def _alg_equiv(student: str, teacher: str, option: str) -> RowDecision:
    return _judged(student, teacher, option, "algebraic")


def _equal_com_ass(student: str, teacher: str, option: str) -> RowDecision:
    return _judged(student, teacher, option, "structural")


def _values(text: str) -> Fraction | tuple[Fraction, ...]:
    """A number or a list of numbers; symbolic constants evaluated at high precision."""
    node = parse(text)
    if isinstance(node, ListLit):
        return tuple(constant_value(item) for item in node.items)
    return constant_value(node)


def _tolerance(option: str) -> Fraction:
    return parse_number(option) if option else DEFAULT_TOLERANCE


def _num_relative(student: str, teacher: str, option: str) -> RowDecision:
    return int(num_relative(_values(student), _values(teacher), _tolerance(option))), ""


def _num_absolute(student: str, teacher: str, option: str) -> RowDecision:
    return int(num_absolute(_values(student), _values(teacher), _tolerance(option))), ""


def _scalar(text: str) -> Fraction:
    value = _values(text)
    if isinstance(value, tuple):
        raise ValueError("the teacher's answer must be a single number")
    return value


def _num_sig_figs(student: str, teacher: str, option: str) -> RowDecision:
    pair = _PAIR.fullmatch(option)
    figures, accuracy = (int(pair[1]), int(pair[2])) if pair else (int(option), None)
    return int(num_sig_figs(student, _scalar(teacher), figures, accuracy)), ""


def _num_dec_places(student: str, teacher: str, option: str) -> RowDecision:
    return int(num_dec_places(student, _scalar(teacher), int(option))), ""


def _sig_figs_strict(student: str, teacher: str, option: str) -> RowDecision:
    return int(sig_figs_strict(student, int(option))), ""


RUNNERS: Mapping[str, Callable[[str, str, str], RowDecision]] = MappingProxyType(
    {
        "AlgEquiv": _alg_equiv,
        "EqualComAss": _equal_com_ass,
        "NumRelative": _num_relative,
        "NumAbsolute": _num_absolute,
        "NumSigFigs": _num_sig_figs,
        "NumDecPlaces": _num_dec_places,
        "SigFigsStrict": _sig_figs_strict,
    }
)


def format_report(report: ConformanceReport) -> str:
    """Agreement per test family, the disagreeing rows, and a last line `N/M agree`."""
    lines = [f"STACK answer-test conformance: {report.source}"]
    families = report.families()
    width = max((len(f) for f in families), default=0)
    for family, (agree, total) in families.items():
        lines.append(f"  {family:<{width}}  {agree}/{total}")
    wrong = [row for row in report.rows if not row.agrees]
    if wrong:
        lines.append("Disagreements:")
    for row in wrong:
        got = "error" if row.got is None else str(row.got)
        lines.append(
            f"  line {row.line}: {row.test}  student: {row.student}  teacher: {row.teacher}  "
            f"expected {row.expected}, got {got}" + (f"  ({row.message})" if row.message else "")
        )
    lines.append(f"{report.agreed}/{len(report.rows)} agree")
    return "\n".join(lines)
