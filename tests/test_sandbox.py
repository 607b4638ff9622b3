"""The worker pool: a job past its deadline is killed and reported, the others finish."""

from __future__ import annotations

import os
import time

from grader.model import CheckResult, Outcome, Reason
from grader.sandbox import JobLimits, run_inline, run_pool


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
