"""Comparing a gradebook file with its golden copy (or rewriting it, when asked to)."""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("GRADER_UPDATE_GOLDEN") == "1"


def compare_golden(folder: Path, name: str, actual: str) -> None:
    """Assert that `actual` is the golden file `folder/name`; with GRADER_UPDATE_GOLDEN=1
    write it instead (then review the diff by hand)."""
    path = folder / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"
