"""\\answer contents as TeX reads them: the case table answer_cases.yaml, through read_document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.latex import TexAnswer, read_document
from grader.mathlang import parse, to_text

TABLE = yaml.safe_load((Path(__file__).parent / "answer_cases.yaml").read_text(encoding="utf-8"))


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _read(case: dict[str, Any]) -> TexAnswer:
    source = f"{case.get('macros', '')}\n\\begin{{document}}\n\\answer{{q.a}}{{{case['tex']}}}\n"
    doc = read_document(source)
    assert [a.answer_id for a in doc.answers] == ["q.a"]
    return doc.answers[0]


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_answer_value(case: dict[str, Any]) -> None:
    answer = _read(case)
    assert answer.error == ""
    assert answer.value == _tuples(case["value"])
    if "mathlang" in case:
        assert isinstance(answer.value, str)
        assert to_text(parse(answer.value)) == case["mathlang"]


@pytest.mark.parametrize("case", TABLE["errors"], ids=[c["name"] for c in TABLE["errors"]])
def test_answer_error(case: dict[str, Any]) -> None:
    answer = _read(case)
    assert answer.value is None
    assert answer.kind == case["kind"]
    assert answer.error_line >= 1
