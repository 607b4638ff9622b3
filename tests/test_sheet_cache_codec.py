"""The sheet cache's codec on generated values: :func:`grader.sheet_cache.storable` checks an
entry once when the codec is exact, and must refuse exactly what the double check refused (read
back equal, and encoded again to the same text), so every stored entry still reads back to a
value that encodes to the very same text; when the codec is not exact, the second encoding is
still made and refuses what it should."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import sheet_cache as sc
from grader.model import FrozenDict, Method, Outcome, Reason, Severity, Status

TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=6) | st.sampled_from(
    ["\ud83d\ude00", "\ud83d", "😀", "\x00", "1", "correct"]
)  # lone and paired surrogates (a pair read back is one character), an enum's value as text
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, 1, -1, 2**63]).map(int)
    | st.just(5000).map(lambda digits: 10**digits)  # too long to write: refused
    | st.floats()  # NaN and infinities are refused
    | st.sampled_from([0.0, -0.0, 1.0, 1e16, 5e-324])
    | TEXT
    | st.sampled_from([*Outcome, *Status, *Severity, *Method, *Reason])
)
OTHERS = st.sampled_from([b"bytes", object(), frozenset(), 1j])  # never stored


def _instance(cls: type) -> Callable[[list[Any]], Any]:
    """A dataclass of the model with these field values (any: the codec does not check)."""
    return lambda values: sc._build(cls, sc._FIELDS[cls], values)


def _frozen(items: dict[Any, Any]) -> FrozenDict:
    return FrozenDict(items)


def _children(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = TEXT | st.sampled_from([1, None])  # a key that is not text is refused
    dataclasses_ = st.one_of(
        *(
            st.lists(inner, min_size=len(names), max_size=len(names)).map(_instance(cls))
            for cls, names in sc._FIELDS.items()
        )
    )
    return (
        st.lists(inner, max_size=4).map(tuple)
        | st.lists(inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=4).map(_frozen)
        | dataclasses_
    )


VALUES = st.recursive(SCALARS | OTHERS, _children, max_leaves=10)
store: Callable[[Any], str | None] = sc.storable  # any value: the codec refuses what it cannot


def _double_check(value: Any) -> str | None:
    """storable as it was: the entry read back, compared, and encoded a second time."""
    try:
        text = sc._text(sc.to_data(value))
        back = sc.from_data(json.loads(text))
        if back != value or sc._text(sc.to_data(back)) != text:
            return None
    except (sc._NotStorable, TypeError, ValueError, KeyError, RecursionError):
        return None
    return text


def test_the_codec_of_the_model_is_exact() -> None:
    assert sc._EXACT  # else storable encodes every entry twice (correct, but a third slower)


@given(VALUES)
def test_storable_refuses_what_the_double_check_refused(value: Any) -> None:
    entry = store(value)
    text = _double_check(value)
    assert (entry is None) == (text is None)
    if entry is not None:
        inflated = sc._inflate(entry).decode("ascii")
        assert inflated == text
        back = sc._read(entry)
        assert back == value and sc._text(sc.to_data(back)) == inflated  # the same bytes again


def test_refused_values_include_those_reading_back_otherwise() -> None:
    pair = "\ud83d\ude00"  # two code points, written as two escapes, read back as one
    assert store(FrozenDict({"a": pair})) is None
    assert store({pair: 1, "😀": 2}) is None  # one key of the text, two of the value
    assert store((0.0, -0.0)) is not None
    assert sc._read(store((0.0, -0.0))) == (0.0, -0.0)
    assert str(sc._read(store((0.0, -0.0)))[1]) == "-0.0"


@dataclasses.dataclass(frozen=True)
class _Normalised:
    """A class built through its __init__, which normalises what it is given (no model class
    does today): a value of it may read back equal yet encode again otherwise."""

    items: Any

    def __post_init__(self) -> None:
        if isinstance(self.items, list):
            object.__setattr__(self, "items", tuple(self.items))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Normalised) and list(self.items) == list(other.items)

    __hash__ = None  # type: ignore[assignment]


def test_without_an_exact_codec_the_second_encoding_is_still_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sc._CLASSES, "_Normalised", _Normalised)
    monkeypatch.setitem(sc._FIELDS, _Normalised, ("items",))
    monkeypatch.setattr(sc, "_INITIALISED", frozenset({_Normalised}))
    value = object.__new__(_Normalised)
    object.__setattr__(value, "items", ["a"])  # a list, as no __init__ would leave it
    assert sc.from_data(json.loads(sc._text(sc.to_data(value)))) == value  # reads back equal
    monkeypatch.setattr(sc, "_EXACT", True)
    assert store(value) is not None  # a wrong _EXACT would store it...
    monkeypatch.setattr(sc, "_EXACT", False)
    assert store(value) is None  # ... the double check refuses it (a tuple comes back)
    assert store(_Normalised(("a",))) is not None
