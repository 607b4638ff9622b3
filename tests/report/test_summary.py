"""The class report as data: status counts, totals, bins, per-part outcomes, conventions."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from report_builders import INFO, book, part, row

from grader.model import Outcome, Status
from grader.report import build_report
from grader.report.bins import BIN_COUNT, total_bins
from grader.report.summary import total_stats


def _chain(convention: str, points: float = 5.0) -> list:
    return [
        part("chain.a", Outcome.CORRECT, points, detail={"convention": convention}),
        part("chain.b", Outcome.INCORRECT, 0.0, detail={"convention": convention}),
    ]


def test_statuses_are_counted_for_every_row() -> None:
    rows = [
        row("a"), row("b"), row("c"),
        row("d", status=Status.NEEDS_REVIEW),
        row("e", status=Status.UNREADABLE),
        row("f", status=Status.MISSING), row("g", status=Status.MISSING),
    ]  # fmt: skip
    report = build_report(book(*rows))
    assert dict(report.statuses) == {
        Status.GRADED: 3, Status.NEEDS_REVIEW: 1, Status.UNREADABLE: 1, Status.MISSING: 2
    }  # fmt: skip
    assert report.rows == 7
    assert report.students == 7


def test_two_submissions_of_one_student_are_two_rows_one_student() -> None:
    first = row("a")
    second = replace(row("a"), source="a-again.yaml")
    report = build_report(book(first, second))
    assert (report.rows, report.students) == (2, 1)


def test_totals_cover_read_submissions_only() -> None:
    rows = [
        row("a", total=10), row("b", total=20), row("c", total=30),
        row("d", status=Status.NEEDS_REVIEW, total=5),
        row("e", status=Status.UNREADABLE, total=0), row("f", status=Status.MISSING, total=0),
    ]  # fmt: skip
    stats = build_report(book(*rows)).totals
    assert stats.count == 4
    assert stats.mean == pytest.approx(16.25)
    assert stats.median == pytest.approx(15.0)
    assert (stats.minimum, stats.maximum) == (5, 30)


def test_statistics_skip_values_that_are_not_finite_numbers() -> None:
    stats = total_stats([3.0, math.nan, math.inf, 5.0, True])
    assert (stats.count, stats.mean, stats.minimum, stats.maximum) == (2, 4.0, 3.0, 5.0)
    assert total_stats([]).count == 0
    assert total_stats([]).mean is None


def test_bins_split_zero_to_max_in_ten_and_edges_fall_upwards() -> None:
    bins = total_bins([0, 2.99, 3, 15, 29.99, 30], 30)
    assert len(bins) == BIN_COUNT
    assert [(b.low, b.high) for b in bins[:2]] == [(0, 3), (3, 6)]
    assert bins[-1].closed and not any(b.closed for b in bins[:-1])
    counts = [b.count for b in bins]
    assert counts[0] == 2  # 0 and 2.99
    assert counts[1] == 1  # 3 opens the second bin
    assert counts[5] == 1  # 15
    assert counts[-1] == 2  # 29.99 and 30 (the last bin is closed)
    assert sum(counts) == 6


def test_bins_widen_for_totals_beyond_the_range() -> None:
    bins = total_bins([-10, 40, math.nan], 30)
    assert (bins[0].low, bins[-1].high) == (-10, 40)
    assert (bins[0].count, bins[-1].count, sum(b.count for b in bins)) == (1, 1, 2)


def test_bins_without_a_maximum_still_cover_something() -> None:
    bins = total_bins([], 0)
    assert bins[0].low < bins[-1].high
    assert sum(b.count for b in bins) == 0


def test_part_summaries_count_outcomes_in_rubric_order() -> None:
    rows = [
        row("a", [part("q1.num", Outcome.CORRECT, 3), part("q1.sym", Outcome.PARTIAL, 2)]),
        row("b", [part("q1.num", Outcome.INCORRECT, 0), part("q1.sym", Outcome.MISSING, 0)]),
        row("c", [part("q1.num", Outcome.CARRIED, 3)], status=Status.NEEDS_REVIEW),
        row("d", [part("q1.num", Outcome.CORRECT, 3)], status=Status.UNREADABLE),
    ]
    report = build_report(book(*rows))
    ids = [p.answer_id for p in report.parts]
    assert ids == ["q1.sym", "q1.num", "q1.text", "chain.a", "chain.b"]  # scored, rubric order
    num = report.parts[1]
    assert num.scored == 3
    assert num.mean_points == pytest.approx(2.0)
    assert dict(num.outcomes)[Outcome.CORRECT] == 1
    assert dict(num.outcomes)[Outcome.CARRIED] == 1
    assert dict(num.outcomes)[Outcome.INCORRECT] == 1
    assert sum(dict(num.outcomes).values()) == 3
    assert num.wrong.total == 1
    sym = report.parts[0]
    assert (sym.scored, dict(sym.outcomes)[Outcome.MISSING]) == (2, 1)
    assert report.parts[2].scored == 0
    assert report.parts[2].mean_points is None


def test_conventions_count_students_and_whether_they_named_it() -> None:
    named = {"chain": {"convention": "sum", "named": True}}
    not_named = {"chain": {"convention": "sum", "named": False}}
    rows = [
        row("a", _chain("sum", 10), detail=named),
        row("b", _chain("sum", 4), detail=not_named),
        row("c", _chain("sum", 6)),  # no detail: unknown
        row("d", _chain("mean", 8), detail={"chain": {"convention": "mean", "named": True}}),
        row("e", [part("q1.num", Outcome.CORRECT, 3)]),  # no chain parts: not counted
        row("f", _chain("mean"), status=Status.UNREADABLE),  # not read: not counted
    ]
    report = build_report(book(*rows))
    (summary,) = report.conventions
    assert summary.question == "chain"
    by_name = {use.convention: use for use in summary.uses}
    assert list(by_name) == ["sum", "mean"]  # most used first
    total = by_name["sum"]
    assert (total.students, total.named, total.not_named, total.unknown) == (3, 1, 1, 1)
    assert total.mean_points == pytest.approx((10 + 4 + 6) / 3)
    assert (by_name["mean"].students, by_name["mean"].named) == (1, 1)


def test_questions_without_conventions_have_no_convention_summary() -> None:
    rows = [row("a", [part("q1.num", Outcome.CORRECT, 3, detail={"convention": 7})])]
    assert build_report(book(*rows)).conventions == ()


def test_an_empty_gradebook_gives_an_empty_report() -> None:
    report = build_report(book())
    assert (report.rows, report.totals.count, report.conventions) == (0, 0, ())
    assert all(p.scored == 0 for p in report.parts)
    assert report.assignment == INFO.id
