"""The sample submissions against their expected gradebook (golden files, checked by hand).

`tests/golden/practical-1/grades.csv` is the whole grades.csv; `parts.csv` keeps the columns that
carry marks (student, part, points, max, outcome) so that rewording feedback does not churn it.
To regenerate after a deliberate change:
`GRADER_UPDATE_GOLDEN=1 pytest tests/test_golden_samples.py`,
then review the diff by hand against the marking scheme before committing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from golden_files import compare_golden

from grader.gradebook import write_gradebook
from grader.pipeline import Batch, BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "practical-1"


@pytest.fixture(scope="module")
def batch() -> Batch:
    options = BatchOptions(
        folder=ROOT / "submissions", rubric=ROOT / "rubrics" / "practical-1.yaml", workers=0
    )
    return grade_folder(options)


@pytest.fixture(scope="module")
def written(batch: Batch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gradebook")
    write_gradebook(batch.gradebook, out)
    return out


def _marks(parts_csv: str) -> str:
    rows = list(csv.DictReader(io.StringIO(parts_csv)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "part", "points", "max_points", "outcome"])
    for row in rows:
        writer.writerow(
            [row["student_id"], row["part"], row["points"], row["max_points"], row["outcome"]]
        )
    return buffer.getvalue()


def _compare(name: str, actual: str) -> None:
    compare_golden(GOLDEN, name, actual)


def test_grades_csv_matches_golden(written: Path) -> None:
    _compare("grades.csv", (written / "grades.csv").read_text(encoding="utf-8"))


def test_part_marks_match_golden(written: Path) -> None:
    _compare("parts.csv", _marks((written / "parts.csv").read_text(encoding="utf-8")))


def test_every_sample_file_has_a_row(batch: Batch) -> None:
    sources = sorted(row.source for row in batch.gradebook.rows)
    files = sorted(
        p.name for p in (ROOT / "submissions").iterdir() if p.suffix in {".yaml", ".ipynb", ".tex", ".pdf"}
    )
    assert sources == files


def test_rerun_is_byte_identical(batch: Batch, written: Path, tmp_path: Path) -> None:
    again = grade_folder(
        BatchOptions(
            folder=ROOT / "submissions", rubric=ROOT / "rubrics" / "practical-1.yaml", workers=0
        )
    )
    write_gradebook(again.gradebook, tmp_path)
    for path in sorted(written.rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(written)).read_bytes() == path.read_bytes(), (
                path.name
            )


def test_worker_pool_gives_the_same_gradebook(batch: Batch) -> None:
    pooled = grade_folder(
        BatchOptions(
            folder=ROOT / "submissions", rubric=ROOT / "rubrics" / "practical-1.yaml", workers=2
        )
    )
    assert pooled.gradebook == batch.gradebook


def test_the_sample_pdf_was_built_from_its_source() -> None:
    """submissions/pen_paper_fourier.pdf is pdflatex's output for tests/data/latex/ (rebuild
    it there with grader.sty beside it when the source changes)."""
    from grader.loaders.pdf import embedded_source

    pdf = (ROOT / "submissions" / "pen_paper_fourier.pdf").read_bytes()
    source = ROOT / "tests" / "data" / "latex" / "pen_paper_fourier.tex"
    assert embedded_source(pdf).text == source.read_text(encoding="utf-8")
