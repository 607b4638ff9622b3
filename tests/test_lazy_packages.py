"""The packages that import their exported names on first use (grader.engine, grader.gradebook)
export exactly what they did when they imported everything eagerly."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["grader.engine", "grader.gradebook"])
def test_every_exported_name_is_its_modules_object(package: str) -> None:
    module = importlib.import_module(package)
    homes = module._HOMES
    assert sorted(homes) == sorted(module.__all__)
    for name in module.__all__:
        own = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
        assert getattr(module, name) is own, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    import grader.engine
    import grader.gradebook

    for module in (grader.engine, grader.gradebook):
        with pytest.raises(AttributeError):
            module.no_such_name  # noqa: B018 - the attribute access is the test


def test_judge_stays_the_function_after_its_module_is_imported() -> None:
    # The submodule grader.engine.judge has the name of the function the package exports.
    probe = (
        "import grader.engine.judge\n"
        "from grader.engine.judge import open_reading\n"
        "from grader.engine import judge\n"
        "print(callable(judge) and judge.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "grader.engine.judge"
