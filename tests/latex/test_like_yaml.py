"""LaTeX answers grade exactly like the same answers in a YAML sheet, part by part
(like_yaml_cases.yaml: right and flawed answers, macros, matrices, cases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.pipeline import BatchOptions, grade_folder

ROOT = Path(__file__).resolve().parents[2]
TABLE = yaml.safe_load((Path(__file__).parent / "like_yaml_cases.yaml").read_text("utf-8"))


def _tex(sheet: dict[str, Any]) -> str:
    answers = "\n".join(
        f"\\answer{{{answer_id}}}{{{pair['tex']}}}" for answer_id, pair in sheet["answers"].items()
    )
    return (
        "\\documentclass{article}\n\\usepackage{grader}\n" + TABLE["preamble"]
        + f"\\student{{tex-{sheet['name']}}}{{T}}\n\\assignment{{practical-1}}\n"
        + "\\begin{document}\n" + answers + "\n\\end{document}\n"
    )  # fmt: skip


def _yaml(sheet: dict[str, Any]) -> str:
    nested: dict[str, dict[str, Any]] = {}
    for answer_id, pair in sheet["answers"].items():
        question, part = answer_id.split(".", 1)
        nested.setdefault(question, {})[part] = pair["yaml"]
    document = {"student": {"id": f"yaml-{sheet['name']}", "name": "Y"},
                "assignment": "practical-1", "answers": nested}  # fmt: skip
    return json.dumps(document)  # JSON is YAML


@pytest.fixture(scope="module")
def marks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, tuple[float, str]]]:
    folder = tmp_path_factory.mktemp("like")
    for sheet in TABLE["sheets"]:
        (folder / f"tex_{sheet['name']}.tex").write_text(_tex(sheet), encoding="utf-8")
        (folder / f"yaml_{sheet['name']}.yaml").write_text(_yaml(sheet), encoding="utf-8")
    rubric = ROOT / "rubrics" / "practical-1.yaml"
    batch = grade_folder(BatchOptions(folder=folder, rubric=rubric, workers=0))
    return {
        row.student_id: {p.answer_id: (p.points, p.outcome.value) for p in row.parts}
        for row in batch.gradebook.rows
    }


@pytest.mark.parametrize("sheet", TABLE["sheets"], ids=[s["name"] for s in TABLE["sheets"]])
def test_tex_grades_like_yaml(sheet: dict[str, Any], marks: dict) -> None:
    assert marks[f"tex-{sheet['name']}"] == marks[f"yaml-{sheet['name']}"]


def test_the_table_is_not_trivial(marks: dict) -> None:
    right, flawed = marks["yaml-right"], marks["yaml-flawed"]
    assert right["ex1.dL_dWout"][1] == "correct" and right["ex3.gradient"][1] == "correct"
    assert flawed["ex1.dL_dWout"][1] == "partial" and flawed["ex2.y_out"][1] == "partial"
