"""The variant edition's sample sheets against their golden gradebook (checked by hand), and
the signals they are meant to raise.

`submissions-variants/` holds sheets of the variant edition, drawn with the published sample
secret (`variant_sheets.SAMPLE_SECRET`; a real course keeps its secret outside the repository).
Regenerate the sheets with `python tests/variant_sheets.py` and the golden files with
`GRADER_UPDATE_GOLDEN=1 pytest tests/test_golden_variant_samples.py`, then review the diff.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from golden_files import compare_golden
from variant_sheets import EDITION, ROOT, SAMPLE_SECRET, SAMPLES, UNUSUAL

from grader.copysignal import PRINTED_SHEET, SIGNAL_DETAIL
from grader.gradebook import write_gradebook
from grader.model import Reason
from grader.pipeline import Batch, BatchOptions, grade_folder
from grader.report.markdown import render_markdown
from grader.report.summary import build_report

GOLDEN = Path(__file__).resolve().parent / "golden" / EDITION


@pytest.fixture(scope="module")
def batch() -> Batch:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_VARIANT_SECRET", SAMPLE_SECRET)
        options = BatchOptions(folder=SAMPLES, rubric=ROOT / "rubrics" / f"{EDITION}.yaml",
                               workers=0)  # fmt: skip
        return grade_folder(options)


def _compare(name: str, actual: str) -> None:
    compare_golden(GOLDEN, name, actual)


def test_grades_and_part_marks_match_golden(batch: Batch, tmp_path: Path) -> None:
    write_gradebook(batch.gradebook, tmp_path)
    _compare("grades.csv", (tmp_path / "grades.csv").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "parts.csv").read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["student_id", "part", "points", "max_points", "outcome", "variant"]
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    _compare("parts.csv", buffer.getvalue())


def test_the_copied_and_the_printed_sheets_are_flagged_and_nobody_else(batch: Batch) -> None:
    rows = {row.student_id: row for row in batch.gradebook.rows}
    flagged = {s for s, row in rows.items() if Reason.FITS_OTHER_VARIANT in row.flags}
    assert flagged == {"s2000004", "s2000005"}
    assert rows["s2000004"].detail[SIGNAL_DETAIL]["fits"] == "s2000001"  # type: ignore[index]
    assert rows["s2000005"].detail[SIGNAL_DETAIL]["fits"] == PRINTED_SHEET  # type: ignore[index]


def test_the_report_groups_one_mistake_across_variants_and_lists_the_shared_answer(
    batch: Batch,
) -> None:
    report = build_report(batch.gradebook)
    assert report.staff is not None
    (shared,) = [s for s in report.staff.shared if s.answer_id == "ex1.dL_dW1"]
    assert {h.student_id for h in shared.holders} == {"s2000006", "s2000007"}
    assert shared.example == UNUSUAL
    assert len({h.variant for h in shared.holders}) == 2  # on different numbers
    delta = next(p for p in report.parts if p.answer_id == "ex2.delta_hidden")
    relu = [g for g in delta.wrong.top if "not 0 where the value is 0" in g.key.label]
    assert relu and relu[0].count == 2  # batch-sum and sequential, different numbers
    text = render_markdown(report, image=False)
    assert "Staff only" in text and "s2000001" in text.split("Staff only")[1]
