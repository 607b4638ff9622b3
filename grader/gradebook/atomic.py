"""Replacing a few files in a folder so that an interruption never leaves one half-written.

The gradebook folder itself is published as one set by :mod:`grader.gradebook.publish`; this
module serves files written into folders grade does not own as a whole (LMS exports).

Phase 1 writes every new file to a temporary sibling (same directory, so the rename is atomic),
flushed and fsync'ed; nothing visible changes yet, and any failure removes the temporaries.
Phase 2 renames each temporary over its target with os.replace (atomic per file). If a rename
fails, the files already replaced are restored from the bytes they held before (best effort)
and the remaining temporaries are removed. Only after every new file is in place are stale
files pruned. A crash (power loss, kill -9) can only leave our own ``*.gbtmp`` files behind;
the next run removes them.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.errors import GradebookWriteError
from grader.gradebook.paths import inside

TEMP_SUFFIX = ".gbtmp"
_OUR_TEMP = re.compile(r"^\..+\.[0-9a-f]{16}" + re.escape(TEMP_SUFFIX) + "$")


@dataclass(frozen=True)
class _Pending:
    """A target and the temporary that holds its new bytes."""

    target: Path
    temp: Path


def _write_temp(target: Path, data: bytes) -> Path:
    """`data` in a new temporary next to `target`, flushed to disk; the path of the temporary."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")
    # O_EXCL: never follow or reuse something planted under that name; 0o666 & umask: the same
    # permissions a plain open() would give (mkstemp's 0600 would lock out the course team).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _remove(temp)
        raise
    return temp


def _remove(path: Path) -> None:
    """Remove `path` if it exists (cleanup must not mask the error being handled)."""
    with contextlib.suppress(OSError):
        path.unlink()


def _sync_dir(directory: Path) -> None:
    """fsync a directory so the renames in it survive a crash (not possible on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _previous(target: Path) -> bytes | None:
    """What `target` holds now (to restore it if phase 2 fails), or None if nothing to restore."""
    try:
        return target.read_bytes() if target.is_file() else None
    except OSError:
        return None


def _restore(target: Path, old: bytes | None) -> None:
    """Best-effort rollback of one replaced target to its previous bytes (or to absence)."""
    try:
        if old is None:
            target.unlink()
            return
        temp = _write_temp(target, old)
    except OSError:
        return
    try:
        os.replace(temp, target)
    except OSError:
        _remove(temp)


def remove_stale_temps(directories: Sequence[Path]) -> None:
    """Remove temporaries a crashed earlier run left in `directories` (only our own pattern)."""
    for directory in directories:
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            if _OUR_TEMP.match(entry.name) and entry.is_file() and not entry.is_symlink():
                _remove(entry)


def replace_files(root: Path, files: Sequence[tuple[str, bytes]]) -> list[Path]:
    """Write `files` ((path relative to root, bytes), replaced in this order) under `root`.

    Every target is checked to resolve inside `root` before anything is written. Raises
    GradebookWriteError when a file cannot be written; the previous files are then left as
    they were (phase 1) or restored as far as the file system allows (phase 2).
    """
    targets = [inside(root, relative) for relative, _ in files]
    directories = sorted({target.parent for target in targets} | {root.resolve()})
    for directory in directories:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GradebookWriteError(directory, f"cannot create the folder: {error}") from error
    remove_stale_temps(directories)
    pending: list[_Pending] = []
    try:
        for target, (_, data) in zip(targets, files, strict=True):
            pending.append(_Pending(target, _write_temp(target, data)))
    except BaseException as error:  # also Ctrl-C: never leave temporaries behind
        for item in pending:
            _remove(item.temp)
        if isinstance(error, OSError):
            raise GradebookWriteError(targets[len(pending)], f"cannot write: {error}") from error
        raise
    _commit(pending)
    for directory in directories:
        _sync_dir(directory)
    return targets


def _commit(pending: Sequence[_Pending]) -> None:
    """Phase 2: rename every temporary over its target, rolling back on the first failure."""
    done: list[tuple[Path, bytes | None]] = []
    for index, item in enumerate(pending):
        old = _previous(item.target)
        try:
            os.replace(item.temp, item.target)
        except BaseException as error:
            for later in pending[index:]:
                _remove(later.temp)
            for target, previous in reversed(done):
                _restore(target, previous)
            if isinstance(error, OSError):
                raise GradebookWriteError(item.target, f"cannot replace: {error}") from error
            raise
        done.append((item.target, old))
