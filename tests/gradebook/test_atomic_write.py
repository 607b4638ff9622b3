"""Interrupted writes leave the previous gradebook whole and no temporaries behind."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.gradebook import GradebookWriteError, write_gradebook
from grader.gradebook.atomic import TEMP_SUFFIX, replace_files
from grader.model import AssignmentInfo, Gradebook, GradedSubmission


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def _failing_after(calls: int, real: Callable[..., None], *, once: bool) -> Callable[..., None]:
    """os.replace that works `calls` times, then raises (once, or from then on)."""
    count = {"n": 0}

    def replace(src: object, dst: object) -> None:
        count["n"] += 1
        if count["n"] == calls + 1 or (not once and count["n"] > calls):
            raise OSError(28, "No space left on device")
        real(src, dst)

    return replace


@pytest.fixture
def new_book(info: AssignmentInfo, ada_row: GradedSubmission) -> Gradebook:
    """A different gradebook than the fixture's: one student, another total."""
    return Gradebook(info, (dataclasses.replace(ada_row, total=1.0),))


def test_failure_mid_replace_rolls_back_to_the_previous_files(
    book: Gradebook, new_book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_gradebook(book, tmp_path)
    before = _snapshot(tmp_path)
    monkeypatch.setattr(os, "replace", _failing_after(1, os.replace, once=True))
    with pytest.raises(GradebookWriteError):
        write_gradebook(new_book, tmp_path)
    assert _snapshot(tmp_path) == before
    assert _temps(tmp_path) == []


def test_persistent_failure_leaves_every_file_whole_and_no_temporaries(
    book: Gradebook, new_book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_root = tmp_path / "new"
    write_gradebook(new_book, new_root)
    new = _snapshot(new_root)
    old_root = tmp_path / "old"
    write_gradebook(book, old_root)
    old = _snapshot(old_root)
    monkeypatch.setattr(os, "replace", _failing_after(1, os.replace, once=False))
    with pytest.raises(GradebookWriteError):
        write_gradebook(new_book, old_root)
    after = _snapshot(old_root)
    assert _temps(old_root) == []
    # rollback was impossible: each file is entirely its old or its new version
    changed = [name for name, data in after.items() if data != old.get(name)]
    assert len(changed) == 1 and after[changed[0]] == new[changed[0]]
    assert set(after) == set(old) | set(changed)
    # stale feedback is only pruned after success: the old students' files are still there
    assert {n for n in old if n.startswith("feedback/")} <= set(after)


def test_failure_while_writing_temporaries_changes_nothing(
    book: Gradebook, new_book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_gradebook(book, tmp_path)
    before = _snapshot(tmp_path)
    real_fsync, count = os.fsync, {"n": 0}

    def fsync(fd: int) -> None:
        count["n"] += 1
        if count["n"] == 2:
            raise OSError(5, "I/O error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(GradebookWriteError):
        write_gradebook(new_book, tmp_path)
    assert _snapshot(tmp_path) == before
    assert _temps(tmp_path) == []


def test_first_run_interrupted_leaves_no_partial_gradebook(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", _failing_after(2, os.replace, once=True))
    with pytest.raises(GradebookWriteError):
        write_gradebook(book, tmp_path / "out")
    assert _snapshot(tmp_path / "out") == {}


def test_keyboard_interrupt_cleans_up_and_propagates(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_gradebook(book, tmp_path)
    assert _temps(tmp_path) == []
    assert not (tmp_path / "grades.csv").exists()


def test_temporaries_of_a_crashed_run_are_removed_next_time(
    book: Gradebook, tmp_path: Path
) -> None:
    (tmp_path / "feedback").mkdir()
    crashed = tmp_path / f".grades.csv.0123456789abcdef{TEMP_SUFFIX}"
    crashed.write_bytes(b"half")
    (tmp_path / "feedback" / f".s1.md.fedcba9876543210{TEMP_SUFFIX}").write_bytes(b"half")
    foreign = tmp_path / ".keep.gbtmp"  # not our pattern: left alone
    foreign.write_bytes(b"mine")
    write_gradebook(book, tmp_path)
    assert _temps(tmp_path) == [foreign]


def test_new_files_get_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        (path,) = replace_files(tmp_path, [("a.csv", b"x\n")])
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert path.read_bytes() == b"x\n"


def test_an_output_path_that_is_a_file_is_a_write_error(book: Gradebook, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(GradebookWriteError):
        write_gradebook(book, tmp_path / "out")
    assert (tmp_path / "out").read_text(encoding="utf-8") == "not a folder"
