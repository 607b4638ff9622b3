"""Grading against each student's own numbers: a PreparedRubric per variant, built cheaply.

Only questions whose preparation reads the rubric's `data:` block depend on the variant; which
ones is found once by preparing each question with a data block that records being read (so
no rubric has to declare it, and a solver that ignores the data, like Exercise 1's, is prepared
once for the whole class). A variant's PreparedRubric re-prepares just those questions with its
data and shares the rest: `prepare_variant` is a pure function of the base and the data.

Expensive jobs of a shared question are the same for every variant and stay deduplicated across
the class; jobs of a dependent question are keyed by the variant's label (`VariantJob`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.checkers.base import Answers, Job
from grader.checkers.prepare import PreparedRubric, prepare_rubric
from grader.checkers.registry import QUESTION_GRADERS
from grader.model import CheckResult, FrozenDict
from grader.rubric.draw import Drawer, Variant, default_variant, rubric_drawer
from grader.rubric.errors import RubricError
from grader.rubric.spec import Rubric

SHARED = ""  # the variant label of jobs that do not depend on the variant


class _Watched(Mapping[str, Any]):
    """A data block that remembers whether anyone looked inside it."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.read = False

    def __getitem__(self, key: str) -> Any:
        self.read = True
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        self.read = True
        return iter(self._data)

    def __len__(self) -> int:
        self.read = True
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        self.read = True
        return key in self._data


def data_dependent(base: PreparedRubric) -> frozenset[str]:
    """The ids of the questions whose preparation reads `data:` (and so differ per variant)."""
    if base.env is None:
        raise RubricError([f"{base.rubric.path}: internal: the rubric was prepared without env"])
    dependent = set()
    for question in base.rubric.questions:
        watched = _Watched(base.rubric.data)
        env = replace(base.env, rubric=replace(base.rubric, data=watched))
        QUESTION_GRADERS[question.grader].prepare(question, env)
        if watched.read:
            dependent.add(question.id)
    return frozenset(dependent)


def prepare_variant(
    base: PreparedRubric, dependent: frozenset[str], data: Mapping[str, Any]
) -> PreparedRubric:
    """`base` with the `dependent` questions prepared again on `data` (the others shared)."""
    if base.env is None:
        raise RubricError([f"{base.rubric.path}: internal: the rubric was prepared without env"])
    rubric = replace(base.rubric, data=FrozenDict(data))
    env = replace(base.env, rubric=rubric)
    questions = {
        q.id: (
            QUESTION_GRADERS[q.grader].prepare(q, env)
            if q.id in dependent
            else base.questions[q.id]
        )
        for q in rubric.questions
    }
    return PreparedRubric(rubric, questions, env)


@dataclass(frozen=True)
class VariantJob:
    """A job and the variant it belongs to (SHARED for a question every variant shares)."""

    variant: str
    job: Job


class PreparedVariants:
    """Every student's variant and its PreparedRubric, drawn and prepared on first use and
    cached by the variant's label (students with equal numbers share one). Without a drawer
    (a rubric without `variants:`) every student gets the default variant: the base itself."""

    def __init__(self, base: PreparedRubric, drawer: Drawer | None = None) -> None:
        self.base = base
        self.drawer = drawer
        self.dependent = data_dependent(base) if drawer is not None else frozenset()
        self.default = default_variant(base.rubric)
        self._variants: dict[str, Variant] = {}
        self._prepared: dict[str, PreparedRubric] = {self.default.label: base}

    @property
    def enabled(self) -> bool:
        """True when students get their own numbers."""
        return self.drawer is not None

    def variant_of(self, student_id: str) -> Variant:
        """The student's variant (the default one without variants)."""
        if self.drawer is None:
            return self.default
        if student_id not in self._variants:
            self._variants[student_id] = self.drawer.variant(student_id)
        return self._variants[student_id]

    def prepared(self, variant: Variant) -> PreparedRubric:
        """The PreparedRubric of a variant."""
        if variant.label not in self._prepared:
            self._prepared[variant.label] = prepare_variant(self.base, self.dependent, variant.data)
        return self._prepared[variant.label]

    def for_student(self, student_id: str) -> PreparedRubric:
        """The PreparedRubric a student's sheet is graded against."""
        return self.prepared(self.variant_of(student_id))

    def _label(self, variant: Variant, job: Job) -> str:
        return variant.label if job.question in self.dependent else SHARED

    def requests(self, variant: Variant, answers: Answers) -> tuple[VariantJob, ...]:
        """The jobs a sheet graded against `variant` needs, keyed by variant where it matters."""
        jobs = self.prepared(variant).requests(answers)
        return tuple(VariantJob(self._label(variant, job), job) for job in jobs)

    def execute(self, keyed: VariantJob) -> CheckResult:
        """Run one job with its variant's PreparedRubric."""
        return self.executor()(keyed)

    def executor(self) -> VariantExecutor:
        """What workers run jobs with: the variants prepared so far, and not the drawer (the
        course secret never travels to a worker process or a Dask cluster)."""
        return VariantExecutor(self.base, dict(self._prepared))

    def results_for(
        self, variant: Variant, results: Mapping[VariantJob, CheckResult]
    ) -> Mapping[Job, CheckResult]:
        """The batch's results as one sheet's grading looks them up (by plain Job)."""
        return _ResultsView(results, lambda job: VariantJob(self._label(variant, job), job))


class VariantExecutor:
    """Runs a VariantJob with its variant's PreparedRubric (the worker-process entry point;
    every variant a batch needs is prepared before the workers start)."""

    def __init__(self, base: PreparedRubric, prepared: Mapping[str, PreparedRubric]) -> None:
        self.base = base
        self.prepared = prepared

    def __call__(self, keyed: VariantJob) -> CheckResult:
        prepared = self.base if keyed.variant == SHARED else self.prepared[keyed.variant]
        return prepared.execute(keyed.job)


class _ResultsView(Mapping[Job, CheckResult]):
    """Results keyed by VariantJob, looked up by Job for one variant."""

    def __init__(
        self, results: Mapping[VariantJob, CheckResult], keyed: Callable[[Job], VariantJob]
    ) -> None:
        self._results = results
        self._keyed = keyed

    def __getitem__(self, job: Job) -> CheckResult:
        return self._results[self._keyed(job)]

    def __iter__(self) -> Iterator[Job]:
        return (k.job for k in self._results if self._keyed(k.job) == k)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def prepare_variants(rubric: Rubric, environ: Mapping[str, str] | None = None) -> PreparedVariants:
    """Prepare `rubric` and, when it declares `variants:`, bind its drawer to the course secret
    (RubricError when there is none: grading never falls back on the printed sheet's numbers)."""
    return PreparedVariants(prepare_rubric(rubric), rubric_drawer(rubric, environ))
