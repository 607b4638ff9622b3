"""to_text (canonical plain text), to_latex, and final_rhs."""

from __future__ import annotations

import pytest

from grader.mathlang import final_rhs, parse, to_latex, to_text
from grader.mathlang.ast import Name, Relation

# Answer -> how we show it back ("we read your answer as ..."): canonical names, `*` products,
# `.*` hadamard, `^T`, primes, `sum_{...}(...)`, `1[...]`, and only the parentheses needed.
CANONICAL = [
    ("(y_{out}-y_{gt})\\, f_3'(s_{out})\\, z_2", "(y_out - y_gt) * f_3'(s_out) * z_2"),
    ("(y_out - y_gt) * f3'(s_out) * z2", "(y_out - y_gt) * f3'(s_out) * z2"),
    ("s_{\\text{out}}", "s_out"),
    ("z_{k - 1}", "z_{k-1}"),
    ("p_{y_{i}}", "p_{y_i}"),
    ("\\delta_2 W_2^{\\top} \\odot f_2^{\\prime}(s_2)", "delta_2 * W_2^T .* f_2'(s_2)"),
    ("\\sum_{l \\neq y_i} p_l", "sum_{l != y_i}(p_l)"),
    ("\\sum_{l=1}^{k} p_l", "sum_{l = 1}^{k}(p_l)"),
    ("\\mathbb{1}\\{a > b\\}", "1[a > b]"),
    ("\\max\\{0, p_j - p_{y_i} + m\\}", "max(0, p_j - p_{y_i} + m)"),
    ("\\frac{\\partial L}{\\partial W} = x", "Derivative(L, W) = x"),
    ("\\frac{d^2 y}{dx^2}", "Derivative(y, (x, 2))"),
    ("w \\leftarrow w - \\eta g", "w := w - eta * g"),
    ("\\|w\\|_2^2", "norm_2(w)^2"),
    ("\\lfloor x \\rfloor", "floor(x)"),
    ("\\sin^{-1} x", "arcsin(x)"),
    ("\\sin 2x", "sin(2 * x)"),
    ("\\{2, -2\\}", "\\{2, -2\\}"),
    ("z^T_{k-1}", "z_{k-1}^T"),
    ("a - (b + c)", "a - (b + c)"),
    ("(a - b) + c", "a - b + c"),
    ("a * (b * c)", "a * (b * c)"),
    ("(a * b) * c", "a * b * c"),
    ("a / (b * c)", "a / (b * c)"),
    ("(-x)^2", "(-x)^2"),
    ("-(x^2)", "-x^2"),
    ("-(a b)", "-(a * b)"),
    ("(a^b)^c", "(a^b)^c"),
    ("a^(b^c)", "a^b^c"),
    ("(a+b)^T", "(a + b)^T"),
    ("\\frac{a+b}{c}", "(a + b) / c"),
    ("x^{-1}", "x^(-1)"),
    ("x^{(T)}", "x^(T)"),
    ("a + -b", "a + (-b)"),
    ("(\\sum_l x) y", "(sum_{l}(x)) * y"),
    ("y \\sum_l x", "y * sum_{l}(x)"),
    ("\\sum_l x + y", "sum_{l}(x) + y"),
    ("[a]", "a"),
    ("[a,]", "[a,]"),
    ("[[a], [b]]", "[[a], [b]]"),
    ("\\begin{bmatrix} 1 & 2 \\end{bmatrix}", "Matrix([[1, 2]])"),
    ("|x| |y|", "|x| * |y|"),
    ("a = b = c", "a = b = c"),
    ("0 < x", "0 < x"),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_canonical_text(text: str, expected: str) -> None:
    assert to_text(parse(text)) == expected
    assert parse(expected) == parse(text)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a/b", ["\\frac{a}{b}"]),
        ("a .* b", ["\\odot"]),
        ("a * b", ["\\cdot"]),
        ("W^T", ["^{\\top}"]),
        ("delta_k", ["\\delta_{k}"]),
        ("s_out", ["s_{\\mathrm{out}}"]),
        ("yhat", ["\\hat{y}"]),
        ("1[a != b]", ["\\mathbb{1}", "\\neq"]),
        ("sum_{l <= k}(x)", ["\\sum_{", "\\leq"]),
        ("sqrt(x)", ["\\sqrt{x}"]),
        ("root(x, 3)", ["\\sqrt[3]{x}"]),
        ("Matrix([[a, b], [c, d]])", ["\\begin{bmatrix}", "&", "\\\\"]),
        ("exp(x)", ["\\exp"]),
        ("diag(v)", ["\\operatorname{diag}"]),
    ],
)
def test_latex_uses_latex_notation(text: str, pieces: list[str]) -> None:
    latex = to_latex(parse(text))
    for piece in pieces:
        assert piece in latex
    assert parse(latex) == parse(text)


def test_final_rhs_of_an_equation() -> None:
    text = "\\frac{\\partial \\mathcal{L}}{\\partial W_{out}} = (y_{out} - y_{gt}) \\cdot z_2^{T}"
    rhs, found = final_rhs(parse(text))
    assert found is True
    assert rhs == parse("(y_out - y_gt) * z_2^T")


def test_final_rhs_of_a_chain_is_the_last_side() -> None:
    assert final_rhs(parse("a = b = c")) == (Name("c"), True)


def test_final_rhs_without_an_equation() -> None:
    node = parse("a + b")
    assert final_rhs(node) == (node, False)
    inequality = parse("a < b")
    assert isinstance(inequality, Relation)
    assert final_rhs(inequality) == (inequality, False)
