"""Identity: the sheet's id when it is a plain token, else the file name, always with a warning."""

from __future__ import annotations

from functools import partial

import pytest

from grader.loaders.identity import (
    GENERIC,
    MAX_NAME_LENGTH,
    FileNameRule,
    clean_name,
    id_problem,
    identity_from_file_name,
    reidentify,
    resolve_identity,
)
from grader.model import Location, Reason, Severity, Submission

# Practical-1's rule (its rubric's `identity: {file_name: ...}`); the loaders' default is none.
PEN_PAPER = FileNameRule("pen_paper_<lastname>")
_resolve = partial(resolve_identity, rule=PEN_PAPER)
_from_file = partial(identity_from_file_name, rule=PEN_PAPER)


@pytest.mark.parametrize(
    "text", ["s1234567", "S1234567", "a", "ada.lovelace", "ada_lovelace-2", "_x", "9" * 64, "a..b"]
)
def test_plain_tokens_are_ids(text: str) -> None:
    assert id_problem(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "../../etc/passwd",
        "/abs/path",
        "a\\b",
        "s123\n=cmd",
        "s123\r",
        "tab\there",
        '"quoted"',
        "it's",
        "=cmd|' /C calc'!A0",
        "+SUM(A1)",
        "@x",
        "-rf",
        ".hidden",
        "..",
        "has space",
        "x" * 65,
        "Zoë",
        "ｓ１２３",  # fullwidth letters look like ASCII but are not
        "a;b",
    ],
)
def test_unsafe_ids_are_refused(text: str) -> None:
    assert id_problem(text) is not None


def test_sheet_id_used_as_written() -> None:
    identity = _resolve("  S1234567 ", "Ada Lovelace", "pen_paper_lovelace.yaml")
    assert (identity.student_id, identity.name, identity.messages) == (
        "S1234567",
        "Ada Lovelace",
        (),
    )


def test_missing_name_comes_from_pen_paper_file_name() -> None:
    identity = _resolve("s1", None, "sub/pen_paper_lovelace.yaml")
    assert (identity.student_id, identity.name, identity.messages) == ("s1", "Lovelace", ())


def test_missing_name_without_pattern_is_empty() -> None:
    identity = _resolve("s1", None, "sheet.yaml")
    assert (identity.student_id, identity.name) == ("s1", "")


@pytest.mark.parametrize("raw_id", [None, "", "   "])
def test_absent_id_falls_back_on_pen_paper_lastname_lowercased(raw_id: object) -> None:
    identity = _resolve(raw_id, None, "group-a/pen_paper_McDonald.yaml")
    assert identity.student_id == "mcdonald"
    assert identity.name == "McDonald"
    assert [m.reason for m in identity.messages] == [Reason.IDENTITY_FALLBACK]
    assert identity.messages[0].severity is Severity.WARNING
    assert identity.messages[0].location.file == "group-a/pen_paper_McDonald.yaml"


def test_sheet_name_wins_over_file_name_in_a_fallback() -> None:
    identity = _resolve(None, "Ada King", "pen_paper_lovelace.ipynb")
    assert (identity.student_id, identity.name) == ("lovelace", "Ada King")


@pytest.mark.parametrize(
    ("source", "student_id", "name"),
    [
        ("pen_paper_van_der_berg.yaml", "van_der_berg", "Van Der Berg"),
        ("pen_paper_smith-jones.yml", "smith-jones", "Smith-Jones"),
        ("PEN_PAPER_Curie.ipynb", "curie", "Curie"),
    ],
)
def test_pen_paper_names(source: str, student_id: str, name: str) -> None:
    identity = _from_file(source)
    assert (identity.student_id, identity.name) == (student_id, name)
    assert [m.reason for m in identity.messages] == [Reason.IDENTITY_FALLBACK]


@pytest.mark.parametrize(
    ("source", "student_id"),
    [
        ("s7654321.yaml", "s7654321"),
        ("Answers Final (1).yaml", "answers_final__1_"),
        ("pen_paper_.yaml", "pen_paper_"),  # no last name: the stem is the id
        ("pen_paper_o'neil.yaml", "pen_paper_o_neil"),  # the last name is not a token
        ("---.yaml", "unknown"),
        ("...yaml", "unknown"),
    ],
)
def test_other_file_names_give_the_sanitized_stem(source: str, student_id: str) -> None:
    identity = _from_file(source)
    assert identity.student_id == student_id
    assert id_problem(identity.student_id) is None
    assert identity.name == ""
    assert [m.reason for m in identity.messages] == [Reason.IDENTITY_FALLBACK]


@pytest.mark.parametrize(
    "raw_id", ["../../etc/passwd", "/abs/path", "s1\ns2", '"s1"', "=cmd|' /C calc'!A0", ("a", "b")]
)
def test_invalid_sheet_id_falls_back_with_identity_invalid(raw_id: object) -> None:
    at = Location("pen_paper_lovelace.yaml", line=3, column=7)
    identity = _resolve(raw_id, "Ada", "pen_paper_lovelace.yaml", at)
    assert (identity.student_id, identity.name) == ("lovelace", "Ada")
    assert [m.reason for m in identity.messages] == [Reason.IDENTITY_INVALID]
    assert identity.messages[0].location == at
    assert identity.messages[0].severity is Severity.WARNING


def test_invalid_sheet_id_and_unpatterned_file_name() -> None:
    identity = _resolve("../x", None, "upload 3.yaml")
    assert identity.student_id == "upload_3"
    assert [m.reason for m in identity.messages] == [Reason.IDENTITY_INVALID]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ada\nLovelace", "Ada Lovelace"),
        ("  Ada \t\r\n  Lovelace  ", "Ada Lovelace"),
        ("Ada\x00\x1b[31mRed", "Ada [31mRed"),
        ("evil\u202egnp.exe", "evil gnp.exe"),
        ("line\u2028sep", "line sep"),
        ("Zoë Ñúñez", "Zoë Ñúñez"),
    ],
)
def test_names_are_cleaned(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_names_are_length_capped() -> None:
    assert len(clean_name("x" * 1000)) == MAX_NAME_LENGTH
    identity = _resolve("s1", "y" * 5000, "a.yaml")
    assert len(identity.name) == MAX_NAME_LENGTH


def test_non_text_name_is_ignored() -> None:
    identity = _resolve("s1", ["a", "b"], "pen_paper_x.yaml")
    assert identity.name == "X"


def test_without_a_rule_the_stem_is_the_id_and_there_is_no_name() -> None:
    identity = resolve_identity(None, None, "sub/pen_paper_Lovelace.yaml")
    assert (identity.student_id, identity.name) == ("pen_paper_lovelace", "")
    assert "does not follow" not in identity.messages[0].text


@pytest.mark.parametrize(
    ("pattern", "source", "student_id", "name"),
    [
        ("hw2_<lastname>", "hw2_Noether.yaml", "noether", "Noether"),
        ("hw2_<lastname>", "pen_paper_noether.yaml", "pen_paper_noether", ""),
        ("lab-<id>", "lab-S123.ipynb", "S123", ""),
    ],
)
def test_a_course_names_its_own_rule(
    pattern: str, source: str, student_id: str, name: str
) -> None:
    identity = identity_from_file_name(source, rule=FileNameRule(pattern))
    assert (identity.student_id, identity.name) == (student_id, name)


def test_reidentify_applies_the_course_rule_to_file_name_ids_only() -> None:
    fallback = resolve_identity(None, None, "pen_paper_curie.yaml")
    read = Submission("pen_paper_curie.yaml", fallback.student_id, fallback.name, None,
                      messages=fallback.messages)  # fmt: skip
    again = reidentify(read, PEN_PAPER)
    assert (again.student_id, again.name) == ("curie", "Curie")
    assert again.messages[0].text == _from_file("pen_paper_curie.yaml").messages[0].text
    given = Submission("pen_paper_curie.yaml", "s9", "Marie", None)
    assert reidentify(given, PEN_PAPER) == given
    assert reidentify(read, GENERIC) == read
