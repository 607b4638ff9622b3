"""Per-sheet work (loading, scoring) spread over the worker processes, one bad sheet isolated.

Sheets go to the workers in chunks (a message per sheet would cost more than scoring it): the
work function and what every sheet shares (the prepared rubric, the batch's judgements) are
inherited by the forked workers, so only chunk indices cross the pipe one way and finished rows
the other. What is each sheet's own (its loaded submission, for scoring) may travel with its
chunk instead (:attr:`SheetWork.item`): a worker that read the sheet from the parent's memory
would touch -- and so copy -- every page holding some of it, and a class's sheets are spread
over all of the parent's heap (each worker copied most of it: 2 x 150 MiB at 10,000 sheets).
The chunks' messages may be packed earlier (:func:`pack`), so the caller can let go of the
items before the workers fork. Each chunk runs under the pool's guarantees (a deadline, the
memory cap, a killed worker replaced). A chunk that fails is run again one sheet per job, each
from the chunk's own message (its worker runs that one sheet of it), so only the sheet that
really fails gets its failure row, with a message naming it; the batch goes on.

Results come back in the order of the items, whatever the number of workers or the order in
which chunks finish: the output is byte-identical with `--jobs 0` (everything in this process).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from grader.model import Reason
from grader.sandbox import (
    Execute,
    Failure,
    JobLimits,
    Packed,
    check_failed,
    guarded,
    packed,
    run_inline,
    run_pool,
)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]
# A failure row for item `index`: (index, reason, sentence saying what happened).
ItemFailure = Callable[[int, Reason, str], T]

MAX_CHUNK = 32
CHUNKS_PER_WORKER = 8  # enough to balance uneven sheets, few enough to keep messages cheap


@dataclass(frozen=True)
class _Failed:
    """What a whole chunk got when it could not finish (its sheets are then run one by one)."""

    reason: Reason
    text: str


def _nothing(index: int) -> None:
    return None


@dataclass(frozen=True)
class SheetWork(Generic[T]):
    """`work(index)` for every item index; `failure` builds the row of an item that failed;
    `stage` names the work for the progress line (D's stages: reading, checking, scoring...).
    With `item` (and `work_on`), `work_on(index, item(index))` runs instead of `work`: the
    item is read in this process and sent to the worker with its chunk (see the module's
    docstring). With `arrive`, what the work gives crosses back as it is and `arrive(it)`
    makes the result in this process, as its chunk arrives (a compact form for the pipe, made
    whole where it is kept: rows whose equal parts are one object)."""

    work: Callable[[int], Any]
    failure: ItemFailure[T]
    stage: str
    item: Callable[[int], Any] = _nothing
    work_on: Callable[[int, Any], Any] | None = None
    arrive: Callable[[Any], T] | None = None

    def run(self, index: int, item: Any) -> Any:
        """The work of item `index`, given what :attr:`item` gave for it (before `arrive`)."""
        return self.work(index) if self.work_on is None else self.work_on(index, item)

    def finish(self, sent: Any) -> T:
        """The result of an item from what its work gave."""
        return sent if self.arrive is None else self.arrive(sent)


@dataclass(frozen=True)
class _Done:
    """The results of a chunk that finished, as the work gave them (before `arrive`)."""

    rows: tuple[Any, ...]


@dataclass(frozen=True)
class _Chunk:
    """The item indices of one message to a worker, with their items (the parent knows the
    chunk by its indices alone)."""

    indices: tuple[int, ...]
    items: tuple[Any, ...] = field(compare=False, repr=False)


def chunk_size(count: int, workers: int) -> int:
    """Sheets per message: about CHUNKS_PER_WORKER chunks per worker, at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, -(-count // (max(1, workers) * CHUNKS_PER_WORKER))))


def map_sheets(
    task: SheetWork[T],
    count: int,
    *,
    workers: int,
    limits: JobLimits,
    progress: Progress | None = None,
    chunks: Sequence[Packed] | None = None,
) -> list[T]:
    """`task.work(i)` for i in range(count), in order: in this process when `workers` is 0,
    else in chunks on the worker pool. `chunks`: the messages :func:`pack` made of the items
    earlier (this process may have let go of the items since: a chunk that fails is run again
    from its message)."""
    if workers <= 0 or count <= 1:
        return _inline(task, count, progress)
    size = chunk_size(count, workers)
    # Every chunk's message is pickled before the workers fork (see sandbox.Packed).
    if chunks is None:
        chunks = pack(task.item, count, workers)

    def run_chunk(chunk: _Chunk) -> _Done:
        pairs = zip(chunk.indices, chunk.items, strict=True)
        return _Done(tuple(task.run(index, item) for index, item in pairs))

    def receive(sent: Any) -> Any:
        # A failure (made by the pool, or by the worker's guard) is already a result.
        return tuple(task.finish(row) for row in sent.rows) if isinstance(sent, _Done) else sent

    def report(finished: int, total: int) -> None:
        if progress:
            progress(task.stage, min(count, finished * size), count)

    first = run_pool(
        run_chunk,
        chunks,
        workers=workers,
        limits=limits,
        progress=report,
        failure=lambda chunk, reason, text: _Failed(reason, text),
        receive=receive,
    )
    out: list[T | None] = [None] * count
    failed = [chunk for chunk in chunks if isinstance(first[chunk], _Failed)]
    for chunk in chunks:
        if chunk not in failed:
            for index, row in zip(chunk.key, first[chunk], strict=True):
                out[index] = row
    # A failed chunk's sheets are run again one per job, each from the chunk's own message
    # (this process may no longer hold the items): one pool per position in the chunk.
    for position in range(max((len(chunk.key) for chunk in failed), default=0)):
        again = _retry(task, failed, position, workers=workers, limits=limits, receive=receive)
        for index, row in again.items():
            out[index] = row
    if progress:
        progress(task.stage, count, count)
    if any(row is None for row in out):  # every index is filled above: a bug here, not a sheet
        raise RuntimeError("internal: a sheet was lost between the workers and the batch")
    return [row for row in out if row is not None]


def run_jobs(
    execute: Execute,
    jobs: Sequence[Any],
    *,
    workers: int,
    limits: JobLimits,
    progress: Progress | None = None,
    stage: str = "checking",
    failure: Failure = check_failed,
) -> dict[Any, Any]:
    """`execute(job)` for each distinct job, by job, on the pool in chunks like sheets (with a
    message per answer check, the parent spent about a fifth of the checks' own CPU on the
    messages): a job that raises gets `failure(job, reason, sentence)` in its chunk, and a
    chunk that passes the deadline or loses its worker is run again one job at a time, each
    with the whole deadline, so only the job that really fails gets its failure, as with one
    job per message (a check that hangs costs one deadline more). With `workers` 0, in this
    process (no deadline), as :func:`map_sheets`."""
    todo = list(dict.fromkeys(jobs))
    task: SheetWork[Any] = SheetWork(
        lambda k: guarded(execute, todo[k], failure),
        lambda k, reason, text: failure(todo[k], reason, text),
        stage,
    )
    found = map_sheets(task, len(todo), workers=workers, limits=limits, progress=progress)
    return dict(zip(todo, found, strict=True))


def _retry(
    task: SheetWork[T],
    failed: Sequence[Packed],
    position: int,
    *,
    workers: int,
    limits: JobLimits,
    receive: Callable[[Any], Any],
) -> dict[int, T]:
    """The item at `position` of each chunk in `failed`, run alone (its chunk's message is
    sent as it was packed; the worker runs that item only), by item index."""

    def index_of(chunk: Packed | _Chunk) -> int:
        # The parent knows a retry by its item's index; its worker got the whole chunk.
        return chunk.key[0] if isinstance(chunk, Packed) else chunk.indices[position]

    def run_one(chunk: _Chunk) -> _Done:
        return _Done((task.run(chunk.indices[position], chunk.items[position]),))

    jobs = [Packed((c.key[position],), c.message) for c in failed if position < len(c.key)]
    again = run_pool(
        run_one,
        jobs,
        workers=workers,
        limits=limits,
        failure=lambda chunk, reason, text: (task.failure(index_of(chunk), reason, text),),
        receive=receive,
    )
    return {job.key[0]: again[job][0] for job in jobs}


def pack(item: Callable[[int], Any], count: int, workers: int) -> list[Packed]:
    """The chunk messages :func:`map_sheets` sends for `count` items on `workers` workers,
    each holding `item(i)` of its items, pickled now (nothing when the work runs in this
    process: the items are then read as it goes)."""
    if workers <= 0 or count <= 1:
        return []
    size = chunk_size(count, workers)
    return [_chunk(item, range(lo, min(lo + size, count))) for lo in range(0, count, size)]


def _chunk(item: Callable[[int], Any], indices: Iterable[int]) -> Packed:
    """The message of the items `indices`, known by their indices (pickled now)."""
    chosen = tuple(indices)
    return packed(chosen, _Chunk(chosen, tuple(item(index) for index in chosen)))


def _inline(task: SheetWork[T], count: int, progress: Progress | None) -> list[T]:
    # The sandbox's own guard, so a sheet that raises gets the same row as in a worker.
    def report(done: int, total: int) -> None:
        if progress:
            progress(task.stage, done, total)

    results = run_inline(
        lambda item: task.finish(task.run(item[0], task.item(item[0]))),
        [(index,) for index in range(count)],
        report,
        failure=lambda item, reason, text: task.failure(item[0], reason, text),
    )
    return [results[(index,)] for index in range(count)]
