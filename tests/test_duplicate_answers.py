"""An answer id given twice: neither answer is graded, and the part waits for a TA (issue 10).

Which of two answers a student meant is a person's call. The part is `unparseable` with both
answers named, and it is sent to review, in YAML sheets and LaTeX sources alike, also when the
repeated id is an alternative slot of the scored part.
"""

from __future__ import annotations

from pathlib import Path

from grader.model import GradedSubmission, Outcome, PartScore, Status
from grader.pipeline import BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"


def _grade(folder: Path) -> tuple[GradedSubmission, dict[str, PartScore]]:
    batch = grade_folder(BatchOptions(folder=folder, rubric=RUBRIC, workers=0))
    (row,) = batch.gradebook.rows
    return row, {p.answer_id: p for p in row.parts}


def _lovelace(tmp_path: Path, extra_answers: str) -> Path:
    text = (ROOT / "submissions" / "pen_paper_lovelace.yaml").read_text(encoding="utf-8")
    sheet = tmp_path / "pen_paper_lovelace.yaml"
    sheet.write_text(text.replace("answers:\n", "answers:\n" + extra_answers, 1), encoding="utf-8")
    return tmp_path


def test_a_yaml_answer_given_twice_goes_to_review(tmp_path: Path) -> None:
    row, parts = _grade(_lovelace(tmp_path, "  ex2.w_new: [0.2259, 0.4419, 0.0547]\n"))
    assert parts["ex2.w_new"].outcome is Outcome.UNPARSEABLE and parts["ex2.w_new"].needs_review
    assert row.status is Status.NEEDS_REVIEW
    assert not parts["ex2.W_new"].needs_review  # only the repeated part waits for a TA


def test_an_alternative_slot_given_twice_sends_its_scored_part_to_review(tmp_path: Path) -> None:
    text = (ROOT / "submissions" / "pen_paper_lovelace.yaml").read_text(encoding="utf-8")
    body = text.replace("answers:\n", 'answers:\n  ex3.gradient_j_eq_y: "p_y"\n', 1)
    body = body.replace("  ex3:\n", '  ex3:\n    gradient_j_eq_y: "p_y - 1"\n', 1)
    (tmp_path / "pen_paper_lovelace.yaml").write_text(body, encoding="utf-8")
    _, parts = _grade(tmp_path)
    assert parts["ex3.gradient"].needs_review


def test_a_latex_answer_given_twice_goes_to_review(tmp_path: Path) -> None:
    source = ROOT / "submissions" / "pen_paper_riemann.tex"
    text = source.read_text(encoding="utf-8")
    twice = "\\answer{ex1.dL_dWout}{z_2}\n\\answer{ex1.dL_dWout}{-z_2}\n\\end{document}"
    (tmp_path / source.name).write_text(text.replace("\\end{document}", twice), encoding="utf-8")
    row, parts = _grade(tmp_path)
    assert parts["ex1.dL_dWout"].outcome is Outcome.UNPARSEABLE
    assert parts["ex1.dL_dWout"].needs_review and row.status is Status.NEEDS_REVIEW
