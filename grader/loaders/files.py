"""Reading a submission file's bytes safely: inside the graded folder, a regular file, bounded.

A submission folder is student-controlled: a file may be a symlink to `/etc/passwd`, a FIFO
that would block a read forever, or gigabytes of junk. Every read goes through
:func:`read_bounded`, which refuses all three before (or while) reading.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.model import Reason

_READ_CHUNK = 1 << 16


class FileReadError(Exception):
    """Why a submission file's bytes could not be read."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def shown_name(name: str) -> str:
    """A file name as outputs show it: its bytes read as UTF-8, whatever the locale.

    Python decodes file names with the locale's encoding (Latin-1 under
    ``LC_ALL=de_DE.ISO-8859-1``), so ``müller`` would become ``mÃ¼ller`` there and the
    student's id, row and feedback file would change with the locale of whoever runs grade.
    Bytes that are not UTF-8 stay as surrogate escapes (outputs replace them).
    """
    return os.fsencode(name).decode("utf-8", "surrogateescape")


def source_path(root: Path, source: str) -> Path:
    """The file a `source` (as :func:`relative_source` gives it) names under `root`."""
    return root / os.fsdecode(source.encode("utf-8", "surrogateescape"))


def relative_source(path: Path, root: Path) -> str:
    """The path of `path` relative to `root`, with forward slashes (links are not resolved),
    its name read as UTF-8 whatever the locale (see :func:`shown_name`)."""
    try:
        return shown_name(path.relative_to(root).as_posix())
    except ValueError:
        pass
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel.startswith(".."):
        return shown_name(path.name)
    return shown_name(Path(rel).as_posix())


def inside_root(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink resolved, is inside `root` (also resolved)."""
    try:
        real = Path(os.path.realpath(path))
        real_root = Path(os.path.realpath(root))
    except (OSError, ValueError):
        return False
    return real == real_root or real.is_relative_to(real_root)


def read_bounded(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of a regular file inside `root`, refusing files larger than `limit` bytes.

    Raises :class:`FileReadError` (FILE_UNREADABLE or FILE_TOO_LARGE).
    """
    if os.path.islink(path) and not os.path.exists(path):
        raise FileReadError(Reason.FILE_UNREADABLE, "the file is a link to nothing (broken link)")
    if not inside_root(path, root):
        raise FileReadError(
            Reason.FILE_UNREADABLE, "the file is a link to a place outside the graded folder"
        )
    real = os.path.realpath(path)
    try:
        kind = _kind(os.lstat(real).st_mode)
    except OSError as exc:
        raise FileReadError(
            Reason.FILE_UNREADABLE, f"the file cannot be examined ({exc.strerror})"
        ) from None
    if kind:  # refused before opening: opening a socket or a device has effects of its own
        raise FileReadError(Reason.FILE_UNREADABLE, f"not a regular file ({kind})")
    # O_NOFOLLOW: the resolved path must not turn into a link between the check and the open;
    # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise FileReadError(
            Reason.FILE_UNREADABLE, f"the file cannot be opened ({exc.strerror})"
        ) from None
    try:
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    """What a non-regular file is, in words ('' for a regular file)."""
    for test, words in (
        (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"), (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a link"),
    ):  # fmt: skip
        if test(mode):
            return words
    return "" if stat.S_ISREG(mode) else "a special file"


def _read_fd(fd: int, limit: int) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise FileReadError(Reason.FILE_UNREADABLE, f"not a regular file ({_kind(info.st_mode)})")
    if info.st_size > limit:
        raise FileReadError(Reason.FILE_TOO_LARGE, _too_large(info.st_size, limit))
    chunks: list[bytes] = []
    total = 0
    # Read at most limit + 1 bytes: the size on disk may change while we read.
    while total <= limit:
        try:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
        except OSError as exc:
            raise FileReadError(
                Reason.FILE_UNREADABLE, f"the file cannot be read ({exc.strerror})"
            ) from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise FileReadError(Reason.FILE_TOO_LARGE, _too_large(total, limit))
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    return f"the file is too large ({size} bytes; the limit is {limit} bytes)"
