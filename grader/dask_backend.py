"""Running the batch's answer checks on a Dask cluster (`grade FOLDER --scheduler ...`).

`--scheduler dask` starts a local cluster (a LocalCluster of `--jobs` worker processes);
`--scheduler tcp://host:8786` uses an existing one. The distinct jobs of the batch (the
deduplicated symbolic judgements and free-text matches, the expensive part of grading) go to
the cluster in chunks; loading, scoring and writing stay with the files, on this machine.

The limits are the same as on the local pool, because each Dask task runs its chunk through
:func:`grader.sandbox.run_pool` inside the Dask worker: every job in a forked process with the
deadline and the memory cap, a killed process replaced. So Dask workers must be allowed to
fork (not daemonic: `DASK_DISTRIBUTED__WORKER__DAEMON=False`, which the local cluster sets).
The results are the checkers' own, deterministic (seeded by the answer), so the gradebook is
byte-identical to a local run. The prepared rubric is sent to each worker once (scattered);
workers of an existing cluster need the grader and the course's `reference_solutions`
installed, in the same versions.

dask.distributed is an optional extra (`pip install grader[dask]`), imported only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from grader.model import Reason
from grader.sandbox import Execute, Failure, JobLimits, run_pool

Progress = Callable[[int, int], None]
LOCAL = "dask"  # --scheduler dask: a local cluster
JOBS_PER_TASK = 16  # at least this many jobs per Dask task
TASKS_PER_WORKER = 4  # ... and about this many tasks per worker


class SchedulerError(Exception):
    """The Dask scheduler cannot be used (not installed, unreachable, daemonic workers)."""


@dataclass(frozen=True)
class _Failed:
    """A job that could not finish in the Dask worker (turned into a failure on this side)."""

    reason: Reason
    text: str


def _run_chunk(execute: Execute, chunk: Sequence[Any], limits: JobLimits) -> list[Any]:
    """One Dask task: the chunk's jobs in a sandboxed process of the Dask worker."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        raise SchedulerError(
            "the Dask workers are daemonic processes and cannot run each check in its own "
            "process; start them with DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    results = run_pool(
        execute, list(chunk), workers=1, limits=limits,
        failure=lambda job, reason, text: _Failed(reason, text),
    )  # fmt: skip
    return [results[job] for job in chunk]


@contextmanager
def _client(address: str, workers: int) -> Iterator[Any]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise SchedulerError(
            "--scheduler needs dask.distributed: pip install 'grader[dask]'"
        ) from error
    # Workers that may fork (the sandbox forks one process per task) and stay quiet.
    settings = {"distributed.worker.daemon": False, "distributed.logging.distributed": "error"}
    with dask.config.set(settings):
        if address == LOCAL:
            cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=":0",  # any free port: never clash with another cluster
            )  # fmt: skip
            with cluster, Client(cluster) as client:
                yield client
            return
        try:
            client = Client(address, timeout=30)
        except OSError as error:
            raise SchedulerError(f"cannot reach the scheduler at {address}: {error}") from error
        with client:
            yield client


def run_dask(
    execute: Execute,
    jobs: Sequence[Any],
    *,
    address: str,
    workers: int,
    limits: JobLimits,
    progress: Progress | None = None,
    failure: Failure,
    setup: Callable[[], None] | None = None,
) -> dict[Any, Any]:
    """Run distinct `jobs` on the Dask cluster at `address` (LOCAL: a local cluster of
    `workers` processes), each under `limits`; a job that could not finish gets
    `failure(job, reason, sentence)`, as on the local pool. `setup` runs on every worker
    first (binding the course's solver package, which the prepared rubric refers to)."""
    todo = list(dict.fromkeys(jobs))
    if not todo:
        return {}
    from dask.distributed import as_completed

    # Few, large tasks: each one starts a sandboxed process in its Dask worker.
    size = max(JOBS_PER_TASK, -(-len(todo) // (max(1, workers) * TASKS_PER_WORKER)))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    results: dict[Any, Any] = {}
    with _client(address, workers) as client:
        if setup is not None:
            client.run(setup)
        shared = client.scatter(execute, broadcast=True, hash=False)
        futures = {
            client.submit(_run_chunk, shared, chunk, limits, pure=False): chunk
            for chunk in chunks
        }
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                values = future.result()
            except SchedulerError:
                raise
            except Exception as exc:  # noqa: BLE001 - a lost task fails its jobs, not the batch
                text = f"The checking task on the cluster failed ({type(exc).__name__})."
                values = [_Failed(Reason.UNDECIDED, text)] * len(chunk)
            for job, value in zip(chunk, values, strict=True):
                failed = isinstance(value, _Failed)
                results[job] = failure(job, value.reason, value.text) if failed else value
            if progress:
                progress(len(results), len(todo))
    return results
