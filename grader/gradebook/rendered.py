"""Each row's rendered gradebook pieces, taken again by the next run when the row is the same.

A re-run after a few TA scores changes a few rows, yet every file is made from every row: its
feedback file, its parts.csv and grades.csv lines and its object in results.json. With a
:class:`RowStore` (the sheet cache, :mod:`grader.sheet_cache`) those four pieces of each row are
kept under a key naming everything they are made from -- the row's whole content, its feedback
file's name, the assignment's structure, whether references are shown and the grader's code --
so a row with the same key is copied, not rendered, and any other row is rendered (and kept).

An entry is four pieces, each deflated and in base64 (a class's entries are held while the set
is written); a piece that does not inflate to text within a bound is not ours, and its row is
rendered anew. Pieces are kept only when they read back equal, so a row copied from the store
writes exactly the bytes of a rendered one. Without a store every piece is rendered, as before.

With workers (:meth:`RenderedRows.prefetch`) the entries of the rows to render are rendered and
packed on forked processes before the set is written, in chunks of rows (the rows are inherited,
only indices cross one way and entries the other): after scoring, rendering a class's rows was
the longest serial stretch of a cold run, the scoring workers idle by then. A chunk that fails
is rendered here, as it is wanted; the entries are the same either way.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from grader.gradebook.csvout import csv_records
from grader.gradebook.feedback import render_feedback
from grader.gradebook.results import row_text
from grader.gradebook.tables import (
    grades_cells,
    grades_header,
    part_order,
    parts_cells,
    parts_header,
)
from grader.model import Gradebook, GradedSubmission
from grader.sandbox import JobLimits, run_pool

FEEDBACK, PARTS, GRADES, RESULTS = range(4)  # the pieces of an entry, in order
MAX_PIECE_BYTES = 16 << 20  # a piece inflating to more than this is not ours
PARALLEL_ROWS = 64  # fewer rows to render than this are rendered here (forking costs more)
MAX_CHUNK = 32  # rows per message to a worker


class RowStore(Protocol):
    """Where rendered rows are kept between runs (the sheet cache)."""

    def render_key(self, row: GradedSubmission, context: str) -> str | None:
        """The key of `row` rendered in `context` (None: the row is not kept)."""

    def rendered(self, key: str) -> object | None:
        """The previous run's entry of `key` (anything: it is checked here), or None."""

    def keep_rendered(self, key: str, entry: list[str]) -> None:
        """Keep an entry for the next run."""


@dataclass(frozen=True)
class Pieces:
    """One row rendered: its feedback file's text, its parts.csv and grades.csv records and
    its results.json object."""

    feedback: str
    parts: str
    grades: str
    results: str

    def all(self) -> tuple[str, str, str, str]:
        """The pieces in entry order."""
        return (self.feedback, self.parts, self.grades, self.results)


def pack(pieces: Pieces) -> list[str] | None:
    """The entry of `pieces`, or None if it would not read back equal."""
    entry = [
        base64.b64encode(zlib.compress(text.encode("utf-8", "surrogatepass"), 6)).decode("ascii")
        for text in pieces.all()
    ]
    back = [unpack(entry, index) for index in range(len(entry))]
    return entry if back == list(pieces.all()) else None


def unpack(entry: object, index: int) -> str | None:
    """Piece `index` of `entry`, or None when the entry is not one of ours."""
    if not isinstance(entry, list) or len(entry) != 4 or not isinstance(entry[index], str):
        return None
    try:
        packed = base64.b64decode(entry[index].encode("ascii"), validate=True)
        inflate = zlib.decompressobj()
        raw = inflate.decompress(packed, MAX_PIECE_BYTES)
        if inflate.unconsumed_tail or not inflate.eof:
            return None
        return raw.decode("utf-8", "surrogatepass")
    except (binascii.Error, zlib.error, UnicodeError):
        return None


class RenderedRows:
    """The pieces of a gradebook's rows (in sorted-row order, each with its feedback file):
    copied from the store where it holds them, else rendered. One instance per written set."""

    def __init__(
        self,
        book: Gradebook,
        rows: Sequence[GradedSubmission],
        feedback_files: Sequence[str],
        *,
        show_reference: bool,
        store: RowStore | None = None,
    ) -> None:
        self._book = book
        self._rows = rows
        self._files = feedback_files
        self._show = show_reference
        self._store = store
        self._order = part_order(book.assignment)
        self._parts_width = len(parts_header(book.assignment))
        self._grades_width = len(grades_header(book.assignment))
        self._texts: tuple[dict[str, str], dict[str, str]] = ({}, {})  # csv fields, per file
        self._entries: dict[int, list[str]] = {}
        # The rubric's path is in no row's pieces (and changes with the working directory).
        info = dataclasses.replace(book.assignment, rubric_path="")
        shape = repr((info, show_reference)).encode("utf-8", "surrogatepass")
        self._context = hashlib.sha256(shape).hexdigest()

    def piece(self, index: int, which: int) -> str:
        """Piece `which` (FEEDBACK, PARTS, GRADES, RESULTS) of the `index`-th row."""
        entry = self._entries.get(index)
        if self._store is None:  # only rows the workers rendered have an entry
            text = unpack(entry, which) if entry is not None else None
            return text if text is not None else self._render(index, which)
        if entry is None:
            entry = self._entry(index)
        text = unpack(entry, which) if entry is not None else None
        if text is None:  # a piece that is not ours: the row is rendered (and kept) anew
            entry = self._entry(index, fresh=True)
            text = unpack(entry, which) if entry is not None else None
        return text if text is not None else self._render(index, which)

    def prefetch(self, workers: int, limits: JobLimits | None = None) -> None:
        """Every row's entry worked out now, as :meth:`piece` would on its first call (its
        key, the store's entry), the rows to render rendered and packed on `workers` forked
        processes (see the module docstring); nothing with no workers or few rows to render."""
        if workers <= 0:
            return
        keys: dict[int, str | None] = {}
        todo: list[int] = []
        for index in range(len(self._rows)):
            if index in self._entries:
                continue
            key = keys[index] = self._key(index)
            held = self._held(key)
            if held is not None:
                self._keep(index, key, held)
            else:
                todo.append(index)
        if len(todo) < PARALLEL_ROWS:
            return
        size = max(1, min(MAX_CHUNK, -(-len(todo) // (workers * 8))))
        chunks = [tuple(todo[lo : lo + size]) for lo in range(0, len(todo), size)]

        def render(chunk: tuple[int, ...]) -> tuple[list[str] | None, ...]:
            return tuple(pack(self._pieces(index)) for index in chunk)

        done = run_pool(render, chunks, workers=workers, limits=limits or JobLimits(),
                        failure=lambda chunk, reason, text: None)  # fmt: skip
        for chunk in chunks:
            entries = done.get(chunk)
            if entries is None:  # the chunk failed: its rows are rendered here, as wanted
                continue
            for index, entry in zip(chunk, entries, strict=True):
                if entry is not None:
                    self._keep(index, keys[index], entry)

    def _entry(self, index: int, *, fresh: bool = False) -> list[str] | None:
        assert self._store is not None
        key = self._key(index)
        entry = None if fresh else self._held(key)
        if entry is None:
            entry = pack(self._pieces(index))
        if entry is not None:
            self._keep(index, key, entry)
        return entry

    def _key(self, index: int) -> str | None:
        # The key of a row's entry in the store (None without a store, or for a row not kept).
        if self._store is None:
            return None
        return self._store.render_key(self._rows[index], f"{self._context}\0{self._files[index]}")

    def _held(self, key: str | None) -> list[str] | None:
        # The store's entry of `key` when it has the shape of one (its pieces are checked as
        # they are unpacked).
        entry = self._store.rendered(key) if self._store is not None and key is not None else None
        return entry if isinstance(entry, list) and len(entry) == 4 else None

    def _keep(self, index: int, key: str | None, entry: list[str]) -> None:
        self._entries[index] = entry
        if key is not None and self._store is not None:
            self._store.keep_rendered(key, entry)

    def _pieces(self, index: int) -> Pieces:
        return Pieces(*(self._render(index, which) for which in range(4)))

    def _render(self, index: int, which: int) -> str:
        row, info = self._rows[index], self._book.assignment
        if which == FEEDBACK:
            return render_feedback(row, info, show_reference=self._show)
        if which == PARTS:
            cells = parts_cells(row, self._order, info.variants)
            return csv_records(cells, self._parts_width, self._texts[0])
        if which == GRADES:
            return csv_records([grades_cells(row, info)], self._grades_width, self._texts[1])
        return row_text(row, info, self._files[index], show_reference=self._show)

    def feedback(self, index: int) -> bytes:
        """The feedback file of the `index`-th row."""
        return self.piece(index, FEEDBACK).encode("utf-8")

    def texts(self, which: int) -> list[str]:
        """Piece `which` of every row, in order."""
        return [self.piece(index, which) for index in range(len(self._rows))]
