"""An interrupted `grade` never damages the previous gradebook.

A real gradebook is written first (the sample sheets). Then `grade` is started on 200 sheets
with distinct answers (so that checking takes a while), over the SAME --out, and interrupted
while it is checking -- the progress line on stderr says when: once with SIGKILL (nothing can
be cleaned up), once with SIGINT (Ctrl-C: exit status 1). Both times every file of the previous
gradebook must be byte-identical and no other file may appear. A normal run afterwards
succeeds and removes the temporary files a crash during writing would have left.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_build import (
    REPO,
    RUN_TIMEOUT,
    grade_command,
    grade_env,
    make_run_dirs,
    read_tree,
    run_grade,
    snapshot,
)

COPIES = 200
EX1 = (
    "(y_out - y_gt) * f3'(s_out) * z2",
    "(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * z1",
    "(y_out - y_gt) * f3'(s_out) * W_out * f2'(s2) * W2 * f1'(s1) * x_in",
)
GRADIENT = (
    "sum_{l != y_i} 1[p_l - p_{y_i} + margin > 0] * "
    "(p_l * (delta_{lj} - p_j) - p_{y_i} * (delta_{y_i j} - p_j))"
)


def _sheet(index: int) -> str:
    """A sheet whose symbolic answers are right but written differently from every other sheet
    (a factor k/k), so that no two sheets share a checking job."""
    k = index + 2
    same = f" * {k}/{k}"
    return (
        f'student:\n  id: "k{index:04d}"\n  name: "Copy {index}"\nassignment: practical-1\n'
        "answers:\n  ex1:\n"
        f'    dL_dWout: "{EX1[0]}{same}"\n'
        f'    dL_dW2: "{EX1[1]}{same}"\n'
        f'    dL_dW1: "{EX1[2]}{same}"\n'
        f'  mini:\n    dW_k: "delta_k * z_{{k-1}}^T{same}"\n'
        f'  ex3:\n    gradient: "{GRADIENT}{same}"\n'
    )


@dataclass(frozen=True)
class Setup:
    """The folders of one test: a small batch, a slow batch and the shared --out."""

    small: Path
    slow: Path
    out: Path
    cwd: Path
    home: Path


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    small = tmp_path / "small"
    shutil.copytree(REPO / "submissions", small)
    slow = tmp_path / "slow"
    slow.mkdir()
    for index in range(COPIES):
        (slow / f"pen_paper_k{index:04d}.yaml").write_text(_sheet(index), encoding="utf-8")
    cwd, home = make_run_dirs(tmp_path)
    return Setup(small, slow, tmp_path / "gradebook", cwd, home)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def _started(setup: Setup) -> Iterator[subprocess.Popen[bytes]]:
    """`grade` on the slow folder (with progress lines), in its own process group so that its
    workers can be cleaned up whatever happens to it."""
    process = subprocess.Popen(
        grade_command(setup.slow, setup.out),
        cwd=setup.cwd,
        env=grade_env(setup.home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # A shell's background job starts with SIGINT ignored, and Python then never raises
        # KeyboardInterrupt: give the child the default handling, as a terminal would.
        preexec_fn=_default_sigint,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers a SIGKILL orphaned
        process.wait(timeout=RUN_TIMEOUT)
        if process.stderr:
            process.stderr.close()


def _wait_until_checking(process: subprocess.Popen[bytes]) -> str:
    """Read progress lines until one says checking has started but not finished."""
    assert process.stderr is not None
    deadline = time.monotonic() + RUN_TIMEOUT
    buffer = b""
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if not ready:
            continue
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            text = line.decode("utf-8", "replace")
            seen.append(text)
            if text.startswith("checking "):
                done, total = (int(n) for n in text.split()[1].split("/"))
                if done < total:
                    return text
    raise AssertionError(f"grade never reported checking in progress: {seen[-5:]}")


def _previous_gradebook(setup: Setup) -> dict[str, tuple[str, ...]]:
    result = run_grade(setup.small, setup.out, setup.cwd, setup.home)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    tree = snapshot(setup.out)
    assert "grades.csv" in tree and any(p.startswith("feedback/") for p in tree)
    return tree


def test_sigkill_while_checking_leaves_the_previous_gradebook(setup: Setup) -> None:
    previous = _previous_gradebook(setup)
    with _started(setup) as process:
        _wait_until_checking(process)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=RUN_TIMEOUT) == -signal.SIGKILL
    assert snapshot(setup.out) == previous


def test_ctrl_c_while_checking_exits_1_and_keeps_the_previous_gradebook(setup: Setup) -> None:
    previous = _previous_gradebook(setup)
    with _started(setup) as process:
        _wait_until_checking(process)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=RUN_TIMEOUT) == 1
        # Its workers were stopped with it: nothing of its process group is left running.
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)
    assert snapshot(setup.out) == previous


def test_a_normal_run_after_a_crash_succeeds_and_removes_stale_temporaries(setup: Setup) -> None:
    previous = _previous_gradebook(setup)
    before = read_tree(setup.out)
    with _started(setup) as process:
        _wait_until_checking(process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=RUN_TIMEOUT)
    # What a crash in the middle of writing leaves: our own temporaries next to the targets.
    stale = [
        setup.out / ".grades.csv.0123456789abcdef.gbtmp",
        setup.out / "feedback" / ".s1000001.md.fedcba9876543210.gbtmp",
    ]
    for path in stale:
        path.write_bytes(b"half-written")
    result = run_grade(setup.small, setup.out, setup.cwd, setup.home)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert not any(path.exists() for path in stale)
    assert snapshot(setup.out) == previous
    assert read_tree(setup.out) == before
