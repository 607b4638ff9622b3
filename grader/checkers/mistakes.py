"""Declared mistakes of a part, as the rubric writes them, for symbolic and numeric checks.

A mistake is `{id, credit (default 0.5), feedback}` plus exactly one of:
- `kind:` a rule of the engine's registry (`drop_factor`, `negate`, `missing_transpose`,
  `swapped_arguments`) or of the course's own `MISTAKE_RULES` (in its solver module);
- `expression:` the wrong answer written out (STACK's buggy answers, symbolic parts);
- `reference:` a solver function returning the wrong answer (an expression for symbolic parts,
  numbers for numeric ones);
- `value:` the wrong numbers themselves (numeric parts).
An answer that is not right but equals a mistake earns the mistake's credit and its feedback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checkers.base import PrepareEnv
from grader.engine import MISTAKE_RULES, Mistake, MistakeRule
from grader.mathlang import ParseError, parse
from grader.references import ExpressionForms
from grader.rubric.errors import RubricError
from grader.rubric.spec import PartSpec

SOURCES = ("kind", "expression", "reference", "value")
DEFAULT_CREDIT = 0.5


@dataclass(frozen=True)
class ValueMistake:
    """A numeric mistake: the values it produces, its credit and the student's sentence."""

    id: str
    values: np.ndarray
    credit: float
    feedback: str


def validate(raw: Any, where: str, numeric: bool) -> list[str]:
    """Structure problems of a part's `mistakes:` list (no solver needed)."""
    if not isinstance(raw, (list, tuple)):
        return [f"{where}: must be a list"]
    problems = []
    allowed = {"id", "credit", "feedback", *SOURCES}
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            problems.append(f"{at}: a mistake needs an `id:`")
            continue
        at = f"{where}[{item['id']}]"
        problems += [f"{at}.{k}: unknown key; valid: {', '.join(sorted(allowed))}"
                     for k in sorted(set(map(str, item)) - allowed)]  # fmt: skip
        given = [k for k in SOURCES if k in item]
        if len(given) != 1:
            problems.append(f"{at}: give exactly one of {', '.join(f'`{k}:`' for k in SOURCES)}")
        elif given[0] == ("expression" if numeric else "value"):
            kind = "numeric" if numeric else "symbolic"
            problems.append(f"{at}.{given[0]}: not available for {kind} parts")
        credit = item.get("credit", DEFAULT_CREDIT)
        if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 <= credit <= 1:
            problems.append(f"{at}.credit: a share of the part's points between 0 and 1")
        if not isinstance(item.get("feedback", ""), str):
            problems.append(f"{at}.feedback: a sentence for the student")
    return problems


def rules(env: PrepareEnv) -> Mapping[str, Any]:
    """Every mistake kind a part of this course may name: built-in and the course's own."""
    return {**MISTAKE_RULES, **env.mistake_rules}


def _rule(item: Mapping[str, Any], env: PrepareEnv, at: str) -> MistakeRule:
    known = rules(env)
    kind = str(item["kind"])
    if kind not in known:
        raise RubricError([f"{at}.kind: unknown mistake kind {kind!r}; valid: "
                           f"{', '.join(sorted(known))}"])  # fmt: skip
    rule = known[kind]
    if not isinstance(rule, MistakeRule):
        raise RubricError([f"{at}.kind: the course's {kind!r} is not a MistakeRule"])
    return rule


def symbolic(part: PartSpec, env: PrepareEnv) -> tuple[Mistake, ...]:
    """The part's mistakes as engine Mistakes (RubricError on a problem)."""
    out = []
    for item in part.options.get("mistakes", ()):
        at = f"{part.where}.mistakes[{item['id']}]"
        credit, feedback = float(item.get("credit", DEFAULT_CREDIT)), str(item.get("feedback", ""))
        if "kind" in item:
            rule = _rule(item, env, at)
            course = rule if str(item["kind"]) in env.mistake_rules else None
            out.append(Mistake(str(item["id"]), rule.kind, credit, feedback, rule=course))
            continue
        text = item.get("expression")
        if text is None:
            found = env.solver(str(item["reference"]), f"{at}.reference")(env.rubric.data)
            text = found.matrix or found.scalar if isinstance(found, ExpressionForms) else found
        try:
            tree = parse(str(text))
        except ParseError as exc:
            raise RubricError([f"{at}: the expression does not parse: {exc.message}"]) from exc
        out.append(Mistake(str(item["id"]), "expression", credit, feedback, expression=tree))
    return tuple(out)


def numeric(
    part: PartSpec, env: PrepareEnv, reference: np.ndarray, read: Any
) -> tuple[ValueMistake, ...]:
    """The part's mistakes as values (`read` turns solver output into a float array)."""
    out = []
    for item in part.options.get("mistakes", ()):
        at = f"{part.where}.mistakes[{item['id']}]"
        if "kind" in item:
            rule = _rule(item, env, at)
            if rule.on_values is None:
                raise RubricError([f"{at}.kind: {rule.kind} applies to expressions only"])
            values = np.asarray(rule.on_values(reference), dtype=float)
        elif "value" in item:
            values = read(item["value"], at)
        else:
            found = env.solver(str(item["reference"]), f"{at}.reference")(env.rubric.data)
            values = read(found, at)
        sentence = str(item.get("feedback", "")) or (
            f"Your answer matches a known mistake ({item['id']})."
        )
        credit = float(item.get("credit", DEFAULT_CREDIT))
        out.append(ValueMistake(str(item["id"]), values, credit, sentence))
    return tuple(out)
