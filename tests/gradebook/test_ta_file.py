"""scores.csv: created with a header, only appended to in its own dialect, merged idempotently;
the gradebook folder check and the people's files carried over."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.gradebook.folder import (
    StaffFileChanged,
    folder_problem,
    input_problem,
    staff_files,
    unmerged,
)
from grader.gradebook.scores import read_ta_scores
from grader.gradebook.ta_file import (
    TAFile,
    TAFileError,
    current,
    read_ta_file,
    to_append,
    updated_bytes,
)
from grader.model import AssignmentInfo

HEADER = "student_id,part,points,grader,comment\n"


def _scores(tmp_path: Path, info: AssignmentInfo, text: str, name: str = "in.csv") -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    scores, messages = read_ta_scores(path, info)
    assert [m for m in messages if m.severity.value == "error"] == []
    return scores


def test_a_new_file_gets_a_header_and_the_rows(tmp_path: Path, info: AssignmentInfo) -> None:
    ta, _ = read_ta_file(tmp_path / "scores.csv", info)
    assert ta.data is None
    incoming = _scores(tmp_path, info, HEADER + "s1,ex1.b,2.5,tb,ok\ns2,ex1.b,1.255,tb,\n")
    rows = to_append(ta, incoming, "review.csv")
    data = updated_bytes(ta, rows, "review.csv").decode()
    assert data == (
        "student_id,part,points,grader,comment,from\n"
        "s1,ex1.b,2.5,tb,ok,review.csv:2\ns2,ex1.b,1.255,tb,,review.csv:3\n"
    )


def test_merging_the_same_file_again_appends_nothing(tmp_path: Path, info: AssignmentInfo) -> None:
    path = tmp_path / "scores.csv"
    incoming = _scores(tmp_path, info, HEADER + "s1,ex1.b,2.5,tb,ok\n")
    ta, _ = read_ta_file(path, info)
    path.write_bytes(updated_bytes(ta, to_append(ta, incoming, "review.csv"), "review.csv"))
    ta, _ = read_ta_file(path, info)
    assert to_append(ta, incoming, "review.csv") == []
    assert current(ta.scores)[("s1", "ex1.b")].points == 2.5


def test_a_hand_edit_of_scores_csv_is_not_undone_by_an_old_file(
    tmp_path: Path, info: AssignmentInfo
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(
        "student_id,part,points,grader,comment,from\n"
        "s1,ex1.b,2.5,tb,ok,review.csv:2\n"
        "s1,ex1.b,4,hd,regrade,\n",
        encoding="utf-8",
    )
    ta, _ = read_ta_file(path, info)
    old = _scores(tmp_path, info, HEADER + "s1,ex1.b,2.5,tb,ok\n")
    assert to_append(ta, old, "review.csv") == []  # already merged from that file
    assert to_append(ta, old, "elsewhere.csv") != []  # another file handed back: it counts


def test_rows_are_appended_in_the_files_own_dialect(tmp_path: Path, info: AssignmentInfo) -> None:
    path = tmp_path / "scores.csv"
    old = "\ufeffstudent_id;part;points;grader;comment;from\r\ns1;ex1.b;2,5;J\u00f6rg;;\r\n"
    path.write_bytes(old.encode("utf-8"))
    ta, _ = read_ta_file(path, info)
    incoming = _scores(tmp_path, info, HEADER + 's2,ex1.b,1.5,tb,"a; b"\n')
    data = updated_bytes(ta, to_append(ta, incoming, "r.csv"), "r.csv")
    assert data.startswith(old.encode("utf-8"))
    assert data[len(old.encode("utf-8")) :] == b's2;ex1.b;"1,5";tb;"a; b";r.csv:2\r\n'
    path.write_bytes(data)
    ta, _ = read_ta_file(path, info)
    assert [(s.student_id, s.points) for s in ta.scores] == [("s1", 2.5), ("s2", 1.5)]


def test_windows_1252_file_stays_windows_1252(tmp_path: Path, info: AssignmentInfo) -> None:
    path = tmp_path / "scores.csv"
    old = "student_id,part,points,grader,comment\ns1,ex1.b,2,J\u00f6rg,\n".encode("cp1252")
    path.write_bytes(old)
    ta, _ = read_ta_file(path, info)
    assert ta.encoding == "cp1252"
    incoming = _scores(tmp_path, info, HEADER + "s2,ex1.b,1,Ren\u00e9,\n")
    data = updated_bytes(ta, to_append(ta, incoming, "r.csv"), "r.csv")
    assert data == old + "s2,ex1.b,1,Ren\u00e9,,r.csv:2\n".encode("cp1252")


def test_an_unreadable_header_leaves_the_file_alone(tmp_path: Path, info: AssignmentInfo) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("who,what\nx,y\n", encoding="utf-8")
    ta, messages = read_ta_file(path, info)
    assert not ta.appendable and messages


def test_a_file_that_cannot_be_read_stops_the_run(tmp_path: Path, info: AssignmentInfo) -> None:
    (tmp_path / "scores.csv").mkdir()
    with pytest.raises(TAFileError):
        read_ta_file(tmp_path / "scores.csv", info)


def test_folder_check(tmp_path: Path) -> None:
    assert folder_problem(tmp_path / "new") is None
    assert folder_problem(tmp_path) is None  # empty
    (tmp_path / ".lock").write_text("")
    assert folder_problem(tmp_path) is None  # hidden entries do not count
    (tmp_path / "pen_paper_ada.yaml").write_text("x")
    problem = folder_problem(tmp_path)
    assert problem is not None and "pen_paper_ada.yaml" in problem
    assert folder_problem(tmp_path, inputs=[tmp_path / "pen_paper_ada.yaml"]) is None
    (tmp_path / "grades.csv").write_text("x")
    assert folder_problem(tmp_path) is None  # a gradebook with a TA's file: the publish keeps it
    assert "is a file" in (folder_problem(tmp_path / "grades.csv") or "")


def test_inputs_grade_writes_itself_are_refused(tmp_path: Path) -> None:
    assert input_problem(tmp_path, tmp_path / "review.csv", "--scores") is None
    assert input_problem(tmp_path, tmp_path / "scores.csv", "--scores") is None
    assert input_problem(tmp_path, tmp_path.parent / "x.csv", "--roster") is None
    assert input_problem(tmp_path, tmp_path / "grades.csv", "--roster") is not None
    assert input_problem(tmp_path, tmp_path / "feedback" / "a.md", "--roster") is not None


def test_unmerged_review_scores_are_counted(tmp_path: Path, info: AssignmentInfo) -> None:
    review = tmp_path / "review.csv"
    review.write_text(HEADER + "s1,ex1.b,2,tb,\ns2,ex1.b,,,\ns3 s4,ex1.b,1,tb,\n", encoding="utf-8")
    merged = {s.student_id: s for s in _scores(tmp_path, info, HEADER + "s1,ex1.b,2,tb,\n")}
    counting = {(sid, "ex1.b"): score for sid, score in merged.items()}
    assert unmerged(review, info, counting) == 2  # s3 and s4, one grouped row
    assert unmerged(tmp_path / "absent.csv", info, counting) == 0


def test_staff_files_carry_the_tas_files_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "review.csv").write_bytes(b"mine")
    (tmp_path / "roster.csv").write_bytes(b"roster")
    (tmp_path / "scores.csv").write_bytes(b"old")
    outside = tmp_path.parent / "elsewhere.csv"
    inputs = [tmp_path / "roster.csv", outside]
    files = dict(staff_files(tmp_path, inputs, None, keep_review=True, ta_read=b"old"))
    assert files == {"review.csv": b"mine", "scores.csv": b"old"}  # the publish keeps roster.csv
    files = dict(staff_files(tmp_path, [], b"old+new", keep_review=False, ta_read=b"old"))
    assert files == {"scores.csv": b"old+new"}
    with pytest.raises(StaffFileChanged):  # saved by a TA since it was read as b"older"
        staff_files(tmp_path, [], b"older+new", keep_review=False, ta_read=b"older")
    with pytest.raises(StaffFileChanged):  # created by a TA after the run found none
        staff_files(tmp_path, [], b"header", keep_review=False, ta_read=None)
    assert isinstance(TAFile(tmp_path, None).scores, tuple)
