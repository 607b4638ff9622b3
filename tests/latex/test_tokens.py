"""TeX's tokenisation rules (The TeXbook, chapter 8) as grader.latex.tokens applies them."""

from __future__ import annotations

from grader.latex.tokens import Cat, tokenize


def _texts(source: str) -> list[str]:
    return [("\\" + t.text if t.cat is Cat.CS else t.text) for t in tokenize(source)]


def test_blanks_after_a_control_word_are_eaten() -> None:
    assert _texts("\\had f") == ["\\had", "f"]
    assert _texts("\\had  \n  f") == ["\\had", "f"]


def test_control_symbols_keep_the_following_blank() -> None:
    assert _texts("\\, x") == ["\\,", " ", "x"]


def test_comment_drops_the_line_end_and_next_indentation() -> None:
    assert _texts("a% \\answer{x}{1}\n   b") == ["a", "b"]


def test_escaped_percent_is_not_a_comment() -> None:
    assert _texts("5\\%") == ["5", "\\%"]


def test_blank_line_is_par() -> None:
    assert _texts("a\n\nb") == ["a", "\\par", "b"]


def test_double_caret_notation() -> None:
    assert _texts("^^5cfoo") == ["\\foo"]  # ^^5c is a backslash


def test_categories() -> None:
    cats = [t.cat for t in tokenize("{}$&#^_~a1")]
    assert cats == [
        Cat.BEGIN,
        Cat.END,
        Cat.MATH,
        Cat.ALIGN,
        Cat.PARAM,
        Cat.SUP,
        Cat.SUB,
        Cat.ACTIVE,
        Cat.LETTER,
        Cat.OTHER,
    ]


def test_verb_and_verbatim_are_raw() -> None:
    tokens = tokenize("\\verb|\\answer{a}{1}| \\begin{verbatim}\n\\answer{b}{%}\n\\end{verbatim}")
    assert not any(t.is_cs("answer") for t in tokens)
    assert [t.cat for t in tokens].count(Cat.RAW) == 2


def test_comment_environment_is_dropped() -> None:
    tokens = tokenize("\\begin{comment}\n\\answer{b}{1}\n\\end{comment}")
    assert not any(t.is_cs("answer") for t in tokens)


def test_positions_are_one_based() -> None:
    token = tokenize("x\n  \\answer")[-1]
    assert (token.line, token.column) == (2, 3)
