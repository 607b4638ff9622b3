"""Each student's numbers: a keyed, deterministic draw from the rubric's `variants:` block.

Every random choice comes from HMAC-SHA256 keyed with the course secret over (assignment,
student id, attempt, datum, block), so the same student always gets the same numbers, another
student other numbers, and nobody without the secret can compute anyone's (the rubric itself is
public: students' template repositories carry it). The stream is our own (rejection sampling on
the HMAC bytes), not numpy's, so the numbers never change with a library upgrade.

A draw is redrawn (attempt 1, 2, ...) until every acceptance condition the rubric names holds,
at most `max_draws` times; running out is an error naming the student, never a silent fallback
to the default numbers. The default variant is the rubric's own `data:` block.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.model import FrozenDict
from grader.rubric.errors import RubricError
from grader.rubric.secret import read_secret
from grader.rubric.solvers import load_conditions
from grader.rubric.spec import Rubric, freeze
from grader.rubric.variants import DatumSpec, VariantSpec

STREAM_VERSION = "grader-variants/1"
DEFAULT_LABEL = "default"
_SEPARATOR = "\x1f"  # ids are plain tokens (letters, digits, . _ -): no separator inside them
_WORD = 8  # bytes per number drawn from the stream

Condition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Variant:
    """One student's data block: `label` names it in feedback and gradebooks (derived from the
    numbers alone, so it reveals nothing the student does not see); `attempt` is the number of
    draws rejected by the acceptance conditions before this one."""

    label: str
    data: Mapping[str, Any]
    student_id: str | None = None  # None: the default variant (the rubric's `data:`)
    attempt: int = 0

    @property
    def is_default(self) -> bool:
        """True for the printed sheet's numbers."""
        return self.student_id is None


class KeyedStream:
    """Uniform integers from HMAC-SHA256(secret, label, block) bytes."""

    def __init__(self, secret: bytes, label: str) -> None:
        self._secret = secret
        self._label = label
        self._blocks = self._generate()
        self._buffer = b""

    def _generate(self) -> Iterator[bytes]:
        block = 0
        while True:
            message = f"{self._label}{_SEPARATOR}{block}".encode()
            yield hmac.new(self._secret, message, hashlib.sha256).digest()
            block += 1

    def _word(self) -> int:
        while len(self._buffer) < _WORD:
            self._buffer += next(self._blocks)
        word, self._buffer = self._buffer[:_WORD], self._buffer[_WORD:]
        return int.from_bytes(word, "big")

    def below(self, count: int) -> int:
        """A uniform integer in 0..count-1 (rejection sampling: no modulo bias)."""
        if count <= 1:
            return 0
        span = 1 << (8 * _WORD)
        limit = span - span % count
        while True:
            word = self._word()
            if word < limit:
                return word % count


def default_variant(rubric: Rubric) -> Variant:
    """The rubric's own `data:` block: the printed sheet's numbers."""
    return Variant(DEFAULT_LABEL, rubric.data)


def stream_label(assignment: str, student_id: str, attempt: int, datum: str) -> str:
    """What one datum's stream is keyed on (each datum its own stream, so that changing how
    one datum is drawn leaves the others' first draws as they were)."""
    return _SEPARATOR.join((STREAM_VERSION, assignment, student_id, str(attempt), datum))


def draw_datum(datum: DatumSpec, stream: KeyedStream) -> Any:
    """One datum: a single value, or nested lists of entries when it has a shape."""
    if datum.kind == "fixed":
        return datum.value
    if datum.shape is None:
        return _one(datum, stream)
    return _nested(datum, datum.shape, stream)


def _nested(datum: DatumSpec, shape: tuple[int, ...], stream: KeyedStream) -> list[Any]:
    if len(shape) == 1:
        return [_one(datum, stream) for _ in range(shape[0])]
    return [_nested(datum, shape[1:], stream) for _ in range(shape[0])]


def _one(datum: DatumSpec, stream: KeyedStream) -> Any:
    index = stream.below(datum.options)
    if datum.lattice is not None:
        return datum.lattice.value(index)
    return datum.choices[index]


def variant_label(data: Mapping[str, Any]) -> str:
    """`v` and 8 hex digits of the SHA-256 of the data block (canonical JSON)."""
    text = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "v" + hashlib.sha256(text.encode()).hexdigest()[:8]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


@dataclass(frozen=True)
class Drawer:
    """Draws variants of one rubric with one secret and the solver's acceptance conditions."""

    rubric: Rubric
    spec: VariantSpec
    secret: bytes = field(repr=False)  # never in a log or a traceback's repr
    conditions: tuple[tuple[str, Condition], ...] = ()

    def default(self) -> Variant:
        """The rubric's own `data:` block (the printed sheet)."""
        return default_variant(self.rubric)

    def candidate(self, student_id: str, attempt: int) -> FrozenDict:
        """The data block of one attempt: shared data, with every declared datum drawn."""
        data = dict(self.rubric.data)
        for datum in self.spec.data:
            label = stream_label(self.rubric.id, student_id, attempt, datum.name)
            data[datum.name] = freeze(draw_datum(datum, KeyedStream(self.secret, label)))
        return FrozenDict(data)

    def failed(self, data: Mapping[str, Any]) -> str | None:
        """The first acceptance condition `data` fails, or None when all hold."""
        for name, condition in self.conditions:
            try:
                accepted = bool(condition(data))
            except (ValueError, ArithmeticError):  # numbers the solver cannot take: rejected
                accepted = False
            if not accepted:
                return name
        return None

    def variant(self, student_id: str) -> Variant:
        """The student's variant: the first attempt every condition accepts."""
        for attempt in range(self.spec.max_draws):
            data = self.candidate(student_id, attempt)
            if self.failed(data) is None:
                return Variant(variant_label(data), data, student_id, attempt)
        raise RubricError(
            [
                f"{self.rubric.path}: variants: no draw for student {student_id!r} met the "
                f"acceptance conditions in {self.spec.max_draws} attempts (raise max_draws or "
                "loosen the conditions)"
            ]
        )


@dataclass(frozen=True)
class DrawStats:
    """How often the acceptance conditions rejected a draw, over some students."""

    students: int
    attempts: int  # draws made, accepted ones included

    @property
    def rejection_rate(self) -> float:
        """The share of draws rejected."""
        return 1 - self.students / self.attempts if self.attempts else 0.0


PROBE_SECRET = b"grader-variants: acceptance probe (not a course secret)"
PROBE_STUDENTS = 64
MAX_FAILURE = 1e-9  # the chance a student runs out of draws that validation tolerates


def draw_stats(drawer: Drawer, student_ids: Iterator[str] | list[str]) -> DrawStats:
    """Draw every student's variant and count the attempts it took."""
    students = attempts = 0
    for student_id in student_ids:
        attempts += drawer.variant(student_id).attempt + 1
        students += 1
    return DrawStats(students, attempts)


def load_drawer(rubric: Rubric, secret: bytes) -> Drawer:
    """The drawer of a rubric with `variants:`, its conditions bound to the solver module and
    checked: unknown names, a printed sheet that fails them, or conditions that reject so
    many draws that `max_draws` could run out (measured on probe students with a probe key)."""
    spec = rubric.variants
    if spec is None:
        raise RubricError([f"{rubric.path}: the rubric declares no variants"])
    found: Mapping[str, Callable[..., Any]] = {}
    if spec.accept:
        found = load_conditions(rubric.solver, f"{rubric.path}: solver", Path(rubric.path))
    unknown = [n for n in spec.accept if n not in found]
    if unknown:
        valid = ", ".join(sorted(found)) or "(none)"
        raise RubricError(
            [f"{rubric.path}: variants.accept: unknown condition {n!r}; valid: {valid}"
             for n in unknown]  # fmt: skip
        )
    drawer = Drawer(rubric, spec, secret, tuple((n, found[n]) for n in spec.accept))
    problems = _check(drawer)
    if problems:
        raise RubricError([f"{rubric.path}: {p}" for p in problems])
    return drawer


def _check(drawer: Drawer) -> list[str]:
    problems = []
    failed = drawer.failed(drawer.rubric.data)
    if failed is not None:
        problems.append(f"variants.accept: the printed sheet's `data:` fails {failed!r}")
    probe = Drawer(drawer.rubric, drawer.spec, PROBE_SECRET, drawer.conditions)
    advice = "raise max_draws or loosen the conditions"
    try:
        stats = draw_stats(probe, [f"probe-{i}" for i in range(PROBE_STUDENTS)])
    except RubricError:
        return [*problems, f"variants.max_draws: a probe student ran out of draws; {advice}"]
    if stats.rejection_rate ** drawer.spec.max_draws > MAX_FAILURE:
        problems.append(
            f"variants.max_draws: the conditions reject {stats.rejection_rate:.1%} of draws, "
            f"so {drawer.spec.max_draws} draws could run out for a student; {advice}"
        )
    return problems


def rubric_drawer(rubric: Rubric, environ: Mapping[str, str] | None = None) -> Drawer | None:
    """The drawer of a rubric with `variants:`, keyed with the course secret (RubricError when
    there is none); None for a rubric whose students all get its `data:`."""
    if rubric.variants is None:
        return None
    return load_drawer(rubric, read_secret(rubric.variants.secret, Path(rubric.path), environ))
