"""The notation table (notation_cases.yaml): what each spelling parses to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from mathlang_trees import build

from grader.mathlang import parse, to_text
from grader.mathlang.ast import BinOp, Name, Transpose

CASES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "notation_cases.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES["trees"] + CASES["answers"], ids=lambda c: c["text"])
def test_text_gives_expected_tree(case: dict[str, Any]) -> None:
    assert parse(case["text"]) == build(case["tree"])


@pytest.mark.parametrize("group", CASES["equal"], ids=lambda g: g[0])
def test_spellings_give_equal_trees(group: list[str]) -> None:
    first = parse(group[0])
    for text in group[1:]:
        assert parse(text) == first, text


@pytest.mark.parametrize("pair", CASES["distinct"], ids=lambda p: f"{p[0]} vs {p[1]}")
def test_different_meanings_stay_different(pair: list[str]) -> None:
    assert parse(pair[0]) != parse(pair[1])


@pytest.mark.parametrize("case", CASES["trees"] + CASES["answers"], ids=lambda c: c["text"])
def test_canonical_text_is_ascii_and_reads_back(case: dict[str, Any]) -> None:
    tree = parse(case["text"])
    text = to_text(tree)
    assert text.isascii()
    assert parse(text) == tree


def test_juxtaposition_is_marked_implicit() -> None:
    implicit, explicit = parse("a b"), parse("a * b")
    assert isinstance(implicit, BinOp) and isinstance(explicit, BinOp)
    assert implicit == explicit
    assert (implicit.implicit, explicit.implicit) == (True, False)


def test_spans_point_into_the_original_text() -> None:
    text = "$\\delta_k \\cdot  z_{k-1}^T$"
    tree = parse(text)
    assert isinstance(tree, BinOp) and isinstance(tree.right, Transpose)
    left, right, name = tree.left, tree.right, tree.right.operand
    assert text[left.span.start : left.span.end] == "\\delta_k"
    assert text[right.span.start : right.span.end] == "z_{k-1}^T"
    assert isinstance(name, Name) and name.sub_expr is not None
    assert text[name.sub_expr.span.start : name.sub_expr.span.end] == "k-1"
