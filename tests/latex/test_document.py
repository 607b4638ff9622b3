"""read_document: identity, answers found with balanced braces, what is not followed, bounds."""

from __future__ import annotations

from grader.latex import read_document

DOC = r"""\documentclass{article}
\usepackage[utf8]{inputenc}\usepackage{amsmath, grader}
\student{s42}{Ren\'e Fr\"ohlich}
\assignment{practical-1}
\begin{document}
% \answer{q.commented}{1}
\iffalse \answer{q.iffalse}{1} \fi
Derivation: $a = b$.
\begin{align*}
  \frac{\partial L}{\partial W} &= \answer{q.align}{x {\color{red} y}} \\
\end{align*}
\begin{answertext}{q.text}
\begin{itemize}
  \item First \textbf{idea}, 50\% % a comment
  \item Second: $p_{y_i}$
\end{itemize}
\end{answertext}
\input{other}
\end{document}
\answer{q.after}{1}
"""


def test_reads_the_interface() -> None:
    doc = read_document(DOC)
    assert (doc.student_id, doc.name, doc.assignment) == ("s42", "René Fröhlich", "practical-1")
    assert doc.uses_package
    assert [a.answer_id for a in doc.answers] == ["q.align", "q.text"]
    align, text = doc.answers
    assert align.value == "x {\\color{red} y}"
    assert (align.line, align.column) == (10, 36)
    assert text.value == "- First idea, 50%\n- Second: $p_{y_i}$"


def test_input_is_not_followed() -> None:
    notes = read_document(DOC).notes
    assert [(n.kind, n.line) for n in notes] == [("input", 18)]


def test_catcode_changes_are_reported_not_followed() -> None:
    doc = read_document("\\catcode`\\|=0 \\begin{document}\\answer{q}{|alpha}")
    assert [n.kind for n in doc.notes] == ["catcode"]
    assert doc.answers[0].value == "|alpha"


def test_answer_without_braces_is_a_note() -> None:
    doc = read_document("\\answer q 1")
    assert not doc.answers
    assert doc.notes[0].level == "error"


def test_unbalanced_braces_do_not_hang() -> None:
    doc = read_document("\\answer{q}{" + "{" * 50_000)
    assert not doc.answers


def test_a_2_to_the_40_expansion_is_refused() -> None:
    body = "\\a{" * 40 + "x" + "}" * 40
    doc = read_document("\\def\\a#1{#1#1}\\answer{q}{" + body + "}\\answer{r}{1}")
    assert doc.answers[0].kind == "too_large"
    assert doc.answers[1].value == "1"  # the next answer is still read
