"""Who handed a submission in: the sheet's `student.id`/`name`, or a fallback from the file name.

Rules (each fallback comes with one WARNING message):

- A student id is a plain ASCII token: letters, digits, `.`, `_`, `-`, at most 64 characters,
  not starting with `.` or `-`. It names gradebook rows and feedback files, so anything else
  (`../../etc/passwd`, `/abs/path`, newlines, quotes, `=cmd|...`) is never used.
- An id from the sheet is used as written (surrounding spaces removed).
- Without a usable sheet id (absent: IDENTITY_FALLBACK; not a plain token: IDENTITY_INVALID),
  a file named `pen_paper_<lastname>.<ext>` gives the id `<lastname>` LOWERCASED (so
  `pen_paper_Smith.yaml` and `pen_paper_smith.ipynb` are recognised as the same student and
  flagged as duplicates) and the name `<Lastname>` (`van_der_berg` -> `Van Der Berg`).
  Any other file name gives its stem, lowercased and with every character outside the token
  alphabet replaced by `_` (`unknown` if nothing is left).
- A name has control characters, line breaks and bidirectional overrides turned into spaces,
  runs of spaces collapsed, and is cut to 200 characters. A missing name is taken from a
  `pen_paper_` file name, else left empty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from grader.loaders.chars import describe
from grader.model import Location, Message, Reason, Severity

MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200

_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_NOT_TOKEN_CHAR = re.compile(r"[^A-Za-z0-9._-]")
_PEN_PAPER = re.compile(r"pen_paper_(.+)", re.IGNORECASE)
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Identity:
    """A student's id and display name, with the warnings that explain any fallback."""

    student_id: str
    name: str
    messages: tuple[Message, ...] = ()


def id_problem(text: str) -> str | None:
    """What makes `text` unusable as a student id, or None when it is a plain token."""
    if not text:
        return "it is empty"
    if len(text) > MAX_ID_LENGTH:
        return f"it is longer than {MAX_ID_LENGTH} characters"
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        return "it contains a line break or control character"
    if "/" in text or "\\" in text:
        return "it looks like a file path"
    if text[0] in ".-":
        return "it starts with '.' or '-'"
    if not _TOKEN.fullmatch(text):
        return "it contains characters other than ASCII letters, digits, '.', '_' and '-'" + (
            _first_bad(text)
        )
    return None


def _first_bad(text: str) -> str:
    """': <the first character outside the id alphabet, by code point> at character N'."""
    match = _NOT_TOKEN_CHAR.search(text)
    if match is None:
        return ""
    char = match.group()
    what = describe(char) or f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
    return (
        f" ({what} at character {match.start() + 1})"
        if not char.isascii()
        else (f" ({char!r} at character {match.start() + 1})")
    )


def clean_name(text: str) -> str:
    """A display name with control characters collapsed to spaces, cut to 200 characters."""
    chars = [
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI else c for c in text
    ]
    return " ".join("".join(chars).split())[:MAX_NAME_LENGTH].strip()


def _pretty_lastname(text: str) -> str:
    words = [w for w in re.split(r"[_\s]+", text) if w]
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words)


def _sanitized_stem(stem: str) -> str:
    token = _NOT_TOKEN_CHAR.sub("_", stem.lower()).lstrip(".-")[:MAX_ID_LENGTH]
    return token or "unknown"


@dataclass(frozen=True)
class _FileIdentity:
    student_id: str
    name: str
    explanation: str


def _from_file_name(source: str) -> _FileIdentity:
    stem = PurePosixPath(source).stem
    match = _PEN_PAPER.fullmatch(stem)
    if match:
        lastname = match.group(1)
        if id_problem(lastname.lower()) is None:
            return _FileIdentity(
                lastname.lower(), clean_name(_pretty_lastname(lastname)), "from the file name"
            )
    student_id = _sanitized_stem(stem)
    return _FileIdentity(
        student_id,
        "",
        "from the file stem, because the file name does not follow pen_paper_<lastname>",
    )


def identity_from_file_name(source: str, at: Location | None = None) -> Identity:
    """The fallback identity for a file without a usable sheet id (IDENTITY_FALLBACK warning)."""
    fallback = _from_file_name(source)
    message = Message(
        Severity.WARNING,
        f"no student id given: using {fallback.student_id!r} {fallback.explanation}",
        at or Location(source),
        Reason.IDENTITY_FALLBACK,
    )
    return Identity(fallback.student_id, fallback.name, (message,))


def resolve_identity(
    raw_id: object, raw_name: object, source: str, at: Location | None = None
) -> Identity:
    """The identity of a submission from what the sheet says, falling back on the file name.

    `raw_id` / `raw_name` are the sheet's values: a string, None when absent, or anything else
    (e.g. a YAML list) when the student wrote something that is not a single value. `at`
    locates the sheet's id for messages.
    """
    name = clean_name(raw_name) if isinstance(raw_name, str) else ""
    text = raw_id.strip() if isinstance(raw_id, str) else raw_id
    if text is None or text == "":
        fallback = identity_from_file_name(source, at)
        return Identity(fallback.student_id, name or fallback.name, fallback.messages)
    problem = "it is not a single value" if not isinstance(text, str) else id_problem(text)
    if problem is None and isinstance(text, str):
        return Identity(text, name or _from_file_name(source).name)
    fallback_id = _from_file_name(source)
    message = Message(
        Severity.WARNING,
        f"the student id is not usable ({problem}): using {fallback_id.student_id!r} "
        f"{fallback_id.explanation}",
        at or Location(source),
        Reason.IDENTITY_INVALID,
    )
    return Identity(fallback_id.student_id, name or fallback_id.name, (message,))
