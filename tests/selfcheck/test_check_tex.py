"""`grade check` on a LaTeX source and on PDFs: the same located messages as grading."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"
sys.path.insert(0, str(ROOT / "tests" / "loaders"))
from pdf_builders import pdf_with_source, plain_pdf  # noqa: E402 - after the path set-up

SOURCE = """\\documentclass{article}
\\usepackage{grader}
\\student{s5}{X}
\\assignment{practical-1}
\\begin{document}
\\answer{ex1.dL_dWout}{(y_{out} - y_{gt}) f_3'(s_{out}) z_2^T}
\\answer{ex2.s}{\\begin{bmatrix} 1 & 2 \\\\ 3 \\end{bmatrix}}
\\answer{ex2.z}{\\begin{bmatrix} 1 & 2 & 3\\\\ 3 & x & 4\\\\ 1 & 2 & 3 \\\\ 1 & 2 & 3 \\end{bmatrix}}
\\end{document}
"""


def _check(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", str(path), "--rubric", str(RUBRIC)], out, io.StringIO())
    return code, out.getvalue()


def test_source_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_x.tex"
    path.write_text(SOURCE, encoding="utf-8")
    code, text = _check(path)
    assert code != 0
    assert f"{path.as_posix()}:7:1 [ex2.s]: error: row 2 of the matrix has 1 entries" in text
    assert f"{path.as_posix()}:8:1 [ex2.z]: error:" in text and "row 2, column 2" in text


def test_a_pdf_reads_like_its_source(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_x.pdf"
    path.write_bytes(pdf_with_source(SOURCE))
    code, text = _check(path)
    assert code != 0
    assert f"{path.as_posix()}:7:1 [ex2.s]" in text


def test_a_pdf_without_answers_says_why(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_x.pdf"
    path.write_bytes(plain_pdf())
    code, text = _check(path)
    assert code != 0
    assert "carries no embedded answers" in text
