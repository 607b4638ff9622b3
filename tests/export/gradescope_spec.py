"""The Gradescope results.json spec (lms-and-ci-formats.md section 3) as a validator of field
names, types and values, written from the spec, independent of the exporter under test."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

VISIBILITY = frozenset({"hidden", "after_due_date", "after_published", "visible"})
OUTPUT_FORMATS = frozenset({"text", "html", "simple_format", "md", "ansi"})
NUMBER, TEXT, OBJECT, LIST = "number", "text", "object", "list"
# Field types of the spec (lms-and-ci-formats.md section 3); a set means one of its values.
TOP_FIELDS: Mapping[str, object] = MappingProxyType({
    "score": NUMBER, "execution_time": NUMBER, "output": TEXT, "output_format": OUTPUT_FORMATS,
    "test_output_format": OUTPUT_FORMATS, "test_name_format": OUTPUT_FORMATS,
    "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": OBJECT,
    "tests": LIST, "leaderboard": LIST,
})  # fmt: skip
TEST_FIELDS: Mapping[str, object] = MappingProxyType({
    "score": NUMBER, "max_score": NUMBER, "status": frozenset({"passed", "failed"}),
    "name": TEXT, "name_format": OUTPUT_FORMATS, "number": TEXT, "output": TEXT,
    "output_format": OUTPUT_FORMATS, "tags": LIST, "visibility": VISIBILITY,
    "extra_data": OBJECT,
})  # fmt: skip
# What this project promises on top of the spec (the brief's field list).
TOP_REQUIRED = frozenset(
    {"score", "output", "output_format", "visibility", "stdout_visibility", "tests"}
)
TEST_REQUIRED = frozenset({"name", "number", "score", "max_score", "status", "output", "output_format",
                 "visibility"})  # fmt: skip


def _fits(kind: object, value: object) -> bool:
    if kind == NUMBER:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if kind == TEXT:
        return isinstance(value, str)
    if kind == OBJECT:
        return isinstance(value, dict)
    if kind == LIST:
        return isinstance(value, list)
    return isinstance(kind, frozenset) and value in kind


def _problems(obj: dict[str, Any], fields: Mapping[str, object], where: str) -> list[str]:
    """Unknown fields and fields of the wrong type or value."""
    return [f"{where}{key}: {value!r}" for key, value in obj.items()
            if not _fits(fields.get(key), value)]  # fmt: skip


def validate(document: object) -> list[str]:
    """Every way `document` breaks the Gradescope results spec (empty when valid)."""
    if not isinstance(document, dict):
        return ["not an object"]
    problems = _problems(document, TOP_FIELDS, "")
    tests = document.get("tests", [])
    for index, test in enumerate(tests if isinstance(tests, list) else []):
        if not isinstance(test, dict):
            problems.append(f"tests[{index}] is not an object")
            continue
        problems += _problems(test, TEST_FIELDS, f"tests[{index}].")
    if "score" not in document and not all("score" in t for t in tests):
        problems.append("no score at the top level nor on every test")
    return problems
