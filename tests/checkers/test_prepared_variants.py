"""A PreparedRubric per variant: only questions that read the data are prepared again, jobs of
shared questions stay one per distinct answer across variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checkers.prepare import prepare_rubric
from grader.checkers.registry import REGISTRY
from grader.checkers.variants import SHARED, PreparedVariants, data_dependent
from grader.model import Location, RawAnswer
from grader.rubric.draw import load_drawer
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def variants() -> PreparedVariants:
    rubric = load_rubric(ROOT / "rubrics" / "practical-1-variants.yaml", REGISTRY)
    return PreparedVariants(prepare_rubric(rubric), load_drawer(rubric, b"tests: prepared variants"))


def _answers(**values: object) -> dict[str, RawAnswer]:
    return {k.replace("__", "."): RawAnswer(k.replace("__", "."), v, Location("s.yaml"))
            for k, v in values.items()}  # fmt: skip


def test_only_exercise_2_reads_the_data(variants: PreparedVariants) -> None:
    assert data_dependent(variants.base) == frozenset({"ex2"}) == variants.dependent


def test_a_variant_shares_every_question_but_those_that_read_the_data(
    variants: PreparedVariants,
) -> None:
    one, two = variants.for_student("s1"), variants.for_student("s2")
    assert one is variants.for_student("s1")  # cached
    for qid in ("ex1", "mini", "ex3", "ex4"):
        assert one.questions[qid] is two.questions[qid] is variants.base.questions[qid]
    assert one.questions["ex2"] is not two.questions["ex2"]
    assert one.rubric.data == variants.variant_of("s1").data != two.rubric.data
    assert str(one.key("batch-sum")["ex2.W_new"]) != str(two.key("batch-sum")["ex2.W_new"])


def test_jobs_of_shared_questions_are_the_same_for_every_variant(
    variants: PreparedVariants,
) -> None:
    answers = _answers(ex1__dL_dWout="(y_out - y_gt) * f3'(s_out) * z2")
    one = variants.requests(variants.variant_of("s1"), answers)
    two = variants.requests(variants.variant_of("s2"), answers)
    assert one and one == two and all(job.variant == SHARED for job in one)
    results = {job: variants.execute(job) for job in one}
    view = variants.results_for(variants.variant_of("s2"), results)
    assert [view[job.job] for job in one] == [results[job] for job in one]


def test_the_default_variant_is_the_printed_sheet_without_a_drawer() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "practical-1.yaml", REGISTRY)
    plain = PreparedVariants(prepare_rubric(rubric))
    assert not plain.enabled and plain.dependent == frozenset()
    assert plain.for_student("anyone") is plain.base
    assert plain.variant_of("anyone").is_default


def test_the_workers_executor_does_not_carry_the_course_secret(variants: PreparedVariants) -> None:
    import gc

    variants.for_student("s3")
    secret = variants.drawer.secret if variants.drawer else b""
    seen: set[int] = set()
    todo: list[object] = [variants.executor()]
    while todo and len(seen) < 300_000:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type) or type(item).__name__ == "module":
            continue
        seen.add(id(item))
        assert not (isinstance(item, bytes) and item == secret)
        todo.extend(gc.get_referents(item))
    assert variants.executor()(variants.requests(variants.variant_of("s3"), _answers(
        ex1__dL_dWout="(y_out - y_gt) * f3'(s_out) * z2"))[0]).fraction == 1.0
