"""The worker pool: a job past its deadline is killed and reported, the others finish."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.model import CheckResult, Outcome, Reason
from grader.sandbox import JobLimits, Packed, packed, run_inline, run_pool


def _execute(job: str) -> CheckResult:
    if job == "hang":
        time.sleep(600)
    if job == "boom":
        raise ValueError("bad input")
    if job == "die":
        os._exit(3)
    if job == "hog":
        _ = bytearray(4 * 1024**3)  # more than the pool's memory cap
    return CheckResult(fraction=1.0, outcome=Outcome.CORRECT, feedback=(job,))


def test_pool_kills_a_hanging_job_and_finishes_the_rest() -> None:
    jobs = ["a", "hang", "b", "c"]
    results = run_pool(_execute, jobs, workers=2, limits=JobLimits(seconds=0.5))
    assert set(results) == set(jobs)
    assert results["hang"].outcome is Outcome.NEEDS_REVIEW
    assert Reason.TIMEOUT in results["hang"].reasons
    assert results["hang"].needs_review
    for job in ("a", "b", "c"):
        assert results[job].outcome is Outcome.CORRECT
        assert results[job].feedback == (job,)


def test_pool_survives_exceptions_crashes_and_memory_hogs() -> None:
    jobs = ["boom", "die", "hog", "ok"]
    results = run_pool(_execute, jobs, workers=2, limits=JobLimits(seconds=20, memory_mib=256))
    assert results["boom"].reasons == (Reason.UNDECIDED,)
    assert results["die"].reasons == (Reason.UNDECIDED,)
    assert results["hog"].reasons == (Reason.TOO_LARGE,)
    assert results["ok"].outcome is Outcome.CORRECT


def test_duplicate_jobs_run_once() -> None:
    calls: list[str] = []

    def counting(job: str) -> CheckResult:
        calls.append(job)
        return _execute(job)

    results = run_inline(counting, ["x", "y", "x", "x"])
    assert calls == ["x", "y"]
    assert set(results) == {"x", "y"}


def _own_descriptors(job: str) -> CheckResult:
    """The worker's open descriptors above stderr, with what they point at."""
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2)
    targets = []
    for fd in fds:
        with contextlib.suppress(OSError):
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
    return CheckResult(fraction=1.0, outcome=Outcome.CORRECT, staff=tuple(targets))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_a_worker_holds_no_descriptor_but_its_own_end_of_its_pipe(tmp_path: Path) -> None:
    with (tmp_path / "held.txt").open("w") as held:  # a file the parent has open (the lock...)
        results = run_pool(_own_descriptors, [f"j{i}" for i in range(6)], workers=3)
        assert not held.closed
    for result in results.values():
        # /proc/self/fd's own listing descriptor may show up while it is read
        targets = [t for t in result.staff if not t.startswith("/proc/")]
        assert len(targets) == 1 and targets[0].startswith("socket:"), targets


WATCHED = """
import os, sys, time
from pathlib import Path
import grader.sandbox as sandbox
from grader.model import CheckResult, Outcome

if sys.argv[2] == "no-prctl":  # only the portable fallback: the thread watching the parent
    sandbox.parent_death_signal = lambda: None

def execute(job):
    Path(sys.argv[1], f"{os.getpid()}.pid").write_text(job)
    time.sleep(600)
    return CheckResult(fraction=1.0, outcome=Outcome.CORRECT)

sandbox.run_pool(execute, ["a", "b"], workers=2, limits=sandbox.JobLimits(seconds=600))
"""


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("how", ["prctl", "no-prctl"])
def test_workers_die_when_the_grader_is_killed(tmp_path: Path, how: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    with subprocess.Popen([sys.executable, "-c", WATCHED, str(tmp_path), how], env=env) as parent:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(path.stem) for path in tmp_path.glob("*.pid")]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        parent.kill()  # SIGKILL: nothing of the parent's runs
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in workers if _alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert left == []


def test_workers_share_one_memory_budget() -> None:
    from grader.sandbox import WORKERS_MEMORY_MIB, shared_memory

    limits = JobLimits(memory_mib=1024)
    assert shared_memory(limits, 1).memory_mib == 1024
    assert shared_memory(limits, 2).memory_mib == WORKERS_MEMORY_MIB // 2
    assert shared_memory(limits, 4).memory_mib * 4 <= WORKERS_MEMORY_MIB
    assert shared_memory(JobLimits(memory_mib=100), 2).memory_mib == 100


def _hog_700(job: str) -> CheckResult:
    if job == "hog":
        _ = bytearray(700 * 1024**2)  # within one worker's 1024 MiB, not within its share of two
    return CheckResult(fraction=1.0, outcome=Outcome.CORRECT)


def test_two_workers_cannot_both_take_a_gigabyte() -> None:
    results = run_pool(_hog_700, ["hog", "ok"], workers=2, limits=JobLimits(seconds=20))
    assert results["hog"].reasons == (Reason.TOO_LARGE,)
    assert results["ok"].outcome is Outcome.CORRECT


def _echo(job: object) -> object:
    return job


def test_a_packed_job_sends_what_it_was_when_packed_and_is_known_by_its_key() -> None:
    items = ["first"]
    job = packed(("k", 1), items)
    items.append("changed after packing")  # the message was made already: not sent
    results = run_pool(_echo, [job], workers=1, limits=JobLimits(seconds=5.0))
    assert results == {Packed(("k", 1), b""): ["first"]}  # compared by key alone


def test_results_pass_through_receive_as_they_arrive_but_the_pools_failures_do_not() -> None:
    results = run_pool(
        _execute, ["fine", "boom", "hang"], workers=2, limits=JobLimits(seconds=1.0),
        receive=lambda result: ("received", result),
    )  # fmt: skip
    assert results["fine"][0] == "received"
    assert results["boom"][0] == "received"  # the worker's guard made it: it was sent
    assert isinstance(results["hang"], CheckResult)  # made here when the deadline passed
    assert results["hang"].reasons == (Reason.TIMEOUT,)
