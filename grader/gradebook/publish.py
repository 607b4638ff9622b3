"""Publishing the gradebook folder as ONE set: stage everything, then swap folders in one step.

Every output of a run (the CSVs, results.json, feedback/, the report and its plot, any log) is
written into a fresh staging folder beside the gradebook folder, ``.<name>.stage-<hex>``, each
file flushed to disk (a file whose bytes the previous set's file holds already, plainly ours --
one name, our owner, the permissions a new file gets --, is linked from it instead, its bytes
compared through the new link: a re-run re-creates few files). Nothing a reader can see
changes while that happens. Then the staging folder and the gradebook folder are exchanged in
one system call (``renameat2`` with ``RENAME_EXCHANGE`` on Linux, ``renamex_np`` on macOS;
see :mod:`.swap`), so at every instant the path names the whole previous set or the whole new
one; the previous set, now under the staging name, is then removed (a reader still inside it
sees its files go, never a file of the other set). Where no exchange exists, two renames leave
a moment in which the path names nothing (never a mixed set); a crash in that moment is
repaired by the next run.

- Ctrl-C, SIGTERM or SIGHUP while staging removes the staging folder and leaves the previous
  set as it was; during the exchange itself they are held back until it is done, so the
  :attr:`GradebookFolder.state` that :meth:`GradebookFolder.what_is_left` reports is always
  the truth. SIGKILL or a power loss can only leave a staging folder behind, which the next
  run removes (under the lock of :mod:`.lock`).
- A full disk fails the staging step: the staging folder is removed, the previous set stays.
- The folder is grade's: a re-run replaces every file it wrote (listed in the hidden
  manifest ``.gradebook-manifest.json``; exports are derived from the old grades, so they go
  too). Plain files someone else put there (a TA's ``grades.xlsx``) are kept, linked into
  the new set; any other foreign entry (a folder, a link) makes grade refuse, so pointing
  ``--out`` at a folder full of other things never deletes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath

from grader.gradebook.errors import GradebookWriteError
from grader.gradebook.lock import gradebook_lock
from grader.gradebook.swap import exchange, sync_filesystem

# A file's bytes, or a function giving them when the file is written: all at once, or in
# pieces (results.json and the sheet cache of a large class are never held whole).
Content = bytes | Callable[[], bytes | Iterable[bytes]]
Progress = Callable[[str, int, int], None]

MANIFEST_FILE = ".gradebook-manifest.json"
MANIFEST_FORMAT = "grader-gradebook-manifest"
MAX_KEPT_FILES = 100
# What grade wrote before the manifest existed (top level, and feedback/*.md).
_LEGACY = frozenset(
    {"grades.csv", "parts.csv", "review.csv", "results.json", "report.md", "report.html",
     "report-totals.png"}
)  # fmt: skip
_LEGACY_FEEDBACK = re.compile(r"^feedback/[^/]+\.md$")
# LMS uploads made from the old grades by `grade export` (stale once grades change).
_DERIVED = frozenset({"exports"})
_LEGACY_TEMP = re.compile(r"^\..+\.[0-9a-f]{16}\.gbtmp$")
_HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class State(Enum):
    """How far publishing got (what an interruption leaves)."""

    UNTOUCHED = "untouched"  # nothing visible changed
    PUBLISHED = "published"  # the new set is in place


@dataclass(frozen=True)
class Published:
    """What one publication did: the files written (in the given order, resolved), foreign
    files kept, whether a previous set was replaced."""

    folder: Path
    files: tuple[Path, ...]
    kept: tuple[str, ...]
    replaced: bool


def _target(out: Path) -> Path:
    """The folder to publish at: `out` with every link resolved (a linked --out publishes
    where the link points, and the link stays)."""
    return Path(os.path.realpath(out))


def _leftover_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"^\." + re.escape(name) + r"\.(stage|old)-[0-9a-f]{16}$")


class GradebookFolder:
    """The gradebook folder of one run: its lock, its publication and what an interruption
    left. Not thread-safe; one instance per run."""

    def __init__(self, out: Path) -> None:
        self.given = out
        self.path = _target(out)
        self.state = State.UNTOUCHED
        self.leftover: Path | None = None
        self.had_previous = self.path.is_dir()

    @contextlib.contextmanager
    def locked(self) -> Iterator[GradebookFolder]:
        """Hold this folder's lock (GradebookBusyError if another run has it) and clean what an
        earlier crashed run left beside it."""
        self._check_place()
        with gradebook_lock(self.path):
            self._clean_leftovers()
            self.had_previous = self.path.is_dir()
            yield self

    def _check_place(self) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise GradebookWriteError(self.given, "exists and is not a folder")
        if path.parent == path or (path.is_dir() and os.path.ismount(path)):
            raise GradebookWriteError(
                self.given,
                "is a mount point or a root folder: the gradebook is published by renaming a "
                "folder, so use a folder inside it (--out DIR/gradebook)",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GradebookWriteError(path.parent, f"cannot create the folder: {error}") from error

    def _clean_leftovers(self) -> None:
        """Repair a crash between two fallback renames, then remove staging and old sets."""
        pattern = _leftover_pattern(self.path.name)
        found = sorted(
            entry for entry in self.path.parent.iterdir()
            if pattern.match(entry.name) and entry.is_dir() and not entry.is_symlink()
        )  # fmt: skip
        old = [entry for entry in found if ".old-" in entry.name]
        if not self.path.exists() and old:
            newest = max(old, key=lambda entry: entry.stat().st_mtime)
            os.rename(newest, self.path)  # the previous set, whole, back in its place
            found.remove(newest)
        for entry in found:
            shutil.rmtree(entry, ignore_errors=True)

    def publish(
        self, files: Sequence[tuple[str, Content]], progress: Progress | None = None
    ) -> Published:
        """Write `files` ((path relative to the folder, bytes or a function making them)) as
        the folder's new set, replacing the previous set in one step.

        Raises GradebookWriteError when anything cannot be written; the previous set is then
        untouched and the staging folder removed.
        """
        kept = self._foreign_files([relative for relative, _ in files])
        stage = self.path.with_name(f".{self.path.name}.stage-{secrets.token_hex(8)}")
        try:
            written = self._stage(stage, files, kept, progress)
            self._commit(stage)
        except BaseException:  # also Ctrl-C: never leave a staging folder behind
            if self.state is State.UNTOUCHED:
                shutil.rmtree(stage, ignore_errors=True)
            raise
        self._discard_old()
        return Published(self.path, written, kept, self.had_previous)

    # ----- before: what is there -----------------------------------------------------------
    def _previous_manifest(self) -> frozenset[str] | None:
        """The files the previous run wrote (its manifest); None for a gradebook without one."""
        try:
            document = json.loads((self.path / MANIFEST_FILE).read_text(encoding="utf-8"))
            return frozenset(str(path) for path in document["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _foreign_files(self, new: Sequence[str]) -> tuple[str, ...]:
        """Plain files in the folder that grade did not write (kept, by relative path); refuse
        anything else foreign, and every link."""
        if not self.path.is_dir():
            return ()
        scan = _Scan(self._previous_manifest(), frozenset(new))
        scan.folder(self.path, "")
        if scan.odd:
            problem = f"holds folders or links grade did not write ({', '.join(scan.odd[:5])})"
        elif len(scan.kept) > MAX_KEPT_FILES:
            problem = f"holds {len(scan.kept)} files grade did not write"
        else:
            return tuple(scan.kept)
        raise GradebookWriteError(
            self.given,
            f"{problem}; grade replaces the gradebook folder as a whole and keeps at most "
            f"{MAX_KEPT_FILES} plain files of others: move them away or choose another --out",
        )

    # ----- staging ----------------------------------------------------------------------------
    def _stage(
        self,
        stage: Path,
        files: Sequence[tuple[str, Content]],
        kept: Sequence[str],
        progress: Progress | None,
    ) -> tuple[Path, ...]:
        _make_folder(stage, self.path if self.had_previous else None)
        folders = {stage}
        # The permissions a new file gets: an unchanged file of the previous set that has them
        # is linked into the new one instead of written again (None: nothing is linked).
        fresh_mode = _fresh_mode() if self.had_previous else None
        digests: dict[str, str] = {}
        unsynced: list[tuple[Path, Path]] = []  # flushed together at the end: one syncfs
        for index, (relative, content) in enumerate(files, 1):
            parts = _checked_parts(relative)
            if relative in digests:
                raise ValueError(f"{relative} is given twice")
            target = stage.joinpath(*parts)
            for depth in range(1, len(parts)):
                folder = stage.joinpath(*parts[:depth])
                if folder not in folders:
                    _make_folder(folder, None)
                    folders.add(folder)
            data = content() if callable(content) else content
            if isinstance(data, bytes) and fresh_mode is not None:
                if _link_same(self.path / relative, target, data, fresh_mode):
                    digests[relative] = hashlib.sha256(data).hexdigest()
                    if progress:
                        progress("writing", index, len(files))
                    continue
            digests[relative] = _write_new(target, data, self.path / relative, sync=False)
            unsynced.append((target, self.path / relative))
            if progress:
                progress("writing", index, len(files))
        for relative in kept:
            parts = _checked_parts(relative)
            for depth in range(1, len(parts)):
                folder = stage.joinpath(*parts[:depth])
                if folder not in folders:
                    _make_folder(folder, None)
                    folders.add(folder)
            _keep(self.path / relative, stage.joinpath(*parts))
        _write_new(stage / MANIFEST_FILE, _manifest(digests), self.path / MANIFEST_FILE)
        _flush(stage, unsynced)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            _sync(folder)
        return tuple(self.path / relative for relative, _ in files)

    # ----- the one visible step ------------------------------------------------------------------
    def _commit(self, stage: Path) -> None:
        try:
            self._exchange(stage)
        except OSError as error:
            raise GradebookWriteError(self.given, f"cannot replace the folder: {error}") from error

    def _exchange(self, stage: Path) -> None:
        with _signals_held():
            if not self.path.exists():
                os.rename(stage, self.path)
            elif exchange(stage, self.path):
                self.leftover = stage  # the previous set, now under the staging name
            else:
                old = stage.with_name(stage.name.replace(".stage-", ".old-"))
                os.rename(self.path, old)
                try:
                    os.rename(stage, self.path)
                except BaseException:
                    os.rename(old, self.path)
                    raise
                self.leftover = old
            self.state = State.PUBLISHED
            _sync(self.path.parent)

    def _discard_old(self) -> None:
        if self.leftover is not None:
            shutil.rmtree(self.leftover, ignore_errors=True)
            if not self.leftover.exists():
                self.leftover = None

    def what_is_left(self) -> str:
        """What a failed or interrupted run leaves, truthfully, in one clause for course staff."""
        if self.state is State.PUBLISHED:
            text = f"the new gradebook was already complete in {self.given}"
            if self.leftover is not None:
                text += f" (the next run removes the previous one, left in {self.leftover.name})"
            return text
        if self.had_previous:
            return f"the previous gradebook in {self.given} was left as it was"
        return f"no gradebook was written ({self.given} does not exist)"


@dataclass
class _Scan:
    """A walk of the previous set sorting its entries into ours, kept and refused."""

    manifest: frozenset[str] | None
    new: frozenset[str]
    kept: list[str] = field(default_factory=list)
    odd: list[str] = field(default_factory=list)

    def ours(self, relative: str) -> bool:
        if relative in self.new or relative == MANIFEST_FILE or relative in _DERIVED:
            return True
        if self.manifest is not None:
            return relative in self.manifest
        return relative in _LEGACY or _LEGACY_FEEDBACK.match(relative) is not None

    def our_folder(self, relative: str) -> bool:
        prefix = relative + "/"
        known = self.new | (self.manifest or frozenset()) | {"feedback/"}
        return any(path.startswith(prefix) for path in known)

    def folder(self, path: Path, prefix: str) -> None:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            relative = prefix + entry.name
            if entry.is_symlink():
                self.odd.append(relative)
            elif self.ours(relative) or _LEGACY_TEMP.match(entry.name):
                continue
            elif entry.is_dir(follow_symlinks=False):
                if self.our_folder(relative):
                    self.folder(Path(entry.path), relative + "/")
                else:
                    self.odd.append(relative)
            elif entry.is_file(follow_symlinks=False):
                self.kept.append(relative)
            else:
                self.odd.append(relative)


def _checked_parts(relative: str) -> tuple[str, ...]:
    """The parts of a relative output path; ValueError for anything that could leave the folder
    (our own names only ever reach here: student ids go through paths.feedback_names)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"not a plain relative path: {relative!r}")
    if "\\" in relative or "\0" in relative:
        raise ValueError(f"not a plain relative path: {relative!r}")
    return path.parts


def _make_folder(folder: Path, like: Path | None) -> None:
    """A new folder; with `like`, the same permission bits (a group-shared gradebook stays
    group-shared)."""
    try:
        os.mkdir(folder, 0o777)
        if like is not None:
            os.chmod(folder, stat.S_IMODE(like.stat().st_mode))
    except OSError as error:
        raise GradebookWriteError(
            folder, f"cannot create the folder ({error.strerror}); grade writes the new "
            "gradebook beside the old one and then swaps them",
        ) from error  # fmt: skip


def _write_new(
    path: Path, data: bytes | Iterable[bytes], shown: Path, *, sync: bool = True
) -> str:
    """`data` (or its pieces, in order) in a new file (never an existing one or a planted link),
    flushed to disk unless `sync` is False (then :func:`_flush` does it for the whole set);
    returns the sha256 of what was written. Errors name `shown`, the file as it will be known
    once published."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    digest = hashlib.sha256()
    try:
        # 0o666 & umask: the permissions a plain open() gives (not mkstemp's 0600).
        fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
                digest.update(piece)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        raise GradebookWriteError(shown, f"cannot write: {error.strerror or error}") from error
    return digest.hexdigest()


def _flush(stage: Path, files: Sequence[tuple[Path, Path]]) -> None:
    """Every staged file on disk before the exchange: one syncfs(2) for the set where the system
    has it (an fsync per file costs 1-3 ms, seconds for a class), else an fsync per file.
    `files` are (staged path, the path it will be published as, for messages)."""
    if sync_filesystem(stage):
        return
    for path, shown in files:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise GradebookWriteError(shown, f"cannot write: {error.strerror or error}") from error


def _keep(source: Path, target: Path) -> None:
    """A foreign file into the new set: linked (same file, no space), copied where links fail."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        try:
            shutil.copy2(source, target, follow_symlinks=False)
        except OSError as error:
            raise GradebookWriteError(source, f"cannot keep this file: {error}") from error


def _fresh_mode() -> int | None:
    """The permission bits of a file created now (0o666 less the umask), read without changing
    the umask (Linux's /proc); None where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _link_same(previous: Path, target: Path, data: bytes, mode: int) -> bool:
    """Link the previous set's file into the stage when it holds exactly `data` and is plainly
    ours: a regular file with no other name, owned by this user, with the permissions a new
    file gets (`mode`). Its bytes are compared through the new link, so what is published is
    what was compared. False (nothing staged): the file must be written. Creating a file costs
    far more than linking one on many file systems: a re-run re-creates a class's feedback."""
    try:
        info = os.lstat(previous)
        if not (_plain_ours(info, mode) and info.st_nlink == 1 and info.st_size == len(data)):
            return False
        os.link(previous, target, follow_symlinks=False)
    except OSError:
        return False
    try:
        if _holds(target, info, data):
            return True
        os.unlink(target)
    except OSError as error:
        raise GradebookWriteError(previous, f"cannot write: {error.strerror or error}") from error
    return False


def _plain_ours(info: os.stat_result, mode: int) -> bool:
    """A regular file of this user with exactly the permission bits `mode`."""
    owner = getattr(os, "geteuid", None)
    return (
        stat.S_ISREG(info.st_mode)
        and stat.S_IMODE(info.st_mode) == mode
        and (owner is None or info.st_uid == owner())
    )


def _holds(path: Path, expected: os.stat_result, data: bytes) -> bool:
    """True when `path` is the very file `expected` describes, now with two names (the
    previous set's and the stage's), and holds exactly `data`."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        same = (info.st_ino, info.st_dev, info.st_nlink) == (expected.st_ino, expected.st_dev, 2)
        if not same or info.st_size != len(data):
            return False
        chunks, total = [], 0
        while total <= len(data):
            chunk = os.read(fd, len(data) + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks) == data
    finally:
        os.close(fd)


def _manifest(digests: dict[str, str]) -> bytes:
    document = {"format": MANIFEST_FORMAT, "version": 1, "files": dict(sorted(digests.items()))}
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _sync(directory: Path) -> None:
    """fsync a directory so the entries in it survive a crash (impossible on Windows)."""
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


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back for the few system calls of the commit, then deliver
    the first one as if it had just arrived (only the main thread can set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in _HELD_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is not None:  # None: set outside Python, cannot be restored
            previous[signum] = signal.signal(signum, lambda number, _: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def publish_folder(
    out: Path, files: Sequence[tuple[str, Content]], progress: Progress | None = None
) -> Published:
    """Lock `out`, publish `files` as its new set, unlock: for callers that hold no lock."""
    folder = GradebookFolder(out)
    with folder.locked():
        return folder.publish(files, progress)
