"""Typed hand-offs between the pipeline stages.

discover -> load -> :class:`Submission` -> parse/check -> :class:`CheckResult`
-> score -> :class:`PartScore` -> :class:`GradedSubmission` -> gradebook.

Every value crossing a stage boundary is a frozen dataclass or an enum, so a stage can never
mutate what an earlier stage produced, and tests can assert outcomes instead of wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn


class Outcome(StrEnum):
    """How one answer part was judged (the `outcome` column of parts.csv)."""

    CORRECT = "correct"
    PARTIAL = "partial"
    CARRIED = "carried"
    INCORRECT = "incorrect"
    MISSING = "missing"
    UNPARSEABLE = "unparseable"
    NEEDS_REVIEW = "needs_review"
    OVERRIDDEN = "overridden"
    INTERNAL_ERROR = "internal_error"  # the grader failed on this part (our bug): a TA decides


class Status(StrEnum):
    """The state of one gradebook row (the `status` column of grades.csv)."""

    GRADED = "graded"
    NEEDS_REVIEW = "needs_review"
    UNREADABLE = "unreadable"
    MISSING = "missing"


class Severity(StrEnum):
    """How serious a message is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Method(StrEnum):
    """Which method decided a check (reported in feedback and results.json)."""

    EXACT = "exact"  # a symbolic proof (sympy on our tree)
    RANDOM = "random"  # seeded random testing
    STRUCTURAL = "structural"  # comparison of trees up to commutativity/associativity
    NUMERIC = "numeric"  # numeric comparison with a tolerance
    KEYWORDS = "keywords"  # provisional free-text scoring from listed ideas
    TA = "ta"  # a TA's score
    NONE = "none"  # nothing could be decided (missing, unparseable, timeout)


class Reason(StrEnum):
    """Machine-readable reasons attached to check results and messages."""

    # reading the file
    FILE_UNREADABLE = "file_unreadable"
    FILE_TOO_LARGE = "file_too_large"
    YAML_SYNTAX = "yaml_syntax"
    YAML_FORBIDDEN = "yaml_forbidden"  # aliases, tags, excessive nesting
    NOTEBOOK_FORMAT = "notebook_format"
    NOT_A_MAPPING = "not_a_mapping"
    UNKNOWN_ANSWER_ID = "unknown_answer_id"
    IDENTITY_FALLBACK = "identity_fallback"
    IDENTITY_INVALID = "identity_invalid"
    WRONG_ASSIGNMENT = "wrong_assignment"
    # reading one answer
    DUPLICATE_ANSWER = "duplicate_answer"  # the same answer id given twice: a TA picks one
    WRONG_TYPE = "wrong_type"
    WRONG_SHAPE = "wrong_shape"
    NOT_A_NUMBER = "not_a_number"
    NOT_FINITE = "not_finite"
    SYNTAX = "syntax"
    UNKNOWN_SYMBOL = "unknown_symbol"
    UNKNOWN_FUNCTION = "unknown_function"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    TIMEOUT = "timeout"
    # judging
    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not_equivalent"
    SHAPE_MISMATCH = "shape_mismatch"
    MISTAKE = "mistake"
    FORM = "form"  # equal to the reference but not written in the required form
    WITHIN_TOLERANCE = "within_tolerance"
    OUT_OF_TOLERANCE = "out_of_tolerance"
    CARRIED_FORWARD = "carried_forward"
    CONVENTION = "convention"
    ORIENTATION = "orientation"
    UNDECIDED = "undecided"
    FREE_TEXT = "free_text"
    TA_SCORE = "ta_score"
    INTERNAL_ERROR = "internal_error"  # an exception inside a check (a bug of the grader)
    # gradebook level
    DUPLICATE_ID = "duplicate_id"
    FITS_OTHER_VARIANT = "fits_other_variant"  # the sheet's numbers are another student's
    NOT_ON_ROSTER = "not_on_roster"
    NO_SUBMISSION = "no_submission"
    LATE = "late"
    # reading staff CSVs (TA scores, roster)
    MISSING_COLUMN = "missing_column"  # a required column is absent from the header
    OUT_OF_RANGE = "out_of_range"  # a TA's points outside 0..max_points of the part
    EXTRA_CELLS = "extra_cells"  # a record with more cells than the header (an unquoted "1,5")
    NAME_MISMATCH = "name_mismatch"  # the sheet's name differs from the roster's


class FrozenDict(dict[str, Any]):
    """A read-only dict: mapping fields of frozen dataclasses. Unlike MappingProxyType it pickles
    (results cross the worker-process boundary) and serialises to JSON as a plain object."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("FrozenDict is read-only")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))


def frozen_mapping(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """Return a read-only copy of `data` (for mapping fields of frozen dataclasses)."""
    return FrozenDict(data or {})


@dataclass(frozen=True)
class Location:
    """Where something is: a file, optionally an answer id and a position in the file or answer.

    `line` and `column` are 1-based positions in the file; `cell` is the 1-based notebook cell;
    `offset` is the 0-based character position inside the answer text.
    """

    file: str
    answer_id: str | None = None
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.cell is not None:
            text += f" cell {self.cell}"
        if self.answer_id:
            text += f" [{self.answer_id}]"
        if self.offset is not None:
            text += f" at character {self.offset + 1}"
        return text


@dataclass(frozen=True)
class Message:
    """A located message for a student or for course staff."""

    severity: Severity
    text: str
    location: Location
    reason: Reason | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.text}"


@dataclass(frozen=True)
class RawAnswer:
    """One answer exactly as the student wrote it, before any interpretation.

    `value` is plain data: a string, a (nested) list or tuple of strings, or None for an empty
    entry. Loaders keep every scalar as the text the student wrote (YAML numbers included),
    so that later stages decide the type and can count significant figures. An answer that
    is present but unreadable (a notebook code cell that is not a literal) has value None and
    `error` saying why: it is scored `unparseable`, not `missing`.
    """

    answer_id: str
    value: object
    location: Location
    error: str | None = None  # set when the answer is there but could not be read
    review: bool = False  # a person must decide (the id was given twice): the part awaits a TA


@dataclass(frozen=True)
class Submission:
    """One submission file, read but not yet judged."""

    source: str  # path relative to the graded folder, with forward slashes
    student_id: str
    name: str
    assignment: str | None
    answers: Mapping[str, RawAnswer] = field(default_factory=frozen_mapping)
    messages: tuple[Message, ...] = ()
    readable: bool = True
    fmt: str = "yaml"  # "yaml" | "ipynb" | "tex" | "pdf"
    submitted_at: str | None = None  # ISO 8601, when the sheet or the file says so
    # Every part awaits a TA: the file is there but its answers cannot be read by machine
    # (a PDF without the answers the LaTeX package embeds); a message says why.
    needs_review: bool = False


@dataclass(frozen=True)
class CheckResult:
    """What a checker decided about one answer part.

    `fraction` is the share of the part's points earned (0..1). `feedback` holds sentences a
    student may read; `staff` holds notes only course staff see.
    """

    fraction: float
    outcome: Outcome
    method: Method = Method.NONE
    reasons: tuple[Reason, ...] = ()
    feedback: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    parsed: str | None = None  # how the answer was read (canonical text), for feedback
    needs_review: bool = False
    detail: Mapping[str, object] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class PartScore:
    """The points one student earned for one answer part."""

    answer_id: str  # dotted id, e.g. "ex2.W_new"
    question: str
    points: float
    max_points: float
    outcome: Outcome
    feedback: tuple[str, ...] = ()
    needs_review: bool = False
    method: Method = Method.NONE
    answer_text: str | None = None  # the student's answer as text (review queue, report)
    grader: str | None = None  # who scored it when a TA did
    comment: str | None = None  # the TA's comment
    staff: tuple[str, ...] = ()
    detail: Mapping[str, object] = field(default_factory=frozen_mapping)


VARIANT_DETAIL = "variant"  # GradedSubmission.detail: {"label", "data"} the sheet was graded on


@dataclass(frozen=True)
class GradedSubmission:
    """One gradebook row with every part behind it."""

    student_id: str
    name: str
    source: str
    status: Status
    question_points: Mapping[str, float]
    base: float
    bonus: float
    total: float
    max_total: float
    parts: tuple[PartScore, ...] = ()
    messages: tuple[Message, ...] = ()
    flags: tuple[Reason, ...] = ()
    detail: Mapping[str, object] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class PartInfo:
    """The structure of one answer slot, as the rubric declares it (no reference answers).

    `kind` is "symbolic", "numeric", "text" or "choice". `shape` describes the expected value
    for humans ("4 x 3", "2 x 3 or 3 x 2", "expression"). A slot with `scored=False` is read but
    carries no points of its own: a choice such as `ex2.convention`, or an alternative spelling
    of a scored part (`alternative_of="ex3.gradient"` for `ex3.gradient_j_eq_y`).
    """

    answer_id: str
    question: str
    max_points: float
    kind: str
    shape: str | None = None
    hint: str = ""
    scored: bool = True
    alternative_of: str | None = None
    choices: tuple[str, ...] = ()
    review: bool = False  # always awaits a TA (free text)
    shapes: tuple[tuple[int, ...], ...] = ()  # accepted array shapes of a numeric slot


@dataclass(frozen=True)
class QuestionInfo:
    """One question: its id (a grades.csv column), points and slots."""

    id: str
    title: str
    max_points: float
    bonus: bool
    parts: tuple[PartInfo, ...]


@dataclass(frozen=True)
class AssignmentInfo:
    """The public structure of an assignment: enough to write templates, check sheets and
    lay out gradebooks, without any reference answer."""

    id: str
    title: str
    max_total: float
    questions: tuple[QuestionInfo, ...]
    rubric_path: str = ""
    late_policy: bool = False  # grades.csv then shows submission time, raw total and penalty
    variants: bool = False  # each student has their own numbers: parts.csv names the variant
    file_name: str = ""  # how a sheet file names its student (`pen_paper_<lastname>`), if at all
    template_hints: Mapping[str, str] = field(default_factory=frozen_mapping)  # sheet examples

    def slots(self) -> tuple[PartInfo, ...]:
        """Every answer slot in rubric order."""
        return tuple(p for q in self.questions for p in q.parts)

    def slot(self, answer_id: str) -> PartInfo | None:
        """The slot with this dotted id, or None."""
        for part in self.slots():
            if part.answer_id == answer_id:
                return part
        return None


@dataclass(frozen=True)
class Gradebook:
    """A graded batch: what every gradebook file is written from."""

    assignment: AssignmentInfo
    rows: tuple[GradedSubmission, ...]
    messages: tuple[Message, ...] = ()

    def to_frame(self) -> Any:
        """Every scored part of every row as a pandas DataFrame, one row per student and part
        (columns: student_id, name, status, question, part, points, max_points, outcome,
        method), for analysing grades in a notebook. Needs the `analysis` extra (pandas)."""
        import pandas as pd  # optional: only this method needs it

        columns = ["student_id", "name", "status", "question", "part", "points", "max_points",
                   "outcome", "method"]  # fmt: skip
        records = [
            (row.student_id, row.name, row.status.value, part.question, part.answer_id,
             part.points, part.max_points, part.outcome.value, part.method.value)  # fmt: skip
            for row in self.rows
            for part in row.parts
        ]
        return pd.DataFrame.from_records(records, columns=columns)
