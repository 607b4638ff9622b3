"""Per-sheet work on the worker pool: rows in order, one bad sheet isolated, same rows inline."""

from __future__ import annotations

import os
import time

import pytest

from grader.model import CheckResult, Outcome, Reason
from grader.parallel import SheetWork, chunk_size, map_sheets, pack, run_jobs
from grader.sandbox import JobLimits, run_pool

HANG, BOOM, DIE = 5, 11, 17


def _work(index: int) -> str:
    if index == HANG:
        time.sleep(600)
    if index == BOOM:
        raise ValueError("a bug")
    if index == DIE:
        os._exit(3)  # the worker is gone (a crash, the kernel's OOM killer)
    return f"row {index}"


def _failure(index: int, reason: Reason, text: str) -> str:
    return f"failed {index} {reason.value}"


TASK = SheetWork(_work, _failure, "scoring")


def test_rows_come_back_in_order_and_only_the_bad_sheets_fail() -> None:
    seen: list[tuple[str, int, int]] = []
    rows = map_sheets(
        TASK, 40, workers=2, limits=JobLimits(seconds=1.0),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    expected = [f"row {i}" for i in range(40)]
    expected[HANG] = f"failed {HANG} {Reason.TIMEOUT.value}"
    expected[BOOM] = f"failed {BOOM} {Reason.UNDECIDED.value}"
    expected[DIE] = f"failed {DIE} {Reason.UNDECIDED.value}"
    assert rows == expected
    assert seen[-1] == ("scoring", 40, 40)


@pytest.mark.parametrize("workers", [0, 1, 3])
def test_same_rows_whatever_the_number_of_workers(workers: int) -> None:
    calm = SheetWork(lambda i: _work(i) if i == BOOM else f"row {i}", _failure, "reading")
    rows = map_sheets(calm, 30, workers=workers, limits=JobLimits(seconds=5.0))
    assert rows == map_sheets(calm, 30, workers=0, limits=JobLimits())
    assert rows[BOOM] == f"failed {BOOM} {Reason.UNDECIDED.value}"


def test_chunks_balance_the_workers_and_stay_small() -> None:
    assert chunk_size(1000, 2) == 32
    assert chunk_size(100, 2) == 7
    assert chunk_size(3, 2) == 1


class _Sent:
    """An item that becomes a _Received when it is pickled (so a worker tells how it got it)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __reduce__(self) -> tuple[type[_Received], tuple[int]]:
        return (_Received, (self.index,))


class _Received:
    def __init__(self, index: int) -> None:
        self.index = index


def _seen(index: int, item: object) -> str:
    return f"{type(item).__name__} {getattr(item, 'index', None)}"


@pytest.mark.parametrize("workers", [0, 2])
def test_items_travel_to_the_workers_with_their_chunk(workers: int) -> None:
    task = SheetWork(_work, _failure, "scoring", item=_Sent, work_on=_seen)
    rows = map_sheets(task, 20, workers=workers, limits=JobLimits(seconds=5.0))
    # In a worker the item is the one unpickled from the chunk, not the parent's object.
    kind = "_Received" if workers else "_Sent"
    assert rows == [f"{kind} {i}" for i in range(20)]


@pytest.mark.parametrize("workers", [0, 2])
def test_results_are_finished_as_they_arrive_and_failures_are_left_alone(workers: int) -> None:
    def work(index: int) -> str:
        if index == BOOM:
            raise ValueError("a bug")
        return f"sent {index}"

    task = SheetWork(work, _failure, "scoring", arrive=lambda sent: f"{sent} arrived")
    rows = map_sheets(task, 20, workers=workers, limits=JobLimits(seconds=5.0))
    expected = [f"sent {i} arrived" for i in range(20)]
    expected[BOOM] = f"failed {BOOM} {Reason.UNDECIDED.value}"  # made whole by the failure
    assert rows == expected


def _item_of(index: int) -> str:
    return f"item {index}"


def _gone(index: int) -> str:
    raise AssertionError(f"item {index} was read after it was packed")


def _on(index: int, item: str) -> str:
    return _work(index) if index in (BOOM, DIE) else f"{item} scored"


def test_packed_chunks_are_sent_and_failed_ones_retried_from_their_messages() -> None:
    chunks = pack(_item_of, 40, 2)
    # The items are not read again: not to send them, nor to retry a chunk that failed.
    task = SheetWork(_work, _failure, "scoring", item=_gone, work_on=_on)
    rows = map_sheets(task, 40, workers=2, limits=JobLimits(seconds=5.0), chunks=chunks)
    expected = [f"item {i} scored" for i in range(40)]
    expected[BOOM] = f"failed {BOOM} {Reason.UNDECIDED.value}"
    expected[DIE] = f"failed {DIE} {Reason.UNDECIDED.value}"
    assert rows == expected


def test_nothing_is_packed_for_work_done_in_this_process() -> None:
    assert pack(_item_of, 40, 0) == []
    assert pack(_item_of, 1, 2) == []
    assert [len(chunk.key) for chunk in pack(_item_of, 40, 2)] == [3] * 13 + [1]


def _check(job: str) -> CheckResult:
    if job == "hang":
        time.sleep(600)
    if job == "boom":
        raise ValueError("a bug")
    if job == "die":
        os._exit(3)
    if job == "deep":
        raise RecursionError
    return CheckResult(fraction=1.0, outcome=Outcome.CORRECT, feedback=(job,))


def test_jobs_in_chunks_get_what_one_job_per_message_gets() -> None:
    jobs = [f"answer {i}" for i in range(70)]
    jobs[3], jobs[20], jobs[41], jobs[60] = "hang", "boom", "die", "deep"
    seen: list[tuple[str, int, int]] = []
    chunked = run_jobs(
        _check, [*jobs, jobs[0]], workers=2, limits=JobLimits(seconds=1.0),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    one_each = run_pool(_check, jobs, workers=2, limits=JobLimits(seconds=1.0))
    assert list(chunked) == jobs  # distinct, in order
    assert chunked == one_each
    assert chunked["hang"].reasons == (Reason.TIMEOUT,)
    assert chunked["die"].reasons == chunked["boom"].reasons == (Reason.UNDECIDED,)
    assert chunked["deep"].reasons == (Reason.TOO_DEEP,)
    assert chunked["answer 1"].outcome is Outcome.CORRECT
    assert chunk_size(len(jobs), 2) > 1  # the jobs did share messages
    assert seen[-1] == ("checking", len(jobs), len(jobs))
