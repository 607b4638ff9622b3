"""Per-sheet work on the worker pool: rows in order, one bad sheet isolated, same rows inline."""

from __future__ import annotations

import os
import time

import pytest

from grader.model import Reason
from grader.parallel import SheetWork, chunk_size, map_sheets
from grader.sandbox import JobLimits

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
