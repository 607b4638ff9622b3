"""Publishing a gradebook folder as one set: at every point of failure or interruption the folder
holds the whole previous set or the whole new one, and what is reported is the truth.

Faults are injected at EVERY system call publishing makes (mkdir, open, fsync, chmod, link,
rename, the folder exchange), once as a disk error and once as Ctrl-C, with the exchange and
with the two-rename fallback. Real signals and processes are in tests/hostile/test_interrupted.py.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import grader.gradebook.publish as publish
from grader.gradebook import GradebookWriteError, write_gradebook
from grader.gradebook.lock import GradebookBusyError, lock_path
from grader.gradebook.publish import MANIFEST_FILE, GradebookFolder, State, publish_folder
from grader.model import AssignmentInfo, Gradebook, GradedSubmission

OLD = {"grades.csv": b"old grades\n", "feedback/ada.md": b"old ada\n", "report.md": b"old\n"}
NEW = {"grades.csv": b"new grades\n", "feedback/bob.md": b"new bob\n", "parts.csv": b"new\n"}
WATCHED = ("mkdir", "open", "fsync", "chmod", "link", "rename")


def _files(contents: dict[str, bytes]) -> list[tuple[str, bytes]]:
    return sorted(contents.items())


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root except the manifest (relative path -> bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    }


def _beside(out: Path) -> list[str]:
    """What lies beside the gradebook folder apart from it (staging, old sets, the lock)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


class _Faults:
    """Stands in for the `os` module inside grader.gradebook.publish: counts the watched calls
    (and the folder exchange) and raises `error` at call number `at`."""

    def __init__(self, at: int | None, error: BaseException | None) -> None:
        self.at, self.error, self.calls = at, error, 0

    def tick(self) -> None:
        self.calls += 1
        if self.calls == self.at and self.error is not None:
            raise self.error

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            return real(*args, **kwargs)

        return call

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        return self.wrap(real) if name in WATCHED else real


@pytest.fixture(params=["exchange", "two renames", "fsync per file"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "two renames":  # a system without an atomic exchange
        monkeypatch.setattr(publish, "exchange", lambda first, second: False)
    if request.param == "fsync per file":  # no syncfs(2): every staged file is fsync'ed
        monkeypatch.setattr(publish, "sync_filesystem", lambda folder: False)
    return str(request.param)


def _inject(monkeypatch: pytest.MonkeyPatch, faults: _Faults) -> None:
    monkeypatch.setattr(publish, "os", faults)
    monkeypatch.setattr(publish, "exchange", faults.wrap(publish.exchange))


def _count_calls(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old: dict[str, bytes],
    new: dict[str, bytes],
) -> int:
    """How many faultable calls publishing `new` over `old` makes (in a probe folder)."""
    out = tmp_path / "probe" / "gradebook"
    publish_folder(out, _files(old))
    with monkeypatch.context() as patch:
        faults = _Faults(None, None)
        _inject(patch, faults)
        publish_folder(out, _files(new))
    assert _tree(out) == new
    shutil.rmtree(out.parent)
    return faults.calls


def _points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    total = _count_calls(tmp_path, monkeypatch, OLD, NEW)
    assert total > 10  # the probe saw the mkdirs, opens, fsyncs and the commit
    yield from range(1, total + 1)


def test_a_disk_error_at_any_call_leaves_the_previous_set_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    for point in _points(tmp_path, monkeypatch):
        out = tmp_path / str(point) / "gradebook"
        publish_folder(out, _files(OLD))
        folder = GradebookFolder(out)
        with monkeypatch.context() as patch:
            _inject(patch, _Faults(point, OSError(errno.ENOSPC, "No space left on device")))
            with folder.locked():
                try:
                    folder.publish(_files(NEW))
                except GradebookWriteError as error:
                    assert "No space left on device" in str(error), point
                    assert folder.state is State.UNTOUCHED, point
        expected = NEW if folder.state is State.PUBLISHED else OLD
        assert _tree(out) == expected, (mode, point)
        assert _beside(out) == [], (mode, point)


def test_ctrl_c_at_any_call_leaves_one_whole_set_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    seen = set()
    for point in _points(tmp_path, monkeypatch):
        out = tmp_path / str(point) / "gradebook"
        publish_folder(out, _files(OLD))
        folder = GradebookFolder(out)
        with monkeypatch.context() as patch:
            _inject(patch, _Faults(point, KeyboardInterrupt()))
            try:
                with folder.locked():
                    folder.publish(_files(NEW))
                interrupted = False
            except KeyboardInterrupt:
                interrupted = True
        published = folder.state is State.PUBLISHED
        seen.add((interrupted, published))
        assert _tree(out) == (NEW if published else OLD), (mode, point)
        said = folder.what_is_left()
        if published:
            assert "new gradebook was already complete" in said
        else:
            assert "previous gradebook" in said and "left as it was" in said
        # nothing beside it but what the message names; the next run removes that too
        leftover = [folder.leftover.name] if folder.leftover else []
        assert _beside(out) == leftover, (mode, point)
        with GradebookFolder(out).locked():
            pass
        assert _beside(out) == []
        assert _tree(out) == (NEW if published else OLD)
    assert seen == {(True, False), (True, True)}  # before and after the commit


def test_the_first_run_interrupted_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "gradebook"
    folder = GradebookFolder(out)
    with monkeypatch.context() as patch:
        _inject(patch, _Faults(3, KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt), folder.locked():
            folder.publish(_files(NEW))
    assert not out.exists()
    assert folder.what_is_left().startswith("no gradebook was written")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_signal_during_the_commit_is_held_until_the_new_set_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    out = tmp_path / "gradebook"
    publish_folder(out, _files(OLD))
    real = publish.exchange

    def exchange_with_a_signal(first: Path, second: Path) -> bool:
        signal.raise_signal(signal.SIGINT)  # arrives in the middle of the commit
        return real(first, second)

    monkeypatch.setattr(publish, "exchange", exchange_with_a_signal)
    # Ctrl-C as in a terminal: a shell starts a background job with SIGINT ignored, and Python
    # then keeps it ignored, so a test run in the background would see no KeyboardInterrupt.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        folder = GradebookFolder(out)
        with pytest.raises(KeyboardInterrupt), folder.locked():
            folder.publish(_files(NEW))
        assert folder.state is State.PUBLISHED
        assert _tree(out) == NEW
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, inherited)


def test_what_a_killed_run_left_is_removed_or_repaired_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    publish_folder(out, _files(OLD))
    stage = tmp_path / ".gradebook.stage-0123456789abcdef"
    (stage / "feedback").mkdir(parents=True)
    (stage / "grades.csv").write_bytes(b"half")
    foreign = tmp_path / ".gradebook.stage-not-ours"
    foreign.mkdir()
    publish_folder(out, _files(NEW))
    assert _tree(out) == NEW
    assert _beside(out) == [foreign.name]
    # killed between the two renames of the fallback: the folder is gone, the old set beside it
    old = tmp_path / ".gradebook.old-00000000000000aa"
    out.rename(old)
    with GradebookFolder(out).locked():
        assert _tree(out) == NEW
    assert not old.exists()


def test_a_legacy_gradebook_is_replaced_with_its_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    (out / "feedback").mkdir(parents=True)
    for name in ("grades.csv", "results.json", "report.html", "feedback/s1.md"):
        (out / name).write_bytes(b"legacy")
    (out / ".grades.csv.0123456789abcdef.gbtmp").write_bytes(b"half")
    (out / "exports").mkdir()
    (out / "exports" / "canvas.csv").write_bytes(b"stale upload")
    publish_folder(out, _files(NEW))
    assert _tree(out) == NEW


def test_plain_files_of_others_are_kept_and_anything_else_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    publish_folder(out, _files(OLD))
    (out / "grades.xlsx").write_bytes(b"a TA's spreadsheet")
    (out / "feedback" / "README.txt").write_bytes(b"for students")
    inode = (out / "grades.xlsx").stat().st_ino
    published = publish_folder(out, _files(NEW))
    assert published.kept == ("feedback/README.txt", "grades.xlsx")
    assert _tree(out) == {**NEW, "grades.xlsx": b"a TA's spreadsheet",
                          "feedback/README.txt": b"for students"}  # fmt: skip
    assert (out / "grades.xlsx").stat().st_ino == inode  # linked, not copied
    for odd in ("folder", "link"):
        path = out / odd
        path.mkdir() if odd == "folder" else path.symlink_to(tmp_path)
        with pytest.raises(GradebookWriteError, match=odd):
            publish_folder(out, _files(OLD))
        assert _tree(out)["grades.csv"] == NEW["grades.csv"]
        path.rmdir() if odd == "folder" else path.unlink()
        assert _beside(out) == []


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_holds_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "gradebook"
    publish_folder(out, _files(OLD))
    first = GradebookFolder(out)
    with first.locked():
        assert lock_path(out.resolve()).read_text(encoding="ascii").strip() == str(os.getpid())
        # the same folder spelt another way is the same lock
        other = GradebookFolder(Path(f"{tmp_path}//./gradebook/sub/../"))
        with pytest.raises(GradebookBusyError, match=f"process {os.getpid()}"), other.locked():
            pass
        first.publish(_files(NEW))
    assert _tree(out) == NEW
    assert _beside(out) == []
    with GradebookFolder(out).locked():  # released: the next run may go
        pass


def test_another_process_holding_the_lock_is_named(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    out.mkdir()
    code = (
        "import sys, time\nfrom pathlib import Path\n"
        "from grader.gradebook.publish import GradebookFolder\n"
        "with GradebookFolder(Path(sys.argv[1])).locked():\n"
        "    print('held', flush=True)\n    sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with pytest.raises(GradebookBusyError, match=f"process {holder.pid}"):
            publish_folder(out, _files(NEW))
        assert list(out.iterdir()) == []
        holder.kill()  # dies holding it: the system releases the lock
    publish_folder(out, _files(NEW))
    assert _tree(out) == NEW


def test_a_reader_always_sees_one_whole_set(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    sets = [
        {f"feedback/{i}.md": f"{tag}\n".encode() for i in range(20)} | {"grades.csv": tag.encode()}
        for tag in ("A", "B")
    ]
    publish_folder(out, _files(sets[0]))
    seen: list[set[bytes]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # never ENOENT: the path always exists
            try:
                names = ["grades.csv", *(f"feedback/{i}.md" for i in range(20))]
                contents: set[bytes] = set()
                for name in names:
                    try:
                        handle = os.open(name, os.O_RDONLY, dir_fd=fd)
                    except FileNotFoundError:
                        # the set this reader opened was replaced and is being removed:
                        # it never sees a file of the other set, only fewer of its own
                        contents = set()
                        break
                    contents.add(os.read(handle, 100).strip())
                    os.close(handle)
                if contents:
                    seen.append(contents)
            finally:
                os.close(fd)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(16):
            publish_folder(out, _files(sets[(round_ + 1) % 2]))
    finally:
        done.set()
        reader.join()
    assert seen and all(len(contents) == 1 for contents in seen)


def test_permissions_are_ordinary_and_the_folders_mode_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "gradebook"
    umask = os.umask(0o022)
    try:
        (path, *_) = publish_folder(out, [("a.csv", b"x\n")]).files
        assert path.stat().st_mode & 0o777 == 0o644
        out.chmod(0o2770)  # a group-shared gradebook
        publish_folder(out, [("a.csv", b"y\n")])
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o2770
    assert (out / "a.csv").read_bytes() == b"y\n"


def test_an_output_path_that_is_a_file_is_a_write_error(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(GradebookWriteError):
        write_gradebook(Gradebook(info, (ada_row,)), tmp_path / "out")
    assert (tmp_path / "out").read_text(encoding="utf-8") == "not a folder"


def test_a_linked_out_folder_is_published_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "gradebook"
    publish_folder(real, _files(OLD))
    link = tmp_path / "gradebook"
    link.symlink_to(real, target_is_directory=True)
    publish_folder(link, _files(NEW))
    assert link.is_symlink() and _tree(real) == NEW


def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace')}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    _mount_tmpfs(folder, "256k")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_leaves_the_previous_set_and_frees_the_staging(small_disk: Path) -> None:
    out = small_disk / "gradebook"
    publish_folder(out, _files(OLD))
    before = shutil.disk_usage(small_disk).used
    big = {**NEW, "results.json": b"x" * (512 * 1024)}
    with pytest.raises(GradebookWriteError, match="No space left on device"):
        publish_folder(out, _files(big))
    assert _tree(out) == OLD
    assert _beside(out) == []
    assert shutil.disk_usage(small_disk).used == before
    publish_folder(out, _files(NEW))  # once there is room again, it works
    assert _tree(out) == NEW


KEPT_OLD = {"feedback/ada.md": b"ada\n", "grades.csv": b"old grades\n", "report.png": b"png"}
KEPT_NEW = {"feedback/ada.md": b"ada\n", "grades.csv": b"new grades\n", "report.png": b"png"}


def test_an_unchanged_file_is_linked_from_the_previous_set_and_a_changed_one_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "gradebook"
    publish_folder(out, _files(KEPT_OLD))
    before = {name: (out / name).stat().st_ino for name in KEPT_OLD}
    publish_folder(out, _files(KEPT_NEW))
    assert _tree(out) == KEPT_NEW and _beside(out) == []
    after = {name: (out / name).stat() for name in KEPT_NEW}
    assert after["feedback/ada.md"].st_ino == before["feedback/ada.md"]  # the same bytes: linked
    assert after["report.png"].st_ino == before["report.png"]
    assert after["grades.csv"].st_ino != before["grades.csv"]  # changed: written anew
    assert all(info.st_nlink == 1 for info in after.values())  # the previous set is gone
    # Only a plain file of ours is linked: not one with other permissions, not one with
    # another name somewhere (it could be changed through that name)
    (out / "feedback/ada.md").chmod(0o600)
    os.link(out / "report.png", tmp_path / "elsewhere.png")
    publish_folder(out, _files(KEPT_NEW))
    assert (out / "feedback/ada.md").stat().st_ino != after["feedback/ada.md"].st_ino
    assert stat.S_IMODE((out / "feedback/ada.md").stat().st_mode) != 0o600
    assert (out / "report.png").stat().st_ino != after["report.png"].st_ino
    assert (tmp_path / "elsewhere.png").read_bytes() == b"png"
    assert _tree(out) == KEPT_NEW


def test_a_fault_while_linking_leaves_one_whole_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_calls(tmp_path, monkeypatch, KEPT_OLD, KEPT_NEW)
    assert calls > 10
    for point in range(1, calls + 1):
        for error in (OSError(errno.EIO, "Input/output error"), KeyboardInterrupt()):
            out = tmp_path / f"{point}-{type(error).__name__}" / "gradebook"
            publish_folder(out, _files(KEPT_OLD))
            folder = GradebookFolder(out)
            with monkeypatch.context() as patch:
                _inject(patch, _Faults(point, error))
                with folder.locked():
                    try:
                        folder.publish(_files(KEPT_NEW))
                    except GradebookWriteError:
                        assert folder.state is State.UNTOUCHED, point
                    except KeyboardInterrupt:
                        pass  # the state says which set is in place
            expected = KEPT_NEW if folder.state is State.PUBLISHED else KEPT_OLD
            assert _tree(out) == expected, point
            leftover = [folder.leftover.name] if folder.leftover else []  # removed next time
            assert _beside(out) == leftover, point
