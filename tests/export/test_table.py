"""The plain per-question CSV: layout, max-points row, late fields, hostile names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from export_data import HOSTILE_NAME, LATE, Runner

from grader.gradebook import RESULTS_FILE, unneutralise
from grader.model import Gradebook, Status


def _table(export: Runner, gradebook: Path, out: Path) -> list[list[str]]:
    status, _, err = export(["--format", "csv", "--gradebook", str(gradebook), "-o", str(out)])
    assert status == 0, err
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_layout_of_the_small_gradebook(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    data = _table(export, small_gradebook, tmp_path / "t.csv")
    assert data == [
        ["student_id", "name", "ex1", "ex3", "ex4", "raw_score", "late_penalty", "score",
         "max_score", "status"],
        ["", "max points", "8", "10", "5", "30", "", "30", "30", "max_points"],
        ["s001", 'Doe, Jane "JD"', "7.5", "10", "0", "17.5", "0", "17.5", "30", "graded"],
        ["s002", "'" + HOSTILE_NAME, "6.5", "5.75", "2", "14.25", "0", "14.25", "30",
         "needs_review"],
        ["s003", "Line Break, Eve", "0", "0", "0", "0", "0", "0", "30", "unreadable"],
        ["s004", "Missing Person", "", "", "", "0", "0", "0", "30", "missing"],
        ["s005", "Late Larry", "8", "10", "5", "23", "3", "20", "30", "graded"],
    ]  # fmt: skip


def test_late_fields_come_from_the_late_record(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    rows = {row[0]: row for row in _table(export, small_gradebook, tmp_path / "t.csv")[2:]}
    late = rows["s005"]
    assert (float(late[5]), float(late[6])) == (LATE["raw_total"], LATE["penalty"])
    assert float(late[5]) - float(late[6]) == float(late[7])
    for row in small_book.rows:
        if row.student_id != "s005":  # no record: nothing deducted
            assert rows[row.student_id][5] == rows[row.student_id][7]
            assert rows[row.student_id][6] == "0"


def test_a_malformed_late_record_is_refused(
    export: Runner, small_gradebook: Path, tmp_path: Path
) -> None:
    path = small_gradebook / RESULTS_FILE
    text = path.read_text(encoding="utf-8").replace('"penalty": 3.0', '"penalty": "three"')
    path.write_text(text, encoding="utf-8")
    status, _, _ = export(["--format", "csv", "--gradebook", str(small_gradebook),
                           "-o", str(tmp_path / "t.csv")])  # fmt: skip
    assert status == 1 and not (tmp_path / "t.csv").exists()


def test_names_read_back_exactly_after_unneutralising(
    export: Runner, small_gradebook: Path, small_book: Gradebook, tmp_path: Path
) -> None:
    rows = {row[0]: row for row in _table(export, small_gradebook, tmp_path / "t.csv")[2:]}
    assert unneutralise(rows["s002"][1]) == HOSTILE_NAME
    statuses = {row.student_id: row.status.value for row in small_book.rows}
    assert {sid: row[-1] for sid, row in rows.items()} == statuses
    assert Status.MISSING.value in statuses.values()


def test_sample_gradebook_matches_grades_csv(
    export: Runner, sample_gradebook: Path, tmp_path: Path
) -> None:
    table = _table(export, sample_gradebook, tmp_path / "t.csv")
    grades = list(csv.DictReader(io.StringIO((sample_gradebook / "grades.csv").read_text())))
    header = table[0]
    for row in table[2:]:
        graded = next(g for g in grades if g["student_id"] == row[0])
        cells = dict(zip(header, row, strict=True))
        for q in ("ex1", "mini", "ex2", "ex3", "ex4"):
            assert cells[q] == graded[q]
        assert cells["score"] == graded["total"] and cells["status"] == graded["status"]
