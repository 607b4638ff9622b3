"""read_results: results.json read back into the model, other formats and broken files refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from export_data import Runner

from grader.export import ResultsFormatError, read_results
from grader.export.errors import EXIT_USAGE
from grader.gradebook import RESULTS_FILE
from grader.model import Gradebook, Outcome, Reason, Status

Change = Callable[[dict[str, Any]], object]


def _rewrite(folder: Path, change: Change) -> Path:
    path = folder / RESULTS_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_round_trip_keeps_every_row_and_part(small_gradebook: Path, small_book: Gradebook) -> None:
    read = read_results(small_gradebook / RESULTS_FILE)
    assert read.assignment.id == small_book.assignment.id
    assert [q.id for q in read.assignment.questions] == ["ex1", "ex3", "ex4"]
    assert [q.bonus for q in read.assignment.questions] == [False, False, True]
    scored = {p.answer_id: p.scored for p in read.assignment.slots()}
    assert scored["ex1.convention"] is False and scored["ex1.b"] is True
    original = {row.student_id: row for row in small_book.rows}
    assert sorted(original) == [row.student_id for row in read.rows]
    for row in read.rows:
        before = original[row.student_id]
        assert (row.name, row.status, row.total, row.base, row.bonus, row.max_total) == (
            before.name, before.status, before.total, before.base, before.bonus,
            before.max_total,
        )  # fmt: skip
        assert dict(row.question_points) == dict(before.question_points)
        assert {(p.answer_id, p.points, p.outcome, p.needs_review) for p in row.parts} == {
            (p.answer_id, p.points, p.outcome, p.needs_review) for p in before.parts
        }


def test_row_detail_is_read_when_present(small_gradebook: Path) -> None:
    read = read_results(small_gradebook / RESULTS_FILE)
    late = {row.student_id: row.detail.get("late") for row in read.rows}
    assert isinstance(late["s005"], dict) and late["s005"]["penalty"] == 3.0
    assert late["s001"] is None


def test_sample_gradebook_reads(sample_gradebook: Path, sample_book: Gradebook) -> None:
    read = read_results(sample_gradebook / RESULTS_FILE)
    assert len(read.rows) == len(sample_book.rows)
    assert {row.status for row in read.rows} == {row.status for row in sample_book.rows}
    assert {p.outcome for row in read.rows for p in row.parts} <= set(Outcome)


@pytest.mark.parametrize(
    ("key", "value"),
    [("format", "something-else"), ("version", 2), ("version", "1"), ("format", None)],
)
def test_other_format_or_version_is_refused(
    small_gradebook: Path, key: str, value: object, export: Runner
) -> None:
    path = _rewrite(small_gradebook, lambda d: d.__setitem__(key, value))
    with pytest.raises(ResultsFormatError):
        read_results(path)
    status, _, err = export(["--format", "csv", "--gradebook", str(small_gradebook),
                             "-o", str(small_gradebook / "x.csv")])  # fmt: skip
    assert status == EXIT_USAGE and err
    assert not (small_gradebook / "x.csv").exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["rows"][0].__setitem__("total", "30"),
        lambda d: d["rows"][0].__setitem__("total", True),
        lambda d: d["rows"][0].__setitem__("total", float("nan")),
        lambda d: d["rows"][0].__setitem__("base", float("inf")),
        lambda d: d["rows"][0].__setitem__("bonus", 10**400),
        lambda d: d["rows"][0].__setitem__("status", "excellent"),
        lambda d: d["rows"][0]["parts"][0].__setitem__("outcome", "great"),
        lambda d: d["rows"][0].__setitem__("student_id", 5),
        lambda d: d["rows"][0].__setitem__("questions", [1, 2]),
        lambda d: d.__setitem__("rows", {}),
        lambda d: d["assignment"].__setitem__("questions", None),
        lambda d: d["rows"][0]["messages"].append(
            {"severity": "loud", "text": "x", "location": {"file": "f"}}
        ),
    ],
)
def test_fields_of_the_wrong_type_are_refused(small_gradebook: Path, change: Change) -> None:
    with pytest.raises(ResultsFormatError):
        read_results(_rewrite(small_gradebook, change))


def test_unknown_informative_values_are_tolerated(small_gradebook: Path) -> None:
    def change(document: dict) -> None:
        document["rows"][0]["flags"] = ["from_the_future", "duplicate_id"]
        document["rows"][0]["parts"][0]["method"] = "telepathy"

    read = read_results(_rewrite(small_gradebook, change))
    assert read.rows[0].flags == (Reason.DUPLICATE_ID,)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe{}", b"[1, 2]", b"[" * 100_000])
def test_broken_files_are_refused(tmp_path: Path, content: bytes, export: Runner) -> None:
    (tmp_path / RESULTS_FILE).write_bytes(content)
    with pytest.raises(ResultsFormatError):
        read_results(tmp_path / RESULTS_FILE)
    status, _, _ = export(["--format", "canvas", "--gradebook", str(tmp_path)])
    assert status == EXIT_USAGE


def test_missing_results_is_a_usage_error(tmp_path: Path, export: Runner) -> None:
    status, _, err = export(["--format", "moodle", "--gradebook", str(tmp_path / "nowhere")])
    assert status == EXIT_USAGE and err
    assert not (tmp_path / "nowhere").exists()


def test_missing_status_row_reads_with_no_parts(small_gradebook: Path) -> None:
    read = read_results(small_gradebook / RESULTS_FILE)
    missing = next(row for row in read.rows if row.student_id == "s004")
    assert missing.status is Status.MISSING and missing.parts == ()
