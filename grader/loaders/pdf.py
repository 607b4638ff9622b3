"""PDF submissions: the LaTeX source that `grader.sty` embedded when the PDF was compiled.

The package stores the source file as a stream referenced from the document catalog as
`/GraderSource` (pdfLaTeX, LuaLaTeX and XeLaTeX alike). This loader opens the PDF with pypdf,
follows exactly that one reference (no other object is looked at, so cyclic or deeply nested
object graphs, JavaScript, forms and attachments are never touched, and nothing in the PDF is
ever run), inflates the stream itself with a cap on the inflated size, and reads the source
like a `.tex` submission (:mod:`.tex`); messages are located in the embedded source's lines.

Bounds: the file size (read_bounded), MAX_SOURCE_BYTES inflated, only the Flate filter (or
none), and a bound on pypdf's own recursion. A PDF without the stream (not built from the
template, a scan, a printout), an encrypted PDF, or one whose stream cannot be used (too
large inflated, an unknown filter) is a readable submission with no answers and
`needs_review` set: every part goes to a TA, with a message saying why. A file that is not a
PDF at all, or one too damaged (or too deeply nested) for pypdf to reach the catalog, is
unreadable.
"""

from __future__ import annotations

import io
import logging
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.latex import read_document
from grader.loaders.files import FileReadError, read_bounded
from grader.loaders.identity import identity_from_file_name
from grader.loaders.tex import MAX_TEX_BYTES, decode_tex, submission_from_document
from grader.model import Location, Message, Reason, Severity, Submission

MAX_PDF_BYTES = 32 << 20
MAX_SOURCE_BYTES = MAX_TEX_BYTES
SOURCE_KEY = "/GraderSource"


class PdfProblem(Exception):
    """Why the embedded source cannot be had; `unreadable` when the file is not a PDF."""

    def __init__(self, message: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unreadable = unreadable


@dataclass(frozen=True)
class EmbeddedSource:
    """The source text the package embedded."""

    text: str


def embedded_source(data: bytes) -> EmbeddedSource:
    """The LaTeX source embedded in a PDF's bytes; raises PdfProblem."""
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise PdfProblem("not a PDF file (no %PDF- header)", unreadable=True)
    try:
        import pypdf
        from pypdf.generic import IndirectObject, StreamObject
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise PdfProblem("PDF support is not installed (pip install pypdf)") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # hostile files log loudly
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfProblem("the PDF is encrypted: its embedded answers cannot be read")
        root: Any = reader.trailer.get("/Root")
        root = root.get_object() if isinstance(root, IndirectObject) else root
        ref = root.get(SOURCE_KEY) if isinstance(root, dict) else None
        if ref is None:
            raise PdfProblem(
                "the PDF carries no embedded answers (it was not compiled with the grader "
                "LaTeX package, or is a scan or a printout)"
            )
        stream = ref.get_object()
        if not isinstance(stream, StreamObject):
            raise PdfProblem("the PDF's embedded answers are not a stream")
        filters = stream.get("/Filter")
        raw = stream._data  # the encoded bytes: decoded below, with a cap
    except PdfProblem:
        raise
    except RecursionError:
        raise PdfProblem("the PDF's objects are nested too deeply to be read", True) from None
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise PdfProblem(
            f"the PDF is damaged and cannot be read ({type(exc).__name__})", True
        ) from None
    return EmbeddedSource(_text(_inflate(raw, filters)))


def _inflate(raw: bytes, filters: object) -> bytes:
    names = filters if isinstance(filters, list) else [filters] if filters else []
    names = [str(n) for n in names]
    if not names:
        data = raw
    elif names == ["/FlateDecode"]:
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_SOURCE_BYTES + 1)
        except zlib.error:
            raise PdfProblem("the PDF's embedded answers are damaged (bad compression)") from None
    else:
        raise PdfProblem(f"the PDF's embedded answers use an unsupported filter {names}")
    if len(data) > MAX_SOURCE_BYTES:
        raise PdfProblem(
            f"the PDF's embedded source inflates to more than {MAX_SOURCE_BYTES} bytes"
        )
    return data


def _text(data: bytes) -> str:
    text = decode_tex(data)
    if text is None:
        raise PdfProblem("the PDF's embedded answers are not text")
    return text


def load_pdf(data: bytes, source: str) -> Submission:
    """Read a PDF submission's bytes; never raises for bad input."""
    try:
        embedded = embedded_source(data)
    except PdfProblem as exc:
        if exc.unreadable:
            from grader.loaders.common import unreadable_submission

            return unreadable_submission(source, "pdf", Reason.FILE_UNREADABLE, exc.message)
        return for_review(source, exc.message)
    note = Message(
        Severity.INFO,
        "answers read from the LaTeX source embedded in the PDF (lines are the source's)",
        Location(source),
    )
    return submission_from_document(read_document(embedded.text), source, "pdf", (note,))


def for_review(source: str, why: str) -> Submission:
    """A PDF whose answers cannot be read: a row, every part for a TA, and why."""
    identity = identity_from_file_name(source)
    message = Message(
        Severity.WARNING,
        f"{why}: every part is left for a TA to mark from the PDF",
        Location(source),
        Reason.FILE_UNREADABLE,
    )
    return Submission(
        source=source,
        student_id=identity.student_id,
        name=identity.name,
        assignment=None,
        messages=(message, *identity.messages),
        readable=True,
        fmt="pdf",
        needs_review=True,
    )


def compare_with_pdf(submission: Submission, data: bytes, path: Path, root: Path) -> Submission:
    """A `.tex` submission with a warning when the PDF of the same name beside it was built
    from a different source (the `.tex` is graded; see discovery)."""
    pdf = next(
        (p for p in (path.with_suffix(".pdf"), path.with_suffix(".PDF")) if p.is_file()), None
    )
    if pdf is None:
        return submission
    try:
        embedded = embedded_source(read_bounded(pdf, root, MAX_PDF_BYTES)).text
    except (FileReadError, PdfProblem):
        embedded = None
    text = decode_tex(data) or ""
    if embedded is not None and embedded.split() == text.split():
        return submission
    why = (
        "was built from a different source"
        if embedded is not None
        else "carries no readable answers"
    )
    note = Message(
        Severity.WARNING,
        f"{pdf.name} beside this file {why}: this .tex is what is graded",
        Location(submission.source),
    )
    return replace(submission, messages=(*submission.messages, note))
