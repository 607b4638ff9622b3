"""Random LaTeX-ish text never crashes the LaTeX reader: read_document always returns, every
answer is a value or a located error (attack fragments from hostile TeX: definitions, catcodes,
unbalanced braces, environments, \\answer pieces)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.latex import read_document
from grader.mathlang import ParseError, parse

FRAGMENTS = [
    "\\answer{q}{", "\\answer", "{", "}", "\\begin{cases}", "\\end{cases}", "\\begin{bmatrix}",
    "\\end{bmatrix}", "&", "\\\\", "\\def\\a#1{#1#1}", "\\a", "\\newcommand{\\b}[2][x]{#1#2}",
    "\\b", "\\let\\c\\b", "\\c", "#", "##", "#1", "%", "\n", "\n\n", "\\catcode`\\|=0", "|",
    "\\iffalse", "\\fi", "\\verb|", "\\begin{verbatim}", "\\end{verbatim}", "^^5c", "^^", "^",
    "_", "$", "\\text{for }", "j \\neq y", "\\input{x}", "\\csname", "\\endcsname", "\\student{",
    "\\begin{answertext}{t}", "\\end{answertext}", "\\end{document}", "0.5", "\\times 10^{-2}",
    "[", "]", ",", "\\left(", "\\right)", "'", "z", " ",
]  # fmt: skip
SOURCES = st.lists(st.sampled_from(FRAGMENTS) | st.characters(), max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCES)
def test_read_document_never_raises(source: str) -> None:
    doc = read_document(source)
    for answer in doc.answers:
        assert (answer.value is None) or not answer.error
        if answer.error:
            assert answer.kind in ("syntax", "too_deep", "too_large") and answer.line >= 1
        if isinstance(answer.value, str):
            try:  # the text handed on is for the answer language: a tree or a located error
                parse(answer.value)
            except ParseError:
                pass
