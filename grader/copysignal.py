"""The copy signal: a sheet whose numbers fit another student's variant far better than its own.

With variants every student computes with their own numbers, so a sheet whose Exercise-2 values
match a classmate's key (or the printed sheet's) and not the student's own was, most likely,
worked on someone else's numbers. Such a row is flagged (`fits_other_variant`) with a staff
message naming the other student and the evidence; it is never re-marked, and a person decides.

The fit of a sheet to a variant is the share of its numeric entries in the questions that
depend on the variant that lie within the rubric's default tolerance of that variant's key
(best convention). Entries whose key value is 0 are left out: a ReLU zero is the same in every
variant and proves nothing. Only sheets that fit their own numbers poorly are compared with the
others, so a class that worked honestly costs one comparison per sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from grader.checkers.arrays import orient
from grader.checkers.steps import NumericKeys, sheet_arrays
from grader.checkers.variants import PreparedVariants
from grader.model import (
    GradedSubmission,
    Location,
    Message,
    Reason,
    Severity,
    Status,
    Submission,
    frozen_mapping,
)
from grader.numeric import Tolerance, compare_arrays
from grader.rubric.draw import Variant

MIN_ENTRIES = 8  # non-zero key entries a sheet must have answered to be judged at all
MIN_FIT = 0.75  # share of entries the other variant must explain
MIN_GAIN = 0.5  # and by how much more than the student's own numbers
SIGNAL_DETAIL = "copy_signal"  # GradedSubmission.detail: the evidence
PRINTED_SHEET = "the printed sheet"

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
class Signal:
    """A sheet that fits another variant far better than its own."""

    own: Fit
    other: str  # a student id, or PRINTED_SHEET
    label: str  # the other variant's label
    fit: Fit


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


def _poor(own: Fit) -> bool:
    """Whether a sheet fits its own numbers so badly that another variant could fit it far
    better (and there are enough entries to tell)."""
    return own.entries >= MIN_ENTRIES and own.share <= 1 - MIN_GAIN


def find_signal(
    own: Fit, arrays: Arrays, others: Sequence[tuple[str, Variant]], keys: NumericKeys,
    tolerance: Tolerance,
) -> Signal | None:  # fmt: skip
    """The other variant that explains the sheet far better than its own, if any."""
    if not _poor(own):
        return None
    best: Signal | None = None
    for name, variant in others:
        candidate = fit(arrays, keys.of(variant), keys.parts, tolerance)
        if candidate.entries < MIN_ENTRIES or candidate.share < MIN_FIT:
            continue
        if candidate.share - own.share < MIN_GAIN:
            continue
        if best is None or candidate.share > best.fit.share:
            best = Signal(own, name, variant.label, candidate)
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
    candidates: list[tuple[str, Variant]] = []  # drawn when a sheet first needs them
    out, staff = [], []
    for row in rows:
        sub = by_source.get(row.source)
        if sub is None or row.status in (Status.UNREADABLE, Status.MISSING):
            out.append(row)
            continue
        arrays = sheet_arrays(sub.answers, keys.parts)
        own = fit(arrays, keys.of(variants.variant_of(row.student_id)), keys.parts, tolerance)
        if _poor(own) and not candidates:
            candidates = [(PRINTED_SHEET, variants.default)]
            candidates += [(s, variants.variant_of(s)) for s in students]
        others = [(name, v) for name, v in candidates if name != row.student_id]
        signal = find_signal(own, arrays, others, keys, tolerance)
        if signal is None:
            out.append(row)
            continue
        out.append(_flagged(row, signal))
        staff.append(_message(row, signal))
    return out, staff


def _flagged(row: GradedSubmission, signal: Signal) -> GradedSubmission:
    evidence = frozen_mapping({
        "fits": signal.other, "variant": signal.label,
        "matched": signal.fit.matched, "entries": signal.fit.entries,
        "own_matched": signal.own.matched, "own_entries": signal.own.entries,
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
        f"the numeric answers of {row.student_id!r} fit {whose} ({signal.fit}) far better than "
        f"their own ({signal.own}): a possible copy, not re-marked; for a person to judge",
        Location(row.source),
        Reason.FITS_OTHER_VARIANT,
    )
