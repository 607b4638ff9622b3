"""Who handed a submission in: the sheet's `student.id`/`name`, or a fallback from the file name.

Rules (each fallback comes with one WARNING message):

- A student id is a plain ASCII token: letters, digits, `.`, `_`, `-`, at most 64 characters,
  not starting with `.` or `-`. It names gradebook rows and feedback files, so anything else
  (`../../etc/passwd`, `/abs/path`, newlines, quotes, `=cmd|...`) is never used.
- An id from the sheet is used as written (surrounding spaces removed).
- Without a usable sheet id (absent: IDENTITY_FALLBACK; not a plain token: IDENTITY_INVALID),
  the id comes from the file name. A course names its file-name rule in the rubric
  (`identity: {file_name: "pen_paper_<lastname>"}`, a :class:`FileNameRule`): a file whose stem
  fits the pattern gives the id `<lastname>` LOWERCASED (so `pen_paper_Smith.yaml` and
  `pen_paper_smith.ipynb` are recognised as the same student and flagged as duplicates) and
  the name `<Lastname>` (`van_der_berg` -> `Van Der Berg`); `<id>` instead takes the id as
  written, without a name. Any other file name (and every file name when the course names no
  rule, the loaders' default) gives its stem, lowercased and with every character outside the
  token alphabet replaced by `_` (`unknown` if nothing is left).
- A name has control characters, line breaks and bidirectional overrides turned into spaces,
  runs of spaces collapsed, and is cut to 200 characters. A missing name is taken from a file
  name that fits the rule's `<lastname>`, else left empty.
- Files are read before the rubric is known (the sheets name it), so they are read with the
  default rule and :func:`reidentify` applies the course's rule afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from grader.loaders.chars import describe
from grader.model import Location, Message, Reason, Severity, Submission

MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200

_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_NOT_TOKEN_CHAR = re.compile(r"[^A-Za-z0-9._-]")
_PLACEHOLDERS = ("<lastname>", "<id>")
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class FileNameRule:
    """How a file name names its student: `pattern` such as `pen_paper_<lastname>` or
    `hw_<id>` (one placeholder, the rest literal, matched case-insensitively against the
    stem); None for no rule (the stem itself)."""

    pattern: str | None = None

    def match(self, stem: str) -> tuple[str, bool] | None:
        """(the placeholder's text, whether it is a last name) when `stem` fits, else None."""
        if not self.pattern:
            return None
        holder = next(h for h in _PLACEHOLDERS if h in self.pattern)
        head, tail = self.pattern.split(holder, 1)
        regex = re.escape(head) + "(.+)" + re.escape(tail)
        found = re.fullmatch(regex, stem, re.IGNORECASE)
        return (found.group(1), holder == "<lastname>") if found else None


GENERIC = FileNameRule()


def pattern_problem(pattern: object) -> str | None:
    """What makes `pattern` unusable as a file-name rule, or None."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "a file-name pattern such as hw_<lastname> or lab-<id>"
    count = sum(pattern.count(h) for h in _PLACEHOLDERS)
    if count != 1:
        return "exactly one placeholder, <lastname> or <id>"
    if "/" in pattern or "\\" in pattern or "." in pattern:
        return "a file stem: no folders and no extension"
    return None


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


def _from_file_name(source: str, rule: FileNameRule = GENERIC) -> _FileIdentity:
    stem = PurePosixPath(source).stem
    match = rule.match(stem)
    if match:
        text, lastname = match
        if lastname and id_problem(text.lower()) is None:
            return _FileIdentity(
                text.lower(), clean_name(_pretty_lastname(text)), "from the file name"
            )
        if not lastname and id_problem(text) is None:
            return _FileIdentity(text, "", "from the file name")
    student_id = _sanitized_stem(stem)
    why = f", because the file name does not follow {rule.pattern}" if rule.pattern else ""
    return _FileIdentity(student_id, "", f"from the file stem{why}")


def identity_from_file_name(
    source: str, at: Location | None = None, rule: FileNameRule = GENERIC
) -> Identity:
    """The fallback identity for a file without a usable sheet id (IDENTITY_FALLBACK warning)."""
    fallback = _from_file_name(source, rule)
    message = Message(
        Severity.WARNING,
        f"no student id given: using {fallback.student_id!r} {fallback.explanation}",
        at or Location(source),
        Reason.IDENTITY_FALLBACK,
    )
    return Identity(fallback.student_id, fallback.name, (message,))


def resolve_identity(
    raw_id: object,
    raw_name: object,
    source: str,
    at: Location | None = None,
    rule: FileNameRule = GENERIC,
) -> Identity:
    """The identity of a submission from what the sheet says, falling back on the file name.

    `raw_id` / `raw_name` are the sheet's values: a string, None when absent, or anything else
    (e.g. a YAML list) when the student wrote something that is not a single value. `at`
    locates the sheet's id for messages.
    """
    name = clean_name(raw_name) if isinstance(raw_name, str) else ""
    text = raw_id.strip() if isinstance(raw_id, str) else raw_id
    if text is None or text == "":
        fallback = identity_from_file_name(source, at, rule)
        return Identity(fallback.student_id, name or fallback.name, fallback.messages)
    problem = "it is not a single value" if not isinstance(text, str) else id_problem(text)
    if problem is None and isinstance(text, str):
        return Identity(text, name or _from_file_name(source, rule).name)
    fallback_id = _from_file_name(source, rule)
    message = Message(
        Severity.WARNING,
        f"{_INVALID_HEAD} ({problem}): using {fallback_id.student_id!r} "
        f"{fallback_id.explanation}",
        at or Location(source),
        Reason.IDENTITY_INVALID,
    )
    return Identity(fallback_id.student_id, name or fallback_id.name, (message,))


_INVALID_HEAD = "the student id is not usable"
_USING = ": using "


def reidentify(submission: Submission, rule: FileNameRule) -> Submission:
    """`submission` (read with the default rule) under the course's file-name rule: an id
    that came from the file name, and a missing name, are taken from the rule instead."""
    if rule == GENERIC:
        return submission
    found = _from_file_name(submission.source, rule)
    messages = []
    student_id = submission.student_id
    for message in submission.messages:
        if message.reason in (Reason.IDENTITY_FALLBACK, Reason.IDENTITY_INVALID):
            head = message.text.split(_USING, 1)[0]
            text = f"{head}{_USING}{found.student_id!r} {found.explanation}"
            message = replace(message, text=text)
            student_id = found.student_id
        messages.append(message)
    return replace(
        submission,
        student_id=student_id,
        name=submission.name or found.name,
        messages=tuple(messages),
    )
