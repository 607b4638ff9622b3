"""The acceptance test of `grade check` (issue "CI on student repositories"): a well-formed, a
half-filled and a hostile sheet through the CLI; exit codes, statuses and reasons, the JUnit
file; usage errors; and that nothing about correctness leaks without `feedback: scores`."""

from __future__ import annotations

import base64
import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from check_helpers import REPO, RUBRIC, SheetMaker, run_grade

HALF_DROPPED = ("ex1.dL_dW2", "ex1.dL_dW1", "ex2.delta_hidden", "ex2.grad_W", "ex3.explanation")
HOSTILE = {
    "ex1.dL_dWout": "(y_out - y_gt) * * z2",
    "ex1.dL_dW2": "::error file=x::owned * z2",
    "ex2.s": [[1, 2], [3, 4]],
    "ex2.loss": "::set-output name=result::x",
    "ex3.gradient": "p_j \\foo",
    "ex3.explanation": ["not", "text"],
    'x<&">.y': "1",
    "ctl.a\x01b": "1",
}
HOSTILE_FAILING = {
    "ex1.dL_dWout": "syntax",
    "ex1.dL_dW2": "syntax",
    "ex2.s": "wrong_shape",
    "ex2.loss": "not_a_number",
    "ex3.gradient": "syntax",
    "ex3.explanation": "wrong_type",
}


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    run = run_grade(["check", *args, "--format", "json"])
    return run.code, json.loads(run.out)


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in data["answers"]}


def junit(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_well_formed_sheet(key_sheet: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    run = run_grade(["check", str(key_sheet), "--junit", str(report)])
    assert run.code == 0
    code, data = check_json(str(key_sheet))
    assert code == 0
    assert data["complete"] is True
    assert data["scoring"] is False
    assert all(a["status"] in ("ok", "not_given") for a in data["answers"])
    root = junit(report)
    assert root.tag == "testsuites"
    assert root.get("failures") == "0"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(data["answers"]) + 1  # every answer slot and the file itself
    assert all(case.find("failure") is None for case in cases)


def test_half_filled_sheet(make_sheet: SheetMaker, tmp_path: Path) -> None:
    sheet = make_sheet(drop=HALF_DROPPED, name="half")
    report = tmp_path / "half.xml"
    run = run_grade(["check", str(sheet), "--junit", str(report)])
    assert run.code == 1
    code, data = check_json(str(sheet))
    assert code == 1
    assert data["complete"] is False
    answers = by_id(data)
    failing = {i for i, a in answers.items() if a["status"] in ("missing", "unreadable")}
    assert failing == set(HALF_DROPPED)
    assert all(answers[i]["status"] == "missing" for i in HALF_DROPPED)
    root = junit(report)
    assert root.get("failures") == str(len(HALF_DROPPED))
    failed_cases = {
        case.get("name", "").split(" ")[0]: case
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }
    assert set(failed_cases) == set(HALF_DROPPED)
    for answer_id, case in failed_cases.items():
        assert case.get("classname") == answer_id.split(".")[0]
        failure = case.find("failure")
        assert failure is not None and failure.get("type") == "missing"


def test_hostile_sheet(make_sheet: SheetMaker, tmp_path: Path) -> None:
    sheet = make_sheet(HOSTILE, name="hostile")
    report = tmp_path / "hostile.xml"
    run = run_grade(["check", str(sheet), "--junit", str(report)])
    assert run.code == 1
    code, data = check_json(str(sheet))
    assert code == 1
    answers = by_id(data)
    for answer_id, reason in HOSTILE_FAILING.items():
        assert answers[answer_id]["status"] == "unreadable", answer_id
        assert reason in answers[answer_id]["reasons"], answer_id
        located = answers[answer_id]["messages"][-1]["location"]
        assert located["answer_id"] == answer_id
        assert located["line"] is not None
    unknown = {i for i, a in answers.items() if a["status"] == "unknown"}
    assert len(unknown) == 2
    # No output line can be taken for a workflow command: none starts with `::`.
    assert not [line for line in run.out.splitlines() if line.lstrip().startswith("::")]
    # The JUnit file is well-formed XML that kept the hostile ids as text.
    root = junit(report)
    names = {case.get("name") for case in root.iter("testcase")}
    assert 'x<&">.y' in names
    assert root.get("failures") == str(len(HOSTILE_FAILING))


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "a.yaml", "--bogus"],
        ["check", "a.yaml", "--format", "xml"],
        ["check", "a.yaml", "--rubric", "r.yaml", "--assignment", "practical-1"],
    ],
)
def test_usage_errors(argv: list[str]) -> None:
    assert run_grade(argv).code == 2


def test_no_rubric_to_be_found(tmp_path: Path, make_sheet: SheetMaker) -> None:
    broken = tmp_path / "pen_paper_broken.yaml"
    broken.write_text("answers: [oops\n", encoding="utf-8")
    run = run_grade(["check", str(broken)])
    # The real problem is the YAML error, located, and nothing else (not "names no assignment").
    assert run.code == 1 and run.out.startswith(f"{broken}:2:1: error: YAML syntax error")
    assert "assignment" not in run.out and len(run.out.splitlines()) == 2
    run = run_grade(["check", str(broken), "--assignment", "practical-1"])
    assert run.code == 1 and run.out.startswith(f"{broken}:2:1: error: YAML syntax error")
    assert "missing" not in run.out  # no follow-on lines
    assert run_grade(["check", str(tmp_path / "absent.yaml")]).err.endswith("no such file\n")
    sheet = make_sheet()
    assert run_grade(["check", str(sheet), "--assignment", "practical-99"]).code == 2
    assert run_grade(["check", str(sheet), "--rubric", str(tmp_path / "none.yaml")]).code == 2


def test_invalid_rubric(tmp_path: Path, make_sheet: SheetMaker) -> None:
    rubric = tmp_path / "bad.yaml"
    text = RUBRIC.read_text("utf-8").replace("kind: vector, shape: [n1]", "kind: vectr", 1)
    rubric.write_text(text, encoding="utf-8")
    run = run_grade(["check", str(make_sheet()), "--rubric", str(rubric)])
    assert run.code == 2
    assert str(rubric) in run.err


def test_help() -> None:
    run = run_grade(["check", "--help"])
    assert run.code == 0
    assert "--junit" in run.out


def _wrong_but_well_formed(key_data: dict[str, Any]) -> dict[str, Any]:
    """Every answer replaced by one of the same form that is (almost surely) not the key's."""

    def shift(value: Any) -> Any:
        if isinstance(value, list):
            return [shift(v) for v in value]
        return float(value) + 1.25

    changes: dict[str, Any] = {}
    for question, parts in key_data["answers"].items():
        for part, value in parts.items():
            answer_id = f"{question}.{part}"
            if question == "ex2" and part != "convention":
                changes[answer_id] = shift(value)
            elif question in ("ex1", "mini"):
                changes[answer_id] = "z2 * 0" if question == "ex1" else "delta_k * 0"
            elif part == "gradient":
                changes[answer_id] = "p_j"
            elif part == "convention":
                changes[answer_id] = "sequential"
            else:  # free text, as many lines as the key's (the same layout)
                changes[answer_id] = "- another idea\n" * str(value).count("\n")
    return changes


def _outputs(sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Text, JSON, JUnit, GitHub annotations/summary and Classroom output, file names removed."""
    folder = tmp_path / f"out-{sheet.stem}"
    folder.mkdir()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(folder / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(folder / "summary"))
    xml = folder / "report.xml"
    text = run_grade(["check", str(sheet), "--junit", str(xml), "--classroom"])
    data = run_grade(["check", str(sheet), "--format", "json"])
    files = [(folder / name).read_text("utf-8") for name in ("output", "summary", "report.xml")]
    # The Classroom object is base64 (of text naming the file): compare it decoded.
    encoded = [line for line in files[0].splitlines() if line.startswith("result=")]
    assert len(encoded) == 1
    blobs = [_without_results(b) for b in (text.out, text.err, data.out, data.err, *files)]
    blobs.append(_decode(encoded[0].split("=", 1)[1]))
    return [blob.replace(sheet.as_posix(), "SHEET").replace(sheet.name, "SHEET") for blob in blobs]


def _decode(text: str) -> str:
    return base64.b64decode(text).decode("utf-8")


def _without_results(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("result="))


def test_reveals_nothing_about_correctness(
    make_sheet: SheetMaker,
    key_data: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    right = make_sheet(name="alpha")
    wrong = make_sheet(_wrong_but_well_formed(key_data), name="beta")
    # The same sheet layout, the same forms: every output must be the same, byte for byte.
    right_out = _outputs(right, tmp_path, monkeypatch)
    wrong_out = _outputs(wrong, tmp_path, monkeypatch)
    assert right_out == wrong_out
    everything = "\n".join(wrong_out)
    assert "correct" not in everything.lower()
    assert "score" not in json.loads(wrong_out[2])
    # No reference value or expression appears.
    for reference in ("0.458", "0.0752100525", "f3'(s_out)", "delta_k * z_{k-1}^T"):
        assert reference not in everything


def test_feedback_scores_shows_gradings_points(
    make_sheet: SheetMaker, scores_rubric: Path, tmp_path: Path
) -> None:
    sheet = make_sheet(
        {"ex1.dL_dW2": "z2 * 0", "ex2.s": [[0, 0, 0] for _ in range(4)]}, name="scored"
    )
    code, data = check_json(str(sheet), "--rubric", str(scores_rubric))
    assert code == 0  # complete and well-formed, whatever the points
    assert data["scoring"] is True
    book = tmp_path / "book"
    graded = run_grade(
        [str(sheet.parent), "--rubric", str(scores_rubric), "--out", str(book), "--quiet"]
    )
    assert graded.code == 0
    with (book / "grades.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    with (book / "parts.csv").open(encoding="utf-8", newline="") as handle:
        parts = {r["part"]: float(r["points"]) for r in csv.DictReader(handle)}
    assert data["totals"]["total"] == pytest.approx(float(row["total"]))
    assert data["totals"]["max_total"] == pytest.approx(float(row["max_total"]))
    for question, points in data["questions"].items():
        assert points == pytest.approx(float(row[question]))
    answers = by_id(data)
    for answer_id, points in parts.items():
        assert answers[answer_id]["points"] == pytest.approx(points), answer_id
    assert answers["ex1.dL_dW2"]["points"] == 0
    assert answers["ex1.dL_dWout"]["points"] == 2


def test_the_repository_rubric_reveals_nothing() -> None:
    # The course rubric must keep `feedback: none`: students run this check on it.
    from grader.checkers.registry import REGISTRY
    from grader.rubric.load import load_rubric

    assert load_rubric(REPO / "rubrics" / "practical-1.yaml", REGISTRY).feedback == "none"


def test_a_pattern_must_match_exactly_one_sheet(tmp_path: Path, make_sheet: SheetMaker) -> None:
    sheet = make_sheet()
    other = tmp_path / "pen_paper_other.yaml"
    other.write_text(sheet.read_text(encoding="utf-8"), encoding="utf-8")
    run = run_grade(["check", str(sheet), str(other)])  # the shell expanded pen_paper_*.yaml
    assert run.code == 2 and "found 2 sheets matching" in run.err and str(other) in run.err
    run = run_grade(["check", str(tmp_path / "nothing_*.yaml")])
    assert run.code == 2 and "no sheet matches" in run.err
    assert run_grade(["check", str(sheet.parent / (sheet.name[:-6] + "*.yaml"))]).code in (0, 1)
