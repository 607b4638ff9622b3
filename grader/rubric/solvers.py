"""Reference solver modules: course content found beside the rubric, imported by name.

A rubric's `solver: name` is `reference_solutions/<name>/` in the course folder beside the
rubric's `rubrics/` folder (an installed `reference_solutions` package otherwise). The module
exposes `SOLVERS = {name: function}`; the checkers call those functions when they prepare. It
may also expose `MISTAKE_RULES = {kind: grader.engine.MistakeRule}`: the course's own mistake
kinds, beside the built-in ones.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grader.rubric.errors import RubricError

SOLVER_PACKAGE = "reference_solutions"


def load_mistake_rules(
    name: str | None, where: str, rubric_path: Path | None = None
) -> Mapping[str, Any]:
    """The course's own `MISTAKE_RULES` of `reference_solutions.<name>` (empty without)."""
    if name is None:
        return {}
    _bind_course_package(rubric_path)
    module = importlib.import_module(f"{SOLVER_PACKAGE}.{name}")
    rules = getattr(module, "MISTAKE_RULES", {})
    if not isinstance(rules, Mapping):
        raise RubricError([f"{where}: {SOLVER_PACKAGE}.{name}.MISTAKE_RULES is not a mapping"])
    return rules


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
    return _module_mapping(name, "SOLVERS", where, rubric_path)


def load_conditions(
    name: str | None, where: str, rubric_path: Path | None = None
) -> Mapping[str, Callable[..., Any]]:
    """The `CONDITIONS` mapping of the solver module: named acceptance conditions of drawn
    variants (`variants.accept`), each a function of a data block returning True or False."""
    if name is None:
        raise RubricError([f"{where}: acceptance conditions need a `solver:` module"])
    return _module_mapping(name, "CONDITIONS", where, rubric_path)


def solver_folder(name: str | None, rubric_path: Path | None = None) -> Path | None:
    """The folder holding the source of `reference_solutions.<name>` (the package's own
    folder; for a plain module, the folder it is in), found as :func:`load_solvers` would
    import it but without importing it (None without a solver or when there is none)."""
    if name is None:
        return None
    try:
        _bind_course_package(rubric_path)
        spec = importlib.util.find_spec(f"{SOLVER_PACKAGE}.{name}")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.has_location:
        return None
    return Path(spec.origin).resolve().parent


def _module_mapping(
    name: str, attribute: str, where: str, rubric_path: Path | None
) -> Mapping[str, Callable[..., Any]]:
    try:
        _bind_course_package(rubric_path)
        module = importlib.import_module(f"{SOLVER_PACKAGE}.{name}")
    except ImportError as exc:
        raise RubricError(
            [f"{where}: cannot import solver module {SOLVER_PACKAGE}.{name}: {exc}"]
        ) from exc
    mapping = getattr(module, attribute, None)
    if not isinstance(mapping, Mapping):
        raise RubricError([f"{where}: {SOLVER_PACKAGE}.{name} defines no {attribute} mapping"])
    return mapping


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
