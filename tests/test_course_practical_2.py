"""A second course, Practical-2, graded end to end from its rubric and solver alone.

The course lives in tests/courses/practical-2 (rubric, solver module, nine sheets, the TA's
bonus marks and the instructor's hand marks). It exercises the generic features directly:
exact integers, a buggy-expression mistake and a wrong-value mistake ("forgetting the +1 is
worth half"), a chain mixing a symbolic part with numeric parts and error carried forward
(numeric and symbolic upstreams, the all-zeros exception), a form requirement ("write the
update expanded"), a file-name identity rule, and a free-text bonus under the bonus rule.
Golden files: tests/golden/practical-2 (`GRADER_UPDATE_GOLDEN=1` rewrites them; review the
diff against hand_marks.csv before committing).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from grader.cli import main
from grader.gradebook import write_gradebook
from grader.model import Outcome, Status
from grader.pipeline import Batch, BatchOptions, grade_folder

COURSE = Path(__file__).resolve().parent / "courses" / "practical-2"
RUBRIC = COURSE / "rubrics" / "practical-2.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "practical-2"
UPDATE = os.environ.get("GRADER_UPDATE_GOLDEN") == "1"


def _options(workers: int = 0) -> BatchOptions:
    return BatchOptions(
        folder=COURSE / "submissions", rubric=RUBRIC, workers=workers, scores=COURSE / "scores.csv"
    )


@pytest.fixture(scope="module")
def batch() -> Batch:
    return grade_folder(_options())


@pytest.fixture(scope="module")
def written(batch: Batch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("practical-2")
    write_gradebook(batch.gradebook, out)
    return out


def _hand_marks() -> dict[tuple[str, str], float]:
    with (COURSE / "hand_marks.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["student_id"], r["part"]): float(r["points"]) for r in csv.DictReader(handle)}


def test_every_part_matches_the_instructors_hand_marks(batch: Batch) -> None:
    graded = {(row.student_id, p.answer_id): p.points for row in batch.gradebook.rows
              for p in row.parts}  # fmt: skip
    hand = _hand_marks()
    assert len(hand) == 90  # 9 sheets x 10 parts
    assert {k: graded.get(k) for k in hand} == hand


def test_the_marking_rules_give_their_outcomes(batch: Batch) -> None:
    outcome = {(row.student_id, p.answer_id): p.outcome for row in batch.gradebook.rows
               for p in row.parts}  # fmt: skip
    assert outcome["p2s02", "conv.formula"] is Outcome.PARTIAL  # forgot the +1: half
    assert outcome["p2s02", "conv.size"] is Outcome.PARTIAL  # 31: the same mistake in numbers
    assert outcome["p2s03", "conv.params"] is Outcome.INCORRECT  # 1200 for 1216: exact
    assert outcome["p2s04", "ce.loss"] is Outcome.CARRIED  # from the student's own probs
    assert outcome["p2s04", "ce.grad"] is Outcome.CARRIED
    assert outcome["p2s05", "ce.grad"] is Outcome.CARRIED  # from the student's own formula
    assert outcome["p2s06", "ce.grad"] is Outcome.INCORRECT  # all-zero probs carry nothing
    assert outcome["p2s07", "l2.update"] is Outcome.PARTIAL  # right but not expanded
    assert outcome["noether", "extra.list"] is Outcome.OVERRIDDEN  # the TA's mark


def test_totals_follow_the_bonus_rule_after_ta_scores(batch: Batch) -> None:
    rows = {row.student_id: row for row in batch.gradebook.rows}
    assert [rows[s].total for s in ("p2s01", "p2s03", "noether")] == [18, 17, 17.5]
    assert rows["noether"].name == "Noether"  # hw2_<lastname>: the rubric's file-name rule
    assert {row.status for row in batch.gradebook.rows} == {Status.GRADED}


def _marks(parts_csv: str) -> str:
    rows = list(csv.DictReader(io.StringIO(parts_csv)))
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["student_id", "part", "points", "max_points", "outcome"])
    for row in rows:
        out.writerow([row[k] for k in ("student_id", "part", "points", "max_points", "outcome")])
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["grades.csv", "parts.csv"])
def test_gradebook_matches_golden(written: Path, name: str) -> None:
    actual = (written / name).read_text(encoding="utf-8")
    actual = _marks(actual) if name == "parts.csv" else actual
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_worker_pool_and_rerun_give_the_same_gradebook(batch: Batch, written: Path,
                                                       tmp_path: Path) -> None:  # fmt: skip
    pooled = grade_folder(_options(workers=2))
    assert pooled.gradebook == batch.gradebook
    write_gradebook(pooled.gradebook, tmp_path)
    for path in sorted(written.rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(written)).read_bytes() == path.read_bytes()


def test_grade_check_and_template_work_for_the_course(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    sheet = COURSE / "submissions" / "hw2_gauss.yaml"
    assert main(["check", str(sheet), "--rubric", str(RUBRIC)], out, err) == 0, err.getvalue()
    template = tmp_path / "t.yaml"
    code = main(["template", "practical-2", "--rubric", str(RUBRIC), "--format", "yaml", "-o", str(template)],
                io.StringIO(), io.StringIO())  # fmt: skip
    assert code == 0
    text = template.read_text(encoding="utf-8")
    assert "hw2_<lastname>.yaml" in text and "(H - F + 2*P)/S + 1" in text
