"""Finding submission files under a folder: bounded, deterministic, never leaving the folder,
and never losing one silently.

Every `*.yaml`, `*.yml`, `*.ipynb`, `*.tex` and `*.pdf` (suffix case ignored) under `root`,
recursively, sorted by relative path. The walk goes folder by folder through directory
descriptors (``openat`` with ``O_NOFOLLOW``), so a folder cannot be swapped for a link while it
is searched and a path longer than the system's PATH_MAX is still found (and refused with a
message, since no other program could open it either). Linked folders are never entered (a
link can leave the folder or loop). A linked file that stays inside `root` is returned like
any other; one that points outside `root` is NOT returned. Anything else with a submission
suffix that is not a folder (a FIFO, a socket, a broken link) is returned and becomes
unreadable on loading.

Everything met that is not graded is said, so that nothing vanishes (:class:`Discovery`):

- `refused`: ERROR messages, one per file refused here (a link leaving `root`, a path longer
  than PATH_MAX); `location.file` is the file's relative path and it needs its own
  `unreadable` row (`grader.loaders.common.unreadable_submission(location.file, ...)`).
- `notes`: WARNING messages for course staff about paths that get no row because what they
  hold is unknown: a folder that cannot be searched (permissions), a folder deeper than
  :data:`MAX_FOLDER_DEPTH`, a linked folder, a hidden file with a submission suffix, the file
  or entry cap reached. At most :data:`MAX_NOTES` are named, then one note counts the rest;
  `not_searched` counts them all (the one-line summary shows it). A `.pdf` not graded because
  the `.tex` of the same name beside it is (the source wins, and its row warns when the two
  differ) is noted too, but not counted: that hand-in has its row.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.loaders.files import inside_root, relative_source, shown_name
from grader.model import Location, Message, Reason, Severity

SUBMISSION_SUFFIXES = frozenset({".yaml", ".yml", ".ipynb", ".tex", ".pdf"})
MAX_FILES = 100_000
MAX_ENTRIES = 1_000_000  # directory entries looked at, submission or not
MAX_FOLDER_DEPTH = 32
MAX_NOTES = 100  # named staff notes; the rest are counted in one more
_DEFAULT_PATH_MAX = 4096
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_BY_FD = os.open in os.supports_dir_fd and os.scandir in os.supports_fd


def is_submission_name(name: str) -> bool:
    """True for a visible file name with a submission suffix."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in SUBMISSION_SUFFIXES


@dataclass(frozen=True)
class Discovery:
    """What a search of the submission folder found (see the module docstring)."""

    paths: tuple[Path, ...]
    refused: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    not_searched: int = 0


def _path_max(root: Path) -> int:
    try:
        return int(os.pathconf(root, "PC_PATH_MAX"))
    except (OSError, ValueError, AttributeError):
        return _DEFAULT_PATH_MAX


@dataclass
class _Folder:
    """A folder being searched: its descriptor (None without descriptor support), its
    relative path ('' for the root, else ending in '/') and depth, and subfolders to go."""

    fd: int | None
    relative: str
    depth: int
    subfolders: list[str] = field(default_factory=list)


@dataclass
class _Walk:
    root: Path
    max_files: int
    path_max: int
    found: list[Path] = field(default_factory=list)
    refused: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    not_searched: int = 0
    entries: int = 0
    stopped: bool = False

    def note(self, relative: str, reason: Reason, text: str) -> None:
        """A path that gets no row: named (up to MAX_NOTES) and counted."""
        self.not_searched += 1
        if len(self.notes) < MAX_NOTES:
            where = Location(shown_name(relative.rstrip("/")) or ".")
            self.notes.append(Message(Severity.WARNING, text, where, reason))

    def inform(self, relative: str, text: str) -> None:
        """A note about a path whose hand-in is graded under another file (not counted)."""
        self.notes.append(Message(Severity.WARNING, text, Location(shown_name(relative)), None))

    def refuse(self, relative: str, text: str) -> None:
        """A file refused here: its own unreadable row."""
        where = Location(shown_name(relative))
        self.refused.append(Message(Severity.ERROR, text, where, Reason.FILE_UNREADABLE))

    # ----- one folder --------------------------------------------------------------------------
    def open_folder(self, parent: _Folder | None, name: str) -> _Folder | None:
        """Open and list a folder (the root when `parent` is None); None when it cannot be."""
        relative = "" if parent is None else f"{parent.relative}{name}/"
        depth = 0 if parent is None else parent.depth + 1
        fd: int | None = None
        try:
            if _BY_FD:
                if parent is None:
                    fd = os.open(self.root, _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
                else:
                    fd = os.open(name, _DIR_FLAGS, dir_fd=parent.fd)
            with os.scandir(fd if fd is not None else self.root / relative) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            self.note(
                relative,
                Reason.FILE_UNREADABLE,
                f"cannot search this folder ({exc.strerror}): any submission in it is not graded",
            )
            return None
        folder = _Folder(fd, relative, depth)
        for entry in entries:
            self.entries += 1
            if self.entries > MAX_ENTRIES:
                self._stop(relative, f"more than {MAX_ENTRIES} folder entries")
            if self.stopped:
                break
            self._entry(folder, entry)
        folder.subfolders.reverse()  # popped from the end: name order
        return folder

    def _entry(self, folder: _Folder, entry: os.DirEntry[str]) -> None:
        relative = folder.relative + entry.name
        if entry.name.startswith("."):
            self._hidden(entry, relative)
        elif entry.is_symlink():
            self._link(entry, relative)
        elif entry.is_dir(follow_symlinks=False):
            if folder.depth + 1 > MAX_FOLDER_DEPTH:
                self.note(
                    relative,
                    Reason.TOO_DEEP,
                    f"folder nested deeper than {MAX_FOLDER_DEPTH} levels: not searched, any "
                    "submission in it is not graded",
                )
            else:
                folder.subfolders.append(entry.name)
        elif is_submission_name(entry.name):
            self._add(relative)

    def _hidden(self, entry: os.DirEntry[str], relative: str) -> None:
        """Hidden folders (.git, .ipynb_checkpoints) are skipped quietly; a hidden file with a
        submission suffix is named (it may be a sheet saved under the wrong name)."""
        if is_submission_name(entry.name.lstrip(".")) and not entry.is_dir(follow_symlinks=False):
            self.note(
                relative,
                Reason.FILE_UNREADABLE,
                "hidden file (its name starts with '.'): not graded; rename it if it is a "
                "submission",
            )

    def _add(self, relative: str) -> None:
        """Keep a file unless the cap is reached (then stop the whole walk) or its path is
        longer than any program can open."""
        if len(self.found) >= self.max_files:
            self._stop(relative, f"more than {self.max_files} submission files")
            return
        path = self.root / relative
        length = len(os.fsencode(path))
        if length >= self.path_max:
            self.refuse(
                relative,
                f"the path is {length} bytes long, more than the system allows ({self.path_max}"
                "): not read; move the file to a folder with a shorter path",
            )
            return
        self.found.append(path)

    def _stop(self, relative: str, what: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.note(relative, Reason.TOO_LARGE, f"search stopped: {what}; the rest is not graded")

    def _link(self, entry: os.DirEntry[str], relative: str) -> None:
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        path = self.root / relative
        if is_dir:
            where = "inside" if inside_root(path, self.root) else "outside"
            self.note(
                relative,
                Reason.FILE_UNREADABLE,
                f"a link to a folder {where} the graded folder: not searched (links to folders "
                "are never followed), any submission in it is not graded",
            )
            return
        if not is_submission_name(entry.name):
            return
        if inside_root(path, self.root):
            self._add(relative)
            return
        self.refuse(relative, "the file is a link to a place outside the graded folder: not read")

    # ----- the whole tree ----------------------------------------------------------------------
    def run(self) -> None:
        stack: list[_Folder] = []
        try:
            root = self.open_folder(None, "")
            if root is not None:
                stack.append(root)
            while stack and not self.stopped:
                top = stack[-1]
                if not top.subfolders:
                    _close(stack.pop())
                    continue
                child = self.open_folder(top, top.subfolders.pop())
                if child is not None:
                    stack.append(child)
        finally:
            for folder in stack:
                _close(folder)


def _close(folder: _Folder) -> None:
    if folder.fd is not None:
        with contextlib.suppress(OSError):
            os.close(folder.fd)


def discover_all(root: Path, *, max_files: int = MAX_FILES) -> Discovery:
    """Every submission file under `root` (sorted by relative path), the files refused here
    and the notes about paths that are not searched."""
    walk = _Walk(root, max_files, _path_max(root))
    if not root.is_dir():
        walk.note(".", Reason.FILE_UNREADABLE, "not a folder")
    else:
        walk.run()
    found = _source_wins(sorted(walk.found, key=lambda p: relative_source(p, root)), walk)
    notes = walk.notes
    if walk.not_searched > len(notes):
        more = walk.not_searched - len(notes)
        notes.append(
            Message(
                Severity.WARNING,
                f"and {more} more paths not searched (only the first {MAX_NOTES} are named)",
                Location("."),
                Reason.TOO_LARGE,
            )
        )
    return Discovery(tuple(found), tuple(walk.refused), tuple(notes), walk.not_searched)


def _source_wins(found: list[Path], walk: _Walk) -> list[Path]:
    """Drop each `.pdf` that has a `.tex` of the same name beside it (one row per hand-in)."""
    sources = {p.with_suffix("").as_posix() for p in found if p.suffix.lower() == ".tex"}
    kept = []
    for path in found:
        if path.suffix.lower() == ".pdf" and path.with_suffix("").as_posix() in sources:
            walk.inform(
                relative_source(path, walk.root),
                "not graded: the .tex source of the same name beside it is graded instead",
            )
            continue
        kept.append(path)
    return kept


def discover(root: Path, *, max_files: int = MAX_FILES) -> tuple[list[Path], list[Message]]:
    """Every submission file under `root` (sorted by relative path) and the messages of
    :func:`discover_all` (refused files, then notes)."""
    found = discover_all(root, max_files=max_files)
    return list(found.paths), [*found.refused, *found.notes]
