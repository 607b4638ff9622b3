"""A stopped, crashed, starved or doubled `grade` never leaves a mixed gradebook or a process.

Every signal (SIGINT, SIGTERM, SIGHUP, SIGKILL) at every stage of a real `grade` process:
reading, checking (workers busy), writing the staging folder, inside the commit (the folder
exchange) and after it (removing the old set). To hit a stage exactly, `grade` runs under a
small wrapper that makes one function of that stage announce itself on stdout and wait for a
byte on stdin; the test sends the signal there, then lets it go on. After each run:

- the gradebook folder is byte for byte the previous set or the new one, and the message says
  which (SIGKILL: no message; before the commit, the previous set);
- nothing is left beside it but what the message names, and the next run removes that;
- no process of the run is alive (its workers included), and the lock is free.

Also: two runs on one folder (the second is refused at once, the first finishes), and a full
disk (a small tmpfs: the previous set stays, the staging folder is gone).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_build import REPO, RUN_TIMEOUT, grade_env, make_run_dirs, run_grade, snapshot

from grader.gradebook.publish import GradebookFolder

SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGKILL")
STAGES = ("reading", "checking", "writing", "commit", "published")
PREVIOUS_SHEETS = ("pen_paper_curie.yaml",)
NEW_SHEETS = ("pen_paper_euler.yaml", "pen_paper_gauss.yaml")

# `grade` with one function of the stage under test replaced by: announce, wait, carry on.
WRAPPER = r"""
import os, sys
stage, argv = sys.argv[1], sys.argv[2:]

def pausing(module, name, when=1):
    real, calls = getattr(module, name), [0]
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == when:
            sys.stdout.write(f"PAUSED {stage}\n")
            sys.stdout.flush()
            os.read(0, 1)
        return real(*args, **kwargs)
    setattr(module, name, wrapper)

import grader.cli, grader.pipeline, grader.sandbox, grader.gradebook.publish as publish
if stage == "reading":
    pausing(grader.pipeline, "load_submission")
elif stage == "checking":  # the workers are running their first jobs
    pausing(grader.sandbox, "_collect")
elif stage == "writing":  # a few files of the staging folder written
    pausing(publish, "_write_new", when=3)
elif stage == "commit":  # inside the commit, just before the folders are exchanged
    pausing(publish, "exchange")
elif stage == "published":  # the new set in place, the old one not yet removed
    pausing(publish.GradebookFolder, "_discard_old")
sys.exit(grader.cli.main(argv))
"""


@dataclass(frozen=True)
class Scene:
    """The folders of the module: batches, reference gradebooks and a place for runs."""

    previous_batch: Path
    new_batch: Path
    previous: dict[str, tuple[str, ...]]
    new: dict[str, tuple[str, ...]]
    previous_folder: Path
    root: Path
    cwd: Path
    home: Path


def _batch(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copyfile(REPO / "submissions" / name, folder / name)
    return folder


def _reference(scene_root: Path, batch: Path, name: str, cwd: Path, home: Path) -> Path:
    out = scene_root / name / "gradebook"
    result = run_grade(batch, out, cwd, home, "--jobs", "1")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return out


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("interrupted")
    cwd, home = make_run_dirs(root)
    previous_batch = _batch(root / "previous-batch", PREVIOUS_SHEETS)
    new_batch = _batch(root / "new-batch", NEW_SHEETS)
    previous = _reference(root, previous_batch, "previous", cwd, home)
    new = _reference(root, new_batch, "new", cwd, home)
    return Scene(
        previous_batch, new_batch, snapshot(previous), snapshot(new), previous, root, cwd, home
    )


def _fresh_out(scene: Scene, name: str) -> Path:
    out = scene.root / "runs" / name / "gradebook"
    shutil.copytree(scene.previous_folder, out)
    assert snapshot(out) == scene.previous
    return out


def _group_alive(group: int) -> list[int]:
    """Processes of process group `group` still running (zombies nobody reaps are gone)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            alive.append(int(entry.name))
    return alive


def _wait_gone(group: int) -> list[int]:
    deadline = time.monotonic() + 10
    while (left := _group_alive(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@contextlib.contextmanager
def _paused(scene: Scene, out: Path, stage: str) -> Iterator[subprocess.Popen[bytes]]:
    """`grade` on the new batch over `out`, stopped at `stage` (its own process group)."""
    argv = [str(scene.new_batch), "--out", str(out), "--quiet", "--jobs", "1"]
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, stage, *argv],
        cwd=scene.cwd,
        env=grade_env(scene.home),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # A background job starts with SIGINT ignored: give the child the default handling.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == f"PAUSED {stage}\n".encode(), (line, _stderr(process))
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=RUN_TIMEOUT)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _stderr(process: subprocess.Popen[bytes]) -> str:
    process.kill()
    process.wait(timeout=RUN_TIMEOUT)
    return process.stderr.read().decode("utf-8", "replace") if process.stderr else ""


def _go_on(process: subprocess.Popen[bytes]) -> None:
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError, OSError):
        process.stdin.write(b"x")
        process.stdin.close()


def _beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("signame", SIGNALS)
def test_a_signal_at_any_stage_leaves_one_whole_set_and_no_process(
    scene: Scene, signame: str, stage: str
) -> None:
    out = _fresh_out(scene, f"{signame}-{stage}")
    with _paused(scene, out, stage) as process:
        os.kill(process.pid, getattr(signal, signame))
        _go_on(process)
        process.wait(timeout=RUN_TIMEOUT)
        assert process.stderr is not None
        stderr = process.stderr.read().decode("utf-8", "replace")
        assert _wait_gone(process.pid) == [], "a process of the run outlived it"
    published = stage == "published" or (stage == "commit" and signame != "SIGKILL")
    assert snapshot(out) == (scene.new if published else scene.previous), stderr
    if signame == "SIGKILL":
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 1, stderr
        said = stderr.strip().splitlines()[-1]
        cause = "interrupted" if signame == "SIGINT" else f"stopped by {signame}"
        assert said.startswith(f"grade: {cause}; "), said
        if published:
            assert "the new gradebook was already complete" in said, said
        else:
            assert "the previous gradebook" in said and "was left as it was" in said, said
        for name in _beside(out):  # only what the message names may be left
            assert name in said, (name, said)
    with GradebookFolder(out).locked():  # the lock is free; the next run cleans up
        pass
    assert _beside(out) == []
    assert snapshot(out) == (scene.new if published else scene.previous)


def test_a_second_run_on_the_same_folder_is_refused_and_the_first_finishes(scene: Scene) -> None:
    out = _fresh_out(scene, "concurrent")
    with _paused(scene, out, "checking") as first:
        second = run_grade(scene.new_batch, out, scene.cwd, scene.home, "--jobs", "1")
        message = second.stderr.decode("utf-8", "replace")
        assert second.returncode == 1
        assert f"another grade (process {first.pid}) is writing this gradebook" in message
        assert snapshot(out) == scene.previous
        _go_on(first)
        assert first.wait(timeout=RUN_TIMEOUT) == 0
    assert snapshot(out) == scene.new
    assert _beside(out) == []


@pytest.fixture
def small_disk(scene: Scene, tmp_path: Path) -> Iterator[Path]:
    """A tmpfs with room for the previous gradebook and half the new one."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    sizes = [int(entry[1]) for entry in scene.previous.values() if entry[0] == "file"]
    new_sizes = [int(entry[1]) for entry in scene.new.values() if entry[0] == "file"]
    page = 4096
    pages = sum(-(-size // page) for size in sizes) + sum(-(-s // page) for s in new_sizes) // 2
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={(pages + 4) * page}", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode(errors='replace')}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_leaves_the_previous_gradebook_and_says_so(
    scene: Scene, small_disk: Path
) -> None:
    out = small_disk / "gradebook"
    shutil.copytree(scene.previous_folder, out)
    used = shutil.disk_usage(small_disk).used
    result = run_grade(scene.new_batch, out, scene.cwd, scene.home, "--jobs", "1")
    message = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, message
    assert "No space left on device" in message, message
    assert "the previous gradebook" in message and "was left as it was" in message, message
    assert snapshot(out) == scene.previous
    assert _beside(out) == []
    assert shutil.disk_usage(small_disk).used == used
