"""write_gradebook: exact file contents (golden), order, escaping, re-runs, path safety."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from grader.gradebook import (
    GradebookWriteError,
    read_ta_scores,
    write_gradebook,
)
from grader.gradebook.publish import MANIFEST_FILE
from grader.model import (
    AssignmentInfo,
    Gradebook,
    GradedSubmission,
    Location,
    Message,
    Outcome,
    PartScore,
    Severity,
    Status,
)

GRADES = (
    "student_id,name,ex1,ex3,ex4,base,bonus,total,max_total,status,source,message\n"
    's050,"\'=HYPERLINK(""http://evil"",""x"")",0,1.25,0,1.25,0,1.25,30,needs_review,'
    "m.yaml,m.yaml:12 [ex9]: warning: unknown answer id 'ex9' | flag: not_on_roster\n"
    's100,"Lovelace, Ada ""Countess""",6.5,10,2,16.5,2,18.5,30,graded,'
    "ada/pen_paper_lovelace.yaml,\n"
    "s200,Nobody,,,,0,0,0,30,missing,,\n"
)

PARTS = (
    "student_id,question,part,points,max_points,outcome,feedback\n"
    "s050,ex1,ex1.a,0,3,unparseable,Unknown symbol q.\n"
    "s050,ex3,ex3.explanation,1.25,3,needs_review,\n"
    "s050,ex3,ex3.gradient,0,7,needs_review,Undecided.\n"
    "s100,ex1,ex1.a,3,3,correct,We read your answer as a*b.\n"
    "s100,ex1,ex1.b,3.5,5,partial,7 of 10 entries within 2% or 0.0005.\n"
    "s100,ex3,ex3.explanation,3,3,overridden,\"TA (tb): Clear; <b>good</b>.\"\n"
    "s100,ex3,ex3.gradient,7,7,correct,Equal for every class.\n"
    "s100,ex4,ex4.answer,2,5,needs_review,Mentions 2 ideas.\n"
)

REVIEW = (
    "student_id,part,points,grader,comment,name,question,provisional_points,max_points,"
    "outcome,answer,source,students\n"
    's050,ex3.explanation,,,,"\'=HYPERLINK(""http://evil"",""x"")",ex3,1.25,3,'
    "needs_review,'-1 because @cmd,m.yaml,1\n"
    's100,ex4.answer,,,,"Lovelace, Ada ""Countess""",ex4,2,5,needs_review,'
    '"checkpointing,\nfp16",ada/pen_paper_lovelace.yaml,1\n'
    's050,ex3.gradient,,,,"\'=HYPERLINK(""http://evil"",""x"")",ex3,0,7,'
    "needs_review,p_j - 1,m.yaml,1\n"
)


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_grades_csv_is_exactly_the_contract(book: Gradebook, tmp_path: Path) -> None:
    write_gradebook(book, tmp_path)
    assert (tmp_path / "grades.csv").read_bytes() == GRADES.encode("utf-8")


def test_parts_csv_is_exactly_the_contract(book: Gradebook, tmp_path: Path) -> None:
    write_gradebook(book, tmp_path)
    assert (tmp_path / "parts.csv").read_bytes() == PARTS.encode("utf-8")


def test_review_csv_lists_free_text_first_with_empty_ta_columns(
    book: Gradebook, tmp_path: Path
) -> None:
    write_gradebook(book, tmp_path)
    assert (tmp_path / "review.csv").read_bytes() == REVIEW.encode("utf-8")


def test_returns_every_written_file_inside_out_dir(book: Gradebook, tmp_path: Path) -> None:
    written = write_gradebook(book, tmp_path / "out")
    root = (tmp_path / "out").resolve()
    names = {str(p.relative_to(root)) for p in written}
    assert {"grades.csv", "parts.csv", "review.csv", "results.json"} <= names
    assert len([n for n in names if n.startswith("feedback/")]) == 3
    assert all(p.is_file() for p in written)
    assert set(_snapshot(root)) == names | {MANIFEST_FILE}


def test_results_json_holds_rows_parts_and_summary(book: Gradebook, tmp_path: Path) -> None:
    write_gradebook(book, tmp_path)
    raw = (tmp_path / "results.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert [row["student_id"] for row in doc["rows"]] == ["s050", "s100", "s200"]
    s100 = doc["rows"][1]
    assert (s100["total"], s100["base"], s100["bonus"], s100["max_total"]) == (18.5, 16.5, 2, 30)
    assert [p["part"] for p in s100["parts"]] == [
        "ex1.a", "ex1.b", "ex3.explanation", "ex3.gradient", "ex4.answer",
    ]  # fmt: skip
    explanation = s100["parts"][2]
    assert (explanation["outcome"], explanation["grader"]) == ("overridden", "tb")
    assert doc["summary"]["by_status"] == {"graded": 1, "needs_review": 1, "missing": 1}
    assert doc["summary"]["parts_awaiting_review"] == 3
    assert [q["id"] for q in doc["assignment"]["questions"]] == ["ex1", "ex3", "ex4"]
    for row in doc["rows"]:
        assert (tmp_path / row["feedback_file"]).is_file()
    # compact with sorted keys (issue 13: the C encoder), and an integral 8.0 is written as 8
    assert raw == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    assert isinstance(doc["rows"][2]["max_total"], int)


def test_reference_values_only_when_asked(book: Gradebook, tmp_path: Path) -> None:
    write_gradebook(book, tmp_path / "hidden")
    write_gradebook(book, tmp_path / "shown", show_reference=True)
    for folder, expected in (("hidden", False), ("shown", True)):
        root = tmp_path / folder
        md = (root / "feedback" / "s100.md").read_text(encoding="utf-8")
        assert ("[1, 2]" in md) is expected
        doc = json.loads((root / "results.json").read_text(encoding="utf-8"))
        assert ("reference" in doc["rows"][1]["parts"][1]["detail"]) is expected


def test_feedback_file_shows_points_outcomes_comments_and_messages(
    book: Gradebook, tmp_path: Path
) -> None:
    write_gradebook(book, tmp_path)
    md = (tmp_path / "feedback" / "s100.md").read_text(encoding="utf-8")
    assert "18.5 / 30" in md
    assert re.search(r"ex1\.b.*3\.5 / 5", md)
    assert "7 of 10 entries within 2% or 0.0005." in md
    assert "tb" in md and "Clear; &lt;b&gt;good&lt;/b&gt;." in md
    assert "STAFF-ONLY-NOTE" not in md
    # rubric order: ex1.a before ex1.b before ex3.explanation before ex4.answer
    positions = [md.index(f"### {p}") for p in ("ex1.a", "ex1.b", "ex3.explanation")]
    assert positions == sorted(positions)
    m = (tmp_path / "feedback" / "s050.md").read_text(encoding="utf-8")
    assert "unknown answer id 'ex9'" in m  # messages about the file come last
    assert m.index("unknown answer id") > m.index("### ex3.gradient")


def test_student_text_cannot_inject_html_or_markdown(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    hostile = "<img src=x onerror=alert(1)> [click](http://evil) `code` # h"
    row = dataclasses.replace(
        ada_row, name=hostile, messages=(Message(Severity.ERROR, hostile, Location("a")),),
    )  # fmt: skip
    write_gradebook(Gradebook(info, (row,)), tmp_path)
    md = (tmp_path / "feedback" / "s100.md").read_text(encoding="utf-8")
    assert "<img" not in md and "<b>" not in md
    assert "](http" not in md  # the link syntax is broken by escaping
    assert "&lt;img" in md


def test_rerun_is_byte_identical_whatever_the_input_order(book: Gradebook, tmp_path: Path) -> None:
    write_gradebook(book, tmp_path / "a")
    write_gradebook(book, tmp_path / "a")
    reordered = dataclasses.replace(book, rows=tuple(reversed(book.rows)))
    write_gradebook(reordered, tmp_path / "b")
    first, second = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert first == second
    assert len(first) == 9  # 3 feedback files, 4 tables, errors.log, the manifest


def test_two_submissions_of_one_id_get_two_rows_and_two_feedback_files(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    one = ada_row
    two = dataclasses.replace(one, source="again/pen_paper_lovelace.yaml", total=1)
    write_gradebook(Gradebook(info, (one, two)), tmp_path)
    lines = (tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()
    # sorted by (student_id, source): "ada/..." before "again/..."
    assert [line.split(",")[-2] for line in lines[1:]] == [
        "ada/pen_paper_lovelace.yaml", "again/pen_paper_lovelace.yaml",
    ]  # fmt: skip
    files = sorted((tmp_path / "feedback").iterdir())
    assert len(files) == 2
    assert {f.read_text(encoding="utf-8").count("18.5 / 30") for f in files} == {0, 1}


def test_stale_feedback_is_removed_and_plain_foreign_files_are_kept(
    book: Gradebook, info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    write_gradebook(book, tmp_path)
    (tmp_path / "scores.csv").write_text("kept", encoding="utf-8")
    (tmp_path / "feedback" / "README.txt").write_text("kept", encoding="utf-8")
    write_gradebook(Gradebook(info, (ada_row,)), tmp_path)
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["README.txt", "s100.md"]
    assert (tmp_path / "scores.csv").read_text(encoding="utf-8") == "kept"


HOSTILE_IDS = (
    "../../x", "/etc/passwd", "..", ".", "CON", "con.txt", "NUL", "LPT1", "", " ", "a" * 300,
    "学生", "Jürgen", "a\\b", "x.", "s1\n=cmd", "\x00", "\ud800",
)  # fmt: skip


@pytest.mark.parametrize("student_id", HOSTILE_IDS)
def test_hostile_student_ids_stay_inside_the_feedback_folder(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path, student_id: str
) -> None:
    out = tmp_path / "deep" / "out"
    row = dataclasses.replace(ada_row, student_id=student_id, name=student_id)
    written = write_gradebook(Gradebook(info, (row,)), out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    feedback = [p for p in written if p.parent.name == "feedback"]
    assert len(feedback) == 1
    assert feedback[0].parent == (out / "feedback").resolve()
    assert re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}\.md", feedback[0].name)
    # every file is valid UTF-8 even for an unencodable id
    for path in written:
        path.read_bytes().decode("utf-8")


def test_hostile_ids_in_one_batch_get_distinct_files(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    rows = tuple(
        dataclasses.replace(ada_row, student_id=sid, source=f"{i}.yaml")
        for i, sid in enumerate((*HOSTILE_IDS, "S100", "s100", "con", "Con"))
    )
    write_gradebook(Gradebook(info, rows), tmp_path)
    names = [p.name for p in (tmp_path / "feedback").iterdir()]
    assert len({n.casefold() for n in names}) == len(rows)


def test_symlinked_feedback_folder_pointing_outside_is_refused(
    book: Gradebook, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.md").write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "feedback").symlink_to(outside, target_is_directory=True)
    with pytest.raises(GradebookWriteError):
        write_gradebook(book, out)
    assert [p.name for p in outside.iterdir()] == ["victim.md"]
    assert not (out / "grades.csv").exists()


def test_review_csv_fed_back_as_ta_scores_restores_neutralised_ids(
    info: AssignmentInfo, ada_row: GradedSubmission, tmp_path: Path
) -> None:
    row = dataclasses.replace(
        ada_row, student_id="-5", parts=(
            PartScore("ex4.answer", "ex4", 2, 5, Outcome.NEEDS_REVIEW, needs_review=True),
        ), status=Status.NEEDS_REVIEW,
    )  # fmt: skip
    other = dataclasses.replace(row, student_id="'=odd", source="z.yaml")
    write_gradebook(Gradebook(info, (row, other)), tmp_path)
    review = tmp_path / "review.csv"
    lines = review.read_text(encoding="utf-8").splitlines()
    # a TA types a score into the empty `points` column of every row
    filled = [lines[0]] + [re.sub(r"^([^,]*,[^,]*,)", r"\g<1>4.5", line) for line in lines[1:]]
    review.write_text("\n".join(filled) + "\n", encoding="utf-8")
    scores, messages = read_ta_scores(review, info)
    assert messages == []
    assert sorted((s.student_id, s.part, s.points) for s in scores) == [
        ("'=odd", "ex4.answer", 4.5), ("-5", "ex4.answer", 4.5),
    ]  # fmt: skip


def test_an_empty_gradebook_still_writes_headers(info: AssignmentInfo, tmp_path: Path) -> None:
    write_gradebook(Gradebook(info, ()), tmp_path)
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == (
        "student_id,name,ex1,ex3,ex4,base,bonus,total,max_total,status,source,message\n"
    )
    assert (tmp_path / "review.csv").read_text(encoding="utf-8").count("\n") == 1
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["rows"] == []


def test_row_without_parts_gets_a_feedback_file(
    book: Gradebook, info: AssignmentInfo, tmp_path: Path
) -> None:
    write_gradebook(book, tmp_path)
    md = (tmp_path / "feedback" / "s200.md").read_text(encoding="utf-8")
    assert "0 / 30" in md and "Nobody" in md
    assert "###" not in md


def test_points_are_written_as_stored(info: AssignmentInfo, tmp_path: Path) -> None:
    # Scoring rounds (the rubric's `rounding:`, here 3); the gradebook never rounds again to
    # fewer places. Float noise beyond 6 places (the most `rounding:` allows) is still cut.
    row = GradedSubmission(
        "s1", "A", "a.yaml", Status.GRADED, {"ex1": 0.333, "ex3": 7.500000001, "ex4": 0.125},
        base=7.833, bonus=0.125, total=7.958, max_total=30.0,
    )  # fmt: skip
    write_gradebook(Gradebook(info, (row,)), tmp_path)
    line = (tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()[1]
    assert line == "s1,A,0.333,7.5,0.125,7.833,0.125,7.958,30,graded,a.yaml,"


def test_a_ta_comment_already_in_the_feedback_is_not_repeated(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    part = PartScore(
        "ex3.explanation", "ex3", 2, 3, Outcome.OVERRIDDEN, ("Scored by tb: needs the margin.",),
        grader="tb", comment="needs the margin.",
    )  # fmt: skip
    row = GradedSubmission(
        "s1", "A", "a.yaml", Status.GRADED, {"ex3": 2}, 2, 0, 2, 30, parts=(part,)
    )  # fmt: skip
    write_gradebook(Gradebook(info, (row,)), tmp_path)
    md = (tmp_path / "feedback" / "s1.md").read_text(encoding="utf-8")
    assert md.count("needs the margin") == 1
    parts = (tmp_path / "parts.csv").read_text(encoding="utf-8")
    assert parts.count("needs the margin") == 1
