"""The Dask backend on a LocalCluster: the same gradebook bytes as a local run, and the same
limits (a check past its deadline or whose process dies fails alone, the batch goes on)."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import dask  # noqa: E402
from dask.distributed import LocalCluster  # noqa: E402

from grader.cli import main  # noqa: E402
from grader.dask_backend import run_dask  # noqa: E402
from grader.model import CheckResult, Outcome, Reason  # noqa: E402
from grader.sandbox import JobLimits, check_failed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = str(ROOT / "rubrics" / "practical-1.yaml")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """An existing cluster on this machine, as a course would run one (workers may fork)."""
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # fmt: skip
    with cluster:
        yield str(cluster.scheduler_address)


def _grade(folder: Path, out: Path, *extra: str) -> dict[str, bytes]:
    sink = io.StringIO()
    argv = [str(folder), "--out", str(out), "--rubric", RUBRIC, "--quiet", "--no-cache", *extra]
    assert main(argv, sink, sink) == 0, sink.getvalue()
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix != ".png"
    }


def test_an_existing_cluster_writes_the_bytes_of_a_local_run(
    scheduler: str, tmp_path: Path
) -> None:
    folder = tmp_path / "sheets"
    shutil.copytree(ROOT / "submissions", folder)
    local = _grade(folder, tmp_path / "local", "--jobs", "0")
    assert _grade(folder, tmp_path / "dask", "--scheduler", scheduler) == local


def test_a_local_cluster_writes_the_same_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name in ("pen_paper_lovelace.yaml", "pen_paper_euler.yaml", "pen_paper_broken.yaml"):
        shutil.copy(ROOT / "submissions" / name, folder)
    local = _grade(folder, tmp_path / "local", "--jobs", "0")
    assert _grade(folder, tmp_path / "dask", "--scheduler", "dask", "--jobs", "1") == local


def test_deadline_and_a_dying_check_fail_alone(scheduler: str) -> None:
    def execute(job: str) -> CheckResult:
        if job == "hang":
            time.sleep(600)
        if job == "die":
            os._exit(3)
        return CheckResult(fraction=1.0, outcome=Outcome.CORRECT, feedback=(job,))

    jobs = ["a", "hang", "b", "die", "c"]
    started = time.monotonic()
    results = run_dask(
        execute, jobs, address=scheduler, workers=2, limits=JobLimits(seconds=1.0),
        failure=check_failed,
    )  # fmt: skip
    assert time.monotonic() - started < 300  # the hanging check was killed, not waited for
    assert Reason.TIMEOUT in results["hang"].reasons and results["hang"].needs_review
    assert results["die"].outcome is Outcome.NEEDS_REVIEW
    assert [results[j].feedback for j in ("a", "b", "c")] == [("a",), ("b",), ("c",)]
