"""File names derived from student ids, and the check that nothing lands outside out_dir.

A student id is student input: it may be ``../../x``, ``/etc/passwd``, ``CON``, empty, very long,
or in any script. :func:`safe_filename` maps it to a portable name; :func:`feedback_names` makes
the names of a whole batch distinct (also on case-insensitive file systems, also for two
submissions of one id); :func:`inside` refuses any target that resolves outside the folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from grader.gradebook.errors import GradebookWriteError

MAX_NAME_CHARS = 80
_HASH_CHARS = 8
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._-]")
# Device names Windows reserves whatever the extension (CON.md is the console).
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def _digest(text: str) -> str:
    """A short stable hash of `text` (surrogates kept, so distinct ids never hash alike by
    being mangled first)."""
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:_HASH_CHARS]


def _portable(student_id: str) -> str:
    """The id reduced to [A-Za-z0-9._-]: accents dropped where NFKD separates them, other
    characters replaced by "_", no leading dot, no trailing dot (Windows drops it)."""
    decomposed = unicodedata.normalize("NFKD", student_id)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    name = _UNSAFE_CHAR.sub("_", ascii_only)
    name = re.sub(r"^\.+", lambda m: "_" * len(m.group()), name)
    name = re.sub(r"\.+$", lambda m: "_" * len(m.group()), name)
    if name.split(".", 1)[0].upper() in _RESERVED:
        name = "_" + name
    return name


def safe_filename(student_id: str) -> str:
    """A file-name stem for `student_id`: only [A-Za-z0-9._-], no leading dot, at most 80 chars.

    An id that is already such a name is returned unchanged; any other id is changed and gets
    ``-<8 hex of sha256(id)>`` so that two different ids never share a stem by accident.
    """
    name = _portable(student_id)
    if name == student_id and 0 < len(name) <= MAX_NAME_CHARS:
        return name
    stem = name[: MAX_NAME_CHARS - _HASH_CHARS - 1] or "student"
    return f"{stem}-{_digest(student_id)}"


def feedback_names(keys: Sequence[tuple[str, str]]) -> list[str]:
    """Distinct file names (``<stem>.md``) for rows given as (student_id, source), in order.

    A stem shared by several rows -- two submissions of one id, ids differing only in case, or an
    id chosen to look like another's hashed stem -- is disambiguated for every row sharing it
    with a hash of (id, source), so the outcome does not depend on which row came first.
    """
    stems = [safe_filename(student_id) for student_id, _ in keys]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    taken = {stem.casefold() for stem in stems if counts[stem.casefold()] == 1}
    names: list[str] = []
    for (student_id, source), stem in zip(keys, stems, strict=True):
        if counts[stem.casefold()] == 1:
            names.append(stem + ".md")
            continue
        salt = 0
        while True:
            suffix = _digest(f"{student_id}\0{source}\0{salt}")
            candidate = f"{stem[: MAX_NAME_CHARS - _HASH_CHARS - 1]}-{suffix}"
            if candidate.casefold() not in taken:
                break
            salt += 1
        taken.add(candidate.casefold())
        names.append(candidate + ".md")
    return names


def course_relative(rubric_path: str) -> str:
    """A rubric's path as outputs show it, whatever the working directory or spelling it was
    given with: relative to its course folder (``rubrics/<name>.yaml`` when it sits in a
    `rubrics/` folder, as a course lays it out), else its file name."""
    if not rubric_path:
        return ""
    path = PurePosixPath(rubric_path.replace("\\", "/"))
    return f"rubrics/{path.name}" if path.parent.name == "rubrics" else path.name


def inside(root: Path, relative: str) -> Path:
    """`root / relative`, refused with GradebookWriteError unless it resolves inside `root`
    (after following symbolic links: a planted link cannot redirect a write)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if target == base or not target.is_relative_to(base):
        raise GradebookWriteError(base / relative, "refusing to write outside the output folder")
    return target
