"""YAML answer sheets: flattening to dotted ids, text values, locations, sheet-level messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from p1_identity import load_yaml_sheet

from grader.loaders import answer_errors, is_unparseable
from grader.model import Reason, Severity, Submission

DATA = Path(__file__).parent.parent / "data" / "loaders"


def sheet(text: str, source: str = "pen_paper_test.yaml") -> Submission:
    return load_yaml_sheet(text.encode(), source)


def test_plain_sheet_fixture() -> None:
    sub = load_yaml_sheet(
        (DATA / "pen_paper_lovelace.yaml").read_bytes(), "pen_paper_lovelace.yaml"
    )
    assert sub.readable and sub.fmt == "yaml"
    assert (sub.student_id, sub.name, sub.assignment) == ("s1234567", "Ada Lovelace", "practical-1")
    assert sub.submitted_at == "2024-05-01T12:00:00+02:00"
    assert sub.messages == ()
    assert sorted(sub.answers) == sorted(
        [
            "ex1.dL_dWout",
            "ex1.dL_dW2",
            "ex1.dL_dW1",
            "mini.dW_k",
            "ex2.convention",
            "ex2.s",
            "ex2.y_out",
            "ex2.W_new",
            "ex3.explanation",
            "ex3.gradient",
            "ex4.answer",
        ]
    )
    a = sub.answers
    assert a["ex1.dL_dWout"].value == "(y_out - y_gt) * f3'(s_out) * z2"
    assert a["mini.dW_k"].value == "delta_k * z_{k-1}^T"
    assert a["ex2.convention"].value == "batch-sum"
    assert a["ex2.s"].value == (
        ("0.458", "0.869", "0.704"),
        ("0.5", "0.6", "0.7"),
        ("1e-3", "-9.01e-1", "1/3"),
        ("0", "1", "2"),
    )
    assert a["ex2.y_out"].value == ("0.0986", "0.1", "0.2", "0.3")
    assert a["ex2.W_new"].value == (("0.6", "0.7", "0.8"), ("0.01", "0.43", "-0.5"))
    assert (
        a["ex3.explanation"].value == "The loss is zero once the true class wins by the margin.\n"
    )
    assert a["ex4.answer"].value == "gradient checkpointing"


def test_locations_point_at_the_values() -> None:
    sub = load_yaml_sheet(
        (DATA / "pen_paper_lovelace.yaml").read_bytes(), "sub/pen_paper_lovelace.yaml"
    )
    where = sub.answers["ex2.y_out"].location
    assert (where.file, where.answer_id, where.line, where.column) == (
        "sub/pen_paper_lovelace.yaml",
        "ex2.y_out",
        17,
        14,
    )
    assert sub.answers["ex2.W_new"].location.line == 19  # the block list starts on the next line


def test_latex_sheet_fixture() -> None:
    sub = load_yaml_sheet((DATA / "pen_paper_noether.yaml").read_bytes(), "pen_paper_noether.yaml")
    assert sub.readable and sub.messages == ()
    assert sub.student_id == "20240042"  # a YAML number stays the text written
    assert sub.submitted_at is None
    a = sub.answers
    assert a["ex1.dL_dWout"].value == "(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2"
    assert a["ex1.dL_dW2"].value == (
        "(y_{out}-y_{gt}) \\cdot f_3^{\\prime}(s_{out}) \\cdot W_{out} \\odot f_2'(s_2) z_1"
    )
    assert (
        a["ex3.gradient_j_eq_y"].value == "\\sum_{l \\neq y_i} \\mathbb{1}[m - o_{y_i} + o_l > 0]"
    )
    assert a["ex3.gradient_j_ne_y"].value == "\\mathbb{1}\\{m - o_{y_i} + o_j > 0\\}"


def test_deeper_mappings_and_dotted_keys_flatten() -> None:
    sub = sheet(
        "student: {id: s1}\nanswers:\n  ex2:\n    a:\n      b: 1\n      c: [2]\n"
        "  'ex3.gradient': x\n"
    )
    assert {k: v.value for k, v in sub.answers.items()} == {
        "ex2.a.b": "1",
        "ex2.a.c": ("2",),
        "ex3.gradient": "x",
    }


def test_empty_values_are_missing_not_errors() -> None:
    sub = sheet("student: {id: s1}\nanswers:\n  ex2:\n    s:\n    z: ~\n    w: null\n    q: ''\n")
    assert {k: v.value for k, v in sub.answers.items()} == {
        "ex2.s": None,
        "ex2.z": None,
        "ex2.w": None,
        "ex2.q": "",
    }
    assert sub.messages == ()
    assert not any(is_unparseable(sub, k) for k in sub.answers)


def test_null_inside_a_list_stays_none() -> None:
    sub = sheet("student: {id: s1}\nanswers:\n  ex2:\n    y_out: [1, ~, '']\n")
    assert sub.answers["ex2.y_out"].value == ("1", None, "")


def test_mapping_inside_a_list_is_unparseable() -> None:
    sub = sheet("student: {id: s1}\nanswers:\n  ex2:\n    s:\n      - [1, 2]\n      - {a: 1}\n")
    assert sub.readable
    assert sub.answers["ex2.s"].value is None
    assert is_unparseable(sub, "ex2.s")
    (error,) = answer_errors(sub)["ex2.s"]
    assert error.reason is Reason.WRONG_TYPE
    assert (error.location.line, error.location.column) == (6, 9)


def test_answer_given_twice_through_a_dotted_key_is_unparseable() -> None:
    sub = sheet("student: {id: s1}\nanswers:\n  ex2:\n    s: [1]\n  ex2.s: [2]\n  ex2.z: [3]\n")
    assert is_unparseable(sub, "ex2.s")
    assert sub.answers["ex2.z"].value == ("3",)
    assert [m.reason for m in answer_errors(sub)["ex2.s"]] == [Reason.DUPLICATE_ANSWER]
    assert sub.answers["ex2.s"].review and not sub.answers["ex2.z"].review


def test_no_answers_block_is_readable_with_no_answers() -> None:
    sub = sheet("student: {id: s1, name: A}\nassignment: practical-1\n")
    assert sub.readable and dict(sub.answers) == {} and sub.messages == ()


@pytest.mark.parametrize("answers", ["[1, 2]", "just text"])
def test_answers_not_a_mapping(answers: str) -> None:
    sub = sheet(f"student: {{id: s1}}\nanswers: {answers}\n")
    assert sub.readable and dict(sub.answers) == {}
    assert [(m.severity, m.reason, m.location.line) for m in sub.messages] == [
        (Severity.ERROR, Reason.NOT_A_MAPPING, 2)
    ]


def test_unknown_top_level_keys_warn() -> None:
    sub = sheet("student: {id: s1}\nex1:\n  dL_dWout: x\nanswers: {}\n")
    assert dict(sub.answers) == {}
    assert [(m.severity, m.reason, m.location.line) for m in sub.messages] == [
        (Severity.WARNING, Reason.UNKNOWN_ANSWER_ID, 2)
    ]


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("2024-05-01", "2024-05-01"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"),
        ("'2024-05-01 12:00:00+02:00'", "2024-05-01 12:00:00+02:00"),
        ("yesterday", None),
        ("2024-13-01", None),
        ("[2024]", None),
    ],
)
def test_submitted_at(value: str, kept: str | None) -> None:
    sub = sheet(f"student: {{id: s1}}\nsubmitted_at: {value}\n")
    assert sub.submitted_at == kept
    reasons = [m.reason for m in sub.messages]
    assert reasons == ([] if kept else [Reason.WRONG_TYPE])


def test_assignment_must_be_a_single_value() -> None:
    sub = sheet("student: {id: s1}\nassignment: [a, b]\n")
    assert sub.assignment is None
    assert [m.reason for m in sub.messages] == [Reason.WRONG_TYPE]


def test_assignment_control_characters_are_removed() -> None:
    sub = sheet('student: {id: s1}\nassignment: "practical-1\\n"\n')
    assert sub.assignment == "practical-1"


def test_student_id_located_for_identity_messages() -> None:
    sub = sheet(
        "answers: {}\nstudent:\n  name: Ada\n  id: ../../etc/passwd\n", "pen_paper_lovelace.yaml"
    )
    assert (sub.student_id, sub.name) == ("lovelace", "Ada")
    (message,) = sub.messages
    assert message.reason is Reason.IDENTITY_INVALID
    assert (message.location.line, message.location.column) == (4, 7)


def test_student_not_a_mapping_falls_back() -> None:
    sub = sheet("student: s1234567\nanswers: {}\n", "pen_paper_lovelace.yaml")
    assert sub.student_id == "lovelace"
    assert {m.reason for m in sub.messages} == {Reason.NOT_A_MAPPING, Reason.IDENTITY_FALLBACK}


def test_student_id_as_a_list_is_invalid() -> None:
    sub = sheet("student:\n  id: [s1, s2]\n", "pen_paper_lovelace.yaml")
    assert sub.student_id == "lovelace"
    assert [m.reason for m in sub.messages] == [Reason.IDENTITY_INVALID]


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"", Reason.FILE_UNREADABLE, None),
        (b"- a\n- b\n", Reason.NOT_A_MAPPING, 1),
        (b"student:\n  id: s1\nstudent:\n  id: s2\n", Reason.YAML_SYNTAX, 3),
        (b"answers:\n  ex1: &x a\n  ex2: *x\n", Reason.YAML_FORBIDDEN, 2),
        (b"\x00\x01\x02\x03", Reason.FILE_UNREADABLE, 1),
        (b"a: \xe9t\xe9\n", Reason.FILE_UNREADABLE, 1),
    ],
)
def test_unreadable_sheets(data: bytes, reason: Reason, line: int | None) -> None:
    sub = load_yaml_sheet(data, "folder/pen_paper_curie.yaml")
    assert not sub.readable
    assert (sub.student_id, sub.name) == ("curie", "Curie")  # identity from the file name
    errors = [m for m in sub.messages if m.severity is Severity.ERROR]
    assert [(m.reason, m.location.file, m.location.line) for m in errors] == [
        (reason, "folder/pen_paper_curie.yaml", line)
    ]
    assert Reason.IDENTITY_FALLBACK in [m.reason for m in sub.messages]
