"""Random hostile input never crashes the two readers of student values.

- `grader.mathlang.parse`: any text -- here built from attack fragments (dunders, LaTeX file
  and shell commands, power towers, brackets) and lengths up to twice the limit -- gives a tree
  or a located ParseError, never another exception; a tree never holds a name starting with
  `_`. (tests/mathlang covers random notation fragments and round trips; this adds the attacks.)
- `grader.numeric.read_array`: any nested data -- texts, numbers of any size, booleans, None,
  mappings, bytes, ragged and deep lists -- gives a finite float64 array within the limits or a
  NumberError, never another exception.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.mathlang import DEFAULT_LIMITS, ParseError, parse
from grader.mathlang.ast import Name, walk
from grader.model import Reason
from grader.numeric import NumberError, read_array

ATTACKS = [
    "__import__", "('os')", ".system", "('touch /tmp/grader-canary-fuzz')", "exec(", "eval(",
    "().__class__", ".__base__", ".__subclasses__()", "__builtins__", "sympify(", "lambdify(",
    "S(\"x\")", "Function(", "Symbol(", "lambda:", "[c for c in x]", "f'{x}'", "getattr(",
    "\\input{/etc/passwd}", "\\write18{", "\\immediate", "\\def\\x", "\\newcommand", "\\catcode",
    "\\csname", "\\include{", "$(", "`", "|", ";", "&&", "9**9**9**9", "^", "**", "10^{10^{10}}",
    "factorial(10**10)", "!", "(10^10)!", "binomial(", "sum_{l != y}", "\\sum_{l=1}^{10^{100}}",
    "prod_", "x^(10^100)", "exp(exp(", "1e999999", "9" * 70, "(" * 30, ")" * 30, "{" * 20,
    "\\left(" * 5, "z2", "f2'(s2)", "y_{out}", " * ", " ", "\n", "\x00", "\u202e", "＿", "٣",
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(ATTACKS) | st.characters(), max_size=60).map("".join)
LONG_TEXTS = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["(", "x+", "-", "2^", "f1(", "\\frac{", "[", "|", "z2 ", "__"]),
    st.integers(1, 2 * DEFAULT_LIMITS.max_length),
)


def _check_parse(text: str) -> None:
    try:
        tree = parse(text)
    except ParseError as error:
        assert error.reason in (Reason.SYNTAX, Reason.TOO_LARGE, Reason.TOO_DEEP)
        assert error.offset is None or 0 <= error.offset <= len(text)
        assert error.text == text
        error.pointer()  # the message shown to the student can always be rendered
        return
    names = [node.base for node in walk(tree) if isinstance(node, Name)]
    assert not any(name.startswith("_") for name in names), names


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("__import__('os').system('touch /tmp/grader-canary-fuzz')")
@example("().__class__.__base__.__subclasses__()")
@example("\\input{/etc/passwd}")
def test_attack_text_gives_a_tree_or_a_located_parse_error(text: str) -> None:
    _check_parse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG_TEXTS)
def test_long_repetitive_text_is_refused_or_read(text: str) -> None:
    _check_parse(text)
    if len(text) > DEFAULT_LIMITS.max_length:
        with pytest.raises(ParseError) as caught:
            parse(text)
        assert caught.value.reason is Reason.TOO_LARGE


# ----- read_array -------------------------------------------------------------------------------
NUMBER_TEXTS = st.lists(
    st.sampled_from(
        ["0", "1", "9", ".", "-", "+", "e", "E", "/", "_", "x", " ", "\u2212", "٣", "３", "∞",
         "nan", "inf", "1e999999", "0x", "**", "\x00", "(", ")", ","]
    ),
    max_size=12,
).map("".join)  # fmt: skip
# Integers are kept below 4300 digits here: see the separate test for larger ones.
SCALARS = (
    NUMBER_TEXTS
    | st.text(max_size=20)
    | st.integers(-(10**400), 10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.fractions(max_denominator=10**50)
    | st.booleans()
    | st.none()
    | st.binary(max_size=4)
    | st.complex_numbers(max_magnitude=10)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    | st.sampled_from([Decimal("NaN"), Decimal("-Infinity"), Decimal("1e400"), Decimal("1.5")])
)
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple),
    max_leaves=40,
)


def _check_read(value: object, max_entries: int = 10_000) -> None:
    try:
        array = read_array(value, max_entries=max_entries)
    except NumberError as error:
        assert isinstance(error.reason, Reason)
        assert str(error)
        return
    assert array.dtype == np.float64
    assert bool(np.all(np.isfinite(array)))
    assert array.ndim <= 4 and array.size <= max_entries


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NESTED)
@example([[1, 2], [3]])
@example([[[[[1]]]]])
@example([["1e999999", "٣"], [True, None]])
@example([[{"a": 1}]])
def test_read_array_gives_finite_numbers_or_a_number_error(value: object) -> None:
    _check_read(value)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 1000))
def test_read_array_respects_the_entry_limit(rows: int, columns: int, limit: int) -> None:
    value = [["0.5"] * columns for _ in range(rows)]
    if rows * columns > limit:
        with pytest.raises(NumberError) as caught:
            read_array(value, max_entries=limit)
        assert caught.value.reason is Reason.TOO_LARGE
    else:
        assert read_array(value, max_entries=limit).shape == (rows, columns)


@pytest.mark.parametrize(
    "value", [10**5000, [1, -(10**5000)], Fraction(10**5000, 3)], ids=["int", "entry", "fraction"]
)
def test_read_array_refuses_integers_beyond_the_str_limit(value: object) -> None:
    with pytest.raises(NumberError) as caught:
        read_array(value)
    assert caught.value.reason is Reason.NOT_FINITE  # beyond the float range
