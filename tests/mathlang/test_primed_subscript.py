"""A prime written before the subscript (`f'_3(x)`, as LaTeX renders f′₃) means f_3'(x)."""

from __future__ import annotations

import pytest

from grader.mathlang import ParseError, parse


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("f'_3(s_out)", "f_3'(s_out)"),
        ("f'_{3}(s_{out})", "f_3'(s_out)"),
        ("f''_2(x)", "f_2''(x)"),
        ("(y - t) f'_3(s) z_2", "(y - t) f_3'(s) z_2"),
    ],
)
def test_primes_before_the_subscript(written: str, same_as: str) -> None:
    assert parse(written) == parse(same_as)


def test_a_primed_name_without_arguments_is_still_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse("x'_1 + 2")
    assert caught.value.offset == 1
