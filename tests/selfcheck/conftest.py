"""Fixtures for the `grade check` tests: the key sheet, sheet builders, a rubric that scores."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import GITHUB_VARIABLES, RUBRIC, SheetMaker, run_grade


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may themselves run under GitHub Actions: start every test outside it.
    for name in GITHUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def key_text() -> str:
    """`grade key practical-1`: a complete, well-formed sheet."""
    run = run_grade(["key", "practical-1"])
    assert run.code == 0
    return run.out


@pytest.fixture(scope="session")
def key_data(key_text: str) -> dict[str, Any]:
    """The key sheet as plain data (our own file, read with safe_load)."""
    data = yaml.safe_load(key_text)
    assert isinstance(data, dict)
    return data


@pytest.fixture
def make_sheet(tmp_path: Path, key_data: dict[str, Any]) -> SheetMaker:
    """Write the key sheet with some answers replaced (`{"ex2.s": [[1]]}`) or removed (None
    under `drop`), as `pen_paper_<name>.yaml` in a fresh folder."""

    def make(
        changes: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        name: str = "test",
    ) -> Path:
        data = copy.deepcopy(key_data)
        answers = data["answers"]
        for answer_id, value in (changes or {}).items():
            question, part = answer_id.split(".", 1)
            answers.setdefault(question, {})[part] = value
        for answer_id in drop:
            question, part = answer_id.split(".", 1)
            answers[question].pop(part, None)
        folder = tmp_path / f"sheet-{name}"
        folder.mkdir(exist_ok=True)
        path = folder / f"pen_paper_{name}.yaml"
        # One line per answer (no wrapping): sheets of the same forms share their layout.
        text = yaml.safe_dump(data, sort_keys=False, width=1_000_000)
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture
def key_sheet(tmp_path: Path, key_text: str) -> Path:
    """The key sheet exactly as `grade key` prints it."""
    path = tmp_path / "pen_paper_key.yaml"
    path.write_text(key_text, encoding="utf-8")
    return path


@pytest.fixture
def scores_rubric(tmp_path: Path) -> Path:
    """The practical-1 rubric with `feedback: scores`."""
    text = RUBRIC.read_text(encoding="utf-8")
    lines = [
        "feedback: scores" if line.startswith("feedback:") else line for line in text.splitlines()
    ]
    assert "feedback: scores" in lines
    path = tmp_path / "practical-1-scores.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
