"""PDF submissions: the embedded source is read like a .tex; anything else has its row and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from p1_identity import load_pdf, load_submission
from pdf_builders import encrypted_pdf, flate_bomb, pdf_with_source, pdf_with_stream, plain_pdf

from grader.loaders import discover
from grader.model import Severity

SOURCE = "\\student{s9}{Ada}\n\\assignment{practical-1}\n\\answer{ex2.y_out}{[0.1, 0.2]}\n"


def test_the_embedded_source_is_read_like_the_tex() -> None:
    sub = load_pdf(pdf_with_source(SOURCE), "pen_paper_ada.pdf")
    assert (sub.readable, sub.needs_review, sub.student_id, sub.fmt) == (True, False, "s9", "pdf")
    answer = sub.answers["ex2.y_out"]
    assert answer.value == ("0.1", "0.2")
    assert (answer.location.file, answer.location.line) == ("pen_paper_ada.pdf", 3)


@pytest.mark.parametrize(
    "data",
    [plain_pdf(), plain_pdf(javascript=True), encrypted_pdf(SOURCE),
     pdf_with_stream(flate_bomb(1 << 30)), pdf_with_stream(b"not flate")],
    ids=["no answers", "javascript", "encrypted", "gigabyte bomb", "bad compression"],
)  # fmt: skip
def test_pdfs_without_readable_answers_go_to_a_ta(data: bytes) -> None:
    sub = load_pdf(data, "pen_paper_scan.pdf")
    assert sub.readable and sub.needs_review
    assert not sub.answers
    assert sub.student_id == "scan"
    assert any(m.severity is Severity.WARNING and "TA" in m.text for m in sub.messages)


@pytest.mark.parametrize(
    "data",
    [b"hello", b"%PDF-1.4\n" + b"\x00garbage" * 10,
     b"%PDF-1.4\n1 0 obj << /Type /Catalog /GraderSource 2 0 R /D " + b"[" * 100_000
     + b"]" * 100_000 + b" >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"],
    ids=["not a pdf", "garbage", "nested 1e5 deep"],
)  # fmt: skip
def test_broken_pdfs_are_unreadable(data: bytes) -> None:
    sub = load_pdf(data, "pen_paper_x.pdf")
    assert not sub.readable
    assert sub.messages[0].severity is Severity.ERROR


def test_a_cyclic_reference_is_not_followed() -> None:
    data = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /GraderSource 2 0 R >> endobj\n"
        b"2 0 obj 2 0 R endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    sub = load_pdf(data, "pen_paper_x.pdf")
    assert sub.needs_review or not sub.readable


def test_the_tex_wins_over_its_pdf(tmp_path: Path) -> None:
    (tmp_path / "pen_paper_ada.tex").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "pen_paper_ada.pdf").write_bytes(pdf_with_source(SOURCE.replace("0.2", "0.3")))
    paths, notes = discover(tmp_path)
    assert [p.name for p in paths] == ["pen_paper_ada.tex"]
    assert notes[0].location.file == "pen_paper_ada.pdf"
    sub = load_submission(paths[0], tmp_path)
    assert any("different source" in m.text for m in sub.messages)


def test_an_identical_pdf_is_not_warned_about(tmp_path: Path) -> None:
    (tmp_path / "pen_paper_ada.tex").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "pen_paper_ada.pdf").write_bytes(pdf_with_source(SOURCE))
    sub = load_submission(tmp_path / "pen_paper_ada.tex", tmp_path)
    assert not any("pdf" in m.text.lower() for m in sub.messages)


_GOOD = pdf_with_source(SOURCE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_GOOD) - 1), st.integers(0, 255)), max_size=20))
def test_a_damaged_pdf_always_gets_a_row(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_GOOD)
    for index, value in flips:
        data[index] = value
    sub = load_pdf(bytes(data), "pen_paper_x.pdf")
    assert sub.student_id in ("s9", "x")
    assert sub.readable or sub.messages[0].severity is Severity.ERROR
