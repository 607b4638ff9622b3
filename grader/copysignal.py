"""The copy signal: a sheet whose numbers fit another student's variant far better than its own.

With variants every student computes with their own numbers, so a sheet whose values earn far
more when graded on a classmate's numbers (or the printed sheet's) than on the student's own was,
most likely, worked on someone else's numbers. Such a row is flagged (`fits_other_variant`)
with a staff message naming the other student and the evidence; it is never re-marked, and a
person decides.

The fit of a sheet to a variant is what grading says: the share of the points of the parts it
answered in the questions that depend on the variant that the sheet earns against that
variant's numbers, conventions and carried errors included (so a copy of a classmate's slipped,
carried pass still fits them).
Grading a sheet against every classmate would cost a class squared, so only sheets that do
badly on their own numbers are looked at, and only against candidates whose key shares with
the sheet at least MIN_MATCHES non-zero entries, a quarter of them, and MATCH_RATIO times as
many as the sheet's own key (a ReLU zero is the same in every variant and proves nothing; a
few chance coincidences within the tolerance happen in a large class). "Far better" is then
MIN_GAIN more of the answered parts' points, and at least MIN_FIT of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from grader.checkers.arrays import orient
from grader.checkers.prepare import PreparedRubric
from grader.checkers.steps import NumericKeys, sheet_arrays
from grader.checkers.variants import PreparedVariants
from grader.model import (
    GradedSubmission,
    Location,
    Message,
    Outcome,
    RawAnswer,
    Reason,
    Severity,
    Status,
    Submission,
    frozen_mapping,
)
from grader.numeric import Tolerance, compare_arrays
from grader.rubric.draw import Variant

MIN_MATCHES = 6  # non-zero key entries a candidate must share with the sheet to be graded
MATCH_RATIO = 3  # ... and at least this many times as many as the sheet's own key shares
MIN_SHARED = 0.25  # ... and this share of the sheet's entries (6 of 47 happens by chance)
MIN_FIT = 0.6  # share of the points the sheet must earn on the other student's numbers
MIN_GAIN = 0.2  # and by how much more than on its own
SIGNAL_DETAIL = "copy_signal"  # GradedSubmission.detail: the evidence
PRINTED_SHEET = "the printed sheet"
# What a sheet is judged on: the parts it answered (a half-done copy is still a copy).
ANSWERED = frozenset(o for o in Outcome if o not in (Outcome.MISSING,))

Arrays = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Fit:
    """How many of a sheet's entries (with a non-zero key value) one variant explains."""

    matched: int
    entries: int

    @property
    def share(self) -> float:
        """matched / entries (0 without entries)."""
        return self.matched / self.entries if self.entries else 0.0

    def __str__(self) -> str:
        return f"{self.matched} of {self.entries} entries"


@dataclass(frozen=True)
class Score:
    """The points a sheet earns in the variant-dependent parts it answered, out of theirs."""

    points: float
    max_points: float

    @property
    def share(self) -> float:
        """points / max_points (0 without points to earn)."""
        return self.points / self.max_points if self.max_points else 0.0

    def __str__(self) -> str:
        return f"{self.points:g} of {self.max_points:g} points"


@dataclass(frozen=True)
class Signal:
    """A sheet that fits another variant far better than its own."""

    own: Score
    other: str  # a student id, or PRINTED_SHEET
    label: str  # the other variant's label
    score: Score
    fit: Fit  # the entries of the sheet equal to the other variant's key


def fit(
    arrays: Arrays, keys: Mapping[str | None, Arrays], parts: Mapping[str, bool], tol: Tolerance
) -> Fit:
    """The best fit of the sheet's arrays to one variant's keys over the conventions."""
    fits = [_fit_one(arrays, key, parts, tol) for key in keys.values()]
    return max(fits, key=lambda f: (f.share, f.entries), default=Fit(0, 0))


def _fit_one(
    arrays: Arrays, key: Mapping[str, np.ndarray], parts: Mapping[str, bool], tolerance: Tolerance
) -> Fit:
    matched = entries = 0
    for answer_id, array in arrays.items():
        reference = key.get(answer_id)
        if reference is None:
            continue
        oriented, _ = orient(array, reference.shape, parts[answer_id])
        if oriented is None:
            continue
        counted = reference != 0
        matched += int(np.sum(compare_arrays(oriented, reference, tolerance) & counted))
        entries += int(np.sum(counted))
    return Fit(matched, entries)


def _poor(own: Score) -> bool:
    """Whether a sheet does so badly on its own numbers that another variant could fit it far
    better."""
    return own.max_points > 0 and own.share <= 1 - MIN_GAIN + 1e-9


def own_score(row: GradedSubmission, dependent: frozenset[str]) -> Score:
    """The row's automatic points in the variant-dependent questions (a TA's score aside)."""
    points = max_points = 0.0
    for part in row.parts:
        if part.question in dependent and part.max_points > 0 and part.outcome in ANSWERED:
            automatic = part.detail.get("automatic_points", part.points)
            points += float(automatic) if isinstance(automatic, (int, float)) else part.points
            max_points += part.max_points
    return Score(points, max_points)


def graded_score(
    prepared: PreparedRubric, answers: Mapping[str, RawAnswer], dependent: frozenset[str]
) -> Score | None:
    """The sheet's points in the dependent questions graded against `prepared`'s numbers; None
    when one of them needs jobs (expensive checks only run for the student's own numbers)."""
    points = max_points = 0.0
    for qid in sorted(dependent):
        question = prepared.questions[qid]
        if question.requests(answers):
            return None
        for part in question.grade(answers, {}).parts:
            if part.outcome in ANSWERED:
                points += part.points
                max_points += part.max_points
    return Score(points, max_points)


class Candidates:
    """Every candidate variant's key, stacked per convention and part, so that a sheet is
    compared with the whole class in one array operation per part."""

    def __init__(self, keys: NumericKeys, candidates: Sequence[tuple[str, Variant]]) -> None:
        self.keys = keys
        self.names = [name for name, _ in candidates]
        self.variants = [variant for _, variant in candidates]
        per_variant = [keys.of(v) for v in self.variants]
        self.stacks: dict[str | None, dict[str, np.ndarray]] = {}
        for convention in keys.conventions:
            stacked = {}
            for answer_id in keys.parts:
                arrays = [k[convention].get(answer_id) for k in per_variant]
                shapes = {a.shape for a in arrays if a is not None}
                if len(shapes) == 1 and all(a is not None for a in arrays):
                    stacked[answer_id] = np.stack(arrays)  # type: ignore[arg-type]
            self.stacks[convention] = stacked

    def shared(self, arrays: Arrays, tol: Tolerance) -> tuple[np.ndarray, np.ndarray]:
        """Per candidate: the sheet's entries equal to its key (non-zero key entries only) and
        the number of such entries, under the convention with the best share."""
        best_matched = np.zeros(len(self.names), dtype=int)
        best_entries = np.zeros(len(self.names), dtype=int)
        best_share = np.full(len(self.names), -1.0)
        for stacked in self.stacks.values():
            matched = np.zeros(len(self.names), dtype=int)
            entries = np.zeros(len(self.names), dtype=int)
            for answer_id, stack in stacked.items():
                array = arrays.get(answer_id)
                oriented = None if array is None else orient(
                    array, stack.shape[1:], self.keys.parts[answer_id])[0]  # fmt: skip
                if oriented is None:
                    continue
                counted = stack != 0
                ok = compare_arrays(np.broadcast_to(oriented, stack.shape), stack, tol) & counted
                axes = tuple(range(1, stack.ndim))
                matched += ok.sum(axis=axes)
                entries += counted.sum(axis=axes)
            share = np.divide(matched, entries, out=np.zeros(len(self.names)), where=entries > 0)
            better = share > best_share
            best_matched = np.where(better, matched, best_matched)
            best_entries = np.where(better, entries, best_entries)
            best_share = np.maximum(share, best_share)
        return best_matched, best_entries


def find_signal(
    sub: Submission, own: Score, candidates: Candidates, tolerance: Tolerance
) -> Signal | None:
    """The other variant on whose numbers the sheet scores far better than on its own."""
    if not _poor(own):
        return None
    keys = candidates.keys
    arrays = sheet_arrays(sub.answers, keys.parts)
    mine = fit(arrays, keys.of(keys.variants.variant_of(sub.student_id)), keys.parts, tolerance)
    matched, entries = candidates.shared(arrays, tolerance)
    best: Signal | None = None
    floor = max(MIN_MATCHES, MATCH_RATIO * mine.matched)
    enough = np.maximum(np.ceil(MIN_SHARED * entries), floor)
    for index in np.flatnonzero(matched >= enough):
        name, variant = candidates.names[index], candidates.variants[index]
        if name == sub.student_id:
            continue
        score = graded_score(keys.variants.prepared(variant), sub.answers, keys.variants.dependent)
        if score is None or score.share < MIN_FIT or score.share - own.share < MIN_GAIN:
            continue
        shared = Fit(int(matched[index]), int(entries[index]))
        if best is None or (score.share, shared.share) > (best.score.share, best.fit.share):
            best = Signal(own, name, variant.label, score, shared)
    return best


def flag_copies(
    variants: PreparedVariants,
    submissions: Sequence[Submission],
    rows: Sequence[GradedSubmission],
) -> tuple[list[GradedSubmission], list[Message]]:
    """Rows flagged where the sheet fits another student's variant (or the printed sheet's)
    far better than its own, and one staff message per flag naming the other student."""
    if not variants.enabled:
        return list(rows), []
    keys = NumericKeys(variants)
    tolerance = keys.tolerance()
    by_source = {s.source: s for s in submissions if s.readable}
    students = sorted({r.student_id for r in rows})
    candidates: Candidates | None = None  # built when a sheet first needs them
    out, staff = [], []
    for row in rows:
        sub = by_source.get(row.source)
        own = own_score(row, variants.dependent)
        if sub is None or row.status in (Status.UNREADABLE, Status.MISSING) or not _poor(own):
            out.append(row)
            continue
        if candidates is None:
            everyone = [(PRINTED_SHEET, variants.default)]
            everyone += [(s, variants.variant_of(s)) for s in students]
            candidates = Candidates(keys, everyone)
        signal = find_signal(sub, own, candidates, tolerance)
        if signal is None:
            out.append(row)
            continue
        out.append(_flagged(row, signal))
        staff.append(_message(row, signal))
    return out, staff


def _flagged(row: GradedSubmission, signal: Signal) -> GradedSubmission:
    evidence = frozen_mapping({
        "fits": signal.other, "variant": signal.label,
        "points": signal.score.points, "own_points": signal.own.points,
        "max_points": signal.score.max_points,
        "matched": signal.fit.matched, "entries": signal.fit.entries,
    })  # fmt: skip
    detail = frozen_mapping({**row.detail, SIGNAL_DETAIL: evidence})
    return replace(row, flags=row.flags + (Reason.FITS_OTHER_VARIANT,), detail=detail)


def _message(row: GradedSubmission, signal: Signal) -> Message:
    if signal.other == PRINTED_SHEET:
        whose = "the printed sheet's numbers"
    else:
        whose = f"the numbers of student {signal.other!r} (variant {signal.label})"
    return Message(
        Severity.WARNING,
        f"the numeric answers of {row.student_id!r} earn {signal.score} on {whose} but "
        f"{signal.own.points:g} on their own ({signal.fit} equal to that key): a possible copy, "
        "not re-marked; for a person to judge",
        Location(row.source),
        Reason.FITS_OTHER_VARIANT,
    )
