"""Property tests: any text gives a tree or a ParseError; trees survive printing and re-parsing."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from mathlang_trees import ANSWERS

from grader.mathlang import Limits, ParseError, parse, to_latex, to_text
from grader.mathlang.ast import Node, walk
from grader.mathlang.checks import check_tree
from grader.mathlang.errors import Failure
from grader.model import Reason

# Generated trees may hold large constants (999^999) and long texts; these limits keep the
# round-trip tests about notation, while test_parse_limits.py tests the default limits.
ROOMY = Limits(max_length=100_000, max_exponent=10**300, max_factorial=10**300, max_tree_depth=200)
NODE_TYPES = Node.__args__

# Fragments students (and attackers) type, glued together at random.
FRAGMENTS = [
    *"abxyzTWfe0123456789.,;:+-*/^_!=<>()[]{}|'&$#%~ \\`\"@?",
    *[
        "\\frac",
        "\\sqrt",
        "\\sum",
        "\\left(",
        "\\right)",
        "\\left|",
        "\\right|",
        "\\left.",
        "\\big(",
    ],
    *["\\cdot", "\\odot", "\\delta", "\\mathbb{1}", "\\mathbf{W}", "\\hat{y}", "\\text{out}"],
    *["\\neq", "\\leq", "\\land", "\\exp", "\\max", "\\log_2", "\\operatorname{diag}", "\\top"],
    *["\\prime", "\\begin{bmatrix}", "\\end{bmatrix}", "\\\\", "\\{", "\\}", "\\input", "\\def"],
    *["_{", "^{", "}", "^T", "**", ".*", "sum_", "Sum(", "Matrix(", "1[", "f'(", "z_{k-1}"],
    *["δ", "Δ", "·", "×", "⊙", "≠", "≤", "∑", "𝟙", "⊤", "²", "−", "٣", "３", "\x00", "\n"],
]
TEXTS = st.lists(st.sampled_from(FRAGMENTS) | st.characters(), max_size=40).map("".join)


def _within_limits(tree: Node) -> bool:
    """Whether the tree itself respects ROOMY (a tree beyond the limits cannot round-trip)."""
    try:
        check_tree(tree, ROOMY)
    except Failure:
        return False
    return True


def _read(text: str) -> Node | None:
    """parse(text), or None when it raises ParseError; any other exception fails the test."""
    try:
        node = parse(text)
    except ParseError as error:
        assert error.reason in (Reason.SYNTAX, Reason.TOO_LARGE, Reason.TOO_DEEP)
        assert error.offset is None or 0 <= error.offset <= len(text)
        assert error.text == text
        error.pointer()
        return None
    assert isinstance(node, NODE_TYPES)
    return node


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("\\frac{\\sum_l}{")
@example("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x")
def test_any_text_gives_a_tree_or_a_parse_error(text: str) -> None:
    node = _read(text)
    if node is not None:
        # Whatever was read is shown back to the student and must mean the same thing.
        assert parse(to_text(node), ROOMY) == node
        assert parse(to_latex(node), ROOMY) == node


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_to_text_round_trips(tree: Node) -> None:
    assume(_within_limits(tree))
    assert parse(to_text(tree), ROOMY) == tree


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_to_latex_round_trips(tree: Node) -> None:
    assume(_within_limits(tree))
    assert parse(to_latex(tree), ROOMY) == tree


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_spans_lie_inside_the_text(tree: Node) -> None:
    assume(_within_limits(tree))
    text = to_text(tree)
    for node in walk(parse(text, ROOMY)):
        assert 0 <= node.span.start <= node.span.end <= len(text)
