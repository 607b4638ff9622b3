"""Staff only: the signals that a sheet may not be its student's own work, for a person to judge.

Two signals, both shown only when each student has their own numbers (a class that shares one
set of numbers shares its common slips too, and its report stays as it was):

- sheets whose numbers fit another student's variant, or the printed sheet's, far better than
  their own (`grader.copysignal`), with the evidence;
- identical unusual wrong answers: the same wrong numbers (at 3 significant figures) or the
  same wrong expression (as read) in the same part, handed in by 2 to a few students. A mistake
  the rubric declares, an unreadable answer and an answer whose entries are all one value (all
  zeros) are common and prove nothing; so does a group larger than a tenth of the class.

Neither is a finding: students may have worked together honestly or met the same tutor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.copysignal import SIGNAL_DETAIL
from grader.gradebook.tables import variant_label
from grader.gradebook.text import one_line
from grader.model import AssignmentInfo, GradedSubmission, PartScore
from grader.report.groups import (
    MAX_LABEL_CHARS,
    AnswerKey,
    GroupKind,
    is_wrong,
    symbolic_key,
    value_key,
)

MIN_STUDENTS = 2
MAX_SHARE = 0.10  # a group of more than this share of the class is a common mistake
MIN_CAP = 3  # ... but a small class may always show groups of up to 3
SHARED_KINDS = frozenset({GroupKind.VALUE, GroupKind.EXPRESSION, GroupKind.TEXT})
_ENTRY = re.compile(r"[^\[\],\s]+")


def _clip(text: str) -> str:
    line = one_line(text)
    return line if len(line) <= MAX_LABEL_CHARS else line[: MAX_LABEL_CHARS - 1] + "\u2026"


@dataclass(frozen=True)
class Holder:
    """One student who handed in a shared answer."""

    student_id: str
    variant: str
    source: str


@dataclass(frozen=True)
class SharedAnswer:
    """One wrong answer shared by several students in one part."""

    answer_id: str
    key: AnswerKey
    example: str
    holders: tuple[Holder, ...]


@dataclass(frozen=True)
class CopyFit:
    """A sheet flagged by the copy signal, with its evidence."""

    student_id: str
    source: str
    fits: str  # a student id, or the printed sheet
    variant: str
    points: float  # earned in the answered variant-dependent parts on the other's numbers
    own_points: float  # ... on the student's own
    max_points: float
    matched: int  # entries equal to the other's key
    entries: int


@dataclass(frozen=True)
class StaffSignals:
    """The staff-only section of the report."""

    copies: tuple[CopyFit, ...]
    shared: tuple[SharedAnswer, ...]


def _key(kind: str, part: PartScore) -> AnswerKey | None:
    if kind == "numeric":
        key = value_key(part)  # the raw numbers: equal wrong numbers are the evidence here
    elif kind == "symbolic":
        key = symbolic_key(part)
    else:
        return None
    if key.kind not in SHARED_KINDS or not key.label:
        return None
    if kind == "numeric" and len(set(_ENTRY.findall(key.label))) <= 1:
        return None  # every entry one value (all zeros): no evidence of anything
    return key


def shared_wrong_answers(
    info: AssignmentInfo, rows: Sequence[GradedSubmission]
) -> tuple[SharedAnswer, ...]:
    """The identical unusual wrong answers of `rows` (read rows, stable order), by part."""
    students = len({row.student_id for row in rows})
    cap = max(MIN_CAP, int(MAX_SHARE * students))
    found: list[SharedAnswer] = []
    for slot in info.slots():
        groups: dict[AnswerKey, list[tuple[GradedSubmission, PartScore]]] = {}
        for row in rows:
            part = next((p for p in row.parts if p.answer_id == slot.answer_id), None)
            if part is None or not is_wrong(part):
                continue
            key = _key(slot.kind, part)
            if key is not None:
                groups.setdefault(key, []).append((row, part))
        for key, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0].label)):
            ids = {row.student_id for row, _ in members}
            if MIN_STUDENTS <= len(ids) <= cap:
                holders = tuple(
                    Holder(row.student_id, variant_label(row) or "", row.source)
                    for row, _ in members
                )
                found.append(
                    SharedAnswer(slot.answer_id, key, _clip(members[0][1].answer_text or ""),
                                 holders)  # fmt: skip
                )
    return tuple(found)


def copy_fits(rows: Sequence[GradedSubmission]) -> tuple[CopyFit, ...]:
    """The rows the copy signal flagged, with its evidence."""
    out = []
    for row in rows:
        evidence = row.detail.get(SIGNAL_DETAIL)
        if not isinstance(evidence, Mapping):
            continue
        def number(key: str, found: Mapping[str, object] = evidence) -> float:
            value = found.get(key)
            return float(value) if isinstance(value, (int, float)) else 0.0

        out.append(
            CopyFit(row.student_id, row.source, str(evidence.get("fits", "")),
                    str(evidence.get("variant", "")), number("points"), number("own_points"),
                    number("max_points"), int(number("matched")), int(number("entries")))
        )  # fmt: skip
    return tuple(out)


def staff_signals(info: AssignmentInfo, rows: Sequence[GradedSubmission]) -> StaffSignals | None:
    """The staff-only section, or None for a class without per-student numbers."""
    if not info.variants:
        return None
    return StaffSignals(copy_fits(rows), shared_wrong_answers(info, rows))
