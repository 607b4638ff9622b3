"""Run jobs in worker processes with a hard deadline and a memory cap.

Parsing bounds what a student can write, but judging an expression still runs sympy and numpy
on it; a pathological case must not hang or exhaust the batch. Each worker is a forked process
(it inherits the prepared rubric, so nothing but the job crosses the pipe); when a job passes
its deadline the worker is killed and replaced, and the job gets a TIMEOUT result. A worker that
dies (out of memory, a crash) gives its job an error result. Nothing here executes student
text: workers only call the prepared rubric's `execute`.

Workers die with the grader, however it dies. A forked worker inherits every descriptor of its
parent, the parent's end of its own pipe and of every other worker's included (and the
gradebook's lock): holding them, it would never read end-of-file when the parent is gone. So a
worker first closes every inherited descriptor but its own end of the pipe, asks Linux to kill
it when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and watches its parent's process id from
a thread (everywhere: the fallback where prctl does not exist). Ctrl-C in a terminal reaches
the whole process group: workers ignore it and leave the clean-up to the parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

from grader.model import CheckResult, Outcome, Reason

Execute = Callable[[Any], Any]
Progress = Callable[[int, int], None]
# What a job that could not finish gets instead of its result: (job, reason, sentence). For
# answer checks it is :func:`failed` (a TA looks); per-sheet work builds its own failure row.
Failure = Callable[[Any, Reason, str], Any]


@dataclass(frozen=True)
class Packed:
    """A job whose message to its worker was pickled beforehand, before the workers were
    forked: sending it then reads these bytes only, not the objects it was made of (pickling
    them in the parent while workers share its pages would copy every page they touch). The
    worker runs the job as it was pickled; the parent knows it by `key` (its results, its
    failures). Make it with :func:`packed`."""

    key: Any
    message: bytes = field(compare=False, repr=False)


def packed(key: Any, job: Any) -> Packed:
    """`job`, pickled now, to be known as `key` (see :class:`Packed`)."""
    return Packed(key, bytes(ForkingPickler.dumps(job)))


@dataclass(frozen=True)
class JobLimits:
    """Per-job wall-clock deadline (seconds) and extra address space a worker may take (MiB)."""

    seconds: float = 10.0
    memory_mib: int = 1024


def failed(reason: Reason, text: str) -> CheckResult:
    """The result of a job that could not finish: a TA has to look at it."""
    return CheckResult(
        fraction=0.0,
        outcome=Outcome.NEEDS_REVIEW,
        reasons=(reason,),
        feedback=(text,),
        needs_review=True,
    )


def check_failed(job: Any, reason: Reason, text: str) -> CheckResult:
    """The default :data:`Failure`: the answer check could not finish (see :func:`failed`)."""
    return failed(reason, text)


WORKERS_MEMORY_MIB = 1280  # extra memory all workers share: the batch stays under 2 GiB


def shared_memory(limits: JobLimits, workers: int) -> JobLimits:
    """`limits` with each of `workers` workers' memory cap cut to its share of
    WORKERS_MEMORY_MIB, so that however many workers hit their cap at once, the grader and its
    workers stay under 2 GiB together (2 workers: 640 MiB each on top of what they inherit)."""
    share = max(64, WORKERS_MEMORY_MIB // max(1, workers))
    return replace(limits, memory_mib=min(limits.memory_mib, share))


def run_inline(
    execute: Execute,
    jobs: Iterable[Any],
    progress: Progress | None = None,
    *,
    failure: Failure = check_failed,
) -> dict[Any, Any]:
    """Run jobs one after another in this process (no deadline): tests and single sheets."""
    todo = list(dict.fromkeys(jobs))
    results: dict[Any, Any] = {}
    for index, job in enumerate(todo, 1):
        results[job] = guarded(execute, job, failure)
        if progress:
            progress(index, len(todo))
    return results


def guarded(execute: Execute, job: Any, failure: Failure = check_failed) -> Any:
    """`execute(job)`, or `failure(job, reason, sentence)` when it raises (out of memory, too
    deep, any exception): what a worker sends for a job, and what runs it in this process."""
    try:
        return execute(job)
    except MemoryError:
        return failure(job, Reason.TOO_LARGE, "Checking this answer needed too much memory.")
    except RecursionError:
        return failure(job, Reason.TOO_DEEP, "This answer is nested too deeply to check.")
    except Exception as exc:  # noqa: BLE001 - one bad answer must never stop the batch
        text = f"The answer could not be checked ({type(exc).__name__})."
        return failure(job, Reason.UNDECIDED, text)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_CHECK_SECONDS = 0.25


def _worker(
    conn: Connection, execute: Execute, memory_mib: int, parent: int, failure: Failure
) -> None:
    _detach(conn.fileno())
    die_with_parent(parent)
    _cap_memory(memory_mib)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        conn.send(guarded(execute, job, failure))
    os._exit(0)  # nothing of the parent's (atexit handlers, finalizers) runs in a worker


def _detach(keep: int) -> None:
    """Close every inherited descriptor but stdin/out/err and `keep`; leave Ctrl-C to the
    parent; SIGTERM and SIGHUP kill (not the parent's handlers, inherited by the fork)."""
    os.closerange(3, keep)
    os.closerange(keep + 1, max(keep + 2, _max_fd()))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (OSError, ValueError):
        return 4096


def die_with_parent(parent: int) -> None:
    """Exit as soon as process `parent` is gone: Linux's parent-death signal where it exists,
    and in any case a thread that compares the parent's process id with `parent`."""
    parent_death_signal()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    watch = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watch.start()


def parent_death_signal() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (nothing elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _cap_memory(memory_mib: int) -> None:
    try:
        import resource

        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, ImportError):
        pass  # no /proc or no rlimits (not Linux): the deadline still bounds the job


class _Slot:
    """One worker process and the job it is running."""

    def __init__(self, ctx: Any, execute: Execute, limits: JobLimits, failure: Failure) -> None:
        self.parent, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker,
            args=(child, execute, limits.memory_mib, os.getpid(), failure),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.job: Any = None
        self.started = 0.0

    def give(self, job: Any) -> None:
        self.job, self.started = job, time.monotonic()
        if isinstance(job, Packed):
            self.parent.send_bytes(job.message)  # what send() would send: recv() unpickles it
        else:
            self.parent.send(job)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.parent.send(None)
            except OSError:
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.parent.close()


def run_pool(
    execute: Execute,
    jobs: Sequence[Any],
    *,
    workers: int,
    limits: JobLimits = JobLimits(),
    progress: Progress | None = None,
    failure: Failure = check_failed,
    receive: Callable[[Any], Any] | None = None,
) -> dict[Any, Any]:
    """Run distinct jobs on `workers` forked processes, each job under `limits`; a job that
    raises, passes its deadline or loses its worker gets `failure(job, reason, sentence)`.
    `receive`: applied to each result a worker sends, as it arrives (not to failures)."""
    todo = list(dict.fromkeys(jobs))
    if not todo:
        return {}
    ctx = multiprocessing.get_context("fork")
    count = max(1, min(workers, len(todo)))
    # Objects that exist now are never collected in the workers: the collector would touch
    # (and so copy) every inherited page of the parent's heap in each forked process.
    gc.freeze()
    limits = shared_memory(limits, count)
    slots = [_Slot(ctx, execute, limits, failure) for _ in range(count)]
    results: dict[Any, Any] = {}
    queue = list(reversed(todo))
    try:
        while len(results) < len(todo):
            for slot in slots:
                if slot.job is None and queue:
                    slot.give(queue.pop())
            _collect(slots, results, ctx, execute, limits, failure, receive)
            if progress:
                progress(len(results), len(todo))
    finally:
        for slot in slots:
            slot.stop(kill=slot.job is not None)
        gc.unfreeze()
    return results


def _collect(
    slots: list[_Slot],
    results: dict[Any, Any],
    ctx: Any,
    execute: Execute,
    limits: JobLimits,
    failure: Failure,
    receive: Callable[[Any], Any] | None = None,
) -> None:
    busy = [s for s in slots if s.job is not None]
    now = time.monotonic()
    timeout = max(0.0, min(s.started + limits.seconds - now for s in busy))
    ready = set(wait([s.parent for s in busy], timeout=timeout))
    for index, slot in enumerate(slots):
        if slot.job is None:
            continue
        if slot.parent in ready:
            try:
                result = slot.parent.recv()
                results[slot.job] = result if receive is None else receive(result)
                slot.job = None
                continue
            except (EOFError, OSError):
                results[slot.job] = failure(
                    slot.job, Reason.UNDECIDED, "The checking process stopped unexpectedly."
                )
        elif time.monotonic() - slot.started >= limits.seconds:
            results[slot.job] = failure(
                slot.job,
                Reason.TIMEOUT,
                f"Checking this answer took longer than {limits.seconds:g} s.",
            )
        else:
            continue
        slot.job = None
        slot.stop(kill=True)
        slots[index] = _Slot(ctx, execute, limits, failure)
