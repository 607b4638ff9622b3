"""Real TeX: the key of every convention, as a LaTeX document, compiles with each installed
engine and grades 30/30 from the PDF and from the source, part by part like the YAML key.

CI installs TeX Live (.ci/run), so there pdflatex must be present; elsewhere the engines that
are missing are skipped. TeX only ever runs on our own documents here, with shell escape off.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.cli import main
from grader.gradebook import write_gradebook
from grader.latex.write import package_source
from grader.pipeline import BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"
CONVENTIONS = ("batch-sum", "batch-mean", "sequential")
ENGINES = ("pdflatex", "lualatex", "xelatex")
TEX_TIMEOUT = 300  # seconds: a guard against a hung TeX, never a speed assertion


def _engine(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if name == "pdflatex" and os.environ.get("CI"):
            pytest.fail("CI must install pdflatex (.ci/run installs texlive-latex-base)")
        pytest.skip(f"{name} is not installed")
    return path


def _key(convention: str, fmt: str) -> str:
    out = io.StringIO()
    code = main(["key", "practical-1", "--rubric", str(RUBRIC), "--convention", convention,
                 "--format", fmt], out, io.StringIO())  # fmt: skip
    assert code == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tex")
    for convention in CONVENTIONS:
        text = _key(convention, "tex").replace("\\student{key}", f"\\student{{key-{convention}}}")
        (folder / f"pen_paper_{convention}.tex").write_text(text, encoding="utf-8")
    (folder / "grader.sty").write_text(package_source(), encoding="utf-8")
    return folder


def _compile(engine: str, sources: Path, out: Path) -> None:
    out.mkdir()
    shutil.copy(sources / "grader.sty", out / "grader.sty")
    for tex in sorted(sources.glob("pen_paper_*.tex")):
        shutil.copy(tex, out / tex.name)
        result = subprocess.run(
            [engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
            cwd=out, capture_output=True, timeout=TEX_TIMEOUT, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
        (out / tex.name).unlink()  # grade the PDF alone
    for extra in out.iterdir():
        if extra.suffix != ".pdf":
            extra.unlink()


def _marks(folder: Path) -> dict[str, dict[str, float]]:
    batch = grade_folder(BatchOptions(folder=folder, rubric=RUBRIC, workers=0))
    return {
        row.student_id: {p.answer_id: p.points for p in row.parts} | {"total": row.total}
        for row in batch.gradebook.rows
    }


@pytest.fixture(scope="module")
def yaml_marks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    folder = tmp_path_factory.mktemp("yaml")
    for convention in CONVENTIONS:
        text = _key(convention, "yaml").replace('id: "key"', f'id: "key-{convention}"')
        (folder / f"pen_paper_{convention}.yaml").write_text(text, encoding="utf-8")
    return _marks(folder)


def test_the_source_grades_like_the_yaml_key(sources: Path, yaml_marks: dict) -> None:
    marks = _marks(sources)
    assert marks == yaml_marks
    assert {row["total"] for row in marks.values()} == {30.0}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_pdf_grades_like_the_yaml_key(
    engine: str, sources: Path, yaml_marks: dict, tmp_path: Path
) -> None:
    _compile(_engine(engine), sources, tmp_path / engine)
    marks = _marks(tmp_path / engine)
    assert marks == yaml_marks
    assert {row["total"] for row in marks.values()} == {30.0}


@pytest.mark.parametrize("engine", ENGINES[:1])
def test_grade_check_passes_on_the_pdf_and_the_source(
    engine: str, sources: Path, tmp_path: Path
) -> None:
    _compile(_engine(engine), sources, tmp_path / engine)
    for path in [*sorted(tmp_path.glob("*/*.pdf")), *sorted(sources.glob("*.tex"))]:
        code = main(["check", str(path), "--rubric", str(RUBRIC)], io.StringIO(), io.StringIO())
        assert code == 0, path
    _ = write_gradebook  # the gradebook writer is exercised by the golden tests


SAMPLES = (
    ROOT / "submissions" / "pen_paper_riemann.tex",
    ROOT / "tests" / "data" / "latex" / "pen_paper_fourier.tex",
)


@pytest.mark.parametrize("engine", ENGINES)
def test_student_style_sources_compile_and_their_pdfs_grade_like_them(
    engine: str, tmp_path: Path
) -> None:
    """Answers inside align*, $$ and \\[ \\], own macros, cases, matrices: the samples compile,
    and each PDF grades exactly like its source."""
    path = _engine(engine)
    sources = tmp_path / "src"
    sources.mkdir()
    for sample in SAMPLES:
        shutil.copy(sample, sources / sample.name)
    (sources / "grader.sty").write_text(package_source(), encoding="utf-8")
    _compile(path, sources, tmp_path / "pdf")
    (sources / "grader.sty").unlink()
    assert _marks(tmp_path / "pdf") == _marks(sources)
