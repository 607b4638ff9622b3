"""`grade --help` and `grade check` on a YAML sheet never import the heavy libraries.

Student CI runs `grade check` on every push: sympy (the exact prover), mpmath (precise
evaluation), nbformat (notebooks), matplotlib (the report), pandas and dask are imported only by
the features that use them; nor does `grade check` load the grading pipeline, its worker pool or
the judge. Checked in a fresh interpreter, by module names, never by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sympy", "mpmath", "nbformat", "matplotlib", "pandas", "dask")
# What only `grade FOLDER` (or judging an answer) needs.
GRADING = ("grader.pipeline", "grader.sandbox", "grader.parallel", "grader.engine.judge")

_PROBE = """
import io, json, sys
from grader.cli import main
out = io.StringIO()
code = main(sys.argv[1:], out, out)
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], {m.split(".")[0] for m in result["modules"]} | set(result["modules"])


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("check", "submissions/pen_paper_lovelace.yaml")],
    ids=["help", "check"],
)
def test_no_heavy_import(argv: tuple[str, ...]) -> None:
    code, modules = _modules_after(*argv)
    assert code == 0
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
    assert modules.isdisjoint(GRADING), sorted(modules & set(GRADING))


def test_help_imports_not_even_numpy() -> None:
    code, modules = _modules_after("--help")
    assert code == 0
    assert "numpy" not in modules and "grader" in modules


def test_check_of_a_notebook_still_reads_it() -> None:
    code, modules = _modules_after("check", "submissions/pen_paper_hamilton.ipynb")
    assert code == 1  # the sample notebook has one cell that is not a literal, on purpose
    # notebooks are read from their JSON by grader.loaders.nbjson: not even nbformat is needed
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
