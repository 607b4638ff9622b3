"""ci-templates/github-classroom.yml: the structure GitHub Classroom needs, and its `grade check`
command line run here on a complete sheet."""

from __future__ import annotations

import base64
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import REPO, RUBRIC, run_grade

WORKFLOW = REPO / "ci-templates" / "github-classroom.yml"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def check_step(workflow: dict[str, Any]) -> dict[str, Any]:
    found = [s for s in steps(workflow) if "grade check" in str(s.get("run", ""))]
    assert len(found) == 1
    return found[0]


def test_header(workflow: dict[str, Any]) -> None:
    assert workflow["name"] == "Autograding Tests"
    # `on` is quoted in the file: unquoted, YAML 1.1 readers turn the key into True.
    assert workflow["on"] == ["push", "workflow_dispatch"]
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert set(workflow["env"]) == {"GRADER_SOURCE", "SHEET", "RUBRIC"}
    header = WORKFLOW.read_text("utf-8").split("\nname:", 1)[0]
    for variable in workflow["env"]:
        assert variable in header  # each one documented at the top


def test_steps(workflow: dict[str, Any]) -> None:
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    uses = [s.get("uses", "") for s in steps(workflow)]
    assert uses[0].startswith("actions/checkout@")
    python = next(
        s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@")
    )
    assert python["with"]["python-version"] == "3.11"
    install = next(s for s in steps(workflow) if "pip install" in str(s.get("run", "")))
    assert '"grader @ git+${GRADER_SOURCE}"' in install["run"]
    order = [i for i, s in enumerate(steps(workflow)) if s is python or s is install]
    check = check_step(workflow)
    assert order == sorted(order) and order[-1] < steps(workflow).index(check)


def test_check_and_reporter(workflow: dict[str, Any]) -> None:
    check = check_step(workflow)
    step_id = check["id"]
    words = shlex.split(check["run"])
    assert words[:2] == ["grade", "check"]
    assert "--classroom" in words
    assert words[words.index("--junit") + 1] == "report.xml"
    reporter = next(s for s in steps(workflow) if s.get("uses") == REPORTER)
    assert reporter["with"]["runners"] == step_id
    # The reporter reads `<ID uppercased>_RESULTS` for each runner id.
    variable = f"{step_id.upper()}_RESULTS"
    assert set(reporter["env"]) == {variable}
    expression = re.sub(r"\s+", "", reporter["env"][variable])
    assert expression == f"${{{{steps.{step_id}.outputs.result}}}}"
    # The check step fails when the sheet is incomplete: the reporter must still run.
    assert reporter.get("if") == "always()"
    assert steps(workflow).index(reporter) > steps(workflow).index(check)


def test_the_command_line_runs_here(
    workflow: dict[str, Any],
    key_sheet: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = check_step(workflow)["run"]
    values = {"SHEET": str(key_sheet), "RUBRIC": str(RUBRIC)}
    for name, value in values.items():
        command = re.sub(rf'"?\${name}"?', shlex.quote(value), command)
    words = shlex.split(command)
    assert words[:2] == ["grade", "check"]
    assert not [w for w in words if "$" in w]  # every variable substituted
    output = tmp_path / "github_output"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    run = run_grade(words[1:])
    assert run.code == 0
    assert (tmp_path / "report.xml").is_file()
    (line,) = output.read_text("utf-8").splitlines()
    result = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert result["status"] == "pass"
    assert result["max_score"] > 0
