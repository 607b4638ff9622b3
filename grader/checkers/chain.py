"""`grader: chain`: parts that depend on each other, with conventions and error carried forward.

Two forms. With `solver:` (a `grader.references.ChainSolver`), a multi-step numeric exercise
whose solver knows every step under every convention and recomputes any step from a student's
own upstream values (a forward and backward pass, say). Without `solver:`, any parts
(symbolic, numeric, ...) each prepared by its own checker, carried credit declared part by part
(`grader.checkers.flow`). The rules, both ways:
- every convention the question lists is right; a student who names one is marked against it,
  otherwise against the one that gives the highest score (ties: the rubric's order);
- an entry is right when it matches the key, or when it matches the value recomputed from the
  student's OWN upstream values (a slip is penalised once, where it happens);
- an upstream part that is missing, not numbers or of the wrong shape gives no carried credit,
  nor does one the question's `carry_exceptions` name (`all_zeros`, the default: a blank
  attempt must not make the next part trivial; `constant`: every entry the same);
- each numeric part earns its points in proportion to its right entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from grader.checkers.arrays import (
    ReadArray,
    describe_shape,
    orient,
    read_answer,
    shape_list,
    tolerance_from,
    with_read_notes,
    wrong_shape,
)
from grader.checkers.base import (
    Answers,
    Job,
    PreparedQuestion,
    PrepareEnv,
    QuestionGrader,
    QuestionResult,
    answer_text,
    is_blank,
    missing,
    part_score,
)
from grader.checkers.choice import normalise_choice
from grader.checkers.flow import CARRY_EXCEPTIONS, carries, prepare_flow, validate_carry
from grader.checkers.numeric import entry_result, unreadable
from grader.model import CheckResult, Outcome, PartScore, RawAnswer, Reason, frozen_mapping
from grader.numeric import Tolerance, compare_arrays, compare_prepared, prepare_reference
from grader.references import ChainSolver
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec, QuestionSpec

# Entries each memo of a prepared chain holds at most (see _Memo): a class shares most upstream
# values (the same rounding of the same convention), and the answers many students share stay
# (least recently used first out), so a thousand cover a large class: measured at 10,000
# sheets, 512 entries already gave nearly all of 2,048's speed, and 2,048 raised the peak by
# 39 MiB (about 0.9 KB an entry, five memos, and a freed heap that does not shrink).
MEMO_ENTRIES = 1024

T = TypeVar("T")


class _Memo(Generic[T]):
    """A bounded memo of a pure computation, per prepared chain (never module-level): a hit
    returns what the computation returned for the same key, so what it holds (or dropped, the
    least recently used entry first once full) changes only the time taken, never a result."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key`, computed (and kept) on a miss."""
        items = self._items
        try:
            value = items[key]
        except KeyError:
            pass
        else:
            items.move_to_end(key)  # now the most recently used
            return value
        value = compute()
        if self._limit > 0:
            if len(items) >= self._limit:
                items.popitem(last=False)
            items[key] = value
        return value

    def __len__(self) -> int:
        return len(self._items)


def _fingerprint(array: np.ndarray) -> tuple[tuple[int, ...], str, bytes]:
    """An array's exact values as a key: equal keys hold the same float64 bits, shape and kind
    (-0.0 and 0.0 differ here, which costs at most a miss)."""
    return (array.shape, array.dtype.str, array.tobytes())


def _value_key(value: object) -> Hashable | None:
    """A written answer value as a key (texts, None, lists and tuples of them, kept apart by
    kind), or None for anything else (a number a notebook gave, a mapping): not memoised."""
    if isinstance(value, str):
        return value
    if value is None:
        return ("none",)
    if isinstance(value, (list, tuple)):
        items = [_value_key(v) for v in value]
        if any(i is None for i in items):
            return None
        return ("list" if isinstance(value, list) else "tuple", *items)
    return None


def answer_key(answer: RawAnswer | None) -> Hashable | None:
    """Everything of an answer that reading, orienting and scoring a numeric part look at (its
    presence, value and reading error) as a key, or None when it cannot be one."""
    if answer is None:
        return ("absent",)
    value = _value_key(answer.value)
    return None if value is None else (value, answer.error)


@dataclass(frozen=True)
class _Read:
    """One part's answer, oriented for one convention."""

    spec: PartSpec
    result: CheckResult | None  # set when the part is already decided (missing, unreadable...)
    array: np.ndarray | None  # oriented values
    ok_key: np.ndarray | None  # entries right against the key
    transposed: bool = False
    exceptions: tuple[str, ...] = ("all_zeros",)

    # Cached: a memo hands one _Read to every student who wrote the same answer, and each of
    # them asks again (cached_property writes the instance's __dict__, which a frozen
    # dataclass allows; the values follow from fields that never change).
    @cached_property
    def usable(self) -> bool:
        """Whether downstream parts may be recomputed from these values."""
        return carries(self.array, self.exceptions)

    @cached_property
    def right(self) -> bool:
        """Whether every entry matches the key."""
        return self.ok_key is not None and bool(self.ok_key.all())

    @cached_property
    def values_key(self) -> Hashable:
        """The oriented values' fingerprint (see _fingerprint; None when there are none)."""
        return None if self.array is None else _fingerprint(self.array)


class PreparedChain(PreparedQuestion):
    """A chain question bound to its solver and the keys of every convention."""

    def __init__(
        self,
        spec: QuestionSpec,
        solver: ChainSolver,
        data: Mapping[str, Any],
        conventions: tuple[str, ...],
        synonyms: Mapping[str, str],
        tolerances: Mapping[str, Tolerance],
        carried: bool,
        places: int,
        exceptions: tuple[str, ...],
        *,
        memo_entries: int = MEMO_ENTRIES,
    ) -> None:
        super().__init__(spec)
        self.places = places
        self.exceptions = exceptions
        self.solver = solver
        self.data = data
        self.conventions = conventions
        self.synonyms = synonyms
        self.tolerances = tolerances
        self.carried = carried
        self.exact = {c: dict(solver.key(data, c)) for c in conventions}
        self.keys = {
            c: {p: np.asarray(v, dtype=float) for p, v in key.items()}
            for c, key in self.exact.items()
        }
        self.choice = next((p for p in spec.parts if p.kind == "choice"), None)
        self.numeric = tuple(p for p in spec.parts if p.scored)
        # Every student is compared with the same keys: their half-widths are worked out once.
        self.references = {
            c: {p.id: prepare_reference(self.keys[c][p.id], tolerances[p.id]) for p in self.numeric}
            for c in conventions
        }
        # A part's judgement and a recomputed step depend only on the exact values they are
        # computed from, which many students share (see _judge and _recompute).
        # Reading, orienting and scoring a part depend only on what the student wrote there
        # (and, for a judged part, on the judgement's key), which many students write alike.
        self._judged: _Memo[CheckResult] = _Memo(memo_entries)
        self._recomputed: _Memo[np.ndarray | None] = _Memo(memo_entries)
        self._reads: _Memo[ReadArray] = _Memo(memo_entries)
        self._oriented: _Memo[_Read] = _Memo(memo_entries)
        self._scored: _Memo[PartScore] = _Memo(memo_entries)

    def memo_sizes(self) -> tuple[int, ...]:
        """How many judgements, recomputed steps, readings, oriented answers and part scores
        the memos hold (for tests and benchmarks)."""
        memos = (self._judged, self._recomputed, self._reads, self._oriented, self._scored)
        return tuple(len(m) for m in memos)

    def grade(self, answers: Answers, results: Mapping[Job, CheckResult]) -> QuestionResult:
        named = self._named(answers)
        written = {p.id: answers.get(p.answer_id) for p in self.numeric}
        keys = {p.id: answer_key(written[p.id]) for p in self.numeric}
        candidates = (named,) if named else self.conventions
        best: tuple[float, str, list[PartScore]] | None = None
        for convention in candidates:
            scores = self._score(convention, written, keys)
            total = sum(s.points for s in scores)
            if best is None or total > best[0] + 1e-9:
                best = (total, convention, scores)
        if best is None:  # no conventions: prevented by validation
            raise RubricError([f"{self.spec.where}: no conventions"])
        _, convention, scores = best
        why = "you named it" if named else "it gives your highest score; you did not name one"
        note = f"Marked against the {convention} convention ({why})."
        scores = [
            replace(
                s,
                feedback=(note, *s.feedback),
                detail=frozen_mapping({**s.detail, "convention": convention}),
            )
            for s in scores
        ]
        return QuestionResult(
            tuple(scores), frozen_mapping({"convention": convention, "named": bool(named)})
        )

    def _named(self, answers: Answers) -> str | None:
        if self.choice is None:
            return None
        answer = answers.get(self.choice.answer_id)
        return normalise_choice(answer.value if answer else None, self.conventions, self.synonyms)

    def _score(
        self,
        convention: str,
        written: Mapping[str, RawAnswer | None],
        keys: Mapping[str, Hashable | None],
    ) -> list[PartScore]:
        oriented = {p.id: self._oriented_part(p, convention, written, keys) for p in self.numeric}
        return [self._part_score(p, convention, oriented, written, keys) for p in self.numeric]

    def _oriented_part(
        self,
        part: PartSpec,
        convention: str,
        written: Mapping[str, RawAnswer | None],
        keys: Mapping[str, Hashable | None],
    ) -> _Read:
        def orient() -> _Read:
            read = self._read(part, written, keys)
            return self._orient(part, convention, written[part.id], read)

        return self._memo(self._oriented, (part.id, convention, keys[part.id]), orient)

    def _part_score(
        self,
        part: PartSpec,
        convention: str,
        oriented: Mapping[str, _Read],
        written: Mapping[str, RawAnswer | None],
        keys: Mapping[str, Hashable | None],
    ) -> PartScore:
        read = oriented[part.id]
        judged = None if read.result else self._judgement(read, convention, oriented)

        def score() -> PartScore:
            result = read.result if judged is None else self._judge(read, *judged)
            if result is None:  # an undecided part always has a judgement; for the type checker
                raise RubricError([f"{part.where}: internal: undecided part"])
            result = with_read_notes(result, self._read(part, written, keys))
            return part_score(part, result, answer_text(written[part.id]), self.places)

        key = (part.id, convention, keys[part.id], "decided" if judged is None else judged[0])
        return self._memo(self._scored, key, score)

    @staticmethod
    def _memo(memo: _Memo[T], key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """`compute()`, through `memo` unless a part of the key is None (not a key)."""
        return compute() if None in key else memo.get(key, compute)

    def _read(
        self,
        part: PartSpec,
        written: Mapping[str, RawAnswer | None],
        keys: Mapping[str, Hashable | None],
    ) -> ReadArray:
        def read() -> ReadArray:
            found = read_answer(written[part.id])
            if found.array is not None:
                found.array.flags.writeable = False  # shared by every student who wrote it
            return found

        return self._memo(self._reads, (keys[part.id],), read)

    def _orient(
        self, part: PartSpec, convention: str, answer: RawAnswer | None, read: ReadArray
    ) -> _Read:
        if is_blank(answer):
            return _Read(part, missing(part), None, None)
        if read.array is None:
            return _Read(part, unreadable(part, read.reason, read.message), None, None)
        wrong = wrong_shape(part, read.array)
        if wrong is not None:
            return _Read(part, wrong, None, None)
        reference = self.keys[convention][part.id]
        either = part.options.get("orientation") == "either"
        array, transposed = orient(read.array, reference.shape, either)
        if array is None:
            shape = " x ".join(map(str, reference.shape))
            got = " x ".join(map(str, read.array.shape))
            result = CheckResult(
                fraction=0.0,
                outcome=Outcome.INCORRECT,
                reasons=(Reason.WRONG_SHAPE,),
                feedback=(f"Expected {shape} values for the {convention} convention, got {got}.",),
            )
            return _Read(part, result, None, None)
        ok_key = compare_prepared(array, self.references[convention][part.id])
        return _Read(part, None, array, ok_key, transposed, self.exceptions)

    def _judgement(
        self, read: _Read, convention: str, oriented: Mapping[str, _Read]
    ) -> tuple[Hashable, str, Mapping[str, _Read], dict[str, np.ndarray | None]]:
        """The key of an undecided part's judgement and what _judge needs besides the part."""
        if read.array is None or read.ok_key is None:  # decided earlier; kept for the type checker
            raise RubricError([f"{read.spec.where}: internal: undecided part"])
        ups = self.solver.upstream(read.spec.id, convention)
        given = {
            u: (oriented[u].array if u in oriented and oriented[u].usable else None) for u in ups
        }
        # Everything the judgement reads: the part's values (ok_key follows from them), its
        # orientation, and each usable upstream part's values and whether they match the key.
        key = (
            read.spec.id,
            convention,
            read.values_key,
            read.transposed,
            tuple(
                (u, None) if g is None else (u, oriented[u].values_key, oriented[u].right)
                for u, g in given.items()
            ),
        )
        return key, convention, oriented, given

    def _judge(
        self,
        read: _Read,
        key: Hashable,
        convention: str,
        oriented: Mapping[str, _Read],
        given: Mapping[str, np.ndarray | None],
    ) -> CheckResult:
        return self._judged.get(key, lambda: self._judge_anew(read, convention, oriented, given))

    def _judge_anew(
        self,
        read: _Read,
        convention: str,
        oriented: Mapping[str, _Read],
        given: Mapping[str, np.ndarray | None],
    ) -> CheckResult:
        if read.array is None or read.ok_key is None:  # decided earlier; kept for the type checker
            raise RubricError([f"{read.spec.where}: internal: undecided part"])
        tol = self.tolerances[read.spec.id]
        ups = tuple(given)
        ok = read.ok_key
        carried = np.zeros_like(ok)
        if self.carried and any(v is not None for v in given.values()):
            recomputed = self._recompute(read.spec.id, given, convention)
            if recomputed is not None and recomputed.shape == read.array.shape:
                matches = compare_arrays(read.array, recomputed, tol)
                carried = matches & ~ok
                ok = ok | matches
        result = entry_result(ok, tol, read.transposed)
        wrong_ups = [u for u in ups if given.get(u) is not None and not oriented[u].right]
        if not carried.any() or not wrong_ups:
            return result
        names = ", ".join(wrong_ups)
        outcome = Outcome.CARRIED if ok.all() else Outcome.PARTIAL
        return CheckResult(
            fraction=result.fraction,
            outcome=outcome,
            method=result.method,
            reasons=(*result.reasons, Reason.CARRIED_FORWARD),
            feedback=(
                *result.feedback,
                f"{int(carried.sum())} value(s) are correct given your {names}.",
            ),
            detail=frozen_mapping(
                {"carried_from": tuple(wrong_ups), "carried": int(carried.sum())}
            ),
        )

    def _recompute(
        self, part: str, given: Mapping[str, np.ndarray | None], convention: str
    ) -> np.ndarray | None:
        key = (
            part,
            convention,
            tuple((u, None if g is None else _fingerprint(g)) for u, g in given.items()),
        )
        return self._recomputed.get(key, lambda: self._recompute_anew(part, given, convention))

    def _recompute_anew(
        self, part: str, given: Mapping[str, np.ndarray | None], convention: str
    ) -> np.ndarray | None:
        # Student values can make any step blow up (overflow, NaN); no carried credit then.
        with np.errstate(all="ignore"):
            try:
                value = np.asarray(
                    self.solver.recompute(part, given, self.data, convention), dtype=float
                )
            except (ValueError, ArithmeticError, TypeError, IndexError):
                return None
        if not np.all(np.isfinite(value)):
            return None
        value.flags.writeable = False  # shared by every student the memo hands it to
        return value

    def key(self, convention: str | None) -> dict[str, Any]:
        chosen = convention or self.conventions[0]
        if chosen not in self.exact:
            raise RubricError(
                [f"unknown convention {chosen!r}; valid: {', '.join(self.conventions)}"]
            )
        out: dict[str, Any] = {}
        if self.choice is not None:
            out[self.choice.answer_id] = chosen
        for part in self.numeric:
            out[part.answer_id] = self.exact[chosen][part.id]
        return out


CHAIN_OPTIONS = frozenset(
    {"solver", "conventions", "convention_synonyms", "tolerance", "carried", "carry_exceptions"}
)


class ChainGrader(QuestionGrader):
    """`grader: chain`: with `solver:` (a ChainSolver factory), `conventions:` (default: the
    solver's), `convention_synonyms:`, `tolerance:`, `carried:` (default true) and
    `carry_exceptions:`; without `solver:`, any parts with `carried: {from, recompute}` each
    (`grader.checkers.flow`)."""

    name = "chain"
    options = CHAIN_OPTIONS
    part_options = frozenset({"carried"})

    def validate(self, question: QuestionSpec) -> list[str]:
        problems = _exception_problems(question)
        conventions = question.options.get("conventions", ())
        if not isinstance(conventions, (list, tuple)) or not all(
            isinstance(c, str) for c in conventions
        ):
            problems.append(f"{question.where}.conventions: a list of convention names")
        if "solver" not in question.options:
            local = {p.id for p in question.parts}
            return problems + [p for part in question.parts for p in validate_carry(part, local)]
        for part in question.parts:
            if part.scored and part.check != "numeric":
                problems.append(
                    f"{part.where}.check: a chain with a `solver:` has numeric parts only "
                    "(leave `solver:` out to chain any parts)"
                )
            if "carried" in part.options:
                problems.append(f"{part.where}.carried: the chain's solver recomputes parts")
        return problems

    def prepare(self, question: QuestionSpec, env: PrepareEnv) -> PreparedQuestion:
        if "solver" not in question.options:
            return prepare_flow(question, env)
        where = question.where
        solver = env.solver(str(question.options["solver"]), f"{where}.solver")(env.rubric.data)
        conventions = tuple(
            str(c) for c in question.options.get("conventions") or solver.conventions
        )
        problems = [
            f"{where}.conventions: {c!r} is not a convention of the solver"
            f" ({', '.join(solver.conventions)})"
            for c in conventions
            if c not in solver.conventions
        ]
        problems += [
            f"{p.where}: the solver has no part {p.id!r} (it has {', '.join(solver.parts)})"
            for p in question.parts
            if p.scored and p.id not in solver.parts
        ]
        if problems:
            raise RubricError(problems)
        base = question.options.get("tolerance")
        tolerances = {
            p.id: tolerance_from(
                p.options.get("tolerance", base), env.rubric.tolerances, f"{p.where}.tolerance"
            )
            for p in question.parts
            if p.scored
        }
        synonyms = {
            str(k): str(v) for k, v in (question.options.get("convention_synonyms") or {}).items()
        }
        chain = PreparedChain(
            question,
            solver,
            env.rubric.data,
            conventions,
            synonyms,
            tolerances,
            bool(question.options.get("carried", True)),
            env.rubric.rounding,
            exceptions_of(question),
        )
        return _checked_shapes(chain)


def exceptions_of(question: QuestionSpec) -> tuple[str, ...]:
    """The question's carried-credit exceptions (default: all_zeros)."""
    return tuple(str(e) for e in question.options.get("carry_exceptions", ("all_zeros",)))


def _exception_problems(question: QuestionSpec) -> list[str]:
    raw = question.options.get("carry_exceptions", ())
    if not isinstance(raw, (list, tuple)) or any(e not in CARRY_EXCEPTIONS for e in raw):
        return [f"{question.where}.carry_exceptions: a list of {', '.join(CARRY_EXCEPTIONS)}"]
    return []


def _checked_shapes(chain: PreparedChain) -> PreparedChain:
    """The rubric's `shapes:` must include the solver's shape under every convention."""
    problems = [
        f"{p.where}.shapes: {shape_list(p.shapes)} do not include the solver's "
        f"{describe_shape(chain.keys[c][p.id].shape)} ({c})"
        for c in chain.conventions
        for p in chain.numeric
        if p.shapes and tuple(chain.keys[c][p.id].shape) not in p.shapes
    ]
    if problems:
        raise RubricError(problems)
    return chain
