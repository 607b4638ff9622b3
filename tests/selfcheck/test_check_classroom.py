"""The GitHub Classroom result object: base64 -> JSON -> the fields the grading reporter reads,
and what the points mean with and without `feedback: scores`."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from check_helpers import RUBRIC, SheetMaker, run_grade

from grader.checkers.registry import REGISTRY
from grader.rubric.load import load_rubric

TEST_FIELDS = {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def classroom(
    sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[int, dict[str, Any], str]:
    """Run with --classroom; the decoded object from $GITHUB_OUTPUT, and standard output."""
    output = tmp_path / f"output-{sheet.stem}"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    run = run_grade(["check", str(sheet), "--classroom", *extra])
    lines = output.read_text("utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("result=")
    encoded = lines[0].removeprefix("result=")
    assert lines[0] + "\n" in run.out or lines[0] in run.err  # printed as well
    return run.code, json.loads(base64.b64decode(encoded, validate=True)), run.out


def test_complete_sheet(key_sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, result, _ = classroom(key_sheet, tmp_path, monkeypatch)
    assert code == 0
    assert result["version"] == 1
    assert result["status"] == "pass"
    rubric = load_rubric(RUBRIC, REGISTRY)
    required = [p for q in rubric.questions if not q.bonus for p in q.parts if p.scored]
    assert result["max_score"] == len(required) == 16
    assert sum(t["score"] for t in result["tests"]) == result["max_score"]
    assert all(set(t) == TEST_FIELDS for t in result["tests"])
    assert all(t["status"] == "pass" for t in result["tests"])
    assert {t["name"] for t in result["tests"]} == {p.answer_id for p in rubric.parts()}
    assert all(t["filename"] == key_sheet.as_posix() for t in result["tests"])
    assert all("grade check" in t["test_code"] for t in result["tests"])


def test_incomplete_sheet(
    make_sheet: SheetMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = make_sheet({"ex2.s": [[1, 2]], "ex4.answer": ["x"]}, drop=("mini.dW_k",))
    code, result, _ = classroom(sheet, tmp_path, monkeypatch)
    assert code == 1
    assert result["status"] == "fail"
    tests = {t["name"]: t for t in result["tests"]}
    assert {n for n, t in tests.items() if t["status"] == "fail"} == {
        "ex2.s",
        "mini.dW_k",
        "ex4.answer",
    }
    assert tests["ex2.s"]["score"] == 0 and tests["ex2.s"]["message"]
    assert tests["ex2.s"]["line_no"] > 0
    assert tests["ex4.answer"]["score"] == 0  # optional: worth nothing either way
    # Points count the well-formed required answers.
    assert sum(t["score"] for t in result["tests"]) == result["max_score"] - 2


def test_scores_add_up_to_the_total(
    make_sheet: SheetMaker,
    scores_rubric: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = make_sheet({"ex1.dL_dW2": "z2 * 0"})
    code, result, _ = classroom(sheet, tmp_path, monkeypatch, "--rubric", str(scores_rubric))
    assert code == 0
    data = json.loads(
        run_grade(["check", str(sheet), "--rubric", str(scores_rubric), "--format", "json"]).out
    )
    assert result["max_score"] == data["totals"]["max_total"] == 30
    assert sum(t["score"] for t in result["tests"]) == pytest.approx(data["totals"]["total"])
    assert result["status"] == "pass"
    rubric = load_rubric(RUBRIC, REGISTRY)
    non_bonus = [q for q in rubric.questions if not q.bonus]
    assert len(result["tests"]) == len(non_bonus) + 1  # one per question + the counted bonus
    by_question = {t["name"].split(":")[0]: t for t in result["tests"]}
    for question in non_bonus:
        assert by_question[question.id]["score"] == pytest.approx(data["questions"][question.id])


def test_json_format_carries_the_result(
    key_sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    run = run_grade(["check", str(key_sheet), "--classroom", "--format", "json"])
    data = json.loads(run.out)  # standard output stays one JSON document
    assert output.read_text("utf-8") == f"result={data['classroom_result']}\n"


def test_without_github_output_it_is_printed(key_sheet: Path) -> None:
    run = run_grade(["check", str(key_sheet), "--classroom"])
    lines = [line for line in run.out.splitlines() if line.startswith("result=")]
    assert len(lines) == 1
    decoded = json.loads(base64.b64decode(lines[0].removeprefix("result=")))
    assert decoded["status"] == "pass"
