"""`extends: base.yaml`: a rubric that is another rubric with some top-level keys replaced.

An edition of an assignment (Practical-1 with per-student numbers) is the same marking scheme
with a few keys changed (`assignment`, `title`, `variants`, `sheet`); copying the whole rubric
would let the two drift apart. The child's top-level keys replace the base's whole (no deep
merge: what a key means never depends on two files). The base is a file in the same folder or
below, read the same way; chains are allowed up to MAX_DEPTH and cycles are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

MAX_DEPTH = 4

Reader = Callable[[Path], Mapping[str, Any] | None]
Report = Callable[[str, str], None]


def resolve_extends(
    data: Mapping[str, Any], path: Path, read: Reader, report: Report
) -> Mapping[str, Any]:
    """`data` with its `extends:` chain merged in (the child's keys win), `extends` removed."""
    seen = {path.resolve()}
    merged = dict(data)
    for _ in range(MAX_DEPTH + 1):
        base_name = merged.pop("extends", None)
        if base_name is None:
            return merged
        base_path = _base_path(base_name, path, report)
        if base_path is None:
            return merged
        if base_path in seen:
            report("extends", f"{base_name!r} extends the rubric itself (a cycle)")
            return merged
        seen.add(base_path)
        base = read(base_path)
        if base is None:
            report("extends", f"cannot use the base rubric {base_name!r}")
            return merged
        merged = {**base, **merged, "extends": base.get("extends")}
        if merged["extends"] is None:
            del merged["extends"]
        path = base_path
    report("extends", f"more than {MAX_DEPTH} rubrics extend each other")
    return merged


def _base_path(name: Any, path: Path, report: Report) -> Path | None:
    if not isinstance(name, str) or not name.endswith((".yaml", ".yml")):
        report("extends", "the file name of a rubric in the same folder, e.g. lab-3.yaml")
        return None
    folder = path.resolve().parent
    base = (folder / name).resolve()
    if folder not in base.parents:
        report("extends", f"{name!r} is outside the rubric's folder")
        return None
    if not base.is_file():
        report("extends", f"no rubric file {name!r} beside this one")
        return None
    return base
