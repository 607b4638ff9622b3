"""LaTeX answer documents (`*.tex`, the `grader` package) -> :class:`grader.model.Submission`.

Read with :func:`grader.latex.read_document`, never run. Identity comes from `\\student{id}{name}`
(else the `pen_paper_<lastname>` file name, with its warning), the assignment from
`\\assignment{...}`. Each `\\answer{id}{math}` and `answertext` environment is one answer,
located at its line and column; an answer whose macros cannot be expanded, or whose cases or
matrix cannot be read, is UNPARSEABLE (value None plus an ERROR message naming it). An id
given twice is unparseable, with both answers named. Notes (`\\input` not followed, catcode
changes) are warnings located in the file.
"""

from __future__ import annotations

from types import MappingProxyType

from grader.latex import TexAnswer, TexDocument, read_document
from grader.loaders.common import unreadable_submission
from grader.loaders.identity import clean_name, resolve_identity
from grader.model import Location, Message, RawAnswer, Reason, Severity, Submission

MAX_TEX_BYTES = 1 << 20
_KINDS = {
    "too_deep": Reason.TOO_DEEP,
    "too_large": Reason.TOO_LARGE,
    "input": Reason.FILE_UNREADABLE,
}


def decode_tex(data: bytes) -> str | None:
    """The source as text: UTF-8 (with or without BOM), else Latin-1 for old editors; None for
    binary data (NUL bytes)."""
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def load_tex(data: bytes, source: str) -> Submission:
    """Read a LaTeX answer document's bytes; never raises for bad input."""
    text = decode_tex(data)
    if text is None:
        return unreadable_submission(
            source, "tex", Reason.FILE_UNREADABLE, "not a LaTeX source (binary data)"
        )
    return submission_from_document(read_document(text), source, "tex")


def submission_from_document(
    doc: TexDocument, source: str, fmt: str, extra: tuple[Message, ...] = ()
) -> Submission:
    """A readable Submission from a read document (shared with the PDF loader)."""
    messages: list[Message] = list(extra)
    for note in doc.notes:
        severity = Severity.ERROR if note.level == "error" else Severity.WARNING
        reason = _KINDS.get(note.kind, Reason.SYNTAX if note.level == "error" else None)
        messages.append(
            Message(severity, note.message, Location(source, None, note.line, note.column), reason)
        )
    answers = _answers(doc.answers, source, messages)
    if not doc.answers and not doc.uses_package:
        messages.append(
            Message(
                Severity.WARNING,
                "no \\answer{...}{...} found: is this a document written with the grader "
                "package (grade template ASSIGNMENT --format tex)?",
                Location(source),
                Reason.UNKNOWN_ANSWER_ID,
            )
        )
    at = Location(source, None, doc.student_line or None, doc.student_column or None)
    identity = resolve_identity(doc.student_id, doc.name, source, at if doc.student_line else None)
    return Submission(
        source=source,
        student_id=identity.student_id,
        name=identity.name,
        assignment=clean_name(doc.assignment) or None if doc.assignment else None,
        answers=MappingProxyType(answers),
        messages=(*identity.messages, *messages),
        readable=True,
        fmt=fmt,
    )


def _answers(
    found: tuple[TexAnswer, ...], source: str, messages: list[Message]
) -> dict[str, RawAnswer]:
    by_id: dict[str, list[TexAnswer]] = {}
    for answer in found:
        by_id.setdefault(answer.answer_id, []).append(answer)
    out: dict[str, RawAnswer] = {}
    for answer_id, given in by_id.items():
        first = given[0]
        where = Location(source, answer_id, first.line, first.column)
        if len(given) > 1:
            named = "; ".join(f"line {a.line}: {a.source[:80]!r}" for a in given)
            out[answer_id] = RawAnswer(answer_id, None, where, review=True)
            messages.append(
                Message(
                    Severity.ERROR,
                    f"answer {answer_id!r} is given {len(given)} times ({named}): neither is "
                    "graded; a TA must decide",
                    where,
                    Reason.DUPLICATE_ANSWER,
                )
            )
            continue
        if first.error:
            out[answer_id] = RawAnswer(answer_id, None, where)
            text = first.error
            if (first.error_line, first.error_column) != (first.line, first.column):
                text += f" (at line {first.error_line}, column {first.error_column})"
            reason = _KINDS.get(first.kind, Reason.SYNTAX)
            messages.append(Message(Severity.ERROR, text, where, reason))
            continue
        out[answer_id] = RawAnswer(answer_id, first.value, where)
    return out
