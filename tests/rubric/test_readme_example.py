"""The rubric example in the README is a valid rubric (structure), so the docs cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

from grader.checkers.registry import REGISTRY
from grader.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]


def test_readme_rubric_example_loads(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "assignment: demo-1" in b)
    path = tmp_path / "demo-1.yaml"
    path.write_text(example, encoding="utf-8")
    rubric = load_rubric(path, REGISTRY)
    assert rubric.max_total == 10
    assert [q.id for q in rubric.questions] == ["q1", "q2", "q3"]
    assert rubric.bonus is not None and rubric.bonus.questions == ("q3",)
    assert rubric.late is not None and rubric.late.penalty_per_day == 1
