"""read_ta_scores: what a TA's CSV may contain, and what is refused (and where)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.gradebook import csvin, read_ta_scores
from grader.model import AssignmentInfo, Reason, Severity

HEADER = "student_id,part,points,grader,comment\n"


def _write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "scores.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_valid_rows_become_scores_with_locations(info: AssignmentInfo, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "s1,ex3.explanation,2.5,tb,good\ns2,ex4.answer,5,ab,\n")
    scores, messages = read_ta_scores(path, info)
    assert messages == []
    assert [(s.student_id, s.part, s.points, s.grader, s.comment) for s in scores] == [
        ("s1", "ex3.explanation", 2.5, "tb", "good"), ("s2", "ex4.answer", 5.0, "ab", ""),
    ]  # fmt: skip
    assert [(s.location.file, s.location.line) for s in scores] == [(str(path), 2), (str(path), 3)]


def test_empty_points_are_skipped_silently(info: AssignmentInfo, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "s1,ex3.explanation,,tb,later\ns1,nonsense,  ,,\n")
    assert read_ta_scores(path, info) == ([], [])


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("s1,ex9.nope,1,tb,", Reason.UNKNOWN_ANSWER_ID),
        ("s1,,1,tb,", Reason.UNKNOWN_ANSWER_ID),
        ("s1,ex3,1,tb,", Reason.UNKNOWN_ANSWER_ID),  # a question, not a part
        ("s1,ex3.gradient_j_eq_y,1,tb,", Reason.UNKNOWN_ANSWER_ID),  # alternative spelling
        ("s1,ex1.convention,0,tb,", Reason.UNKNOWN_ANSWER_ID),  # carries no points
        ("s1,ex1.a,abc,tb,", Reason.NOT_A_NUMBER),
        ("s1,ex1.a,1e0,tb,", Reason.NOT_A_NUMBER),
        ("s1,ex1.a,1.2.3,tb,", Reason.NOT_A_NUMBER),
        ("s1,ex1.a,-1,tb,", Reason.OUT_OF_RANGE),
        ("s1,ex1.a,3.01,tb,", Reason.OUT_OF_RANGE),
        (",ex1.a,1,tb,", Reason.IDENTITY_INVALID),
    ],
)
def test_invalid_rows_are_refused_with_a_located_error(
    info: AssignmentInfo, tmp_path: Path, row: str, reason: Reason
) -> None:
    path = _write(tmp_path, HEADER + "s0,ex1.a,1,tb,\n" + row + "\n")
    scores, messages = read_ta_scores(path, info)
    assert [s.student_id for s in scores] == ["s0"]
    assert [(m.severity, m.reason, m.location.line) for m in messages] == [
        (Severity.ERROR, reason, 3)
    ]
    assert messages[0].location.file == str(path)
    student, part = row.split(",")[:2]
    assert repr(student) in messages[0].text and repr(part) in messages[0].text


@pytest.mark.parametrize("points", ["0", "3", "3.0", "3,0", "0,00"])
def test_range_bounds_are_inclusive(info: AssignmentInfo, tmp_path: Path, points: str) -> None:
    path = _write(tmp_path, HEADER + f's1,ex1.a,"{points}",tb,\n')
    scores, messages = read_ta_scores(path, info)
    assert messages == [] and len(scores) == 1


def test_last_duplicate_wins_with_a_warning(info: AssignmentInfo, tmp_path: Path) -> None:
    text = HEADER + "s1,ex1.a,1,tb,first\ns2,ex1.a,2,tb,\ns1,ex1.a,3,ab,second\n"
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert [(s.student_id, s.points, s.comment) for s in scores] == [
        ("s2", 2.0, ""), ("s1", 3.0, "second"),
    ]  # fmt: skip
    assert [(m.severity, m.reason, m.location.line) for m in messages] == [
        (Severity.WARNING, Reason.DUPLICATE_ID, 4)
    ]


def test_a_refused_later_row_does_not_replace_a_valid_one(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    text = HEADER + "s1,ex1.a,1,tb,\ns1,ex1.a,99,tb,\n"
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert [s.points for s in scores] == [1.0]
    assert [m.reason for m in messages] == [Reason.OUT_OF_RANGE]


def test_spreadsheet_dialects(info: AssignmentInfo, tmp_path: Path) -> None:
    text = (
        "\ufeffStudent ID;Part;Points;Grader;Comment\r\n"
        "s1;ex1.b;4,5;tb;ok, fine\r\n"
        "\r\n"
        "s2;ex1.b;\u00a03\u00a0;tb;\r\n"
    )
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert messages == []
    assert [(s.student_id, s.points, s.comment, s.location.line) for s in scores] == [
        ("s1", 4.5, "ok, fine", 2), ("s2", 3.0, "", 4),
    ]  # fmt: skip


def test_excel_sep_line_and_quoted_decimal_comma(info: AssignmentInfo, tmp_path: Path) -> None:
    text = 'sep=,\nstudent_id,part,points\ns1,ex1.b,"2,5"\n'
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert messages == []
    assert [(s.points, s.grader, s.comment, s.location.line) for s in scores] == [(2.5, "", "", 3)]


def test_multiline_comments_keep_later_line_numbers_right(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    text = HEADER + 's1,ex1.a,1,tb,"two\nlines"\ns2,ex1.a,x,tb,\n'
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert scores[0].comment == "two\nlines"
    assert [m.location.line for m in messages] == [4]


def test_extra_columns_are_ignored_and_unknown_students_kept(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    text = "name,student_id,points,part,provisional_points\nX,nobody,1,ex1.a,0\n"
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert messages == []
    assert [(s.student_id, s.part, s.points) for s in scores] == [("nobody", "ex1.a", 1.0)]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"student_id,points\ns1,1\n", Reason.MISSING_COLUMN),
        (b"", Reason.MISSING_COLUMN),
        (HEADER.encode() + b"s1,ex1.a,1,J\x81rg,\xc3\n", Reason.FILE_UNREADABLE),
        ((HEADER + "s1,ex1.a,1,tb,\n").encode("utf-16-le"), Reason.FILE_UNREADABLE),
        (HEADER.encode() + b"s1,ex1.a,1,tb,\x00\n", Reason.FILE_UNREADABLE),
    ],
)
def test_unusable_files_give_one_error_and_no_scores(
    info: AssignmentInfo, tmp_path: Path, content: bytes, reason: Reason
) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(content)
    scores, messages = read_ta_scores(path, info)
    assert scores == []
    assert [(m.severity, m.reason) for m in messages] == [(Severity.ERROR, reason)]


def test_windows_1252_is_read_with_a_warning_showing_a_line(
    info: AssignmentInfo, tmp_path: Path
) -> None:
    path = _write(tmp_path, HEADER + "s1,ex1.a,1,tb,\ns2,ex1.a,1,J\u00f6rg,\n", encoding="cp1252")
    scores, messages = read_ta_scores(path, info)
    assert [s.grader for s in scores] == ["tb", "J\u00f6rg"]
    assert [(m.severity, m.location.line) for m in messages] == [(Severity.WARNING, 3)]
    assert "J\u00f6rg" in messages[0].text and "Windows-1252" in messages[0].text


def test_utf16_with_a_bom_is_read(info: AssignmentInfo, tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes((HEADER.replace(",", "\t") + "s1\tex1.a\t1\tJ\u00f6rg\t\n").encode("utf-16"))
    scores, messages = read_ta_scores(path, info)
    assert messages == [] and [s.grader for s in scores] == ["J\u00f6rg"]


def test_undecodable_byte_is_located(info: AssignmentInfo, tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(HEADER.encode() + b"s1,ex1.a,1,tb,\ns2,ex1.a,1,J\x8frg,\xc3\n")
    _, messages = read_ta_scores(path, info)
    assert [(m.severity, m.location.line) for m in messages] == [(Severity.ERROR, 3)]


def test_missing_and_oversized_files(
    info: AssignmentInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, messages = read_ta_scores(tmp_path / "absent.csv", info)
    assert [m.reason for m in messages] == [Reason.FILE_UNREADABLE]
    monkeypatch.setattr(csvin, "MAX_CSV_BYTES", 10)
    _, messages = read_ta_scores(_write(tmp_path, HEADER), info)
    assert [m.reason for m in messages] == [Reason.FILE_TOO_LARGE]


def test_neutralised_cells_are_restored(info: AssignmentInfo, tmp_path: Path) -> None:
    text = HEADER + "'=s1,ex1.a,1,'-tb,'@note\n"
    scores, _ = read_ta_scores(_write(tmp_path, text), info)
    assert [(s.student_id, s.grader, s.comment) for s in scores] == [("=s1", "-tb", "@note")]


@pytest.mark.parametrize(
    "row",
    ["s1,ex1.b,1,5,tb,fine\n", "s1,ex1.b,1,5,tb\n", "s1,ex1.b,1,5\n"],
    ids=["wider than the header", "grader shifted", "grader is the decimals"],
)
def test_an_unquoted_decimal_comma_is_refused_never_applied(
    info: AssignmentInfo, tmp_path: Path, row: str
) -> None:
    scores, messages = read_ta_scores(_write(tmp_path, HEADER + row), info)
    assert scores == []
    assert [(m.severity, m.reason, m.location.line) for m in messages] == [
        (Severity.ERROR, Reason.EXTRA_CELLS, 2)
    ]
    assert "1.5" in messages[0].text


def test_trailing_empty_cells_are_not_extra(info: AssignmentInfo, tmp_path: Path) -> None:
    scores, messages = read_ta_scores(_write(tmp_path, HEADER + "s1,ex1.b,2,tb,ok,,,\n"), info)
    assert messages == [] and [s.points for s in scores] == [2.0]


def test_canvas_points_possible_row_is_skipped(info: AssignmentInfo, tmp_path: Path) -> None:
    text = HEADER + "    Points Possible,,5,,\ns1,ex1.b,2,tb,\n"
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert messages == [] and [s.student_id for s in scores] == ["s1"]


def test_too_many_rows_is_one_error(
    info: AssignmentInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvin, "MAX_CSV_RECORDS", 3)
    text = HEADER + "".join(f"s{i},ex1.b,1,tb,\n" for i in range(5))
    scores, messages = read_ta_scores(_write(tmp_path, text), info)
    assert scores == [] and [m.reason for m in messages] == [Reason.FILE_TOO_LARGE]
