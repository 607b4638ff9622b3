"""Patterns applied to student text cannot backtrack for long: matching stays linear.

A regular expression with an unbounded repeat next to an overlapping one (`\\w*` before a gap
of `[^.]{0,60}`, or `.*?` before `\\s*`) takes quadratic or worse time on text built for it,
and these patterns run in the main process, with no deadline. The tests below check the
property itself (every repeat is bounded; a rewritten matcher agrees with its grammar), so
they never time anything.
"""

from __future__ import annotations

import re

# Python's own regular-expression parser (private, but stable across 3.11+): it tells the
# repeats of a pattern apart from look-alike text such as `\\*`.
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.loaders.notebook import _unfence, strip_math
from reference_solutions.practical_1 import ideas

# The grammar of a fenced cell, as the loader documents it (fine on short texts).
FENCE_GRAMMAR = re.compile(r"\A\s*```[^\n]*\n(?P<body>.*?)\n?\s*```\s*\Z", re.DOTALL)
PIECES = ["```", "`", "``", "\n", " ", "\t", "\u2003", "x", "yaml", "$", "\r\n", "\f"]


def oracle(text: str) -> tuple[str, int]:
    """What the grammar says: the body and the number of lines above it."""
    match = FENCE_GRAMMAR.match(text)
    if match is None:
        return text, 0
    return match.group("body"), text[: match.start("body")].count("\n")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
@example("```\n```")
@example("  ```py\n body \n\n ```  \n")
@example("```\nabc```\n```")
@example("```x```")
@example("```\n``")
def test_unfence_follows_the_fence_grammar(text: str) -> None:
    assert _unfence(text) == oracle(text)


def test_blank_runs_are_stripped_like_short_ones() -> None:
    # The shape of nb_markdown_fence_bait in the corpus, at a size the grammar still handles.
    text = "```\n" + " " * 300 + "\n" * 300 + "x\n```"
    assert _unfence(text) == oracle(text) == (" " * 300 + "\n" * 300 + "x", 1)
    assert strip_math(text) == "x"


def _unbounded_repeats(pattern: str) -> list[str]:
    """The repeats in `pattern` with no upper bound (`*`, `+`, `{n,}`), as readable text."""
    found: list[str] = []
    stack: list[Any] = [sre_parse.parse(pattern, re.IGNORECASE)]
    while stack:
        item = stack.pop()
        if isinstance(item, sre_parse.SubPattern):
            stack.extend(item.data)
            continue
        if isinstance(item, (list, tuple)):
            if len(item) == 2 and item[0] in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, high, body = item[1]
                if high == sre_constants.MAXREPEAT:
                    found.append(f"{{{low},}} over {body}")
            stack.extend(
                part for part in item if isinstance(part, (list, tuple, sre_parse.SubPattern))
            )
    return found


def _idea_patterns() -> list[tuple[str, str]]:
    out = []
    for ideas_of in (ideas.ex3_explanation_ideas, ideas.ex4_ideas):
        for idea in ideas_of({}):  # the ideas do not depend on the exercise data
            out += [(idea.id, pattern) for pattern in idea.patterns]
    return out


def test_the_scan_finds_unbounded_repeats() -> None:
    assert _unbounded_repeats(r"penal\w*(?:[^.]{0,40})x") != []
    assert _unbounded_repeats(r"(?: \w+)? class") != []
    assert _unbounded_repeats(r"penal\w{0,20}[^.]{0,40}(?:x|y{2,3})") == []


@pytest.mark.parametrize(("idea", "pattern"), _idea_patterns())
def test_idea_patterns_repeat_boundedly(idea: str, pattern: str) -> None:
    # Free text is matched in the grading process itself: an unbounded `\w*` before a bounded
    # gap made 5000 characters of "penal" take a minute, 20000 characters hours.
    assert _unbounded_repeats(pattern) == []
