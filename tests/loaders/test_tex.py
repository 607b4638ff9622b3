"""LaTeX submissions: a Submission with located answers, identity rules and unparseable answers."""

from __future__ import annotations

from p1_identity import load_tex

from grader.loaders import answer_errors, is_unparseable
from grader.model import Reason

DOC = b"""\\documentclass{article}
\\usepackage{grader}
\\newcommand{\\loop}{\\loop}
\\assignment{practical-1}
\\begin{document}
\\answer{ex1.dL_dWout}{(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2^T}
\\answer{ex1.dL_dW2}{\\loop}
\\answer{ex2.s}{1}
\\answer{ex2.s}{2}
\\input{answers}
\\end{document}
"""


def test_reads_answers_with_their_places() -> None:
    sub = load_tex(DOC, "pen_paper_noether.tex")
    assert (sub.readable, sub.fmt, sub.assignment) == (True, "tex", "practical-1")
    answer = sub.answers["ex1.dL_dWout"]
    assert answer.value == "(y_{out}-y_{gt})\\, f_{3}'(s_{out})\\, z_{2}^{T}"
    assert str(answer.location) == "pen_paper_noether.tex:6:1 [ex1.dL_dWout]"


def test_identity_falls_back_on_the_file_name() -> None:
    sub = load_tex(DOC, "pen_paper_noether.tex")
    assert (sub.student_id, sub.name) == ("noether", "Noether")
    assert any(m.reason is Reason.IDENTITY_FALLBACK for m in sub.messages)


def test_a_runaway_macro_is_unparseable_and_located() -> None:
    sub = load_tex(DOC, "pen_paper_noether.tex")
    assert is_unparseable(sub, "ex1.dL_dW2")
    (error,) = answer_errors(sub)["ex1.dL_dW2"]
    assert error.reason is Reason.TOO_DEEP
    assert str(error.location).startswith("pen_paper_noether.tex:7:")


def test_an_id_given_twice_names_both_answers() -> None:
    sub = load_tex(DOC, "pen_paper_noether.tex")
    assert is_unparseable(sub, "ex2.s")
    (error,) = answer_errors(sub)["ex2.s"]
    assert "line 8: '1'" in error.text and "line 9: '2'" in error.text
    assert error.reason is Reason.DUPLICATE_ANSWER and sub.answers["ex2.s"].review


def test_input_is_a_located_warning() -> None:
    sub = load_tex(DOC, "pen_paper_noether.tex")
    (note,) = [m for m in sub.messages if "\\input" in m.text]
    assert note.location.line == 10


def test_binary_data_is_unreadable() -> None:
    sub = load_tex(b"\x00\x01\x02", "pen_paper_x.tex")
    assert not sub.readable


def test_a_file_without_answers_says_so() -> None:
    sub = load_tex(b"\\documentclass{article}\\begin{document}Hello\\end{document}", "a.tex")
    assert any("no \\answer" in m.text for m in sub.messages)
