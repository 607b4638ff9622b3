"""Several hundred Practical-1 answer variants, labelled independently of the grader
(`practical1_corpus.py`), graded through the real rubric: no wrong answer accepted, no half
answer given full marks, at most 1 right answer in 200 left unread."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from practical1_corpus import Label, Variant, ex1_variants, ex3_variants, mini_variants

from grader.checkers.base import Job
from grader.checkers.prepare import PreparedRubric, prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.model import Outcome
from grader.rubric.load import load_rubric

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "practical-1.yaml"
QUESTION = {"dL_dWout": "ex1", "dL_dW2": "ex1", "dL_dW1": "ex1", "dW_k": "mini", "gradient": "ex3"}
UNREAD = (Outcome.UNPARSEABLE, Outcome.NEEDS_REVIEW, Outcome.INTERNAL_ERROR)


def corpus() -> list[Variant]:
    """The whole corpus, with fixed seeds (two renderings of every Exercise-1 tree)."""
    variants: list[Variant] = []
    for seed in (1, 2):
        for weight in ("W_out", "W2", "W1"):
            variants += ex1_variants(weight, seed)
    return variants + mini_variants(5) + ex3_variants(5, per_form=10)


@cache
def prepared() -> PreparedRubric:
    return prepare_rubric(load_rubric(RUBRIC, REGISTRY))


def verdict(variant: Variant) -> str:
    """What the grader gave: right, half, wrong, or unread."""
    result = prepared().execute(Job(QUESTION[variant.part], variant.part, ("", variant.text)))
    if result.outcome in UNREAD:
        return "unread"
    return {1.0: "right", 0.5: "half", 0.0: "wrong"}.get(result.fraction, "other")


@cache
def results() -> tuple[tuple[Variant, str], ...]:
    return tuple((v, verdict(v)) for v in corpus())


def test_the_corpus_is_large_and_mixed() -> None:
    variants = corpus()
    labels = Counter(v.label for v in variants)
    styles = Counter(v.style for v in variants)
    assert len(variants) >= 400
    assert min(labels[label] for label in Label) >= 50
    assert min(styles.values()) >= 80
    assert len({v.text for v in variants}) >= 0.9 * len(variants)  # spellings vary


def test_no_wrong_answer_is_accepted() -> None:
    accepted = [
        (v.text, got) for v, got in results() if v.label is Label.WRONG and got in ("right", "half")
    ]
    assert accepted == []


def test_no_half_answer_earns_full_marks() -> None:
    assert [v.text for v, got in results() if v.label is Label.HALF and got == "right"] == []


def test_at_most_one_right_answer_in_200_is_left_unread() -> None:
    right = [(v, got) for v, got in results() if v.label is Label.RIGHT]
    unread = [v.text for v, got in right if got == "unread"]
    assert len(unread) * 200 <= len(right), unread


@pytest.mark.parametrize("label", list(Label))
def test_labels_and_grades_agree(label: Label) -> None:
    judged = [(v, got) for v, got in results() if v.label is label]
    disagreeing = [(v.text, got) for v, got in judged if got != label.value]
    assert len(disagreeing) * 100 <= len(judged), disagreeing
