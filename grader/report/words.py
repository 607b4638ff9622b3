"""Words and number formats the Markdown and HTML reports share (plain text, not yet escaped)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from grader.gradebook.numbers import format_points
from grader.model import Outcome, Status
from grader.report.bins import Bin
from grader.report.groups import MAX_GROUPS, SIG_FIGS, AnswerGroup, GroupKind
from grader.report.shared import CopyFit

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
REPORT_PNG = "report-totals.png"
PNG_ALT = "Histogram of the totals"
NO_PLOTS = "(No histogram image: install the `plots` extra, `pip install 'grader[plots]'`.)"
NOT_AVAILABLE = "n/a"

STATUS_LABELS: Mapping[Status, str] = MappingProxyType({
    Status.GRADED: "graded",
    Status.NEEDS_REVIEW: "needs review",
    Status.UNREADABLE: "unreadable",
    Status.MISSING: "missing",
})  # fmt: skip

OUTCOME_LABELS: Mapping[Outcome, str] = MappingProxyType({
    Outcome.CORRECT: "correct",
    Outcome.PARTIAL: "partial",
    Outcome.CARRIED: "carried",
    Outcome.INCORRECT: "incorrect",
    Outcome.MISSING: "missing",
    Outcome.UNPARSEABLE: "unparseable",
    Outcome.NEEDS_REVIEW: "needs review",
    Outcome.OVERRIDDEN: "overridden",
    Outcome.INTERNAL_ERROR: "internal error",
})  # fmt: skip

KIND_LABELS: Mapping[GroupKind, str] = MappingProxyType({
    GroupKind.MISTAKE: "mistake",
    GroupKind.EXPRESSION: "read as",
    GroupKind.VALUE: f"at {SIG_FIGS} significant figures",
    GroupKind.TEXT: "answer",
    GroupKind.UNREADABLE: "could not be read",
    GroupKind.STEP: "wrong step",
})  # fmt: skip

TOTALS_NOTE = (
    "Totals, parts and conventions cover the submissions that were read "
    "(graded or needing review); unreadable and missing ones are only counted."
)
GROUPS_NOTE = (
    "Wrong, partly wrong and unreadable answers, grouped after normalisation: symbolic answers "
    f"by the recognised mistake or the expression as read, numeric answers at {SIG_FIGS} "
    "significant figures. Correct, carried, missing, provisional and free-text answers are left "
    f"out; at most {MAX_GROUPS} groups per part, each with one example."
)

CONVENTIONS_NOTE = "Which convention each student was marked against, and whether they named it."
STEPS_NOTE = (
    "Every student has their own numbers: a wrong numeric answer is grouped by the step that went "
    "wrong, i.e. how its values deviate from that student's own key (sign flipped, 0 where the "
    "value is not, one common factor, ...), not by the numbers themselves."
)
STAFF_TITLE = "Staff only: signals for a person to judge"
STAFF_NOTE = (
    "These are signals, not findings: students may have worked together honestly, used the same "
    "tutor, or made the same slip by chance. Nothing here changed any mark. Do not share this "
    "section with students: it names them."
)
COPIES_TITLE = "Numbers that fit another student's, not their own"
SHARED_TITLE = "Identical unusual wrong answers"
NO_SIGNALS = "none"


def points(value: float | None) -> str:
    """A points value as the gradebook writes it at 2 decimals (the report's means and
    medians are statistics, not stored points), or n/a (none, or not a finite number)."""
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return NOT_AVAILABLE
    return format_points(value, places=2)


def bin_range(item: Bin) -> str:
    """`[low, high)`, or `[low, high]` for the last bin."""
    return f"[{points(item.low)}, {points(item.high)}{']' if item.closed else ')'}"


def group_title(group: AnswerGroup) -> str:
    """What the answers of a group share, in words: "mistake: sign", "read as: a * b"."""
    kind = KIND_LABELS[group.key.kind]
    return f"{kind}: {group.key.label}" if group.key.label else kind


def copy_line(copy: CopyFit) -> str:
    """The evidence of one sheet the copy signal flagged (text, escaped by the renderer)."""
    if copy.fits == "the printed sheet":
        whose = "the printed sheet's numbers"
    else:
        whose = f"the numbers of student {copy.fits} (variant {copy.variant})"
    return (f"earns {points(copy.points)} of {points(copy.max_points)} points on {whose}, "
            f"{points(copy.own_points)} on its own; {copy.matched} of {copy.entries} entries "
            "equal to that key")  # fmt: skip


def variant_note(variant: str) -> str:
    """"(variant v1a2b3c4d)" to follow a student id, or nothing without a variant."""
    return f"(variant {variant})" if variant else ""
