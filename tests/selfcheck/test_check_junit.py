"""The JUnit XML of `grade check`: the minimal common form, counts that add up, points in
properties and names, hostile text kept as text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from check_helpers import RUBRIC, SheetMaker, run_grade

from grader.checkers.registry import REGISTRY
from grader.rubric.load import load_rubric
from grader.selfcheck.junit import MAX_ATTRIBUTE_CHARS, xml_attribute, xml_text

PTS = re.compile(r"\[(\d+(?:\.\d+)?)(?:/(\d+(?:\.\d+)?))? pts\]")


def write_junit(sheet: Path, tmp_path: Path, *extra: str) -> tuple[int, ET.Element, bytes]:
    out = tmp_path / f"{sheet.stem}.xml"
    run = run_grade(["check", str(sheet), "--junit", str(out), *extra])
    data = out.read_bytes()
    return run.code, ET.fromstring(data), data


def properties(element: ET.Element) -> dict[str, str]:
    found = element.find("properties")
    if found is None:
        return {}
    return {p.get("name", ""): p.get("value", "") for p in found.findall("property")}


def test_structure_and_counts(make_sheet: SheetMaker, tmp_path: Path) -> None:
    sheet = make_sheet({"ex2.s": "oops", "ex2.w_nwe": [1, 2, 3]}, drop=("ex1.dL_dW1", "ex4.answer"))
    code, root, data = write_junit(sheet, tmp_path)
    assert code == 1
    assert data.startswith(b"<?xml")
    suites = root.findall("testsuite")
    rubric = load_rubric(RUBRIC, REGISTRY)
    assert [s.get("name") for s in suites][: 1 + len(rubric.questions)] == [
        "sheet",
        *[q.id for q in rubric.questions],
    ]
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "-1")) for s in suites), key
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped", "-1")) == sum(c.find("skipped") is not None for c in cases)
    failed = {
        c.get("name", "").split(" ")[0]: c.find("failure")
        for c in root.iter("testcase")
        if c.find("failure") is not None
    }
    assert set(failed) == {"ex2.s", "ex1.dL_dW1"}
    assert failed["ex2.s"] is not None and failed["ex2.s"].get("type") == "unreadable"
    assert failed["ex1.dL_dW1"] is not None and failed["ex1.dL_dW1"].get("type") == "missing"
    skipped = {
        c.get("name", "").split(" ")[0]
        for c in root.iter("testcase")
        if c.find("skipped") is not None
    }
    # optional bonus not given, the unused alternatives, the unknown id
    assert skipped == {"ex4.answer", "ex3.gradient_j_eq_y", "ex3.gradient_j_ne_y", "ex2.w_nwe"}


def test_points_without_scoring(key_sheet: Path, tmp_path: Path) -> None:
    _, root, _ = write_junit(key_sheet, tmp_path)
    rubric = load_rubric(RUBRIC, REGISTRY)
    for question in rubric.questions:
        suite = root.find(f"testsuite[@name='{question.id}']")
        assert suite is not None
        assert properties(suite) == {"max_score": _plain(question.points)}
        assert len(suite.findall("testcase")) == len(question.parts)
        for case in suite.findall("testcase"):
            answer_id = case.get("name", "").split(" ")[0]
            part = rubric.part(answer_id)
            assert part is not None
            found = properties(case)
            assert "score" not in found  # nothing earned is shown
            assert float(found["max_score"]) == part.points
            match = PTS.search(case.get("name", ""))
            if part.scored:
                assert match is not None and match.group(2) is None
                assert float(match.group(1)) == part.points
            else:
                assert match is None


def test_points_when_scoring(make_sheet: SheetMaker, scores_rubric: Path, tmp_path: Path) -> None:
    sheet = make_sheet({"ex1.dL_dW2": "z2 * 0"})
    code, root, _ = write_junit(sheet, tmp_path, "--rubric", str(scores_rubric))
    assert code == 0
    rubric = load_rubric(RUBRIC, REGISTRY)
    for question in rubric.questions:
        suite = root.find(f"testsuite[@name='{question.id}']")
        assert suite is not None
        suite_points = properties(suite)
        assert float(suite_points["max_score"]) == question.points
        case_sum = 0.0
        for case in suite.findall("testcase"):
            found = properties(case)
            case_sum += float(found["score"])
            match = PTS.search(case.get("name", ""))
            part = rubric.part(case.get("name", "").split(" ")[0])
            assert part is not None
            if part.scored:
                assert match is not None and match.group(2) is not None
                assert float(match.group(1)) == float(found["score"])
                assert float(match.group(2)) == part.points
        assert float(suite_points["score"]) == round(case_sum, 2)
    wrong = next(c for c in root.iter("testcase") if c.get("name", "").startswith("ex1.dL_dW2 "))
    assert properties(wrong)["score"] == "0"


def test_file_testcase_fails_for_a_broken_file(tmp_path: Path) -> None:
    sheet = tmp_path / "pen_paper_broken.yaml"
    sheet.write_text("answers:\n  ex1: [oops\n", encoding="utf-8")
    code, root, _ = write_junit(sheet, tmp_path, "--assignment", "practical-1")
    assert code == 1
    file_case = root.find("testsuite[@name='sheet']/testcase")
    assert file_case is not None
    failure = file_case.find("failure")
    assert failure is not None and failure.get("type") == "unreadable"


def test_hostile_text_stays_text(make_sheet: SheetMaker, tmp_path: Path) -> None:
    hostile_id = "q<]]>&\"'.a\u2028b"
    sheet = make_sheet({hostile_id: "1", "ex2.loss": "</failure><x>&amp;"})
    _, root, _ = write_junit(sheet, tmp_path)
    names = [c.get("name", "") for c in root.iter("testcase")]
    assert any(name.startswith("q<]]>&\"'.a") for name in names)
    loss = next(c for c in root.iter("testcase") if c.get("name", "").startswith("ex2.loss "))
    failure = loss.find("failure")
    assert failure is not None
    assert list(failure) == []  # no element smuggled in
    assert "</failure><x>" in (failure.text or "")


def test_xml_cleaning() -> None:
    assert xml_text("a\x00b\x1bc\ufffed") == "a\ufffdb\ufffdc\ufffdd"
    assert "\n" not in xml_attribute("line one\nline two\r\nthree")
    assert len(xml_attribute("x" * 10_000)) == MAX_ATTRIBUTE_CHARS
    attribute, text = xml_attribute("\x01"), xml_text("\x02")
    ET.fromstring(f"<a b='{attribute}'>{text}</a>")


def _plain(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else str(points)
