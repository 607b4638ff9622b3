"""Finding submission files under a folder: bounded, deterministic, never leaving the folder.

Every `*.yaml`, `*.yml`, `*.ipynb`, `*.tex` and `*.pdf` (suffix case ignored) under `root`,
recursively, sorted by relative path. Hidden files and folders (name starting with `.`, so also
`.ipynb_checkpoints`) are skipped. Linked folders are never entered (a link can leave the
folder or loop). A linked file that stays inside `root` is returned like any other; one that
points outside `root` is NOT returned. Anything else with a submission suffix that is not a
folder (a FIFO, a broken link) is returned and becomes unreadable on loading.

Messages, so that the caller can give every file a row:
- ERROR: exactly the files that were refused here (a link leaving `root`); the message's
  `location.file` is the file's relative path and it needs its own `unreadable` row
  (`grader.loaders.common.unreadable_submission(location.file, ...)`).
- WARNING: batch-level notes with no row of their own (a linked folder, a folder that cannot
  be listed, too deep, the file cap reached, a `.pdf` not graded because the `.tex` of the
  same name beside it is: the source wins, and its row warns when the two differ).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.loaders.files import inside_root, relative_source
from grader.model import Location, Message, Reason, Severity

SUBMISSION_SUFFIXES = frozenset({".yaml", ".yml", ".ipynb", ".tex", ".pdf"})
MAX_FILES = 100_000
MAX_ENTRIES = 1_000_000  # directory entries looked at, submission or not
MAX_FOLDER_DEPTH = 32


def is_submission_name(name: str) -> bool:
    """True for a visible file name with a submission suffix."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in SUBMISSION_SUFFIXES


@dataclass
class _Walk:
    root: Path
    max_files: int
    found: list[Path] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    entries: int = 0
    stopped: bool = False

    def note(self, severity: Severity, path: Path, reason: Reason | None, text: str) -> None:
        where = Location(relative_source(path, self.root))
        self.messages.append(Message(severity, text, where, reason))

    def folder(self, folder: Path, depth: int) -> list[Path]:
        """Collect this folder's submission files; return its subfolders, in name order."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.note(
                Severity.WARNING,
                folder,
                Reason.FILE_UNREADABLE,
                f"cannot list folder: {exc.strerror}",
            )
            return []
        subfolders = []
        for entry in entries:
            self.entries += 1
            if self.entries > MAX_ENTRIES:
                self._stop(folder, f"more than {MAX_ENTRIES} folder entries")
            if self.stopped:
                break
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                self._link(entry, path)
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append(path)
            elif is_submission_name(entry.name):
                self._add(path)
        if subfolders and depth + 1 > MAX_FOLDER_DEPTH:
            self.note(
                Severity.WARNING,
                folder,
                Reason.TOO_DEEP,
                f"folders nested deeper than {MAX_FOLDER_DEPTH} levels are not searched",
            )
            return []
        return subfolders

    def _add(self, path: Path) -> bool:
        """Keep a file unless the cap is reached (then stop the whole walk)."""
        if len(self.found) >= self.max_files:
            self._stop(path.parent, f"more than {self.max_files} submission files")
            return False
        self.found.append(path)
        return True

    def _stop(self, folder: Path, what: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.note(
                Severity.WARNING,
                folder,
                Reason.TOO_LARGE,
                f"search stopped: {what}; the rest is not graded",
            )

    def _link(self, entry: os.DirEntry[str], path: Path) -> None:
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            self.note(Severity.WARNING, path, Reason.FILE_UNREADABLE, "linked folder not searched")
            return
        if not is_submission_name(entry.name):
            return
        if inside_root(path, self.root):
            self._add(path)
            return
        self.note(
            Severity.ERROR,
            path,
            Reason.FILE_UNREADABLE,
            "the file is a link to a place outside the graded folder: not read",
        )


def discover(root: Path, *, max_files: int = MAX_FILES) -> tuple[list[Path], list[Message]]:
    """Every submission file under `root` (sorted by relative path) and batch-level messages."""
    walk = _Walk(root, max_files)
    if not root.is_dir():
        walk.note(Severity.WARNING, root, Reason.FILE_UNREADABLE, "not a folder")
        return [], walk.messages
    pending: list[tuple[Path, int]] = [(root, 0)]
    while pending and not walk.stopped:
        folder, depth = pending.pop()
        subfolders = walk.folder(folder, depth)
        # reversed, so that the stack pops them in name order
        pending.extend((sub, depth + 1) for sub in reversed(subfolders))
    found = sorted(walk.found, key=lambda p: relative_source(p, root))
    return _source_wins(found, walk), walk.messages


def _source_wins(found: list[Path], walk: _Walk) -> list[Path]:
    """Drop each `.pdf` that has a `.tex` of the same name beside it (one row per hand-in)."""
    sources = {p.with_suffix("").as_posix() for p in found if p.suffix.lower() == ".tex"}
    kept = []
    for path in found:
        if path.suffix.lower() == ".pdf" and path.with_suffix("").as_posix() in sources:
            walk.note(
                Severity.WARNING,
                path,
                None,
                "not graded: the .tex source of the same name beside it is graded instead",
            )
            continue
        kept.append(path)
    return kept
