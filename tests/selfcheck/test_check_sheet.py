"""grade check's verdict per answer slot: the form table, alternatives, optional slots, unknown
ids, loader errors, and the same located messages as grading."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import RUBRIC, SheetMaker

from grader.checkers.registry import REGISTRY
from grader.cli import main
from grader.loaders import load_submission
from grader.model import Reason, Severity
from grader.rubric.load import load_rubric
from grader.selfcheck import CheckReport, SlotStatus, build_report
from grader.selfcheck.sheet import MAX_UNKNOWN

CASES = yaml.safe_load((Path(__file__).parent / "test_check_forms.yaml").read_text("utf-8"))
OPTIONAL_WHEN_KEY = {"ex3.gradient_j_eq_y", "ex3.gradient_j_ne_y"}  # the key answers `gradient`


def report_for(path: Path) -> CheckReport:
    """The report of one sheet against the practical-1 rubric."""
    return build_report(load_rubric(RUBRIC, REGISTRY), load_submission(path, path.parent), path)


def statuses(report: CheckReport) -> dict[str, SlotStatus]:
    return {s.answer_id: s.status for s in report.slots}


def test_key_sheet_is_complete(key_sheet: Path) -> None:
    report = report_for(key_sheet)
    assert report.complete
    assert report.readable
    assert not report.scoring
    found = statuses(report)
    rubric = load_rubric(RUBRIC, REGISTRY)
    assert set(found) == {p.answer_id for p in rubric.parts()}
    for answer_id, status in found.items():
        expected = SlotStatus.NOT_GIVEN if answer_id in OPTIONAL_WHEN_KEY else SlotStatus.OK
        assert status is expected, answer_id
    # Required: the scored parts of the non-bonus questions.
    required = {s.answer_id for s in report.required()}
    expected_required = {
        p.answer_id for q in rubric.questions if not q.bonus for p in q.parts if p.scored
    }
    assert required == expected_required
    assert len(required) == 16


@pytest.mark.parametrize("case", CASES, ids=[f"{c['id']}={str(c['value'])[:30]}" for c in CASES])
def test_form_table(case: dict[str, Any], make_sheet: SheetMaker) -> None:
    report = report_for(make_sheet({case["id"]: case["value"]}))
    slot = next(s for s in report.slots if s.answer_id == case["id"])
    assert slot.status is SlotStatus(case["status"])
    if "reason" in case:
        assert Reason(case["reason"]) in slot.reasons
    others = [
        s
        for s in report.slots
        if s.answer_id != case["id"] and s.answer_id not in OPTIONAL_WHEN_KEY
    ]
    assert all(s.status is SlotStatus.OK for s in others)
    assert report.complete is (slot.status not in (SlotStatus.MISSING, SlotStatus.UNREADABLE))


def test_failing_slots_carry_a_located_error(make_sheet: SheetMaker) -> None:
    path = make_sheet({"ex1.dL_dW2": "(a + ", "ex2.z": [[1, 2]], "ex3.explanation": ""})
    report = report_for(path)
    assert {s.answer_id for s in report.problems()} == {"ex1.dL_dW2", "ex2.z", "ex3.explanation"}
    for slot in report.problems():
        errors = [m for m in slot.messages if m.severity is Severity.ERROR]
        assert errors, slot.answer_id
        assert errors[-1].location.answer_id == slot.answer_id
        assert errors[-1].location.file == path.as_posix()
    syntax = next(s for s in report.slots if s.answer_id == "ex1.dL_dW2")
    assert syntax.location is not None and syntax.location.line is not None
    last = syntax.messages[-1]
    assert last.location.offset is not None
    # The caret sits under the character the message points at.
    text_line, caret = syntax.pointer.splitlines()
    assert caret.strip() == "^"
    assert text_line.startswith("(a +")
    assert caret.index("^") == last.location.offset


def test_alternatives(make_sheet: SheetMaker) -> None:
    both = report_for(
        make_sheet(
            {"ex3.gradient_j_eq_y": "p_j - 1", "ex3.gradient_j_ne_y": "p_j"},
            drop=("ex3.gradient",),
            name="both",
        )
    )
    found = statuses(both)
    assert found["ex3.gradient"] is SlotStatus.OK
    assert next(s for s in both.slots if s.answer_id == "ex3.gradient").via_alternatives
    assert found["ex3.gradient_j_eq_y"] is SlotStatus.OK
    assert found["ex3.gradient_j_ne_y"] is SlotStatus.OK
    assert both.complete

    one = report_for(
        make_sheet({"ex3.gradient_j_eq_y": "p_j - 1"}, drop=("ex3.gradient",), name="one")
    )
    found = statuses(one)
    assert found["ex3.gradient"] is SlotStatus.MISSING
    assert found["ex3.gradient_j_eq_y"] is SlotStatus.OK
    assert found["ex3.gradient_j_ne_y"] is SlotStatus.NOT_GIVEN
    assert not one.complete

    broken = report_for(
        make_sheet(
            {"ex3.gradient_j_eq_y": "p_j -", "ex3.gradient_j_ne_y": "p_j"},
            drop=("ex3.gradient",),
            name="broken",
        )
    )
    assert statuses(broken)["ex3.gradient_j_eq_y"] is SlotStatus.UNREADABLE
    assert not broken.complete

    extra = report_for(make_sheet({"ex3.gradient_j_eq_y": "p_j -"}, name="extra"))
    found = statuses(extra)
    assert found["ex3.gradient"] is SlotStatus.OK
    # Grading reads the main slot: an alternative next to it is not graded, hence not failed.
    assert found["ex3.gradient_j_eq_y"] is SlotStatus.IGNORED
    assert extra.complete


def test_bonus_and_choice_are_optional(make_sheet: SheetMaker) -> None:
    report = report_for(make_sheet(drop=("ex4.answer", "ex2.convention")))
    found = statuses(report)
    assert found["ex4.answer"] is SlotStatus.NOT_GIVEN
    assert found["ex2.convention"] is SlotStatus.NOT_GIVEN
    assert report.complete


def test_empty_template_is_all_missing(tmp_path: Path) -> None:
    out_file = tmp_path / "pen_paper_blank.yaml"
    assert main(["template", "practical-1", "-o", str(out_file)], io.StringIO(), io.StringIO()) == 0
    report = report_for(out_file)
    assert not report.complete
    assert {s.answer_id for s in report.problems()} == {s.answer_id for s in report.required()}
    assert all(s.status is SlotStatus.MISSING for s in report.problems())


def test_unknown_ids_are_reported_not_failed(make_sheet: SheetMaker) -> None:
    report = report_for(make_sheet({"ex2.w_nwe": [1, 2, 3], "ex9.x": "1"}))
    unknown = {s.answer_id: s for s in report.slots if s.status is SlotStatus.UNKNOWN}
    assert set(unknown) == {"ex2.w_nwe", "ex9.x"}
    assert unknown["ex9.x"].question == "ex9"
    for slot in unknown.values():
        assert Reason.UNKNOWN_ANSWER_ID in slot.reasons
        assert any(m.reason is Reason.UNKNOWN_ANSWER_ID for m in slot.messages)
    assert report.complete


def test_unknown_ids_are_capped(make_sheet: SheetMaker) -> None:
    many = {f"extra.a{i}": "1" for i in range(MAX_UNKNOWN + 7)}
    report = report_for(make_sheet(many))
    unknown = [s for s in report.slots if s.status is SlotStatus.UNKNOWN]
    assert len(unknown) == MAX_UNKNOWN
    counted = [m for m in report.messages if m.reason is Reason.UNKNOWN_ANSWER_ID]
    assert len(counted) == 1  # one message for all the ids past the cap


def test_a_key_given_twice_makes_the_file_unreadable(tmp_path: Path, key_text: str) -> None:
    # A repeated key cannot come out of yaml.safe_dump: write it by hand.
    text = key_text.replace("  mini:\n", '  mini:\n    dW_k: "delta_k"\n', 1)
    path = tmp_path / "pen_paper_twice.yaml"
    path.write_text(text, encoding="utf-8")
    report = report_for(path)
    assert not report.complete
    assert report.file_errors[0].reason is Reason.YAML_SYNTAX
    assert report.file_errors[0].location.line is not None
    assert report.file_errors[0].location.file == path.as_posix()


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_broken.yaml"
    path.write_text("answers:\n  ex2:\n    s: [[1, 2\n    z: oops: no\n", encoding="utf-8")
    report = report_for(path)
    assert not report.readable
    assert not report.complete
    assert report.file_errors
    assert report.file_errors[0].reason is Reason.YAML_SYNTAX
    assert report.file_errors[0].location.line is not None
    assert all(s.status is SlotStatus.MISSING for s in report.required())


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_nobody.yaml"
    report = report_for(path)
    assert not report.readable
    assert report.file_errors[0].reason is Reason.FILE_UNREADABLE


def test_notebook_sheet(tmp_path: Path) -> None:
    path = tmp_path / "pen_paper_nb.ipynb"
    assert (
        main(
            ["template", "practical-1", "--format", "ipynb", "-o", str(path)],
            io.StringIO(),
            io.StringIO(),
        )
        == 0
    )
    empty = report_for(path)
    assert all(s.status is SlotStatus.MISSING for s in empty.required())
    # Fill the `answers` cell (or answer cells) the template offers with a broken expression.
    notebook = json.loads(path.read_text("utf-8"))
    filled = False
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "answer:ex1.dL_dWout" in tags:
            cell["source"] = "(y_out - * z2"
            filled = True
    assert filled, "the notebook template offers one cell per answer"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    slot = next(s for s in report_for(path).slots if s.answer_id == "ex1.dL_dWout")
    assert slot.status is SlotStatus.UNREADABLE
    assert Reason.SYNTAX in slot.reasons
    assert slot.location is not None and slot.location.cell is not None


def test_messages_are_gradings_own(make_sheet: SheetMaker, tmp_path: Path) -> None:
    """Every unreadable answer: grading's feedback for it contains check's message text."""
    changes = {
        "ex1.dL_dWout": "(y_out - y_gt) * * z2",
        "ex1.dL_dW2": "foo * z2",
        "ex1.dL_dW1": [1, 2],
        "ex2.z": [[1, "x", 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]],
        "ex2.loss": "abc",
        "ex3.explanation": ["a"],
    }
    path = make_sheet(changes, name="hostile")
    report = report_for(path)
    checked = {s.answer_id: s.messages[-1].text for s in report.problems()}
    assert set(checked) == set(changes)

    book = tmp_path / "book"
    folder = str(path.parent)
    code = main(
        [folder, "--out", str(book), "--jobs", "0", "--quiet"], io.StringIO(), io.StringIO()
    )
    assert code == 0
    with (book / "parts.csv").open(encoding="utf-8", newline="") as handle:
        graded = {row["part"]: row for row in csv.DictReader(handle)}
    for answer_id, text in checked.items():
        # One unreadable entry of an array costs that entry only (issue 11): the part is judged.
        expected = "incorrect" if answer_id == "ex2.z" else "unparseable"
        assert graded[answer_id]["outcome"] == expected, answer_id
        assert text.split(": ", 1)[-1] in graded[answer_id]["feedback"], answer_id
