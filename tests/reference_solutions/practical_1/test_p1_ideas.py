"""Free-text ideas: realistic student sentences are recognised, near-misses are not.

The phrases live in p1_ideas_cases.yaml beside this file (our own table, read with safe_load).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.references import Idea
from reference_solutions.practical_1 import SOLVERS

CASES: dict[str, Any] = yaml.safe_load(
    Path(__file__).with_name("p1_ideas_cases.yaml").read_text(encoding="utf-8")
)
EXPECTED_IDS = {
    "ex3_explanation_ideas": {
        "zero_beyond_margin",
        "penalty_within_margin",
        "push_true_up_others_down",
    },
    "ex4_ideas": {
        "checkpointing",
        "micro_batches",
        "lower_precision",
        "offloading",
        "free_early",
        "reversible_layers",
    },
}


def ideas(solver: str) -> tuple[Idea, ...]:
    return SOLVERS[solver]({})


def matched(idea: Idea, text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in idea.patterns)


def positive_cases() -> list[tuple[str, str, str]]:
    return [
        (solver, idea_id, phrase)
        for solver, table in CASES.items()
        for idea_id, phrases in table["matches"].items()
        for phrase in phrases
    ]


def negative_cases() -> list[tuple[str, str]]:
    return [(solver, phrase) for solver, table in CASES.items() for phrase in table["near_misses"]]


@pytest.mark.parametrize("solver", sorted(EXPECTED_IDS))
def test_ideas_are_the_marking_schemes(solver: str) -> None:
    found = ideas(solver)
    assert {i.id for i in found} == EXPECTED_IDS[solver]
    assert len(found) == len(EXPECTED_IDS[solver])
    for idea in found:
        assert isinstance(idea, Idea) and idea.text and idea.patterns
        for pattern in idea.patterns:
            re.compile(pattern, re.IGNORECASE)


@pytest.mark.parametrize(("solver", "idea_id", "phrase"), positive_cases())
def test_phrase_is_recognised(solver: str, idea_id: str, phrase: str) -> None:
    by_id = {i.id: i for i in ideas(solver)}
    assert matched(by_id[idea_id], phrase)


@pytest.mark.parametrize(("solver", "phrase"), negative_cases())
def test_near_miss_matches_no_idea(solver: str, phrase: str) -> None:
    assert [i.id for i in ideas(solver) if matched(i, phrase)] == []


@pytest.mark.parametrize("solver", sorted(EXPECTED_IDS))
def test_every_idea_has_several_phrasings(solver: str) -> None:
    table = CASES[solver]["matches"]
    assert set(table) == EXPECTED_IDS[solver]
    assert all(len(phrases) >= 4 for phrases in table.values())


def test_model_sentences_are_recognised_as_their_own_idea() -> None:
    for solver in EXPECTED_IDS:
        for idea in ideas(solver):
            assert matched(idea, idea.text), idea.id


def test_words_from_different_sentences_do_not_combine() -> None:
    by_id = {i.id: i for i in ideas("ex4_ideas")}
    text = "We store the activations.\nThe CPU is slow."
    assert not matched(by_id["offloading"], text)
    assert matched(by_id["offloading"], "We store the activations on the CPU.")


def test_a_long_hostile_text_is_handled() -> None:
    text = ("activation " * 2000) + "!" + ("a" * 20000)
    for solver in EXPECTED_IDS:
        for idea in ideas(solver):
            matched(idea, text)  # must simply finish; the gaps are bounded
