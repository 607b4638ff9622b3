"""One `grade` at a time per gradebook folder: an advisory lock file beside the folder.

The lock is ``.<folder name>.lock`` in the folder's parent, held with ``flock`` (``msvcrt``
on Windows) for the whole run, so a second run on the same folder is refused at once with the
first one's process id instead of racing it. The operating system releases the lock when its
holder dies, however it dies (SIGKILL included), so a crash never leaves the folder locked. The
holder removes the file when it is done; a run that opened the file just before it was removed
notices (the path no longer names its file) and tries again, so two runs never both hold it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from grader.gradebook.errors import GradebookError

_ATTEMPTS = 20


class GradebookBusyError(GradebookError):
    """Another `grade` holds the lock of this gradebook folder."""

    def __init__(self, folder: Path, holder: str) -> None:
        who = f"another grade (process {holder})" if holder else "another grade"
        super().__init__(
            f"{folder}: {who} is writing this gradebook; wait for it to finish or use another "
            "--out (the previous gradebook is untouched)"
        )
        self.folder = folder


def lock_path(folder: Path) -> Path:
    """Where the lock of `folder` lives (beside it, never inside the set being replaced)."""
    return folder.with_name(f".{folder.name}.lock")


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    """The process id the holder wrote into the lock file ('' when unknown)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except (OSError, AttributeError):
        return ""
    return text if text.isdigit() else ""


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)


def _acquire(folder: Path, path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        fd = os.open(path, flags, 0o644)
        if not _try_lock(fd):
            holder = _holder(fd)
            os.close(fd)
            raise GradebookBusyError(folder, holder)
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the previous holder removed the file after we opened it: again
    raise GradebookBusyError(folder, "")


@contextlib.contextmanager
def gradebook_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of `folder` (its parent must exist); GradebookBusyError when another run
    holds it. The lock file is removed on the way out."""
    path = lock_path(folder)
    fd = _acquire(folder, path)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # before closing: nobody can take a lock on a file being removed
        os.close(fd)
