"""Rows rendered on worker processes (RenderedRows.prefetch) give the same files and the same
sheet-cache entries as rows rendered in this process."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from grader.gradebook import rendered
from grader.gradebook.writer import gradebook_files
from grader.model import AssignmentInfo, Gradebook, GradedSubmission
from grader.sheet_cache import SheetCache


def _class(info: AssignmentInfo, ada: GradedSubmission, mallory: GradedSubmission) -> Gradebook:
    # More rows than PARALLEL_ROWS, so the workers render them; each row its own student.
    rows = [
        dataclasses.replace(base, student_id=f"s{index:04d}", source=f"sheets/{index:04d}.yaml")
        for index in range(rendered.PARALLEL_ROWS + 9)
        for base in ((ada, mallory)[index % 2],)
    ]
    return Gradebook(info, tuple(rows))


def _files(book: Gradebook, workers: int, store: SheetCache | None) -> dict[str, bytes]:
    out = {}
    for path, content in gradebook_files(book, store=store, workers=workers):
        data = content() if callable(content) else content
        out[path] = data if isinstance(data, bytes) else b"".join(data)
    return out


def test_workers_render_the_same_files_and_entries(
    info: AssignmentInfo, ada_row: GradedSubmission, mallory_row: GradedSubmission
) -> None:
    book = _class(info, ada_row, mallory_row)
    here, there = SheetCache({}, {}), SheetCache({}, {})
    expected = _files(book, 0, here)
    assert len([p for p in expected if p.startswith("feedback/")]) == len(book.rows)
    assert _files(book, 2, there) == expected
    assert there.content() == here.content()  # the same rendered entries kept for the next run
    assert len(here._next_rendered) == len(book.rows)
    assert _files(book, 2, None) == _files(book, 0, None) == expected  # without a store too


def test_a_chunk_that_fails_on_its_worker_is_rendered_here(
    info: AssignmentInfo,
    ada_row: GradedSubmission,
    mallory_row: GradedSubmission,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = _class(info, ada_row, mallory_row)
    expected = _files(book, 0, None)
    calls = []

    def failing(execute: Any, jobs: Any, **kwargs: Any) -> dict[Any, Any]:
        # Every chunk fails as one whose worker died would: its rows are rendered here.
        calls.append(len(jobs))
        return {job: kwargs["failure"](job, None, "lost") for job in jobs}

    monkeypatch.setattr(rendered, "run_pool", failing)
    store = SheetCache({}, {})
    assert _files(book, 2, store) == expected
    assert calls and len(store._next_rendered) == len(book.rows)
