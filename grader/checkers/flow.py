"""`grader: chain` without a chain solver: any parts (symbolic, numeric, ...) in one chain,
with or without conventions, with error carried forward declared part by part.

Each part is prepared by its own checker, as in `grader: parts`. A numeric part may declare
`carried: {from: [upstream parts], recompute: solver_function}`: when it is not right against
the key, its entries are also compared with `recompute(data, given)`, the value recomputed from
the student's OWN upstream answers (`given[id]`: a float array for a numeric upstream, a
:class:`grader.references.StudentExpression` for a symbolic one, None when the upstream gives
nothing usable). A slip is then penalised once, where it happens. The question's
`carry_exceptions` say which upstream answers carry nothing (default `[all_zeros]`: a blank
attempt must not make the next part trivial).

With `conventions:`, every solver function of the question sees the rubric's data plus
`convention: <name>`; a student who names a convention (the question's choice part) is marked
against it, otherwise against the one that gives the highest score (ties: the rubric's order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.checkers.arrays import orient, read_answer
from grader.checkers.base import (
    Answers,
    Job,
    PreparedPart,
    PreparedQuestion,
    PrepareEnv,
    QuestionResult,
    answer_text,
    part_score,
)
from grader.checkers.choice import normalise_choice
from grader.checkers.expressions import StudentExpressionValue
from grader.checkers.numeric import PreparedNumeric, entry_result
from grader.checkers.symbolic import PreparedSymbolic
from grader.model import CheckResult, Outcome, PartScore, Reason, frozen_mapping
from grader.numeric import compare_arrays
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec, QuestionSpec

CARRY_EXCEPTIONS = ("all_zeros", "constant")
NO_CONVENTION = ""


def carries(values: np.ndarray | None, exceptions: tuple[str, ...]) -> bool:
    """Whether an upstream part's values may carry credit downstream: there are values and no
    carried-credit exception of the question applies (`all_zeros`, `constant`)."""
    if values is None or values.size == 0:
        return False
    if "all_zeros" in exceptions and not np.any(values):
        return False
    constant = values.size > 1 and bool(np.all(values == values.flat[0]))
    return not ("constant" in exceptions and constant)


@dataclass(frozen=True)
class Carry:
    """A part's carried-credit rule: its upstream parts and the recompute function."""

    upstream: tuple[str, ...]
    recompute: Callable[..., Any]


def validate_carry(part: PartSpec, local_ids: set[str]) -> list[str]:
    """Problems of a part's `carried:` entry (structure only)."""
    raw = part.options.get("carried")
    if raw is None:
        return []
    where = f"{part.where}.carried"
    if not isinstance(raw, Mapping) or set(raw) != {"from", "recompute"}:
        return [f"{where}: a mapping with `from: [parts]` and `recompute: solver_function`"]
    problems = []
    if part.check != "numeric":
        problems.append(f"{where}: carried credit is given to numeric parts")
    ups = raw["from"]
    if not isinstance(ups, (list, tuple)) or not ups:
        return [*problems, f"{where}.from: a non-empty list of part ids of this question"]
    problems += [f"{where}.from: {u!r} is no part of this question"
                 for u in ups if u not in local_ids or u == part.id]  # fmt: skip
    return problems


class PreparedFlow(PreparedQuestion):
    """A chain of any parts: prepared parts per convention, carried-credit rules by part."""

    def __init__(
        self,
        spec: QuestionSpec,
        parts: Mapping[str, Mapping[str, PreparedPart]],
        carries: Mapping[str, Carry],
        data: Mapping[str, Mapping[str, Any]],
        synonyms: Mapping[str, str],
        exceptions: tuple[str, ...],
        places: int,
    ) -> None:
        super().__init__(spec)
        self.parts = parts  # convention ("" without conventions) -> part id -> prepared part
        self.carries = carries
        self.data = data
        self.conventions = tuple(parts)
        self.synonyms = synonyms
        self.exceptions = exceptions
        self.places = places
        self.choice = next((p for p in spec.parts if p.kind == "choice"), None)

    # ----- jobs: each convention's parts ask for their own, tagged with the convention -----
    def requests(self, answers: Answers) -> tuple[Job, ...]:
        return tuple(
            Job(self.spec.id, pid, (convention, job.payload))
            for convention, parts in self.parts.items()
            for pid, part in parts.items()
            for job in part.requests(answers)
        )

    def execute(self, job: Job) -> CheckResult:
        convention, payload = job.payload
        inner = Job(job.question, job.part, payload)  # type: ignore[arg-type]
        return self.parts[str(convention)][job.part].execute(inner)

    def _view(
        self, convention: str, answers: Answers, results: Mapping[Job, CheckResult]
    ) -> dict[Job, CheckResult]:
        view = {}
        for pid, part in self.parts[convention].items():
            for job in part.requests(answers):
                view[job] = results[Job(self.spec.id, pid, (convention, job.payload))]
        return view

    # ----- grading -----
    def grade(self, answers: Answers, results: Mapping[Job, CheckResult]) -> QuestionResult:
        named = self._named(answers)
        candidates = (named,) if named else self.conventions
        best: tuple[float, str, list[PartScore]] | None = None
        for convention in candidates:
            scores = self._score(convention, answers, results)
            total = sum(s.points for s in scores)
            if best is None or total > best[0] + 1e-9:
                best = (total, convention, scores)
        if best is None:
            raise RubricError([f"{self.spec.where}: no parts to grade"])
        _, convention, scores = best
        if convention == NO_CONVENTION:
            return QuestionResult(tuple(scores))
        why = "you named it" if named else "it gives your highest score; you did not name one"
        note = f"Marked against the {convention} convention ({why})."
        scores = [
            replace(s, feedback=(note, *s.feedback),
                    detail=frozen_mapping({**s.detail, "convention": convention}))
            for s in scores
        ]  # fmt: skip
        detail = frozen_mapping({"convention": convention, "named": bool(named)})
        return QuestionResult(tuple(scores), detail)

    def _named(self, answers: Answers) -> str | None:
        if self.choice is None or self.conventions == (NO_CONVENTION,):
            return None
        answer = answers.get(self.choice.answer_id)
        return normalise_choice(answer.value if answer else None, self.conventions, self.synonyms)

    def _score(
        self, convention: str, answers: Answers, results: Mapping[Job, CheckResult]
    ) -> list[PartScore]:
        view = self._view(convention, answers, results)
        parts = self.parts[convention]
        decided = {pid: part.decide(answers, view) for pid, part in parts.items()}
        scores = []
        for spec in self.spec.parts:
            if not spec.scored:
                continue
            result = decided[spec.id]
            carry = self.carries.get(spec.id)
            if carry is not None and result.fraction < 1:
                result = self._carried(spec, carry, convention, answers, decided, result)
            text = answer_text(answers.get(spec.answer_id))
            scores.append(part_score(spec, result, text, self.places))
        return scores

    # ----- error carried forward -----
    def _carried(
        self,
        spec: PartSpec,
        carry: Carry,
        convention: str,
        answers: Answers,
        decided: Mapping[str, CheckResult],
        result: CheckResult,
    ) -> CheckResult:
        part = self.parts[convention][spec.id]
        if not isinstance(part, PreparedNumeric):
            return result
        student = self._values(spec.id, convention, answers)
        if student is None:
            return result
        given = {u: self._given(u, convention, answers) for u in carry.upstream}
        wrong = [u for u in carry.upstream
                 if given[u] is not None and decided[u].outcome is not Outcome.CORRECT]  # fmt: skip
        if not wrong:
            return result
        expected = self._recompute(carry, convention, given)
        if expected is None or expected.shape != student.shape:
            return result
        ok_key = compare_arrays(student, part.reference, part.tol)
        matches = compare_arrays(student, expected, part.tol)
        carried = matches & ~ok_key
        if not carried.any():
            return result
        ok = ok_key | matches
        base = entry_result(ok, part.tol, False)
        return CheckResult(
            fraction=base.fraction,
            outcome=Outcome.CARRIED if ok.all() else Outcome.PARTIAL,
            method=base.method,
            reasons=(*base.reasons, Reason.CARRIED_FORWARD),
            feedback=(
                *base.feedback,
                f"{int(carried.sum())} value(s) are correct given your {', '.join(wrong)}.",
            ),
            detail=frozen_mapping({"carried_from": tuple(wrong), "carried": int(carried.sum())}),
        )

    def _values(self, pid: str, convention: str, answers: Answers) -> np.ndarray | None:
        """A numeric part's answer oriented like its reference, or None."""
        part = self.parts[convention][pid]
        if not isinstance(part, PreparedNumeric):
            return None
        read = read_answer(answers.get(part.spec.answer_id))
        if read.array is None:
            return None
        array, _ = orient(read.array, part.reference.shape, part.either)
        return array

    def _given(self, pid: str, convention: str, answers: Answers) -> Any:
        """What an upstream part hands to `recompute`: values, an expression, or None."""
        part = self.parts[convention][pid]
        if isinstance(part, PreparedSymbolic):
            answer = answers.get(part.spec.answer_id)
            text = answer.value if answer is not None else None
            return StudentExpressionValue.read(text, part.context)
        values = self._values(pid, convention, answers)
        return values if carries(values, self.exceptions) else None

    def _recompute(self, carry: Carry, convention: str, given: Mapping[str, Any]) -> Any:
        # Student values can make any step blow up (overflow, NaN): no carried credit then.
        with np.errstate(all="ignore"):
            try:
                value = np.asarray(carry.recompute(self.data[convention], given), dtype=float)
            except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
                return None
        return value if np.all(np.isfinite(value)) else None

    def key(self, convention: str | None) -> dict[str, Any]:
        chosen = convention or self.conventions[0]
        if chosen not in self.parts:
            raise RubricError(
                [f"unknown convention {chosen!r}; valid: {', '.join(self.conventions)}"]
            )
        out: dict[str, Any] = {}
        if self.choice is not None and chosen != NO_CONVENTION:
            out[self.choice.answer_id] = chosen
        for spec in self.spec.parts:
            if spec.scored:
                out[spec.answer_id] = self.parts[chosen][spec.id].key_value(chosen)
        return out


def prepare_flow(question: QuestionSpec, env: PrepareEnv) -> PreparedFlow:
    """Prepare every part once per convention (data gains `convention:`); RubricError lists
    every problem."""
    conventions = tuple(str(c) for c in question.options.get("conventions") or ()) or (
        NO_CONVENTION,
    )
    problems: list[str] = []
    parts: dict[str, dict[str, PreparedPart]] = {}
    data: dict[str, Mapping[str, Any]] = {}
    for convention in conventions:
        local = env.rubric.data
        if convention != NO_CONVENTION:
            local = frozen_mapping({**env.rubric.data, "convention": convention})
        data[convention] = local
        scoped = replace(env, rubric=replace(env.rubric, data=local))
        parts[convention] = {}
        for part in question.parts:
            try:
                parts[convention][part.id] = env.checkers[part.check].prepare(part, scoped)
            except RubricError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
    carries = {}
    for part in question.parts:
        raw = part.options.get("carried")
        if isinstance(raw, Mapping):
            try:
                fn = env.solver(str(raw["recompute"]), f"{part.where}.carried.recompute")
                carries[part.id] = Carry(tuple(str(u) for u in raw["from"]), fn)
            except RubricError as exc:
                problems.extend(exc.problems)
    exceptions = tuple(str(e) for e in question.options.get("carry_exceptions", ("all_zeros",)))
    if problems:
        raise RubricError(problems)
    synonyms = {
        str(k): str(v) for k, v in (question.options.get("convention_synonyms") or {}).items()
    }
    return PreparedFlow(
        question, parts, carries, data, synonyms, exceptions, env.rubric.rounding
    )

