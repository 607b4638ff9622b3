"""Finding and reading submissions: YAML answer sheets, Jupyter notebooks and LaTeX sources
(never executed; see :mod:`.tex`).

    paths, notes = discover(root)
    submissions = [load_submission(p, root) for p in paths]   # one row per path, never raises

Conventions for the stages after loading (see also :class:`grader.model.RawAnswer`):

- Every scalar is the text the student wrote; lists are tuples (nested for matrices).
- MISSING: an answer id absent from `Submission.answers`, or present with value None and no
  ERROR message for it (an empty `s:`, `s = None` in a notebook, an empty answer cell).
- UNPARSEABLE: value None AND at least one ERROR message whose `location.answer_id` is that id
  (a code cell that is not a literal, a mapping inside a list, an id given twice). Use
  :func:`answer_errors` / :func:`is_unparseable`; the message says why and where.
- UNREADABLE: `Submission.readable` is False, with an ERROR message naming the file and the
  line/column or cell, and the identity the file name gives (see :mod:`.identity`).
- Identity fallbacks are WARNING messages (IDENTITY_FALLBACK, IDENTITY_INVALID).
- `Submission.assignment` is the sheet's text, cleaned of control characters: compare it with
  rubric ids, never build a path from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from grader.loaders.common import unreadable_submission
from grader.loaders.discover import discover
from grader.loaders.files import FileReadError, read_bounded, relative_source
from grader.model import Message, Reason, Severity, Submission

# (format, source, the file's bytes) -> the submission a previous run made of them, or None.
Known = Callable[[str, str, bytes], Submission | None]
# (the file's bytes, its source) -> the submission.
Loader = Callable[[bytes, str], Submission]

__all__ = ["answer_errors", "discover", "is_unparseable", "load_submission"]

_FORMATS = MappingProxyType(
    {".yaml": "yaml", ".yml": "yaml", ".ipynb": "ipynb", ".tex": "tex", ".pdf": "pdf"}
)


def _reader(fmt: str) -> tuple[int, Loader]:
    """A format's size limit and loader, imported only for a file of that format: `grade check`
    on a YAML sheet loads neither the notebook nor the LaTeX nor the PDF reader."""
    if fmt == "yaml":
        from grader.loaders.safe_yaml import MAX_YAML_BYTES
        from grader.loaders.yaml_sheet import load_yaml_sheet

        return MAX_YAML_BYTES, load_yaml_sheet
    if fmt == "ipynb":
        from grader.loaders.notebook import MAX_NOTEBOOK_BYTES, load_notebook

        return MAX_NOTEBOOK_BYTES, load_notebook
    if fmt == "tex":
        from grader.loaders.tex import MAX_TEX_BYTES, load_tex

        return MAX_TEX_BYTES, load_tex
    from grader.loaders.pdf import MAX_PDF_BYTES, load_pdf

    return MAX_PDF_BYTES, load_pdf


def load_submission(path: Path, root: Path, known: Known | None = None) -> Submission:
    """Read one submission file found under `root`; NEVER raises for bad input.

    An unreadable file (outside `root`, not a regular file, too large, broken, hostile) gives
    `Submission(readable=False)` with an ERROR message saying why and where. `known(fmt,
    source, data)`, once the bytes are read, may return the submission a previous run made of
    them (a cache): it is then returned as it is.
    """
    source = relative_source(path, root)
    fmt = _FORMATS.get(path.suffix.lower(), "")
    if not fmt:
        return unreadable_submission(
            source, "yaml", Reason.FILE_UNREADABLE, "not a .yaml, .yml, .ipynb, .tex or .pdf file"
        )
    limit, loader = _reader(fmt)
    try:
        data = read_bounded(path, root, limit)
    except FileReadError as exc:
        return unreadable_submission(source, fmt, exc.reason, exc.message)
    if known is not None:
        cached = known(fmt, source, data)
        if cached is not None:
            return cached
    try:
        loaded = loader(data, source)
        if fmt != "tex":
            return loaded
        from grader.loaders.pdf import compare_with_pdf

        return compare_with_pdf(loaded, data, path, root)
    except Exception as exc:  # a loader bug must cost one row, not the batch
        return unreadable_submission(
            source,
            fmt,
            Reason.FILE_UNREADABLE,
            f"internal error while reading ({type(exc).__name__})",
        )


def answer_errors(submission: Submission) -> Mapping[str, tuple[Message, ...]]:
    """ERROR messages per answer id (the ids that have any)."""
    grouped: dict[str, list[Message]] = {}
    for message in submission.messages:
        answer_id = message.location.answer_id
        if message.severity is Severity.ERROR and answer_id:
            grouped.setdefault(answer_id, []).append(message)
    return MappingProxyType({key: tuple(value) for key, value in grouped.items()})


def is_unparseable(submission: Submission, answer_id: str) -> bool:
    """True when the answer is there but could not be read (value None + an ERROR for it)."""
    answer = submission.answers.get(answer_id)
    return answer is not None and answer.value is None and answer_id in answer_errors(submission)
