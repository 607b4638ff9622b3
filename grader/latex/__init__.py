"""LaTeX sources read as TeX would tokenise them, never run: the `grader` package's answers.

    from grader.latex import read_document
    doc = read_document(text)        # TexDocument: identity, assignment, answers, notes

Layers: this package sits in the bottom layer with the loaders (it imports only itself); the
`.tex` and `.pdf` loaders in `grader.loaders` turn a :class:`TexDocument` into a Submission.
`grader.sty` beside this file is the LaTeX package students use (shipped as package data).
"""

from grader.latex.document import TexAnswer, TexDocument, TexNote, read_document
from grader.latex.macros import ExpansionLimits

__all__ = ["ExpansionLimits", "TexAnswer", "TexDocument", "TexNote", "read_document"]
