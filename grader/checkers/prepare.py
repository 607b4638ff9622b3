"""Bind a validated rubric to its solver module: compute references, build engine contexts.

The result, a PreparedRubric, is what grading needs: it lists the expensive jobs of a
submission, executes them (in a worker process when the pipeline uses one) and scores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.checkers.base import (
    Answers,
    Job,
    PreparedQuestion,
    PrepareEnv,
    QuestionResult,
    answer_text,
    part_score,
)
from grader.checkers.failures import internal_error
from grader.checkers.registry import PART_CHECKERS, QUESTION_GRADERS
from grader.engine import context_from_mapping
from grader.model import CheckResult
from grader.rubric.errors import RubricError
from grader.rubric.solvers import load_mistake_rules, load_solvers
from grader.rubric.spec import Rubric


class PreparedRubric:
    """A rubric ready to grade: prepared questions by id, in rubric order.

    One made by :meth:`deferred` is prepared when its questions or env are first used: a
    re-run whose every row comes from the sheet cache never imports the solver (sympy) nor
    computes a reference."""

    def __init__(
        self,
        rubric: Rubric,
        questions: dict[str, PreparedQuestion],
        env: PrepareEnv | None = None,
    ) -> None:
        self.rubric = rubric
        self._questions = questions
        self._env = env  # what the questions were prepared with: variants reuse it
        self._deferred = False

    @classmethod
    def deferred(cls, rubric: Rubric) -> PreparedRubric:
        """`rubric`, prepared by :func:`prepare_rubric` on first use of its questions or env
        (which then raise its RubricError)."""
        prepared = cls(rubric, {})
        prepared._deferred = True
        return prepared

    @property
    def is_prepared(self) -> bool:
        """False while a deferred rubric has not been prepared yet."""
        return not self._deferred

    def ready(self) -> PreparedRubric:
        """This rubric, prepared now if it was deferred (RubricError listing every problem).
        Called where the preparing must happen: in this process, before workers fork."""
        if self._deferred:
            done = prepare_rubric(self.rubric)
            self._questions, self._env, self._deferred = done.questions, done.env, False
        return self

    def __getstate__(self) -> dict[str, Any]:
        # Sent to a worker (Dask) prepared: a worker never prepares the rubric itself.
        return dict(self.ready().__dict__)

    @property
    def questions(self) -> dict[str, PreparedQuestion]:
        """The prepared questions by id, in rubric order."""
        return self.ready()._questions

    @property
    def env(self) -> PrepareEnv | None:
        """What the questions were prepared with (variants reuse it)."""
        return self.ready()._env

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        """Every expensive job these answers need."""
        return tuple(job for q in self.questions.values() for job in q.requests(answers))

    def execute(self, job: Job) -> CheckResult:
        """Run one job (the worker-process entry point). An exception is our bug: the part
        gets an `internal_error` result (memory and depth limits stay the sandbox's)."""
        try:
            return self.questions[job.question].execute(job)
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
            return internal_error(exc, f"checking {job.question}.{job.part}")

    def grade(
        self, answers: Answers, results: Mapping[Job, CheckResult]
    ) -> dict[str, QuestionResult]:
        """Score every question, given the results of the jobs; a question whose grader
        raises gets `internal_error` on each of its scored parts."""
        return {qid: self._grade(q, answers, results) for qid, q in self.questions.items()}

    def _grade(
        self, question: PreparedQuestion, answers: Answers, results: Mapping[Job, CheckResult]
    ) -> QuestionResult:
        try:
            return question.grade(answers, results)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
            places = self.rubric.rounding
            failed = internal_error(exc, f"grading question {question.spec.id}")
            return QuestionResult(
                tuple(
                    part_score(p, failed, answer_text(answers.get(p.answer_id)), places)
                    for p in question.spec.parts
                    if p.scored
                )
            )

    def key(self, convention: str | None) -> dict[str, Any]:
        """Every reference answer by dotted id."""
        out: dict[str, Any] = {}
        for question in self.questions.values():
            out.update(question.key(convention))
        return out


def prepare_rubric(rubric: Rubric) -> PreparedRubric:
    """Prepare every question; raise RubricError listing every problem as `file: where: msg`."""
    problems: list[str] = []
    solvers: Mapping[str, Callable[..., Any]] = {}
    rules: Mapping[str, Any] = {}
    try:
        solvers = load_solvers(rubric.solver, "solver", Path(rubric.path))
        rules = load_mistake_rules(rubric.solver, "solver", Path(rubric.path))
    except RubricError as exc:
        problems.extend(exc.problems)
    contexts: dict[str, Any] = {}
    for name, data in rubric.contexts.items():
        context, errors = context_from_mapping(
            name, data, where=f"contexts.{name}", samplers=solvers
        )
        problems.extend(errors)
        if context is not None:
            contexts[name] = context
    env = PrepareEnv(
        rubric=rubric,
        solvers=solvers,
        contexts=contexts,
        checkers=PART_CHECKERS,
        mistake_rules=rules,
    )
    questions: dict[str, PreparedQuestion] = {}
    for question in rubric.questions:
        try:
            questions[question.id] = QUESTION_GRADERS[question.grader].prepare(question, env)
        except RubricError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RubricError(
            [p if p.startswith(rubric.path) else f"{rubric.path}: {p}" for p in problems]
        )
    return PreparedRubric(rubric, questions, env)
