"""Every answer of the STACK conformance table (plain Python-style maths) must parse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.mathlang import parse, to_text

TABLE = Path("/work/shared/conformance/stack_answertests.tsv")


def _cells() -> list[str]:
    if not TABLE.exists():
        return []
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted({row[col] for row in rows for col in ("student", "teacher") if row[col].strip()})


@pytest.mark.skipif(not TABLE.exists(), reason="the shared conformance table is not available")
@pytest.mark.parametrize("text", _cells())
def test_conformance_answer_parses(text: str) -> None:
    tree = parse(text)
    assert parse(to_text(tree)) == tree
