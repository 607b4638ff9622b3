"""Form requirements (expanded, factored, simplified, no derivatives) on written answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.engine.forms import FORMS, form_problems
from grader.mathlang import parse

CASES = yaml.safe_load((Path(__file__).parent / "test_forms_cases.yaml").read_text("utf-8"))


@pytest.mark.parametrize(("form", "answer", "holds"), CASES)
def test_form(form: str, answer: str, holds: bool) -> None:
    problems = form_problems(form, parse(answer))
    assert (problems == []) is holds, problems


def test_every_form_has_cases_both_ways() -> None:
    for form in FORMS:
        assert {holds for f, _, holds in CASES if f == form} == {True, False}, form
