"""Bind a validated rubric to its solver module: compute references, build engine contexts.

The result, a PreparedRubric, is what grading needs: it lists the expensive jobs of a
submission, executes them (in a worker process when the pipeline uses one) and scores.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.checkers.base import (
    Answers,
    Job,
    PreparedQuestion,
    PrepareEnv,
    QuestionResult,
    RubricError,
)
from grader.checkers.registry import QUESTION_GRADERS
from grader.engine import context_from_mapping
from grader.model import CheckResult
from grader.rubric.spec import Rubric

SOLVER_PACKAGE = "reference_solutions"


class PreparedRubric:
    """A rubric ready to grade: prepared questions by id, in rubric order."""

    def __init__(self, rubric: Rubric, questions: dict[str, PreparedQuestion]) -> None:
        self.rubric = rubric
        self.questions = questions

    def requests(self, answers: Answers) -> tuple[Job, ...]:
        """Every expensive job these answers need."""
        return tuple(job for q in self.questions.values() for job in q.requests(answers))

    def execute(self, job: Job) -> CheckResult:
        """Run one job (the worker-process entry point)."""
        return self.questions[job.question].execute(job)

    def grade(
        self, answers: Answers, results: Mapping[Job, CheckResult]
    ) -> dict[str, QuestionResult]:
        """Score every question, given the results of the jobs."""
        return {qid: q.grade(answers, results) for qid, q in self.questions.items()}

    def key(self, convention: str | None) -> dict[str, Any]:
        """Every reference answer by dotted id."""
        out: dict[str, Any] = {}
        for question in self.questions.values():
            out.update(question.key(convention))
        return out


def load_solvers(
    name: str | None, where: str, rubric_path: Path | None = None
) -> Mapping[str, Callable[..., Any]]:
    """The `SOLVERS` mapping of `reference_solutions.<name>` (empty without a solver).

    Solvers are course content kept beside the rubrics: `<course>/rubrics/<a>.yaml` uses
    `<course>/reference_solutions/<name>/`. That folder is used when it exists; otherwise an
    installed `reference_solutions` package. (The grader's wheel ships none, so installing the
    grader for student CI never hands out the course's solutions.)
    """
    if name is None:
        return {}
    try:
        _bind_course_package(rubric_path)
        module = importlib.import_module(f"{SOLVER_PACKAGE}.{name}")
    except ImportError as exc:
        raise RubricError(
            [f"{where}: cannot import solver module {SOLVER_PACKAGE}.{name}: {exc}"]
        ) from exc
    solvers = getattr(module, "SOLVERS", None)
    if not isinstance(solvers, Mapping):
        raise RubricError([f"{where}: {SOLVER_PACKAGE}.{name} defines no SOLVERS mapping"])
    return solvers


def _bind_course_package(rubric_path: Path | None) -> None:
    """Make `reference_solutions` the course folder beside the rubric, when there is one."""
    if rubric_path is None:
        return
    folder = rubric_path.resolve().parent.parent / SOLVER_PACKAGE
    init = folder / "__init__.py"
    if not init.is_file():
        return
    current = sys.modules.get(SOLVER_PACKAGE)
    if current is not None and Path(getattr(current, "__file__", "") or "").resolve() == init:
        return
    if current is not None:
        # Another course's solvers were imported in this process: forget them and theirs.
        stale = [k for k in sys.modules if k.split(".")[0] == SOLVER_PACKAGE]
        for key in stale:
            del sys.modules[key]
    spec = importlib.util.spec_from_file_location(
        SOLVER_PACKAGE, init, submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[SOLVER_PACKAGE] = module
    spec.loader.exec_module(module)


def prepare_rubric(rubric: Rubric) -> PreparedRubric:
    """Prepare every question; raise RubricError listing every problem as `file: where: msg`."""
    problems: list[str] = []
    solvers: Mapping[str, Callable[..., Any]] = {}
    try:
        solvers = load_solvers(rubric.solver, "solver", Path(rubric.path))
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
    env = PrepareEnv(rubric=rubric, solvers=solvers, contexts=contexts)
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
    return PreparedRubric(rubric, questions)
