"""Code-cell literals: read by walking the syntax tree, numbers as source text, nothing run."""

from __future__ import annotations

import pytest

from grader.loaders.literal import MAX_CODE_CHARS, MAX_LITERAL_DEPTH, LiteralError, read_literal
from grader.model import Reason


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("W_new = [[0.6, 0.7], [0.01, 0.43]]", (("0.6", "0.7"), ("0.01", "0.43"))),
        ("[0.0986, -9.01e-1, +2, 1E3, .5, 100.]", ("0.0986", "-9.01e-1", "2", "1E3", ".5", "100.")),
        ("x = (1, 2.50)", ("1", "2.50")),
        ("7.0000", "7.0000"),
        ("- 3", "-3"),
        ("1_000.5", "1000.5"),
        ("0x1F", "31"),
        ('dL = "(y_out - y_gt) * f3\'(s_out) * z2"', "(y_out - y_gt) * f3'(s_out) * z2"),
        ("'a' 'b'", "ab"),
        ("s = None", None),
        ("[1, None]", ("1", None)),
        ("", None),
        ("# just a comment\n\n", None),
        ("# working\nz = [\n  [1, 2],\n  [3, 4],\n]\n", (("1", "2"), ("3", "4"))),
        ("[]", ()),
    ],
)
def test_literals(source: str, value: object) -> None:
    assert read_literal(source) == value


@pytest.mark.parametrize(
    ("source", "reason", "line"),
    [
        ('import os; os.system("touch /tmp/pwned")', Reason.WRONG_TYPE, 1),
        ("import os", Reason.WRONG_TYPE, 1),
        ("__import__('os').system('id')", Reason.WRONG_TYPE, 1),
        ("W = np.array([[1, 2]])", Reason.WRONG_TYPE, 1),
        ("x = 10**400", Reason.WRONG_TYPE, 1),
        ("x = 1/3", Reason.WRONG_TYPE, 1),
        ("x = [1, y]", Reason.WRONG_TYPE, 1),
        ("x = [1, f()]", Reason.WRONG_TYPE, 1),
        ("x = -(-1)", Reason.WRONG_TYPE, 1),
        ("x = -'a'", Reason.WRONG_TYPE, 1),
        ("x = True", Reason.WRONG_TYPE, 1),
        ("x = -True", Reason.WRONG_TYPE, 1),
        ("x = 1j", Reason.WRONG_TYPE, 1),
        ("x = b'1'", Reason.WRONG_TYPE, 1),
        ("x = ...", Reason.WRONG_TYPE, 1),
        ("x = {'a': 1}", Reason.WRONG_TYPE, 1),
        ("x = {1, 2}", Reason.WRONG_TYPE, 1),
        ("x = f'{1}'", Reason.WRONG_TYPE, 1),
        ("x = [i for i in range(3)]", Reason.WRONG_TYPE, 1),
        ("x = lambda: 0", Reason.WRONG_TYPE, 1),
        ("x = y = 1", Reason.WRONG_TYPE, 1),
        ("x, y = 1, 2", Reason.WRONG_TYPE, 1),
        ("x[0] = 1", Reason.WRONG_TYPE, 1),
        ("x.a = 1", Reason.WRONG_TYPE, 1),
        ("x: int = 1", Reason.WRONG_TYPE, 1),
        ("x += 1", Reason.WRONG_TYPE, 1),
        ("x = 1\ny = 2", Reason.WRONG_TYPE, 2),
        ("def f():\n    pass", Reason.WRONG_TYPE, 1),
        ("x = [1, 2", Reason.SYNTAX, 1),
        ("x = (" * 300 + ")" * 300, Reason.SYNTAX, 1),
        ("x = 1\x00", Reason.SYNTAX, None),
    ],
)
def test_refused_cells(source: str, reason: Reason, line: int | None) -> None:
    with pytest.raises(LiteralError) as info:
        read_literal(source)
    assert info.value.reason is reason
    assert info.value.line == line


def test_refusal_is_located_at_the_offending_node() -> None:
    with pytest.raises(LiteralError) as info:
        read_literal("W = [\n  [1, 2],\n  [3, open('x')],\n]")
    assert (info.value.line, info.value.column) == (3, 7)


def test_nested_lists_are_bounded() -> None:
    ok = "[" * MAX_LITERAL_DEPTH + "1" + "]" * MAX_LITERAL_DEPTH
    assert read_literal(ok) is not None
    deep = "[" * (MAX_LITERAL_DEPTH + 1) + "1" + "]" * (MAX_LITERAL_DEPTH + 1)
    with pytest.raises(LiteralError) as info:
        read_literal(deep)
    assert info.value.reason is Reason.TOO_DEEP


def test_huge_cells_are_refused_before_parsing() -> None:
    with pytest.raises(LiteralError) as info:
        read_literal("x = [" + "1," * MAX_CODE_CHARS + "]")
    assert info.value.reason is Reason.TOO_LARGE


def test_huge_integer_literal_is_refused() -> None:
    with pytest.raises(LiteralError) as info:
        read_literal("x = " + "9" * 5000)
    assert info.value.reason is Reason.SYNTAX  # Python's own digit limit
