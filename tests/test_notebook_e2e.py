"""Notebooks end to end: a template filled in with right answers scores full marks; code in a
code cell is never run and scores that part 0 with a message."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.cli import main
from grader.model import Outcome
from grader.pipeline import BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "practical-1.yaml"

LATEX = {
    "ex1.dL_dWout": r"$$\frac{\partial \mathcal{L}}{\partial W_{out}} = (y_{out}-y_{gt})\, f_3'(s_{out})\, z_2^{T}$$",
    "ex1.dL_dW2": r"$\left[\left(W_{out}^{T} (y_{out}-y_{gt})\, f_3'(s_{out})\right) \odot f_2'(s_2)\right] z_1^{T}$",
    "ex1.dL_dW1": r"$\left[W_2^{\top}\left(\left(W_{out}^{T} (y_{out}-y_{gt}) f_3^{\prime}(s_{out})\right) \odot f_2'(s_2)\right) \odot f_1'(s_1)\right] x_{in}^{T}$",
    "mini.dW_k": r"$\delta_k\, z_{k-1}^{T}$",
    "ex3.gradient": r"$\sum_{l \neq y_i} \mathbb{1}\left[p_l - p_{y_i} + \Delta > 0\right]\left(p_l(\delta_{lj} - p_j) - p_{y_i}(\delta_{y_i j} - p_j)\right)$",
}


def _template() -> dict[str, Any]:
    out = io.StringIO()
    assert main(["template", "practical-1", "--format", "ipynb"], out, io.StringIO()) == 0
    return json.loads(out.getvalue())


def _key() -> dict[str, Any]:
    out = io.StringIO()
    assert main(["key", "practical-1", "--convention", "batch-mean"], out, io.StringIO()) == 0
    sheet = yaml.safe_load(out.getvalue())  # our own output
    return {f"{q}.{p}": v for q, parts in sheet["answers"].items() for p, v in parts.items()}


def _fill(notebook: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "student" in tags:
            cell["source"] = 'student:\n  id: "s42"\n  name: "Note Book"\nassignment: practical-1\n'
        for tag in tags:
            if tag.startswith("answer:") and tag[7:] in answers:
                cell["source"] = answers[tag[7:]]
    return notebook


def _filled_answers() -> dict[str, str]:
    key = _key()
    answers: dict[str, str] = {}
    for answer_id, value in key.items():
        local = answer_id.split(".")[1]
        if answer_id in LATEX:
            answers[answer_id] = LATEX[answer_id]
        elif isinstance(value, list):
            answers[answer_id] = f"{local} = {json.dumps(value)}"  # a code cell with a literal
        else:
            answers[answer_id] = str(value)
    return answers


def _grade(tmp_path: Path, notebook: dict[str, Any]) -> Any:
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "pen_paper_book.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    batch = grade_folder(BatchOptions(folder=folder, rubric=RUBRIC, workers=0))
    (row,) = batch.gradebook.rows
    return row


def test_template_notebook_filled_with_right_answers_scores_full_marks(tmp_path: Path) -> None:
    notebook = _fill(_template(), _filled_answers())
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and c["source"]]
    assert code_cells, "numeric answers go in code cells"
    row = _grade(tmp_path, notebook)
    assert (row.student_id, row.name) == ("s42", "Note Book")
    for part in row.parts:
        if part.answer_id in {"ex3.explanation", "ex4.answer"}:
            continue  # free text: provisional, reviewed by a TA
        assert part.points == part.max_points, (part.answer_id, part.feedback)
    assert row.question_points["ex1"] == 8 and row.question_points["ex2"] == 10


def test_code_in_a_code_cell_is_never_run(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    answers = _filled_answers()
    answers["ex2.W_new"] = f"import os; os.system('touch {canary}')\nW_new = [[1, 2, 3], [4, 5, 6]]"
    row = _grade(tmp_path, _fill(_template(), answers))
    assert not canary.exists()
    part = next(p for p in row.parts if p.answer_id == "ex2.W_new")
    assert part.points == 0 and part.outcome is Outcome.UNPARSEABLE
    assert any(m.location.answer_id == "ex2.W_new" and m.location.cell for m in row.messages)
    others = [p for p in row.parts if p.question == "ex2" and p.answer_id != "ex2.W_new"]
    assert all(p.points == p.max_points for p in others)


@pytest.mark.parametrize(
    "payload", ["__import__('os').system('id')", "W_new = open('/etc/passwd').read()"]
)
def test_calls_in_code_cells_are_unparseable(tmp_path: Path, payload: str) -> None:
    answers = _filled_answers()
    answers["ex2.W_new"] = payload
    row = _grade(tmp_path, _fill(_template(), answers))
    part = next(p for p in row.parts if p.answer_id == "ex2.W_new")
    assert part.outcome is Outcome.UNPARSEABLE
